"""Slack, as the composition root sees it (see :mod:`adapters.platform`)."""

from __future__ import annotations

from adapters.jobs import Turns
from adapters.platform import Adapter, PlatformSpec, TurnsWiring, Wiring, secret
from adapters.slack import SLACK
from adapters.slack.config import SlackConfig
from adapters.slack.settings import SlackSettings


def _config(settings: SlackSettings, public_url: str | None) -> SlackConfig:
    return SlackConfig(
        signing_secret=secret(settings.slack_signing_secret) or "",
        api_url=settings.slack_api_url,
        bot_token=secret(settings.slack_bot_token),
        client_id=settings.slack_client_id,
        client_secret=secret(settings.slack_client_secret),
        budget_per_minute=settings.slack_delivery_budget_per_minute,
        public_url=public_url,
        app_token=(secret(settings.slack_app_token) or "").strip() or None,
    )


def build(settings: SlackSettings, wiring: Wiring) -> Adapter:
    """The Bolt app on ``/slack/events`` (and the OAuth install pages), or over Socket Mode."""
    from adapters.slack.app import SlackAdapter

    return SlackAdapter(None, _config(settings, wiring.public_url), wiring.engine, inbox=wiring.inbox)


def turns(settings: SlackSettings, wiring: TurnsWiring) -> Turns:
    """The Slack jobs run with the core, and the delivery to Slack."""
    from adapters.slack.turns import SlackTurns

    return SlackTurns(wiring.bot, _config(settings, wiring.public_url), wiring.engine)


PLATFORM = PlatformSpec(name=SLACK, label="Slack", settings=SlackSettings, build=build, turns=turns)
