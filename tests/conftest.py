"""Fixtures: every database test runs twice, on SQLite and on a real PostgreSQL server.

PostgreSQL comes from ``TEST_POSTGRES_URL`` (a server URL; the suite creates and drops
its own database there). With ``MENTORBOT_REQUIRE_POSTGRES=1`` (``make test``, CI) an
unreachable server fails the run instead of skipping its half.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.clock import FakeClock
from bot.engine import MentorBot
from storage.db import Database
from storage.migrate import LIBRARY_TABLES, upgrade
from storage.models import Base
from tests.transcript import Chats

BACKENDS = ("sqlite", "postgresql")
REQUIRE_POSTGRES = os.environ.get("MENTORBOT_REQUIRE_POSTGRES") == "1"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

T = TypeVar("T")
outcomes: Counter[tuple[str, str]] = Counter()


def _plain_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run set-up work in a loop of its own thread, whatever loop the tests use."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _create_postgres(name: str) -> str:
    admin_dsn = _plain_dsn(POSTGRES_URL)
    try:
        admin = await asyncpg.connect(admin_dsn, timeout=5)
    except (TimeoutError, OSError, asyncpg.PostgresError) as problem:
        raise ConnectionError(f"PostgreSQL at {POSTGRES_URL} is not reachable: {problem}") from problem
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg", database=name)
    rendered = url.render_as_string(hide_password=False)
    await _migrate(rendered)
    return rendered


async def _drop_postgres(name: str) -> None:
    admin = await asyncpg.connect(_plain_dsn(POSTGRES_URL), timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _migrate(url: str) -> None:
    database = Database(url)
    try:
        await upgrade(database)
    finally:
        await database.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A freshly created and migrated PostgreSQL database for this test run."""
    name = f"mentorbot_test_{uuid.uuid4().hex[:10]}"
    try:
        url = _in_own_loop(_create_postgres(name))
    except ConnectionError as problem:
        if REQUIRE_POSTGRES:
            pytest.fail(str(problem), pytrace=False)
        pytest.skip(str(problem))
    yield url
    _in_own_loop(_drop_postgres(name))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "mentorbot.db"
    _in_own_loop(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty migrated database: SQLite in one run, PostgreSQL in the other."""
    if request.param == "sqlite":
        path = tmp_path / "mentorbot.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The test's database, emptied before the test."""
    database = Database(database_url)
    if database.dialect == "postgresql":
        names = [t.name for t in Base.metadata.sorted_tables] + list(LIBRARY_TABLES)
        tables = ", ".join(f'"{name}"' for name in names)
        async with database.engine.begin() as conn:
            await conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    yield database
    await database.close()


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at a Monday morning in November 2026."""
    return FakeClock(START)


@pytest.fixture
def bot(db: Database, clock: FakeClock) -> MentorBot:
    """The core bot on the test database and the fake clock."""
    return MentorBot(db, clock)


def _backend(nodeid: str) -> str:
    for backend in BACKENDS:
        if f"[{backend}" in nodeid or f"-{backend}]" in nodeid or f"-{backend}-" in nodeid:
            return backend
    return "no database"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count outcomes per database."""
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        outcomes[(_backend(report.nodeid), report.outcome)] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the test counts per database."""
    terminalreporter.section("tests per database")
    for backend in (*BACKENDS, "no database"):
        counts = {o: outcomes[(backend, o)] for o in ("passed", "failed", "skipped")}
        terminalreporter.write_line(f"{backend}: " + ", ".join(f"{n} {o}" for o, n in counts.items()))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With PostgreSQL required, its half must have run and passed: no skips, no zero."""
    if not REQUIRE_POSTGRES or exitstatus not in (0, 5):
        return
    ran = outcomes[("postgresql", "passed")]
    skipped = outcomes[("postgresql", "skipped")]
    if ran == 0 or skipped:
        session.exitstatus = 1
        print(f"\nPostgreSQL is required but {ran} PostgreSQL tests passed and {skipped} were skipped.")


@pytest.fixture
def chats(bot: MentorBot, tmp_path: Path) -> Chats:
    """Console chats for a transcript test, sharing one bot (calendar invites go to a
    temporary directory)."""
    return Chats(bot, invites_dir=tmp_path / "invites")
