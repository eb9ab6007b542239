"""Configuration from environment variables (and an optional ``.env`` file).

The shared settings are here; each platform's own are its adapter's
(``adapters/<platform>/settings.py``), read for every platform of :mod:`adapters.registry`.
Every setting is documented in docs/configuration.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from adapters import registry
from adapters.platform import PlatformSettings, PlatformSpec
from calendars.settings import CalendarSettings

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")
S = TypeVar("S", bound=PlatformSettings)
M = TypeVar("M", bound=BaseSettings)


class Settings(BaseSettings):
    """mentorbot's shared settings; names match the environment variables, upper-cased."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///mentorbot.db"
    log_level: str = "INFO"
    log_file: str | None = None
    log_format: str = "text"
    max_text_length: int = Field(default=2000, ge=100, le=40_000)
    public_url: str | None = None

    cadence_tick_seconds: int = Field(default=300, ge=10, le=3600)
    outbox_drain_seconds: int = Field(default=30, ge=1, le=600)

    worker_processes: int = Field(default=1, ge=0, le=32)
    spool_file: str = "mentorbot-spool.db"

    metrics_token: SecretStr | None = None
    alert_backlog: int = Field(default=500, ge=1, le=10_000_000)
    alert_oldest_due_minutes: int = Field(default=30, ge=1, le=10_080)
    alert_job_failures: int = Field(default=3, ge=1, le=100)

    def workers(self) -> int:
        """How many worker processes ``serve`` starts: ``WORKER_PROCESSES``, but one on SQLite
        (one writer); 0 runs the core in a thread of the serving process."""
        if self.worker_processes > 1 and make_url(self.database_url).get_backend_name() == "sqlite":
            return 1
        return self.worker_processes

    def metrics_bearer(self) -> str | None:
        """``METRICS_TOKEN``, the bearer token ``/metrics`` asks for (None: no ``/metrics``)."""
        token = self.metrics_token.get_secret_value().strip() if self.metrics_token else ""
        return token or None

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

    @field_validator("log_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        chosen = value.strip().lower()
        if chosen not in LOG_FORMATS:
            raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
        return chosen

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        return level


@dataclass(frozen=True)
class Configuration:
    """The shared settings and each platform's own (by platform name)."""

    settings: Settings
    platforms: tuple[PlatformSpec[Any], ...]
    platform_settings: Mapping[str, PlatformSettings]
    calendars: CalendarSettings = field(default_factory=CalendarSettings)

    def of(self, platform: PlatformSpec[S]) -> S:
        """The settings of ``platform``."""
        return cast(S, self.platform_settings[platform.name])

    def configured(self, platform: PlatformSpec[Any]) -> bool:
        """True when ``platform``'s settings ask for it to be served."""
        return self.of(platform).configured

    def any_configured(self) -> bool:
        """True when some platform is configured (``mentorbot run`` serves, rather than chats)."""
        return any(self.configured(platform) for platform in self.platforms)

    def problems(self) -> list[str]:
        """What keeps the platforms from being served as configured, one line each."""
        return [problem for platform in self.platforms if (problem := self.of(platform).problem())]


class BadConfiguration(Exception):
    """Settings that do not validate: every :class:`~pydantic.ValidationError` met, shared settings first."""

    def __init__(self, problems: list[ValidationError]) -> None:
        super().__init__(f"{len(problems)} invalid settings model(s)")
        self.problems = problems


def load_configuration() -> Configuration:
    """The shared settings and every registered platform's, from the environment (and ``.env``);
    raises :class:`BadConfiguration` listing every model that does not validate."""
    problems: list[ValidationError] = []
    settings = _read(Settings, problems)
    calendar_settings = _read(CalendarSettings, problems)
    platforms = registry.PLATFORMS
    platform_settings: dict[str, PlatformSettings] = {}
    for platform in platforms:
        if (values := _read(platform.settings, problems)) is not None:
            platform_settings[platform.name] = values
    if settings is None or calendar_settings is None or problems:
        raise BadConfiguration(problems)
    return Configuration(settings, platforms, platform_settings, calendar_settings)


def _read(model: type[M], problems: list[ValidationError]) -> M | None:
    """``model`` read from the environment, or None with its problem added to ``problems``."""
    try:
        return model()
    except ValidationError as problem:
        problems.append(problem)
        return None
