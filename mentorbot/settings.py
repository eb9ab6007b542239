"""Configuration from environment variables (and an optional ``.env`` file).

Every setting is documented in the README's configuration table.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
APP_TYPES = ("MultiTenant", "SingleTenant")


class Settings(BaseSettings):
    """mentorbot's settings; names match the environment variables, upper-cased."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///mentorbot.db"
    log_level: str = "INFO"
    log_file: str | None = None
    max_text_length: int = Field(default=2000, ge=100, le=40_000)
    public_url: str | None = None

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_delivery_budget_per_minute: int = Field(default=600, ge=1, le=100_000)

    microsoft_app_id: str | None = None
    microsoft_app_password: SecretStr | None = None
    microsoft_app_type: str = "MultiTenant"
    microsoft_app_tenant_id: str | None = None
    teams_allow_unauthenticated: bool = False

    cadence_tick_seconds: int = Field(default=300, ge=10, le=3600)
    outbox_drain_seconds: int = Field(default=30, ge=1, le=600)

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            raise ValueError("DATABASE_URL is not a database URL (for example sqlite:///mentorbot.db)") from None
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"DATABASE_URL: {backend} is not supported; use sqlite or postgresql")
        return value

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        value = (value or "").strip().rstrip("/")
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("PUBLIC_URL must be the bot's public http(s) address, for example https://mentorbot.example.com")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("microsoft_app_type")
    @classmethod
    def _known_app_type(cls, value: str) -> str:
        for known in APP_TYPES:
            if value.lower() == known.lower():
                return known
        raise ValueError(f"MICROSOFT_APP_TYPE must be one of {', '.join(APP_TYPES)}")

    def teams_registration_problem(self) -> str | None:
        """What keeps the Teams bot registration from being served, or None. (Building the app
        package needs only the app id, so this is checked where Teams is served.)"""
        if bool(self.microsoft_app_id) != bool(self.microsoft_app_password):
            return "MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD go together: set both, or neither"
        if self.microsoft_app_type == "SingleTenant" and self.microsoft_app_id and not self.microsoft_app_tenant_id:
            return "MICROSOFT_APP_TYPE=SingleTenant needs MICROSOFT_APP_TENANT_ID (your tenant id)"
        return None

    @property
    def slack_configured(self) -> bool:
        """True when a Slack workspace (or the OAuth install flow) is configured."""
        single = bool(self.slack_bot_token and self.slack_signing_secret)
        oauth = bool(self.slack_client_id and self.slack_client_secret and self.slack_signing_secret)
        return single or oauth

    @property
    def teams_configured(self) -> bool:
        """True when a Teams bot registration is configured (or unauthenticated dev mode is on)."""
        return bool(self.microsoft_app_id and self.microsoft_app_password) or self.teams_allow_unauthenticated
