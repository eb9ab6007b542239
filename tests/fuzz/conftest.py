"""``mentorbot serve``'s application (Slack with a single token, Teams with an app id and
password) on a loop of its own thread, so that Hypothesis's synchronous tests can send it
requests one example at a time; with the fake Slack API, Bot Connector and token issuer.

Hypothesis runs a bounded number of examples with a fixed seed under ``make test`` (profile
``ci``) and many more under ``make fuzz`` (profile ``long``, ``HYPOTHESIS_PROFILE=long``).
"""

from __future__ import annotations

import asyncio
import http.client
import logging
import os
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from botframework.connector.auth import ChannelValidation
from hypothesis import HealthCheck, settings
from sqlalchemy import func, select

from adapters.payloads import BadPayload, read_json
from adapters.slack.app import SlackAdapter, SlackConfig
from adapters.teams.app import TeamsAdapter, TeamsConfig
from bot.engine import MentorBot
from mentorbot.server import build_app
from storage.db import Database
from storage.migrate import LIBRARY_TABLES
from storage.models import AuditEntry, Base, Enrollment, Person, ProcessedEvent, Program, Tenant
from tests.kit.fakes.local_http import serve_locally
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_socket import FakeSocketMode
from tests.kit.fakes.slack_workspace import SIGNING_SECRET, socket_config
from tests.kit.fakes.teams_connector import FakeConnector
from tests.kit.fakes.teams_tokens import FakeEntraCredentials, FakeTokenIssuer

T = TypeVar("T")
ACME, ACME_TOKEN = "TACME", "xoxb-acme"
CONTOSO = "72f988bf-86f1-41af-91ab-2d7cd011db47"
APP_ID = "0f8b6c2e-3d4a-4b5c-9e7f-1a2b3c4d5e6f"
COUNTED = (Tenant, Person, Program, Enrollment, ProcessedEvent, AuditEntry)

common = {"deadline": None, "derandomize": True, "database": None, "print_blob": True,
          "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                    HealthCheck.data_too_large, HealthCheck.filter_too_much]}
settings.register_profile("ci", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "120")), **common)
settings.register_profile("long", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "3000")), **common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


class Recorder(logging.Handler):
    """Keeps the records at WARNING and above, from every thread."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def failures(self) -> list[str]:
        """Records at ERROR or with a traceback: what a request from outside must never cause."""
        return [f"{r.levelname} {r.name}: {r.getMessage()}" for r in self.records
                if r.levelno >= logging.ERROR or r.exc_info]


class EdgeServer:
    """The server and its fakes on a background loop; :meth:`post` sends one request."""

    def __init__(self, database_url: str, issuer: FakeTokenIssuer) -> None:
        self.database_url = database_url
        self.issuer = issuer
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fuzz-server", daemon=True)
        self.port = 0
        self.tried = 0
        self.server_errors = 0

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=60)

    def start(self) -> None:
        self.thread.start()
        self.run(self._start())

    async def _start(self) -> None:
        self.db = Database(self.database_url)
        await _empty(self.db)
        self.slack_api = await FakeSlackApi().__aenter__()
        self.slack_api.add_workspace(ACME, ACME_TOKEN, "Acme")
        self.slack_api.add_user(ACME_TOKEN, "UHANA", "Hana Kim")
        self.connector = await FakeConnector().__aenter__()
        bot = MentorBot(self.db)
        slack = SlackAdapter(bot, SlackConfig(signing_secret=SIGNING_SECRET, api_url=self.slack_api.url,
                                              bot_token=ACME_TOKEN), self.db.engine)
        teams = TeamsAdapter(bot, TeamsConfig(app_id=APP_ID, app_password="not-a-real-secret",
                                              credentials_factory=FakeEntraCredentials(APP_ID)))
        self.adapters = [slack, teams]
        self.runner, self.port = await serve_locally(build_app(self.db, [slack, teams]))

    def stop(self) -> None:
        async def stop() -> None:
            await asyncio.sleep(0.5)  # the work after the last acknowledgements
            await self.adapters[1].drain()  # type: ignore[attr-defined]
            await self.runner.cleanup()
            for adapter in self.adapters:
                await adapter.close()
            await self.slack_api.__aexit__()
            await self.connector.__aexit__()
            await self.db.close()

        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    def post(self, path: str, body: str | bytes, headers: dict[str, str]) -> tuple[int, str]:
        """POST ``body`` as it is; the status and the answer."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("POST", path, body=body if isinstance(body, bytes) else body.encode("utf-8",
                                                                                                  "surrogatepass"),
                               headers={k: v.encode("utf-8", "surrogatepass").decode("latin-1")
                                        for k, v in headers.items()})
            response = connection.getresponse()
            status, text = response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        self.tried += 1
        self.server_errors += status >= 500
        return status, text

    def rows(self) -> tuple[int, ...]:
        """How many rows the tables people's requests write hold."""
        async def count() -> tuple[int, ...]:
            async with self.db.transaction() as session:
                return tuple([int(await session.scalar(select(func.count()).select_from(model)) or 0)
                              for model in COUNTED])
        return self.run(count())

    def calls(self) -> int:
        """How many calls the fake Slack API and Bot Connector received."""
        return len(self.slack_api.calls) + len(self.connector.posts)


