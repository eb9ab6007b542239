"""Fixtures for the Slack adapter: the fake Slack Web API and a workspace driving the server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.engine import MentorBot
from tests.fakes.slack_api import Call, FakeSlackApi
from tests.fakes.slack_workspace import SlackDriver, serving

ACME, ACME_TOKEN = "TACME", "xoxb-acme"
PEOPLE = {"UHANA": ("Hana Kim", "Europe/Brussels"), "UVICTOR": ("Victor Hugo", "Europe/Paris"),
          "ULEA": ("Lea Smith", "America/New_York")}


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


def assert_valid_block_kit(calls: list[Call]) -> None:
    """Parse and validate every block and view sent, with slack_sdk's Block Kit models."""
    for call in calls:
        assert_valid_blocks(call.blocks())
        if call.method.startswith("views."):
            assert_valid_view(call.view())


def assert_valid_blocks(blocks: list[dict[str, Any]]) -> None:
    """Every block parses as a known Block Kit block and passes its model's checks."""
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, f"unknown block {block}"
        parsed.to_dict()  # validates the block and everything in it


def assert_valid_view(view: dict[str, Any]) -> None:
    """A modal or home view passes slack_sdk's View model checks, blocks included."""
    View(**view).to_dict()
    assert_valid_blocks(view["blocks"])
