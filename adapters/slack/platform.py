"""Slack, as the composition root sees it (see :mod:`adapters.platform`)."""

from __future__ import annotations

from adapters.platform import Adapter, PlatformSpec, Wiring, secret
from adapters.slack import SLACK
from adapters.slack.settings import SlackSettings


def build(settings: SlackSettings, wiring: Wiring) -> Adapter:
    """The Bolt app on ``/slack/events`` (and the OAuth install pages), delivering to Slack."""
    from adapters.slack.app import SlackAdapter, SlackConfig

    assert settings.slack_signing_secret is not None
    config = SlackConfig(
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        api_url=settings.slack_api_url,
        bot_token=secret(settings.slack_bot_token),
        client_id=settings.slack_client_id,
        client_secret=secret(settings.slack_client_secret),
        budget_per_minute=settings.slack_delivery_budget_per_minute,
        public_url=wiring.public_url,
    )
    return SlackAdapter(wiring.bot, config, wiring.engine, offload=wiring.offload)


PLATFORM = PlatformSpec(name=SLACK, label="Slack", settings=SlackSettings, build=build)
