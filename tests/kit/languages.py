"""Helpers for the language tests: untranslated text, transcripts without English expectations,
people set to a language, and the platforms' limits on what the bot sent."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable

from sqlalchemy import update

from adapters.slack.render import message_blocks, modal_view
from adapters.teams.render import activity_of
from bot.engine import MentorBot
from bot.messages import LABEL_LIMIT, TITLE_LIMIT, Message
from storage.db import Database
from storage.models import Person
from tests.kit.slack import assert_valid_blocks, assert_valid_view

TEAMS_MAX_BYTES = 28_000
"""Teams refuses messages over about 28 KB."""
_KEPT = re.compile(r"`[^`]*`|<[^<>]*>|https?://\S+|/(?:report|calendar)/\S+|\S+\.(?:ics|csv|png)\b|\b\w+=\S+")
_WORD = re.compile(r"[A-Za-z]{3,}")


def untranslated(text: str, data: Iterable[str] = ()) -> list[str]:
    """The English words left in ``text`` written in the pseudo-locale, whose own words are all
    accented: what is left is English, but for commands in backticks, references, links and the
    people's own data (``data``: names, program names, topics they typed)."""
    text = _KEPT.sub(" ", text)
    for item in sorted(data, key=len, reverse=True):
        text = text.replace(item, " ")
    return _WORD.findall(text)


class Recording(MentorBot):
    """The bot, keeping every message it answers with."""

    def __init__(self, bot: MentorBot) -> None:
        super().__init__(bot.db, bot.clock, bot.limits)
        self.sent: list[Message] = []

    async def handle(self, inbound, again=False):  # type: ignore[no-untyped-def]
        replies = await super().handle(inbound, again)
        self.sent.extend(replies)
        return replies


def typed_lines(script: str) -> str:
    """A transcript's typed lines only (its ``bot:`` expectations are English)."""
    return "\n".join(line for line in textwrap.dedent(script).splitlines()
                     if line.strip() and not line.strip().startswith("bot"))


async def speak(db: Database, names: Iterable[str], language: str) -> None:
    """The people called ``names`` chose ``language`` in their profile."""
    async with db.transaction() as session:
        await session.execute(update(Person).where(Person.display_name.in_(list(names))).values(language=language))


def assert_fits_every_platform(message: Message, uncut: bool = True) -> None:
    """``message`` as Slack and Teams receive it stays within their limits; with ``uncut``, the
    core's own bounds (form titles, buttons, labels and options) hold too, so that the adapters
    have nothing to cut (the pseudo-locale, a third longer than any language, is checked without)."""
    assert message.text, "every message has a text fallback"
    if message.form is not None:
        assert_valid_view(modal_view(message, {}))
    assert_valid_blocks(message_blocks(message, public_url="https://bot.example"))
    activity = activity_of(message, "https://bot.example")
    assert len(json.dumps(activity).encode()) <= TEAMS_MAX_BYTES
    if not uncut:
        return
    for button in message.buttons:
        assert len(button.label) <= LABEL_LIMIT, button.label
    if message.form is not None:
        assert len(message.form.title) <= TITLE_LIMIT, message.form.title
        for field in message.form.fields:
            assert len(field.label) <= LABEL_LIMIT, field.label
            assert all(len(option.label) <= LABEL_LIMIT for option in field.options), field.options
