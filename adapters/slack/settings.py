"""Slack's environment variables: one workspace (``SLACK_BOT_TOKEN``) over HTTP or over Socket Mode
(``SLACK_APP_TOKEN``), or many (the OAuth install flow)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from adapters.platform import PlatformSettings

APP_TOKEN_PREFIX = "xapp-"
"""App-level tokens (Socket Mode) start with this; bot tokens with ``xoxb-``, user tokens with ``xoxp-``."""
OTHER_TOKENS = {"xoxb-": "a bot token", "xoxp-": "a user token", "xoxe": "a refresh token"}


class SlackSettings(PlatformSettings):
    """Slack's settings; names match the environment variables, upper-cased."""

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_delivery_budget_per_minute: int = Field(default=600, ge=1, le=100_000)

    @property
    def socket_mode(self) -> bool:
        """True when Slack is reached over an outbound WebSocket (``SLACK_APP_TOKEN`` is set)."""
        return bool(self.slack_app_token)

    @property
    def mode(self) -> str | None:
        """``Socket Mode`` when Slack is reached over an outbound WebSocket."""
        return "Socket Mode" if self.socket_mode else None

    @property
    def configured(self) -> bool:
        """True when a Slack workspace (over HTTP or Socket Mode) or the OAuth install flow is configured."""
        single = bool(self.slack_bot_token and self.slack_signing_secret)
        oauth = bool(self.slack_client_id and self.slack_client_secret and self.slack_signing_secret)
        return single or oauth or self.socket_mode

    def problem(self) -> str | None:
        """What keeps Socket Mode from starting, in plain words (never the values): a token that is
        not an app-level one, no bot token, or the OAuth settings beside it."""
        if not self.slack_app_token:
            return None
        token = self.slack_app_token.get_secret_value().strip()
        if not token.startswith(APP_TOKEN_PREFIX):
            kind = next((name for prefix, name in OTHER_TOKENS.items() if token.startswith(prefix)), None)
            given = f"holds {kind}" if kind else "is not an app-level token"
            return (f"SLACK_APP_TOKEN {given}: Socket Mode needs the app-level token (xapp-…) made under the app's "
                    "Basic Information → App-Level Tokens, with the connections:write scope")
        if not self.slack_bot_token:
            return "SLACK_APP_TOKEN (Socket Mode) needs SLACK_BOT_TOKEN too: the Bot User OAuth Token (xoxb-…)"
        if self.slack_bot_token.get_secret_value().strip().startswith(APP_TOKEN_PREFIX):
            return ("SLACK_BOT_TOKEN holds an app-level token (xapp-…): it needs the Bot User OAuth Token (xoxb-…), "
                    "and the app-level token goes in SLACK_APP_TOKEN")
        if self.slack_client_id or self.slack_client_secret:
            return ("SLACK_APP_TOKEN (Socket Mode) serves the one workspace of SLACK_BOT_TOKEN and does not use the "
                    "OAuth install flow: unset SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, or SLACK_APP_TOKEN")
        return None
