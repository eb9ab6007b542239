"""What the Teams adapter needs from the settings, on both sides of the acknowledgement, and
botbuilder's authentication built from it."""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botframework.connector.auth import ServiceClientCredentialsFactory

from adapters.teams.auth import ReusingAuthentication


@dataclass(frozen=True)
class TeamsConfig:
    """What the Teams adapter needs from the settings.

    ``credentials_factory`` replaces Entra ID as the source of the bot's own token (the tests'
    local fake); leave it unset in production. ``public_url`` is where the bot's HTTP server is
    reached from outside (``PUBLIC_URL``): calendar-invite buttons link there.
    """

    app_id: str = ""
    app_password: str = ""
    app_type: str = "MultiTenant"
    app_tenant_id: str = ""
    allow_unauthenticated: bool = False
    credentials_factory: ServiceClientCredentialsFactory | None = None
    public_url: str | None = None

    @property
    def authenticated(self) -> bool:
        """True when requests must carry a valid Bot Framework token."""
        return bool(self.app_id and self.app_password)

    @property
    def single_tenant(self) -> bool:
        """True when only the registration's own tenant is served."""
        return self.app_type.lower() == "singletenant"

    def check(self) -> None:
        """ValueError when Teams would be served without authentication outside development."""
        if not self.authenticated and not self.allow_unauthenticated:
            raise ValueError("Teams needs MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD "
                             "(or TEAMS_ALLOW_UNAUTHENTICATED=1 for local development)")


class _BotFrameworkSettings:
    """The configuration object botbuilder reads its settings from (by attribute name)."""

    def __init__(self, config: TeamsConfig) -> None:
        authenticated = config.authenticated
        self.APP_ID = config.app_id if authenticated else ""
        self.APP_PASSWORD = config.app_password if authenticated else ""
        self.APP_TYPE = config.app_type
        self.APP_TENANTID = config.app_tenant_id


def authentication(config: TeamsConfig) -> ReusingAuthentication:
    """botbuilder's authentication for ``config`` (validating tokens, making connector clients)."""
    return ReusingAuthentication(ConfigurationBotFrameworkAuthentication(
        _BotFrameworkSettings(config), credentials_factory=config.credentials_factory))
