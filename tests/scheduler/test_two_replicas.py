"""Two replicas on one PostgreSQL database: the real tick, periodic, renderer and outbox run
side by side, and every nudge is written once and delivered once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.cadence.digest import write_digests
from bot.clock import FakeClock
from bot.registry import render_nudge, run_tick
from scheduler.outbox import Outbox
from scheduler.service import CadenceScheduler
from storage.db import Database
from storage.models import Flag, Nudge
from tests.kit.world import MENTEE, MENTOR, build_world
from tests.kit.outbox import Recorder

pytestmark = pytest.mark.slow  # six days of two schedulers, hour by hour


def replica(url: str, clock: FakeClock, name: str) -> tuple[CadenceScheduler, Recorder, Database]:
    db = Database(url)
    recorder = Recorder()
    outbox = Outbox(db, {"console": recorder}, render_nudge, clock, name, batch=3)  # small: the two interleave
    return CadenceScheduler(db, clock, outbox, tick=run_tick, periodic_nudges=write_digests), recorder, db


async def test_two_schedulers_on_one_postgresql_database_write_and_send_each_nudge_once(
        pg: Database, postgres_url: str, clock: FakeClock) -> None:
    world = await build_world(pg, clock)
    for i in range(12):
        await world.person(f"Mentor {i}", role=MENTOR, zone=("Europe/Brussels", "America/New_York")[i % 2])
        await world.person(f"Mentee {i}", role=MENTEE, zone=("Asia/Singapore", "Europe/Brussels")[i % 2])
        await world.pair(f"Mentor {i}", f"Mentee {i}")
    (one, sent_one, db_one), (two, sent_two, db_two) = (replica(postgres_url, world.clock, "one"),
                                                        replica(postgres_url, world.clock, "two"))
    try:
        for _ in range(6 * 24):  # six days, hour by hour: asks, follow-ups, flags, digests
            await asyncio.gather(one.run_tick(), two.run_tick(), one.run_periodic_nudges(), two.run_periodic_nudges())
            await asyncio.gather(one.run_deliver(), two.run_deliver())
            world.clock.advance(timedelta(hours=1))
        # The scheduled jobs check leadership: exactly one of the two writes.
        leaders = [await one.leadership.is_leader(), await two.leadership.is_leader()]
        assert sorted(leaders) == [False, True]
    finally:
        for scheduler, db in ((one, db_one), (two, db_two)):
            await scheduler.leadership.release()
            await db.close()
    async with world.db.transaction() as session:
        rows = list(await session.scalars(select(Nudge)))
        flags = list(await session.scalars(select(Flag.key)))
    keys = [row.key for row in rows]
    assert len(keys) == len(set(keys)) and len(flags) == len(set(flags)), "each written once"
    sent = [row for row in rows if row.status == "sent"]
    assert len(sent_one.sent) + len(sent_two.sent) == len(sent), "each sent row delivered exactly once"
    assert not [row for row in rows if row.status != "sent" and row.due_at <= world.clock.now() - timedelta(hours=1)]
    assert sent_one.sent and sent_two.sent, "both replicas delivered"
    assert any(k.startswith("flag:") for k in keys), "the silent pairs were flagged, once"
