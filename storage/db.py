"""The async engine and sessions, from one database URL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}


def normalize_url(url: str) -> str:
    """Give a plain ``sqlite:`` or ``postgresql:`` URL its async driver.

    >>> normalize_url("postgresql://postgres@127.0.0.1/mentorbot")
    'postgresql+asyncpg://postgres@127.0.0.1/mentorbot'
    """
    parsed = make_url(url)
    driver = ASYNC_DRIVERS.get(parsed.drivername)
    if driver:
        parsed = parsed.set(drivername=driver)
    return parsed.render_as_string(hide_password=False)


UNREACHABLE = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError, OSError,
               TimeoutError)
"""Failures that mean the database could not be reached or went away (refused or lost
connections, a full pool, a locked SQLite file), not a fault in what was asked of it."""


def unreachable(error: BaseException) -> bool:
    """True when ``error`` (or what caused it) means the database could not be reached: trying
    again later may succeed."""
    seen: BaseException | None = error
    for _ in range(8):  # the cause chain of a driver error is short
        if seen is None:
            return False
        if isinstance(seen, UNREACHABLE) or getattr(seen, "connection_invalidated", False):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite. WAL lets readers go on while one writes,
    # and with synchronous=NORMAL a commit costs no fsync (a power cut may lose the last
    # commits, never corrupt the file).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url``; SQLite gets foreign keys, WAL and a busy timeout."""
    engine = create_async_engine(normalize_url(url), **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
    return engine


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = normalize_url(url)
        self.engine = create_engine(self.url, **engine_kwargs)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed on success and rolled back on any error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            return False
        return True

    async def close(self) -> None:
        """Release every pooled connection."""
        await self.engine.dispose()
