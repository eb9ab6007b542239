"""Fixtures for the Teams adapter: the fake Bot Connector and a tenant driving the server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.engine import MentorBot
from tests.kit.fakes.teams_client import TeamsDriver, serving
from tests.kit.fakes.teams_connector import FakeConnector
from tests.kit.teams import CONTOSO, assert_valid_cards


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    """The fake Bot Connector; every Adaptive Card the bot sent is checked against the official
    Adaptive Cards 1.5 schema afterwards."""
    async with FakeConnector() as fake:
        yield fake
    assert_valid_cards(fake.posts)


@pytest.fixture
async def contoso(bot: MentorBot, connector: FakeConnector) -> AsyncIterator[TeamsDriver]:
    """People of the Contoso tenant talking to ``mentorbot serve`` (development mode: no tokens)."""
    async with serving(bot, connector) as (url, adapter):
        yield TeamsDriver(url, connector, CONTOSO, adapter.drain)
