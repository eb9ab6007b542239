"""Leadership: one replica leads on PostgreSQL, and another takes over when it goes; SQLite always leads."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from scheduler.leader import Leadership
from storage.db import Database


@pytest.fixture
def lock_key() -> int:
    """A key of this test's own, so that no other test's lock gets in the way."""
    return random.randint(1, 2**62)


@pytest.fixture
async def second(pg: Database) -> AsyncIterator[Database]:
    """Another engine on the same PostgreSQL database: another replica."""
    database = Database(pg.url)
    yield database
    await database.close()


async def _holders(db: Database, key: int) -> list[int]:
    """The server processes holding advisory lock ``key``, as an operator would look them up."""
    query = text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
                 "AND classid::bigint = :high AND objid::bigint = :low")
    async with db.engine.connect() as conn:
        return list(await conn.scalars(query, {"high": key >> 32, "low": key & 0xFFFFFFFF}))


async def test_exactly_one_of_two_replicas_leads(pg: Database, second: Database, lock_key: int) -> None:
    one, two = Leadership(pg, lock_key), Leadership(second, lock_key)
    try:
        assert await one.is_leader()
        assert not await two.is_leader()
        assert await one.is_leader(), "the leader stays leader"
        assert not await two.is_leader()
        assert len(await _holders(pg, lock_key)) == 1
    finally:
        await one.release()
        await two.release()


async def test_the_leaders_connection_dying_hands_over(pg: Database, second: Database, lock_key: int) -> None:
    one, two = Leadership(pg, lock_key), Leadership(second, lock_key)
    try:
        assert await one.is_leader() and not await two.is_leader()
        (holder,) = await _holders(pg, lock_key)
        async with second.engine.connect() as conn:
            # With a timeout, it returns once the process is gone (and its locks with it).
            assert await conn.scalar(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": holder})

        assert await two.is_leader(), "the other replica takes over"
        assert not await one.is_leader(), "the old leader notices it lost the lock"
        assert await two.is_leader()
    finally:
        await one.release()
        await two.release()


async def test_releasing_hands_over(pg: Database, second: Database, lock_key: int) -> None:
    one, two = Leadership(pg, lock_key), Leadership(second, lock_key)
    try:
        assert await one.is_leader() and not await two.is_leader()
        await one.release()
        assert await two.is_leader()
        assert not await one.is_leader()
        assert await _holders(pg, lock_key) != []
    finally:
        await one.release()
        await two.release()
    assert await _holders(pg, lock_key) == []


async def test_sqlite_always_leads(tmp_path: Path, lock_key: int) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'mentorbot.db'}")
    try:
        one, two = Leadership(db, lock_key), Leadership(db, lock_key)
        assert await one.is_leader() and await two.is_leader()
        await one.release()
        assert await one.is_leader()
    finally:
        await db.close()


async def test_checks_made_at_once_agree(pg: Database, lock_key: int) -> None:
    leadership = Leadership(pg, lock_key)
    try:
        # The leader-only jobs start together and each asks.
        assert await asyncio.gather(*(leadership.is_leader() for _ in range(3))) == [True, True, True]
    finally:
        await leadership.release()
