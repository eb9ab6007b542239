"""What a platform brings to the composition root: one :class:`PlatformSpec` per ``adapters/<platform>/``.

The composition root (:mod:`mentorbot.cli`) loops over the specs listed in
:mod:`adapters.registry`: it reads each one's settings, serves the configured ones, hands their
deliverers to the outbox and adds their commands. A new platform is one folder exporting a
``PLATFORM`` and one line in the registry; nothing in ``bot/`` or ``storage/`` names it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.jobs import Inbox, Turns

if TYPE_CHECKING:
    import argparse

    from aiohttp import web
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.engine import MentorBot


class PlatformSettings(BaseSettings):
    """A platform's own environment variables, read like the shared ones (and from ``.env``).

    A platform with none (the console) uses this class as it is: never configured.
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    @property
    def configured(self) -> bool:
        """True when these settings ask for the platform to be served."""
        return False

    def problem(self) -> str | None:
        """What keeps the platform from being served as configured, in plain words without the
        values given (they may be secrets); None when nothing does."""
        return None

    @property
    def mode(self) -> str | None:
        """How the platform is reached, when it can be reached in more than one way (Slack:
        ``Socket Mode``); shown in the start-up log line."""
        return None


class StartFailed(Exception):
    """A platform's edge cannot start as configured (a credential the platform refused): the
    message says why and what to do, without the values given. ``serve`` exits with it."""


S = TypeVar("S", bound=PlatformSettings)


@dataclass(frozen=True)
class Wiring:
    """What the composition root hands a platform's edge builder (the HTTP routes).

    ``engine`` belongs to the loop the routes run on (for what a platform keeps in the database
    itself: Slack's installations); ``inbox`` takes the work that follows an acknowledgement, as
    jobs for the platform's :class:`~adapters.jobs.Turns`; ``public_url`` is ``PUBLIC_URL``.
    """

    engine: AsyncEngine
    inbox: Inbox
    public_url: str | None = None


@dataclass(frozen=True)
class TurnsWiring:
    """What the composition root hands a platform's turns builder, where the core runs (a
    worker process): the core, that process's database engine, and ``PUBLIC_URL``."""

    bot: MentorBot
    engine: AsyncEngine
    public_url: str | None = None


class Adapter(Protocol):
    """A built platform edge: its HTTP routes."""

    platform: str

    def add_routes(self, web_app: web.Application) -> None:
        """Add the platform's endpoints to ``web_app``."""

    async def close(self) -> None:
        """Release what the adapter holds (HTTP sessions) on shutdown."""


@dataclass(frozen=True)
class CliCommand(Generic[S]):
    """A ``mentorbot`` subcommand a platform adds: ``arguments`` adds its options to its parser,
    ``run`` does it with the platform's settings and returns the exit status."""

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[S, argparse.Namespace], int]


@dataclass(frozen=True)
class PlatformSpec(Generic[S]):
    """One platform, as the composition root sees it.

    ``name`` is what its people's addresses carry (stored in the database); ``label`` is how the
    start-up log and the help name it; ``settings`` reads its environment variables and says
    whether it is configured and what is wrong; ``build`` makes its edge (None: nothing to
    serve over HTTP, like the terminal) and ``turns`` its side of the work after the
    acknowledgement (the jobs its edge hands over, and the delivery of what the bot starts);
    ``commands`` are its extra ``mentorbot`` subcommands.
    """

    name: str
    label: str
    settings: type[S]
    build: Callable[[S, Wiring], Adapter] | None = None
    turns: Callable[[S, TurnsWiring], Turns] | None = None
    commands: tuple[CliCommand[S], ...] = ()

    @property
    def served(self) -> bool:
        """True for a platform served over HTTP when configured."""
        return self.build is not None


def secret(value: SecretStr | None) -> str | None:
    """The plain value of an optional secret setting."""
    return value.get_secret_value() if value is not None else None
