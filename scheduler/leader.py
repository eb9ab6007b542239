"""Which replica leads the cadence jobs: a PostgreSQL advisory lock, held on a connection of its own.

The lock is session-level: it lasts as long as the connection. When the leader's process or
connection dies, PostgreSQL releases the lock and the next replica to ask takes it. With
SQLite a single process does everything, so it always leads.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database

log = logging.getLogger(__name__)


class Leadership:
    """Leadership of the jobs that only one replica may run, keyed by ``lock_key`` (a bigint)."""

    def __init__(self, db: Database, lock_key: int) -> None:
        self.db = db
        self.lock_key = lock_key
        self._conn: AsyncConnection | None = None
        # The leader-only jobs start together: one check at a time, or the second would
        # open a connection of its own and find the lock taken by the first.
        self._checking = asyncio.Lock()

    async def is_leader(self) -> bool:
        """True when this replica holds (or has just taken) the lock.

        The holder checks that its connection still answers; a dead connection means the lock
        is gone, and this call tries to take it again.
        """
        if self.db.dialect != "postgresql":
            return True
        async with self._checking:
            if self._conn is not None:
                if await self._alive(self._conn):
                    return True
                log.warning("leadership lost: the lock's connection died")
                await self._discard()
            return await self._acquire()

    async def release(self) -> None:
        """Give up the lock (if held) and close its connection."""
        async with self._checking:
            conn, self._conn = self._conn, None
            if conn is None:
                return
            with suppress(Exception):
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.lock_key})
            with suppress(Exception):
                await conn.close()

    async def _acquire(self) -> bool:
        conn = await self.db.engine.connect()
        try:
            # Autocommit: the lock belongs to the session, and a connection held for hours
            # must not sit "idle in transaction".
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            taken = bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.lock_key}))
        except BaseException:
            with suppress(Exception):
                await conn.invalidate()
            raise
        if not taken:
            await conn.close()
            return False
        log.info("this replica now leads the cadence jobs (advisory lock %s)", self.lock_key)
        self._conn = conn
        return True

    @staticmethod
    async def _alive(conn: AsyncConnection) -> bool:
        try:
            await conn.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means the session, and its lock, are gone
            return False
        return True

    async def _discard(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            # Invalidate rather than close: a broken connection must not go back to the pool.
            with suppress(Exception):
                await conn.invalidate()
