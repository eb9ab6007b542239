"""What the Slack adapter needs from the settings, on both sides of the acknowledgement."""

from __future__ import annotations

from dataclasses import dataclass, field

ENTERPRISE_PREFIX = "E"
"""Enterprise Grid organizations' ids start with E; workspaces' with T."""


@dataclass(frozen=True)
class LinkTiming:
    """How the Socket Mode connection is kept (seconds): Slack is pinged every ``ping``; after a
    failed try to connect, the next waits ``first``, doubling up to ``most`` (with some jitter, so
    that replicas do not come back in step); after Slack refused the app-level token, ``refused``."""

    ping: float = 10.0
    first: float = 1.0
    most: float = 60.0
    refused: float = 300.0


@dataclass(frozen=True)
class SlackConfig:
    """What the Slack adapter needs from the settings.

    ``public_url`` is where the bot's HTTP server is reached from outside (``PUBLIC_URL``):
    calendar-invite buttons link there. With ``app_token`` (``SLACK_APP_TOKEN``), Slack is reached
    over Socket Mode (an outbound WebSocket) instead of ``/slack/events``, kept as ``link`` says.
    """

    signing_secret: str
    api_url: str
    bot_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    budget_per_minute: int = 600
    public_url: str | None = None
    app_token: str | None = None
    link: LinkTiming = field(default_factory=LinkTiming)

    @property
    def oauth(self) -> bool:
        """True when workspaces install the app themselves (many workspaces; never over Socket Mode)."""
        return bool(self.client_id and self.client_secret) and not self.socket_mode

    @property
    def socket_mode(self) -> bool:
        """True when Slack is reached over Socket Mode."""
        return bool(self.app_token)
