"""Fixtures for the Slack adapter: the fake Slack Web API and a workspace driving the server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.engine import MentorBot
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_workspace import SlackDriver, serving
from tests.kit.slack import ACME, ACME_TOKEN, PEOPLE, assert_valid_block_kit


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackApi]:
    """The fake Slack Web API with the Acme workspace; every Block Kit payload the bot sent
    is checked against slack_sdk's models afterwards."""
    async with FakeSlackApi() as api:
        api.add_workspace(ACME, ACME_TOKEN, "Acme")
        for user, (name, tz) in PEOPLE.items():
            api.add_user(ACME_TOKEN, user, name, tz)
        yield api
    assert_valid_block_kit(api.calls)


@pytest.fixture
async def acme(bot: MentorBot, slack_api: FakeSlackApi) -> AsyncIterator[SlackDriver]:
    """People in the Acme workspace talking to ``mentorbot serve``."""
    async with serving(bot, slack_api) as url:
        yield SlackDriver(url, slack_api, ACME)
