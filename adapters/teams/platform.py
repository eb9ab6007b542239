"""Microsoft Teams, as the composition root sees it (see :mod:`adapters.platform`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.platform import Adapter, Checkup, Finding, PlatformSpec, TurnsWiring, Wiring, secret
from adapters.teams import TEAMS
from adapters.teams.command import TEAMS_PACKAGE
from adapters.teams.settings import TeamsSettings

if TYPE_CHECKING:
    from adapters.jobs import Turns
    from adapters.teams.config import TeamsConfig


def _config(settings: TeamsSettings, public_url: str | None) -> TeamsConfig:
    from adapters.teams.config import TeamsConfig  # botbuilder: only when Teams is served

    return TeamsConfig(
        app_id=settings.microsoft_app_id or "",
        app_password=secret(settings.microsoft_app_password) or "",
        app_type=settings.microsoft_app_type,
        app_tenant_id=settings.microsoft_app_tenant_id or "",
        allow_unauthenticated=settings.teams_allow_unauthenticated,
        public_url=public_url,
    )


def build(settings: TeamsSettings, wiring: Wiring) -> Adapter:
    """The Bot Framework endpoint ``/api/messages``."""
    from adapters.teams.app import TeamsAdapter

    return TeamsAdapter(None, _config(settings, wiring.public_url), inbox=wiring.inbox)


def turns(settings: TeamsSettings, wiring: TurnsWiring) -> Turns:
    """The Teams activities answered with the core, and the delivery to Teams."""
    from adapters.teams.turns import TeamsTurns

    return TeamsTurns(wiring.bot, _config(settings, wiring.public_url))


async def doctor(settings: TeamsSettings, checkup: Checkup) -> list[Finding]:
    """The Teams settings checked against Entra ID (``mentorbot doctor``)."""
    from adapters.teams.doctor import check_teams

    return await check_teams(settings, checkup)


PLATFORM = PlatformSpec(name=TEAMS, label="Teams", settings=TeamsSettings, build=build, turns=turns,
                        commands=(TEAMS_PACKAGE,), doctor=doctor)
