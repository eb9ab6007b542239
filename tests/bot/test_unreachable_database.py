"""The core when its database cannot be reached: nothing is stored, and the person is told so
plainly; a caller that keeps the event (a typed message) learns it must try again.

Rule (no loss during an outage): see tests/test_database_outage.py for the whole server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.engine import MentorBot
from bot.errors import UNAVAILABLE, Unavailable
from bot.messages import Address, Inbound
from storage.db import Database, unreachable

UNREACHABLE = {
    "postgresql": "postgresql+asyncpg://postgres@127.0.0.1:1/mentorbot",
    "sqlite": "sqlite+aiosqlite:///{folder}/no/such/folder/mentorbot.db",
}
HANA = Address("slack", "TACME", "UHANA")


@pytest.fixture(params=sorted(UNREACHABLE))
async def cut_off(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MentorBot]:
    database = Database(UNREACHABLE[request.param].format(folder=tmp_path))
    yield MentorBot(database)
    await database.close()


async def test_a_command_is_answered_that_nothing_was_saved_and_why(cut_off: MentorBot) -> None:
    [answer] = await cut_off.handle(Inbound.command(HANA, 'program create "Digital Leaders"'))
    assert answer.text == UNAVAILABLE
    assert "nothing was saved" in answer.text and "try again in a minute" in answer.text


async def test_a_typed_message_raises_for_the_caller_to_keep_it(cut_off: MentorBot) -> None:
    with pytest.raises(Unavailable):
        await cut_off.answer(Inbound.typed(HANA, "/mentoring join"))


async def test_the_home_says_so_too(cut_off: MentorBot) -> None:
    home = await cut_off.home(Inbound.opened(HANA))
    assert home.text == UNAVAILABLE


def test_a_fault_in_what_was_asked_is_not_an_outage() -> None:
    assert not unreachable(ValueError("a bug"))
    assert not unreachable(KeyError("x"))
    assert unreachable(ConnectionRefusedError())
