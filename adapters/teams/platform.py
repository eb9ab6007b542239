"""Microsoft Teams, as the composition root sees it (see :mod:`adapters.platform`)."""

from __future__ import annotations

from adapters.platform import Adapter, PlatformSpec, Wiring, secret
from adapters.teams import TEAMS
from adapters.teams.command import TEAMS_PACKAGE
from adapters.teams.settings import TeamsSettings


def build(settings: TeamsSettings, wiring: Wiring) -> Adapter:
    """The Bot Framework endpoint ``/api/messages``, delivering to Teams."""
    from adapters.teams.app import TeamsAdapter, TeamsConfig

    config = TeamsConfig(
        app_id=settings.microsoft_app_id or "",
        app_password=secret(settings.microsoft_app_password) or "",
        app_type=settings.microsoft_app_type,
        app_tenant_id=settings.microsoft_app_tenant_id or "",
        allow_unauthenticated=settings.teams_allow_unauthenticated,
        public_url=wiring.public_url,
    )
    return TeamsAdapter(wiring.bot, config, offload=wiring.offload)


PLATFORM = PlatformSpec(name=TEAMS, label="Teams", settings=TeamsSettings, build=build, commands=(TEAMS_PACKAGE,))
