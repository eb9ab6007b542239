"""The databases behind the ``db`` fixture: SQLite and a real PostgreSQL server.

PostgreSQL comes from ``TEST_POSTGRES_URL`` (a server URL; the suite creates and drops
its own database there). With ``MENTORBOT_REQUIRE_POSTGRES=1`` (``make test``, CI) an
unreachable server fails the run instead of skipping its half.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.engine import make_url

from storage.db import Database
from storage.migrate import LIBRARY_TABLES, upgrade
from storage.models import Base

BACKENDS = ("sqlite", "postgresql")
REQUIRE_POSTGRES = os.environ.get("MENTORBOT_REQUIRE_POSTGRES") == "1"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

T = TypeVar("T")


def plain_dsn(url: str) -> str:
    """``url`` as asyncpg takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run set-up work in a loop of its own thread, whatever loop the tests use."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def create_postgres(name: str) -> str:
    """Create and migrate the database ``name`` on the test server; its URL.

    Commits in it do not wait for the disk (``synchronous_commit=off``): a throw-away database
    needs no durability across a server crash, and the tests run much faster without the wait."""
    admin_dsn = plain_dsn(POSTGRES_URL)
    try:
        admin = await asyncpg.connect(admin_dsn, timeout=5)
    except (TimeoutError, OSError, asyncpg.PostgresError) as problem:
        raise ConnectionError(f"PostgreSQL at {POSTGRES_URL} is not reachable: {problem}") from problem
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    finally:
        await admin.close()
    url = make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg", database=name)
    rendered = url.render_as_string(hide_password=False)
    try:
        await migrate(rendered)
    except BaseException:
        await drop_postgres(name)
        raise
    return rendered


async def drop_postgres(name: str) -> None:
    """Drop the database ``name`` from the test server."""
    admin = await asyncpg.connect(plain_dsn(POSTGRES_URL), timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


DROPPER = """
import asyncio, sys
import asyncpg

async def drop(dsn, prefix):
    admin = await asyncpg.connect(dsn, timeout=5)
    try:
        for row in await admin.fetch("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", prefix):
            await admin.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % row["datname"])
    finally:
        await admin.close()

asyncio.run(drop(sys.argv[1], sys.argv[2]))
"""


def drop_postgres_later(prefix: str) -> None:
    """Drop every database on the test server whose name starts with ``prefix``, in a process of
    its own that the caller does not wait for.

    Each ``DROP DATABASE`` waits for a checkpoint of the whole server: seconds on a server that
    other test runs keep busy, which the end of every test run would otherwise spend waiting."""
    subprocess.Popen([sys.executable, "-c", DROPPER, plain_dsn(POSTGRES_URL), prefix], start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def migrate(url: str) -> None:
    """Bring the database at ``url`` to the latest schema."""
    database = Database(url)
    try:
        await upgrade(database)
    finally:
        await database.close()


TABLES = [table.name for table in reversed(Base.metadata.sorted_tables)] + list(LIBRARY_TABLES)
"""Every table the tests write to, children before their parents."""
EMPTY = "".join(f'DELETE FROM "{name}";' for name in TABLES) + (
    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)"
    " FROM pg_sequences WHERE schemaname = current_schema();")
"""Deletes every row and restarts every id sequence: what ``TRUNCATE ... RESTART IDENTITY``
does, in a few milliseconds instead of a good part of a second (a TRUNCATE of every table
makes new files for each table and index)."""


async def empty_postgres(database: Database) -> None:
    """Delete every row of the PostgreSQL test database and restart its ids, in one transaction."""
    async with database.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        await raw.driver_connection.execute(EMPTY)  # type: ignore[union-attr]


def backend_of(nodeid: str) -> str:
    """Which database a test ran on, from its id: ``sqlite``, ``postgresql`` or ``no database``."""
    for backend in BACKENDS:
        if f"[{backend}" in nodeid or f"-{backend}]" in nodeid or f"-{backend}-" in nodeid:
            return backend
    return "no database"