class SocketEdge(EdgeServer):
    """The server with Slack over Socket Mode, connected to the fake Socket Mode server on the
    background loop; :meth:`send` writes one frame on the connection."""

    async def _start(self) -> None:
        self.db = Database(self.database_url)
        await _empty(self.db)
        self.slack_api = await FakeSlackApi().__aenter__()
        self.slack_api.add_workspace(ACME, ACME_TOKEN, "Acme")
        self.slack_api.add_user(ACME_TOKEN, "UHANA", "Hana Kim")
        self.socket = await FakeSocketMode(self.slack_api).__aenter__()
        slack = SlackAdapter(MentorBot(self.db), socket_config(self.slack_api, bot_token=ACME_TOKEN), self.db.engine)
        self.adapters = [slack]
        self.runner, self.port = await serve_locally(build_app(self.db, [slack]))
        await self.socket.wait_connections(1)

    def stop(self) -> None:
        async def stop() -> None:
            await asyncio.sleep(0.5)  # the work after the last acknowledgements
            await self.runner.cleanup()
            await self.adapters[0].close()
            await self.socket.__aexit__()
            await self.slack_api.__aexit__()
            await self.db.close()

        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    def send(self, frame: str) -> str | None:
        """Write ``frame`` on the connection; the id it names, if any, once acknowledged (None if
        it names none)."""
        async def send() -> str | None:
            [connection] = await self.socket.wait_connections(1)
            await self.socket.send_raw(frame, connection)
            envelope_id = _envelope_id(frame)
            if envelope_id is not None:
                for _ in range(500):
                    if envelope_id in self.socket.acknowledged:
                        break
                    await asyncio.sleep(0.01)
            self.tried += 1
            return envelope_id
        return self.run(send())

    def connected(self) -> bool:
        """True while the server's Socket Mode connection is the only one, and open."""
        return len(self.socket.connections) == 1 and self.socket.connections[0].open


def _envelope_id(frame: str) -> str | None:
    try:
        message = read_json(frame)
    except BadPayload:
        return None
    envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
    return envelope_id if isinstance(envelope_id, str) and 0 < len(envelope_id) <= 200 else None


async def _empty(db: Database) -> None:
    """Empty the PostgreSQL test database (SQLite files are fresh for each test)."""
    if db.dialect == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables) + ", " + ", ".join(
            f'"{name}"' for name in LIBRARY_TABLES)
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """The log records at WARNING and above while the test runs."""
    handler = Recorder()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(min(level, logging.WARNING) if level else logging.WARNING)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def edge(database_url: str, recorder: Recorder, monkeypatch: pytest.MonkeyPatch) -> Iterator[EdgeServer]:
    """The server, on the test's database (SQLite or PostgreSQL)."""
    with FakeTokenIssuer() as issuer:
        monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", issuer.openid_url)
        server = EdgeServer(database_url, issuer)
        server.start()
        try:
            yield server
        finally:
            server.stop()
            print(f"\nfuzz: {server.tried} requests, {server.server_errors} answered 5xx")


@pytest.fixture
def socket_edge(database_url: str, recorder: Recorder) -> Iterator[SocketEdge]:
    """The server over Slack Socket Mode, on the test's database (SQLite or PostgreSQL)."""
    with FakeTokenIssuer() as issuer:
        server = SocketEdge(database_url, issuer)
        server.start()
        try:
            yield server
        finally:
            server.stop()
            print(f"\nfuzz: {server.tried} Socket Mode frames")
