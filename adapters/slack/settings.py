"""Slack's environment variables: one workspace (``SLACK_BOT_TOKEN``) or many (the OAuth install flow)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from adapters.platform import PlatformSettings


class SlackSettings(PlatformSettings):
    """Slack's settings; names match the environment variables, upper-cased."""

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_delivery_budget_per_minute: int = Field(default=600, ge=1, le=100_000)

    @property
    def configured(self) -> bool:
        """True when a Slack workspace (or the OAuth install flow) is configured."""
        single = bool(self.slack_bot_token and self.slack_signing_secret)
        oauth = bool(self.slack_client_id and self.slack_client_secret and self.slack_signing_secret)
        return single or oauth
