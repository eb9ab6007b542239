"""Teams' environment variables: the Azure bot registration, or the explicit development mode."""

from __future__ import annotations

from pydantic import SecretStr, field_validator

from adapters.platform import PlatformSettings

APP_TYPES = ("MultiTenant", "SingleTenant")


class TeamsSettings(PlatformSettings):
    """Teams' settings; names match the environment variables, upper-cased."""

    microsoft_app_id: str | None = None
    microsoft_app_password: SecretStr | None = None
    microsoft_app_type: str = "MultiTenant"
    microsoft_app_tenant_id: str | None = None
    teams_allow_unauthenticated: bool = False
    microsoft_login_url: str = "https://login.microsoftonline.com"

    @field_validator("microsoft_app_type")
    @classmethod
    def _known_app_type(cls, value: str) -> str:
        for known in APP_TYPES:
            if value.lower() == known.lower():
                return known
        raise ValueError(f"MICROSOFT_APP_TYPE must be one of {', '.join(APP_TYPES)}")

    def problem(self) -> str | None:
        """What keeps the Teams bot registration from being served, or None. (Building the app
        package needs only the app id, so this is checked where Teams is served.)"""
        if bool(self.microsoft_app_id) != bool(self.microsoft_app_password):
            return "MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD go together: set both, or neither"
        if self.microsoft_app_type == "SingleTenant" and self.microsoft_app_id and not self.microsoft_app_tenant_id:
            return "MICROSOFT_APP_TYPE=SingleTenant needs MICROSOFT_APP_TENANT_ID (your tenant id)"
        return None

    @property
    def configured(self) -> bool:
        """True when a Teams bot registration is configured (or unauthenticated dev mode is on)."""
        return bool(self.microsoft_app_id and self.microsoft_app_password) or self.teams_allow_unauthenticated
