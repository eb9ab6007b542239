"""Fixtures: every database test runs twice, on SQLite and on a real PostgreSQL server.

PostgreSQL comes from ``TEST_POSTGRES_URL`` (a server URL; the suite creates and drops
its own database there). With ``MENTORBOT_REQUIRE_POSTGRES=1`` (``make test``, CI) an
unreachable server fails the run instead of skipping its half.
"""

from __future__ import annotations

import shutil
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.engine import MentorBot
from storage.db import Database
from tests.kit.databases import (
    BACKENDS,
    REQUIRE_POSTGRES,
    backend_of,
    create_postgres,
    drop_postgres,
    empty_postgres,
    in_own_loop,
    migrate,
)
from tests.kit.transcript import Chats
from tests.kit.world import START

outcomes: Counter[tuple[str, str]] = Counter()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A freshly created and migrated PostgreSQL database for this test run."""
    name = f"mentorbot_test_{uuid.uuid4().hex[:10]}"
    try:
        url = in_own_loop(create_postgres(name))
    except ConnectionError as problem:
        if REQUIRE_POSTGRES:
            pytest.fail(str(problem), pytrace=False)
        pytest.skip(str(problem))
    yield url
    in_own_loop(drop_postgres(name))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "mentorbot.db"
    in_own_loop(migrate(f"sqlite+aiosqlite:///{path}"))
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
        await empty_postgres(database)
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


@pytest.fixture
def chats(bot: MentorBot, tmp_path: Path) -> Chats:
    """Console chats for a transcript test, sharing one bot (calendar invites go to a
    temporary directory)."""
    return Chats(bot, invites_dir=tmp_path / "invites")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count outcomes per database."""
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        outcomes[(backend_of(report.nodeid), report.outcome)] += 1


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
