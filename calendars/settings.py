"""The calendar settings (environment variables, documented in docs/configuration.md) and the
providers built from them."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.calendars.provider import CalendarProvider, Calendars


class CalendarSettings(BaseSettings):
    """``GRAPH_*`` for Microsoft 365, ``GOOGLE_*`` for Google Workspace; the base URLs default to
    the real services (tests point them at local fakes)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    graph_api_url: str = "https://graph.microsoft.com/v1.0"
    graph_login_url: str = "https://login.microsoftonline.com"
    graph_client_id: str | None = None
    graph_client_secret: str | None = None
    microsoft_app_id: str | None = None
    microsoft_app_password: str | None = None
    google_api_url: str = "https://www.googleapis.com/calendar/v3"
    google_token_url: str = "https://oauth2.googleapis.com/token"
    google_service_account_file: str | None = None

    def graph_credentials(self) -> tuple[str, str] | None:
        """The Entra app's id and secret: ``GRAPH_CLIENT_*``, else the Teams bot's registration."""
        if self.graph_client_id and self.graph_client_secret:
            return self.graph_client_id, self.graph_client_secret
        if self.microsoft_app_id and self.microsoft_app_password:
            return self.microsoft_app_id, self.microsoft_app_password
        return None


def build_calendars(settings: CalendarSettings, public_url: str | None) -> Calendars:
    """The providers the settings configure (none: no real calendars, the .ics invites only)."""
    providers: dict[str, CalendarProvider] = {}
    credentials = settings.graph_credentials()
    if credentials is not None:
        from calendars.graph import GraphProvider

        providers["microsoft"] = GraphProvider(settings.graph_api_url, settings.graph_login_url, *credentials)
    if settings.google_service_account_file:
        from calendars.google import GoogleProvider, ServiceAccount

        account = ServiceAccount.from_file(settings.google_service_account_file)
        providers["google"] = GoogleProvider(settings.google_api_url, settings.google_token_url, account)
    return Calendars(providers, public_url)


async def close_calendars(calendars: Calendars) -> None:
    """Close every provider's connections."""
    for provider in calendars.providers.values():
        close = getattr(provider, "close", None)
        if close is not None:
            await close()
