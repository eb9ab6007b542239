"""The first hour of a new user, as found when trying the product: greetings, progress that
tells the truth, answers to wrong numbers."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from storage.db import Database
from tests.kit.world import World, build_world
from tests.kit.matching import participant
from tests.kit.scripts import CREATE_PROGRAM
from tests.kit.transcript import Chats


@pytest.fixture
async def world(db: Database, clock: FakeClock) -> World:
    """The cadence tests' program "Digital Leaders" (admin Ada)."""
    return await build_world(db, clock)


async def test_an_admin_who_is_not_a_participant_is_greeted_as_an_admin(chats: Chats) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Hana opens the chat
        bot: Welcome back, Hana. You run Digital Leaders 2027.
        bot never: Would you like to join?
    """)


async def test_a_form_of_one_step_counts_its_questions_not_its_steps(world: World, chats: Chats) -> None:
    """"(Scheduling: step 1 of 1)" on four questions said nothing true."""
    await participant(world, "Hana", "mentor", 1, ["Video meetings"])
    await participant(world, "Victor", "mentee", 5, ["Video meetings"])
    await world.pair("Hana", "Victor")
    answer = await chats.run("""
        Victor> /mentoring schedule form
        bot: (Scheduling: 4 questions left)
        bot never: step 1 of 1
        Victor> 2026-12-01
        bot: (Scheduling: 3 questions left)
        Victor> 15:00
        Victor>
    """)
    assert "Repeat at your cadence?\n" in answer and "Repeat at your cadence?:" not in answer
