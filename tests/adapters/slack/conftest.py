"""Fixtures for the Slack adapter: the fake Slack Web API (and Socket Mode) and a workspace driving the server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.engine import MentorBot
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_socket import FakeSocketMode
from tests.kit.fakes.slack_workspace import SlackDriver, SocketDriver, serving, socket_config
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


@pytest.fixture
async def socket_mode(slack_api: FakeSlackApi) -> AsyncIterator[FakeSocketMode]:
    """Slack's Socket Mode side, for the app-level token the fake Web API knows."""
    async with FakeSocketMode(slack_api) as socket:
        yield socket


@pytest.fixture
async def acme_socket(bot: MentorBot, slack_api: FakeSlackApi, socket_mode: FakeSocketMode) -> AsyncIterator[SocketDriver]:
    """People in the Acme workspace talking to ``mentorbot serve`` over Socket Mode (connected)."""
    async with serving(bot, slack_api, socket_config(slack_api)):
        await socket_mode.wait_connections(1)
        yield SocketDriver(socket_mode, slack_api, ACME)
