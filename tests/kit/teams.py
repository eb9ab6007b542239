"""The Contoso tenant of the Teams adapter tests, and Adaptive Card checks for what the bot sent."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from tests.kit.fakes.teams_client import Member
from tests.kit.fakes.teams_connector import Post

CONTOSO = "72f988bf-86f1-41af-91ab-2d7cd011db47"
HANA = Member("Hana Kim", "6b1c6a9e-3f52-4c1e-9d0a-7e2b8f4c5a10")
VICTOR = Member("Victor Hugo", "0d4e1f2a-9b8c-4d7e-a6f5-3c2b1a0f9e8d", "Europe/Paris")
SCHEMA = Path(__file__).parents[1] / "fixtures" / "teams" / "adaptive-card.json"


@cache
def card_validator() -> Any:
    """A validator for the Adaptive Cards 1.5 schema (adaptive-card.json, microsoft/AdaptiveCards)."""
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    return validator(schema)


def assert_valid_cards(posts: list[Post]) -> None:
    """Every card sent is a valid Adaptive Card 1.5 and carries its text fallback."""
    for post in posts:
        card = post.card
        if card is None:
            assert post.activity.get("text"), "a message without a card has text"
            continue
        errors = sorted(card_validator().iter_errors(card), key=str)
        assert not errors, f"invalid Adaptive Card: {errors[0].message} at {list(errors[0].absolute_path)}"
        assert card["version"] == "1.5" and card["fallbackText"].strip()
        assert post.activity.get("summary"), "a card has a notification summary"
