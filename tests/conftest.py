"""Fixtures: every database test runs twice, on SQLite and on a real PostgreSQL server.

PostgreSQL comes from ``TEST_POSTGRES_URL`` (a server URL; the suite creates and drops
its own database there, one per pytest-xdist worker). With ``MENTORBOT_REQUIRE_POSTGRES=1``
(``make test``, CI) an unreachable server fails the run instead of skipping its half, and
so does a run in which no PostgreSQL test passed or one was skipped.

Markers (``pyproject.toml``): ``slow`` is set by hand on tests that start processes, servers or
a browser, or run a long simulation; ``browser`` and ``postgres`` are set here, on the tests
that use Chromium and on those that run on PostgreSQL.
"""

from __future__ import annotations

import shutil
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.engine import MentorBot
from storage.db import Database
from tests.kit.databases import (
    BACKENDS,
    REQUIRE_POSTGRES,
    backend_of,
    create_postgres,
    drop_postgres_later,
    empty_postgres,
    in_own_loop,
    migrate,
)
from tests.kit.transcript import Chats
from tests.kit.world import START

outcomes: Counter[tuple[str, str]] = Counter()
"""(database, outcome) -> how many tests; in the controller under pytest-xdist, every worker's."""
RUN = pytest.StashKey[str]()
"""The name of this test run, shared by the controller and its pytest-xdist workers."""
RUN_KEY = "mentorbot_run"


def pytest_configure(config: pytest.Config) -> None:
    """Name this run, for its databases: workers get the name from the controller."""
    workerinput = getattr(config, "workerinput", None)
    config.stash[RUN] = workerinput[RUN_KEY] if workerinput else uuid.uuid4().hex[:10]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist, in the controller: hand the run's name to each worker."""
    node.workerinput[RUN_KEY] = node.config.stash[RUN]


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _database_prefix(config: pytest.Config) -> str:
    return f"mentorbot_test_{config.stash[RUN]}_"


@pytest.fixture(scope="session")
def postgres_url(request: pytest.FixtureRequest, worker_id: str) -> str:
    """A freshly created and migrated PostgreSQL database for this test run; under pytest-xdist,
    one per worker (``worker_id``: ``gw0``, ``gw1``, ...; ``master`` without it). The run's
    databases are dropped when it ends (see :func:`pytest_sessionfinish`)."""
    name = _database_prefix(request.config) + worker_id
    try:
        url = in_own_loop(create_postgres(name))
    except ConnectionError as error:
        problem = str(error)
    else:
        problem = ""
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)
    return url


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that run on PostgreSQL ``postgres``, those that use Chromium ``browser`` and ``slow``;
    then run the slow tests first, so that parallel workers do not end waiting on one of them."""
    for item in items:
        if backend_of(item.nodeid) == "postgresql":
            item.add_marker(pytest.mark.postgres)
        if "chromium" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count outcomes per database (under pytest-xdist the controller sees every worker's reports;
    a test whose worker crashed counts as failed)."""
    if report.when in ("call", "???") or (report.when == "setup" and report.outcome != "passed"):
        outcomes[(backend_of(report.nodeid), report.outcome)] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the test counts per database (in the controller, for the whole run)."""
    if _is_worker(terminalreporter.config):
        return
    terminalreporter.section("tests per database")
    for backend in (*BACKENDS, "no database"):
        counts = {o: outcomes[(backend, o)] for o in ("passed", "failed", "skipped")}
        terminalreporter.write_line(f"{backend}: " + ", ".join(f"{n} {o}" for o, n in counts.items()))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With PostgreSQL required, its half must have run and passed: no skips, no zero.

    Under pytest-xdist only the controller, which has every worker's reports, decides. It (or the
    only process, without xdist) also drops the run's PostgreSQL databases, whatever the outcome
    and even those of workers that crashed, without waiting for the drops to finish."""
    if _is_worker(session.config):
        return
    if any(backend == "postgresql" for backend, _ in outcomes):
        drop_postgres_later(_database_prefix(session.config))
    if not REQUIRE_POSTGRES or exitstatus not in (0, 5):
        return
    ran = outcomes[("postgresql", "passed")]
    skipped = outcomes[("postgresql", "skipped")]
    if ran == 0 or skipped:
        session.exitstatus = 1
        print(f"\nPostgreSQL is required but {ran} PostgreSQL tests passed and {skipped} were skipped.")

