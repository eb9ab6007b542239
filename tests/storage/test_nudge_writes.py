"""The tick's outbox writes: many rows at once (by COPY on PostgreSQL), each key written once,
inside the tick's transaction."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.cadence.outbox import nudge_row
from storage import cadence as queries
from storage.db import Database
from storage.enums import NudgeKind
from storage.models import Nudge
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
