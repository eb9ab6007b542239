"""The Acme workspace of the Slack adapter tests, and Block Kit checks for what the bot sent."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from tests.kit.fakes.slack_api import Call

ACME, ACME_TOKEN = "TACME", "xoxb-acme"
PEOPLE = {"UHANA": ("Hana Kim", "Europe/Brussels"), "UVICTOR": ("Victor Hugo", "Europe/Paris"),
          "ULEA": ("Lea Smith", "America/New_York")}


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
