"""A pair that has met, built directly in the database, for the progress tests.

Zoe (mentor, Brussels) and Victor (mentee, New York) run a weekly pair in "Digital
Leaders", whose admin is Ada; ``met`` puts a session of theirs in the past, still waiting
for its outcome, as the cadence leaves it before "did it happen?" is answered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.invites import new_calendar_uid, new_invite_token
from bot.registry import render_nudge
from storage.db import Database
from storage.enums import SessionMode, SessionStatus
from storage.models import MentoringSession, Nudge, Program
from storage.repository import Repository
from tests.bot.cadence.conftest import MENTEE, MENTOR, World, build_world

SKILLS = ["Shared calendars", "Video meetings", "An AI assistant"]


@pytest.fixture
async def world(db: Database, clock: FakeClock) -> World:
    """The cadence tests' "Digital Leaders" (admin Ada)."""
    return await build_world(db, clock)


async def zoe_and_victor(world: World, started: datetime | None = None) -> int:
    """The pair, with the program's baseline skills set."""
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", zone="America/New_York", role=MENTEE)
    async with world.db.transaction() as session:
        program = await session.get(Program, world.program_id)
        assert program is not None
        program.baseline_skills = SKILLS
        program.topics = ["AI assistants", "Video meetings"]
    return await world.pair("Zoe", "Victor", started=started)


async def met(world: World, pair_id: int, ago: timedelta = timedelta(hours=2)) -> int:
    """A session of the pair that began ``ago`` and awaits its outcome; its id."""
    now = world.clock.now()
    async with world.db.transaction() as session:
        row = MentoringSession(tenant_id=world.tenant_id, program_id=world.program_id, pair_id=pair_id,
                               starts_at=now - ago, duration_minutes=45, mode=SessionMode.REMOTE,
                               status=SessionStatus.SCHEDULED, created_at=now - ago - timedelta(days=2),
                               timezone="Europe/Brussels", calendar_uid=new_calendar_uid(), calendar_sequence=0,
                               invite_token=new_invite_token())
        session.add(row)
        await session.flush()
        return row.id


async def rendered(world: World, nudge: Nudge) -> str:
    """What an outbox row says now: its text, then ``label=command`` for each button
    (empty when it would not be sent)."""
    async with world.db.transaction() as session:
        message = await render_nudge(Repository(session, world.tenant_id), nudge, world.clock.now())
    if message is None:
        return ""
    return message.text + " | " + " | ".join(f"{b.label}={b.value}" for b in message.buttons)


async def nudges_of(world: World, kind: str) -> list[Nudge]:
    """The outbox rows of ``kind``, oldest first."""
    async with world.db.transaction() as session:
        return list(await session.scalars(select(Nudge).where(Nudge.kind == kind).order_by(Nudge.id)))
