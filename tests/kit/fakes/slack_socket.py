"""A fake of Slack's Socket Mode on 127.0.0.1: the WebSocket end, recording acknowledgements.

``apps.connections.open`` is answered by the fake Web API (:class:`FakeSlackApi`, where this fake
registers its app-level token) with a single-use ``ws://`` URL to this server, as Slack answers with
a ``wss://`` one. A client that connects is greeted with ``hello``; :meth:`FakeSocketMode.send` puts
an envelope (``events_api``, ``slash_commands``, ``interactive``) on the app's open connections in
turn, as Slack spreads envelopes over an app's connections, and :meth:`FakeSocketMode.acked` waits
for its acknowledgement (by ``envelope_id``) and returns the payload that came with it.

Like Slack: an envelope sent while no connection is open waits for the next one; an ``events_api``
envelope still unacknowledged ``redeliver_after`` seconds after its connection closed is sent
again, with a new id and ``retry_attempt`` one higher (commands and interactions are not: they are
recorded in :attr:`FakeSocketMode.lost`); :meth:`FakeSocketMode.disconnect` sends a ``disconnect``
envelope and closes that connection a moment later, :meth:`FakeSocketMode.drop` cuts one without a
word (a network failure).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.kit.fakes.local_http import serve_locally
from tests.kit.fakes.slack_api import FakeSlackApi

APP_TOKEN = "xapp-1-A0MENTOR-1-0123456789abcdef"
APP_ID = "A0MENTOR"
CONNECTIONS_WRITE = "connections:write"


@dataclass
class Envelope:
    """One envelope the fake sent (or will send)."""

    kind: str
    payload: dict[str, Any]
    envelope_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    retry_attempt: int = 0
    retry_reason: str = ""
    sent_at: float = 0.0

    def frame(self) -> dict[str, Any]:
        """The envelope as Slack writes it on the WebSocket."""
        return {"envelope_id": self.envelope_id, "payload": self.payload, "type": self.kind,
                "accepts_response_payload": self.kind != "events_api",
                "retry_attempt": self.retry_attempt, "retry_reason": self.retry_reason}


@dataclass
class Ack:
    """An acknowledgement the fake received."""

    envelope_id: str
    payload: dict[str, Any] | None
    connection: int
    at: float = field(default_factory=time.monotonic)


@dataclass
class Connection:
    """One client connection."""

    number: int
    socket: web.WebSocketResponse
    request: web.Request
    draining: bool = False
    """Told to disconnect: nothing new is sent there."""
    unacked: dict[str, Envelope] = field(default_factory=dict)
    received: list[Envelope] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return not self.socket.closed


class FakeSocketMode:
    """Serve the fake on a random free port: ``async with FakeSocketMode(api) as socket: ...``.

    With ``api``, the fake Web API answers ``apps.connections.open`` for ``app_token`` (with
    ``scopes``; without ``connections:write`` it answers ``missing_scope``). ``strict_tickets=False``
    accepts any ticket (a fake Web API in another process handing out URLs).
    """

    def __init__(self, api: FakeSlackApi | None = None, app_token: str = APP_TOKEN,
                 scopes: Sequence[str] = (CONNECTIONS_WRITE,), strict_tickets: bool = True,
                 redeliver_after: float = 0.3) -> None:
        self.api = api
        self.app_token = app_token
        self.scopes = tuple(scopes)
        self.strict_tickets = strict_tickets
        self.redeliver_after = redeliver_after
        self.connections: list[Connection] = []
        self.sent: list[Envelope] = []
        self.acks: dict[str, Ack] = {}
        self.duplicate_acks: list[Ack] = []
        self.acknowledged: list[str] = []
        """Every envelope id a client acknowledged, in order (those sent with :meth:`send_raw` too)."""
        self.stray: list[str] = []
        """Messages from clients that are not an acknowledgement of an envelope sent with :meth:`send`."""
        self.lost: list[Envelope] = []
        self.refused_tickets = 0
        self._pending: list[Envelope] = []
        self._by_id: dict[str, Envelope] = {}
        self._tickets: set[str] = set()
        self._turn = itertools.count()
        self._acked = asyncio.Condition()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- set-up --------------------------------------------------------------------------

    async def __aenter__(self) -> FakeSocketMode:
        app = web.Application()
        app.router.add_get("/link/", self._link)
        self._runner, self.port = await serve_locally(app)
        if self.api is not None:
            self.api.add_app(self.app_token, self.issue_url, self.scopes)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in list(self._tasks):
            task.cancel()
        for connection in self.connections:
            await connection.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        """The WebSocket endpoint, without a ticket."""
        return f"ws://127.0.0.1:{self.port}/link/"

    def issue_url(self) -> str:
        """A single-use URL, as ``apps.connections.open`` hands out."""
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        return f"{self.url}?ticket={ticket}&app_id={APP_ID}"

    # --- what the clients see --------------------------------------------------------------

    @property
    def open_connections(self) -> list[Connection]:
        """The connections open now, oldest first."""
        return [connection for connection in self.connections if connection.open]

    async def wait_connections(self, count: int, timeout: float = 5.0) -> list[Connection]:
        """Wait until ``count`` connections are open (not told to disconnect)."""
        deadline = time.monotonic() + timeout
        while len(ready := [c for c in self.open_connections if not c.draining]) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(ready)} Socket Mode connection(s) open, wanted {count}")
            await asyncio.sleep(0.01)
        return ready

    async def send(self, kind: str, payload: dict[str, Any], retry_attempt: int = 0,
                   retry_reason: str = "", to: Connection | None = None) -> Envelope:
        """Send an envelope on the next open connection in turn, or on ``to`` (or on the next to open)."""
        envelope = Envelope(kind, payload, retry_attempt=retry_attempt, retry_reason=retry_reason)
        self.sent.append(envelope)
        self._by_id[envelope.envelope_id] = envelope
        await self._deliver(envelope, to)
        return envelope

    async def retry(self, envelope: Envelope, reason: str = "timeout", to: Connection | None = None) -> Envelope:
        """Send ``envelope`` again as Slack retries an event: a new id, the same payload."""
        return await self.send(envelope.kind, envelope.payload, envelope.retry_attempt + 1, reason, to)

    def connection_of(self, envelope: Envelope) -> Connection:
        """The connection ``envelope`` was sent on."""
        return next(connection for connection in self.connections if envelope in connection.received)

    async def send_raw(self, text: str, connection: Connection | None = None) -> None:
        """Send any text on a connection (the newest by default): malformed envelopes."""
        target = connection or self.open_connections[-1]
        await target.socket.send_str(text)

    async def acked(self, envelope: Envelope | str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the acknowledgement of ``envelope`` (or of that envelope id): its payload ({} without)."""
        envelope_id = envelope if isinstance(envelope, str) else envelope.envelope_id
        async with self._acked:
            try:
                await asyncio.wait_for(self._acked.wait_for(lambda: envelope_id in self.acks), timeout)
            except TimeoutError:
                raise AssertionError(f"envelope {envelope_id} was not acknowledged in {timeout} s") from None
        return self.acks[envelope_id].payload or {}

    async def disconnect(self, reason: str = "refresh_requested", connection: Connection | None = None,
                         close_after: float = 0.5) -> Connection:
        """Send a ``disconnect`` envelope on a connection (the oldest open by default) and close it
        ``close_after`` seconds later, unless the client did first."""
        target = connection or self.open_connections[0]
        target.draining = True
        await target.socket.send_json({"type": "disconnect", "reason": reason,
                                        "debug_info": {"host": "applink-fake"}})
        self._later(self._close_after(target, close_after))
        return target

    async def drop(self, connection: Connection | None = None) -> Connection:
        """Cut a connection (the oldest open by default) without a close frame."""
        target = connection or self.open_connections[0]
        target.draining = True
        transport = target.request.transport
        if transport is not None:
            transport.abort()
        return target

    # --- serving -------------------------------------------------------------------------

    async def _link(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if self.strict_tickets:
            if ticket not in self._tickets:
                self.refused_tickets += 1
                return web.Response(status=401, text="invalid or used ticket")
            self._tickets.discard(ticket)
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        connection = Connection(len(self.connections) + 1, socket, request)
        self.connections.append(connection)
        await socket.send_json({"type": "hello", "num_connections": len(self.open_connections),
                                "debug_info": {"host": "applink-fake", "build_number": 1,
                                               "approximate_connection_time": 18060},
                                "connection_info": {"app_id": APP_ID}})
        pending, self._pending = self._pending, []
        for envelope in pending:
            await self._deliver(envelope)
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    await self._received(connection, message.data)
        finally:
            self._later(self._after_close(connection))
        return socket

    async def _deliver(self, envelope: Envelope, to: Connection | None = None) -> None:
        ready = [connection for connection in self.open_connections if not connection.draining]
        if not ready:
            self._pending.append(envelope)
            return
        connection = to if to in ready else ready[next(self._turn) % len(ready)]
        connection.unacked[envelope.envelope_id] = envelope
        connection.received.append(envelope)
        envelope.sent_at = time.monotonic()
        try:
            await connection.socket.send_json(envelope.frame())
        except ConnectionError:
            pass  # the connection went away: its close sends the envelope again (or records it lost)

    async def _received(self, connection: Connection, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            self.stray.append(text)
            return
        envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
        if isinstance(envelope_id, str):
            self.acknowledged.append(envelope_id)
        if not isinstance(envelope_id, str) or envelope_id not in self._by_id:
            self.stray.append(text)
            return
        ack = Ack(envelope_id, message.get("payload"), connection.number)
        for each in self.connections:
            each.unacked.pop(envelope_id, None)
        async with self._acked:
            if envelope_id in self.acks:
                self.duplicate_acks.append(ack)
            else:
                self.acks[envelope_id] = ack
            self._acked.notify_all()

    async def _close_after(self, connection: Connection, delay: float) -> None:
        await asyncio.sleep(delay)
        if connection.open:
            await connection.socket.close()

    async def _after_close(self, connection: Connection) -> None:
        """What the closed connection left unacknowledged: events again (retried), the rest lost."""
        await asyncio.sleep(self.redeliver_after)
        for envelope in list(connection.unacked.values()):
            connection.unacked.pop(envelope.envelope_id, None)
            if envelope.envelope_id in self.acks:
                continue
            if envelope.kind == "events_api":
                await self.retry(envelope)
            else:
                self.lost.append(envelope)

    def _later(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
