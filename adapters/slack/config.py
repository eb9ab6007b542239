"""What the Slack adapter needs from the settings, on both sides of the acknowledgement."""

from __future__ import annotations

from dataclasses import dataclass

ENTERPRISE_PREFIX = "E"
"""Enterprise Grid organizations' ids start with E; workspaces' with T."""


@dataclass(frozen=True)
class SlackConfig:
    """What the Slack adapter needs from the settings.

    ``public_url`` is where the bot's HTTP server is reached from outside (``PUBLIC_URL``):
    calendar-invite buttons link there.
    """

    signing_secret: str
    api_url: str
    bot_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    budget_per_minute: int = 600
    public_url: str | None = None

    @property
    def oauth(self) -> bool:
        """True when workspaces install the app themselves (many workspaces)."""
        return bool(self.client_id and self.client_secret)
