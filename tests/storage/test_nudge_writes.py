"""The tick's writes: many nudges and flags at once (by COPY on PostgreSQL), each key written
once, inside the tick's transaction; the next looks of a batch in one statement."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.cadence.outbox import nudge_row
from storage import cadence as queries
from storage.db import Database
from storage.enums import FlagKind, NudgeKind
from storage.models import Flag, Nudge, Pair, Program
from tests.kit.outbox import add_person, add_tenant
from tests.kit.world import START


async def test_a_day_of_nudges_is_written_once_per_key_and_only_with_its_transaction(db: Database) -> None:
    tenant = await add_tenant(db)
    amara = await add_person(db, tenant, "amara")
    rows = [nudge_row(tenant, amara, NudgeKind.REMINDER, f"reminder:{n}:{amara}", START + timedelta(minutes=n), START,
                      payload={"session_id": n, "text": "Zoë \"Z\" — 日本"}) for n in range(queries.COPY_FROM + 50)]
    async with db.transaction() as session:
        assert await queries.add_nudges(session, rows[:10]) == 10
        assert await queries.add_nudges(session, rows) == len(rows) - 10
        assert await queries.add_nudges(session, rows) == 0
    try:
        async with db.transaction() as session:
            more = [{**row, "key": row["key"] + ":again"} for row in rows]
            assert await queries.add_nudges(session, more) == len(rows)
            raise RuntimeError("the tick failed")
    except RuntimeError:
        pass
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Nudge)) == len(rows)
        stored = await session.scalar(select(Nudge).where(Nudge.key == rows[-1]["key"]))
    assert stored is not None and stored.payload == rows[-1]["payload"] and stored.due_at == rows[-1]["due_at"]


async def test_a_batch_of_flags_is_raised_once_per_key_and_looks_are_recorded_in_one_go(db: Database) -> None:
    tenant = await add_tenant(db)
    amara, victor = await add_person(db, tenant, "amara"), await add_person(db, tenant, "victor")
    async with db.transaction() as session:
        program = Program(tenant_id=tenant, name="Digital Leaders", cadence="weekly", capacity=3, created_at=START)
        session.add(program)
        await session.flush()
        pairs = [Pair(tenant_id=tenant, program_id=program.id, mentor_id=amara, mentee_id=victor, status="active",
                      proposed_at=START) for _ in range(queries.COPY_FROM + 5)]
        session.add_all(pairs)
        await session.flush()
        rows = [{"tenant_id": tenant, "program_id": program.id, "pair_id": pair.id, "circle_id": None,
                 "assignment_id": None, "person_id": None, "kind": FlagKind.SILENT, "key": f"silent:{pair.id}:0",
                 "details": {"since": START.isoformat()}, "raised_at": START} for pair in pairs]
        new = await queries.add_flags(session, rows)
        assert sorted(new) == sorted(row["key"] for row in rows) and len(set(new.values())) == len(rows)
        assert await queries.add_flags(session, rows) == {}
        looks: dict[int, datetime | None] = {pair.id: START + timedelta(hours=n) for n, pair in enumerate(pairs)}
        looks[pairs[0].id] = None
        await queries.set_next_checks(session, looks)
    async with db.transaction() as session:
        stored = dict((await session.execute(select(Pair.id, Pair.next_check_at))).all())
        assert stored == looks
        assert (await session.scalar(select(Flag).where(Flag.key == rows[-1]["key"]))).details == rows[-1]["details"]
