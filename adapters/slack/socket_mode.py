"""Slack over Socket Mode: the bot opens a WebSocket to Slack, and Slack sends on it what it would
otherwise POST to ``/slack/events``.

With the app-level token (``SLACK_APP_TOKEN``, scope ``connections:write``) the bot asks Slack for a
WebSocket URL (``apps.connections.open``) and connects out: no public address, nothing to open in a
firewall. Events, slash commands and interactions arrive as envelopes, each acknowledged by its
``envelope_id`` (with the answer a modal submission needs). Bolt's Socket Mode handler runs each
envelope through the same Bolt app as ``/slack/events`` (:mod:`adapters.slack.app`): the same
tenant check, acknowledgement first, jobs for the workers, event ids taken once by the core (a
retried envelope, or one that reaches another replica, takes effect once).

What is ours is keeping the connection and reading envelopes before Bolt does (:class:`Link`,
slack_sdk's aiohttp client with its connecting replaced, because that one retries a used URL,
pauses the same few seconds between tries however long Slack is away, and logs a traceback on
each try when Slack refuses the token):

* every try asks Slack for a fresh URL; failed tries are paced with back-off and jitter
  (:func:`pause_after`), one log line each;
* a token Slack refuses (a bot token, an app token without ``connections:write``, a revoked one)
  stops ``serve`` at start with :class:`~adapters.platform.StartFailed` saying what to do; refused
  later (revoked while running), it is an ERROR line every few minutes, not a loop;
* a ``disconnect`` envelope (Slack refreshing the link, or about to close it) or a lost connection
  opens a new connection before the old one is let go; what arrives on the old one meanwhile is
  still read and acknowledged;
* an envelope that is not what Slack sends (not JSON, missing its id or payload, a payload of the
  wrong shape) is one WARNING line, acknowledged empty when it has an id so that Slack does not
  send it again, and never reaches Bolt: nothing is stored.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import WSMsgType
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app, send_async_response
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.health import Health
from adapters.payloads import BadPayload, read_json
from adapters.platform import StartFailed
from adapters.slack import shapes
from adapters.slack.config import LinkTiming

log = logging.getLogger(__name__)

CONNECTING, CONNECTED, REFUSED, CLOSED = "connecting", "connected", "refused", "closed"
"""The states of the link, as ``/healthz`` and ``/readyz`` report them (``slack_socket``)."""
ENVELOPES = ("events_api", "slash_commands", "interactive")
"""The kinds of envelope that carry a request for Bolt."""
TRANSIENT_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
"""Errors of ``apps.connections.open`` worth trying again; any other is Slack refusing the token."""
REFUSALS = {
    "not_allowed_token_type": "SLACK_APP_TOKEN is not an app-level token (xapp-…)",
    "missing_scope": "the app-level token lacks the connections:write scope: add it to the token under "
                     "Basic Information → App-Level Tokens (or make a new one with it)",
    "invalid_auth": "Slack does not know this app-level token: copy it again from Basic Information → "
                    "App-Level Tokens",
    "not_authed": "no app-level token was sent",
    "token_revoked": "the app-level token was revoked: make a new one under Basic Information → App-Level Tokens",
    "account_inactive": "the app-level token belongs to a deleted app or workspace",
}
CONNECT_TIMEOUT = 30.0
"""Seconds one try to connect (the URL, then the WebSocket handshake) may take."""
ACK_WAIT = 2.0
"""Seconds an acknowledgement waits for a connection while the link is being replaced (an
envelope's id is good on any of the app's connections)."""
CLOSE_GRACE = 3.0
"""Seconds the link gives envelopes under way to be acknowledged when it is closed."""
MAX_ENVELOPE_ID = 200


class Refused(Exception):
    """Slack refused the app-level token: ``code`` is Slack's error, the message what to do."""

    def __init__(self, code: str) -> None:
        if code.startswith("http_"):
            explained = f"apps.connections.open answered HTTP {code.removeprefix('http_')}: check SLACK_API_URL"
        else:
            explained = REFUSALS.get(code, f"Slack refused the app-level token ({code})")
        super().__init__(explained)
        self.code = code


def pause_after(failures: int, timing: LinkTiming, jitter: Callable[[], float] = random.random) -> float:
    """Seconds to wait after ``failures`` tries in a row failed: ``timing.first`` doubling up to
    ``timing.most``, less up to a quarter (``jitter()`` in [0, 1)), so that replicas that lost Slack
    together do not come back in step."""
    pause = min(timing.first * 2 ** max(failures - 1, 0), timing.most)
    return pause * (1 - 0.25 * jitter())


def envelope_problem(message: dict[str, Any]) -> str | None:
    """Why ``message`` is not an envelope Bolt may read (events, commands, interactions), in a few
    words; None when it is one."""
    kind = message.get("type")
    if not isinstance(kind, str) or kind not in ENVELOPES:
        return f"an envelope of unknown type {str(kind)[:40]!r}"
    envelope_id = message.get("envelope_id")
    if not isinstance(envelope_id, str) or not envelope_id or len(envelope_id) > MAX_ENVELOPE_ID:
        return f"a {kind} envelope without a readable envelope_id"
    payload = message.get("payload")
    if not isinstance(payload, dict) or not payload:
        return f"a {kind} envelope without a payload object"
    attempt = message.get("retry_attempt")
    if attempt is not None and (isinstance(attempt, bool) or not isinstance(attempt, int)):
        return "retry_attempt is not a number"
    for field in ("retry_reason",):
        if message.get(field) is not None and not isinstance(message[field], str):
            return f"{field} is not a string"
    try:
        shapes.check(payload)
    except shapes.Malformed as problem:
        return f"payload: {problem}"
    return None


class Link(SocketModeClient):
    """slack_sdk's aiohttp Socket Mode client, with the connection kept as the module says.

    slack_sdk's parts still in use: the queue of received messages, the listeners
    (:class:`SocketModeHandler` is one), sending acknowledgements, and closing. ``sleep`` and
    ``jitter`` are there for the tests.
    """

    def __init__(self, app_token: str, web_client: AsyncWebClient, timing: LinkTiming,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 jitter: Callable[[], float] = random.random) -> None:
        super().__init__(app_token=app_token, logger=logging.getLogger(f"{__name__}.sdk"), web_client=web_client,
                         ping_interval=timing.ping)
        self.timing = timing
        self.state = CONNECTING
        self.problem: str | None = None
        """Why the link is not connected (Slack's error code, or what failed), for the log and /healthz."""
        self.opened = 0
        """How many connections were opened since start."""
        self._sleep = sleep
        self._jitter = jitter
        self._connecting: asyncio.Future[None] | None = None
        self._pause_first = 0.0
        """Seconds the next reconnection waits before its first try (Slack said too_many_websockets)."""
        self._tasks: set[asyncio.Future[Any]] = set()
        self._handling: set[asyncio.Future[Any]] = set()
        """The envelopes under way (each in a task of its own)."""

    # --- connecting ----------------------------------------------------------------------

    async def start(self) -> None:
        """Connect for the first time. :class:`StartFailed` when Slack refuses the token; when
        Slack cannot be reached, the link keeps trying in the background (``/readyz`` says 503)."""
        try:
            await self._try()
        except Refused as refused:
            await self.close()
            self._set(REFUSED, refused.code)
            raise StartFailed(f"Slack Socket Mode: {refused}") from None
        except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError, ValueError) as failed:
            log.warning("could not connect to Slack over Socket Mode (%s): trying again in the background",
                        _reason(failed))
            self._set(CONNECTING, _reason(failed))
            self._follow(self.connect())

    async def connect(self) -> None:
        """Open a new connection, trying again with back-off until one is open (or the link is
        closed). One reconnection at a time: a call while one is under way waits for it."""
        if self._connecting is None or self._connecting.done():
            self._connecting = asyncio.ensure_future(self._reconnect())
        await asyncio.shield(self._connecting)

    async def connect_to_new_endpoint(self, force: bool = False) -> None:
        """slack_sdk's reconnection (after a ``disconnect`` envelope, a closed or stale session):
        every try in :meth:`connect` asks for a fresh URL itself."""
        if force or not await self.is_connected():
            await self.connect()

    async def _reconnect(self) -> None:
        failures = 0
        if self._pause_first:
            pause, self._pause_first = self._pause_first, 0.0
            await self._sleep(pause)
        while not self.closed:
            try:
                await self._try()
                return
            except Refused as refused:
                self._set(REFUSED, refused.code)
                pause = self.timing.refused
                log.error("Slack refused the Socket Mode connection: %s; trying again in %.0f s", refused, pause)
            except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError, ValueError) as failed:
                failures += 1
                self._set(CONNECTING, _reason(failed))
                pause = pause_after(failures, self.timing, self._jitter)
                log.warning("could not connect to Slack over Socket Mode (%s): trying again in %.1f s",
                            _reason(failed), pause)
            await self._sleep(pause)

    async def _try(self) -> None:
        """One try: a fresh URL, the WebSocket handshake, then the new connection replaces the old."""
        async with asyncio.timeout(CONNECT_TIMEOUT):
            url = await self.issue_new_wss_url()
            if self.aiohttp_client_session.closed:
                self.aiohttp_client_session = aiohttp.ClientSession()
            session = await self.aiohttp_client_session.ws_connect(
                url, heartbeat=self.ping_interval, proxy=self.proxy,
                ssl=self.web_client.ssl if self.web_client.ssl is not None else True)
        if self.closed:
            await session.close()
            return
        old, self.current_session = self.current_session, session
        self.stale, self.last_ping_pong_time = False, None
        self.opened += 1
        self._set(CONNECTED, None)
        # The receiver of the old connection reads on until it closes: nothing sent there is dropped.
        self.message_receiver = self._follow(self._read(session))
        if old is not None and not old.closed:
            self._follow(old.close())
        log.info("connected to Slack over Socket Mode (connection %d)", self.opened)

    async def issue_new_wss_url(self) -> str:
        """A fresh WebSocket URL from ``apps.connections.open``; :class:`Refused` when Slack
        refuses the token, :class:`SlackApiError` when trying again may help."""
        try:
            answer = await self.web_client.apps_connections_open(app_token=self.app_token)
        except SlackApiError as error:
            status = error.response.status_code
            if status >= 500 or error.response.get("error") in TRANSIENT_ERRORS:
                raise
            raise Refused(str(error.response.get("error") or f"http_{status}")) from None
        url = answer.get("url")
        if not isinstance(url, str) or not url.startswith(("wss://", "ws://")):
            raise ValueError("apps.connections.open gave no WebSocket URL")
        return url

    # --- receiving ---------------------------------------------------------------------

    async def receive_messages(self) -> None:
        """Read the connection in use (see :meth:`_read`)."""
        assert self.current_session is not None
        await self._read(self.current_session)

    async def _read(self, session: aiohttp.ClientWebSocketResponse) -> None:
        """Read one connection until it closes, queueing its messages; when it was the connection
        in use, open another."""
        try:
            while True:
                message = await session.receive()
                if message.type == WSMsgType.TEXT:
                    await self.enqueue_message(message.data)
                elif message.type == WSMsgType.BINARY:
                    log.warning("ignored a binary message on the Socket Mode connection")
                elif message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                    break
        except (aiohttp.ClientError, OSError) as lost:
            log.warning("the Socket Mode connection failed: %s", _reason(lost))
        if session is self.current_session and not self.closed:
            log.info("the Socket Mode connection closed (code %s): reconnecting", session.close_code)
            self._set(CONNECTING, f"closed ({session.close_code})")
            await self.connect()

    async def process_message(self) -> None:
        """Take the next queued message: an envelope is handled in a task of its own."""
        raw = await self.message_queue.get()
        if raw is None:
            return
        try:
            message = read_json(raw)
        except BadPayload as bad:
            log.warning("refused a Socket Mode message that is %s", bad)
            return
        if not isinstance(message, dict):
            log.warning("refused a Socket Mode message that is not a JSON object")
            return
        self._follow(self.run_message_listeners(message, raw), self._handling)

    async def run_message_listeners(self, message: dict[str, Any], raw_message: str) -> None:
        """``hello`` and ``disconnect`` are the link's; an envelope goes to the listeners (Bolt)
        once it is readable."""
        kind = message.get("type")
        if kind == "hello":
            log.debug("Slack said hello on Socket Mode connection %d (%s connection(s) open for this app)",
                     self.opened, message.get("num_connections", "?"))
            return
        if kind == "disconnect":
            await self._disconnect_asked(str(message.get("reason") or "unknown"))
            return
        problem = envelope_problem(message)
        if problem is not None:
            log.warning("refused a malformed Socket Mode envelope: %s", problem)
            envelope_id = message.get("envelope_id")
            if isinstance(envelope_id, str) and envelope_id and len(envelope_id) <= MAX_ENVELOPE_ID:
                await self.acknowledge(envelope_id)
            return
        await super().run_message_listeners(message, raw_message)

    async def _disconnect_asked(self, reason: str) -> None:
        if reason == "link_disabled":
            log.warning("Slack disabled Socket Mode for this app (link_disabled): turn Socket Mode on again in the "
                        "app's settings; reconnecting meanwhile")
        elif reason == "too_many_websockets":
            # Slack closes this connection: the next one waits, or replicas would take turns pushing each other out.
            log.warning("Slack refused another Socket Mode connection (too_many_websockets: at most 10 per app, "
                        "one per replica); the next try waits %.0f s", self.timing.most)
            self._pause_first = self.timing.most
            return
        else:
            log.info("Slack asked for a new Socket Mode connection (%s)", reason)
        await self.connect_to_new_endpoint(force=True)

    # --- acknowledging -----------------------------------------------------------------

    async def acknowledge(self, envelope_id: str, payload: dict[str, Any] | None = None) -> None:
        """Acknowledge an envelope (with ``payload``, the answer Slack shows)."""
        await self.send_socket_mode_response(SocketModeResponse(envelope_id=envelope_id, payload=payload))

    async def send_message(self, message: str) -> None:
        """Send on the connection in use; while it is being replaced, wait a moment for the new one."""
        deadline = time.monotonic() + ACK_WAIT
        while True:
            session = self.current_session
            if session is not None and not session.closed:
                try:
                    await session.send_str(message)
                    return
                except ConnectionError:
                    if time.monotonic() > deadline:
                        raise
            elif time.monotonic() > deadline:
                raise ConnectionError("no Socket Mode connection is open")
            await asyncio.sleep(0.05)

    # --- state and closing -------------------------------------------------------------

    def health(self) -> Health:
        """The link's state for ``/healthz`` and ``/readyz``: ready when connected."""
        return Health(self.state, ready=self.state == CONNECTED)

    async def close(self) -> None:
        """Stop: envelopes under way get a moment to be acknowledged, then every connection closes."""
        if self._handling:
            await asyncio.wait(list(self._handling), timeout=CLOSE_GRACE)
        self._set(CLOSED, None)
        await super().close()
        for task in [*self._tasks, *self._handling, *([self._connecting] if self._connecting else [])]:
            task.cancel()

    def _set(self, state: str, problem: str | None) -> None:
        self.state, self.problem = state, problem

    def _follow(self, work: Awaitable[Any], kept: set[asyncio.Future[Any]] | None = None) -> asyncio.Future[Any]:
        """Run ``work`` in a task kept (in ``kept``, by default the link's) until it is done:
        asyncio itself keeps only weak references."""
        kept = self._tasks if kept is None else kept
        task = asyncio.ensure_future(work)
        kept.add(task)
        task.add_done_callback(kept.discard)
        return task


class SocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler over a :class:`Link`: each envelope through the Bolt app.

    Bolt acknowledges an envelope only when the app answered 200; here a refusal (4xx: another
    workspace, a listener-less event) is acknowledged empty too, so that Slack does not send it
    again, and only a failure (5xx) is left for Slack to send again, as over HTTP.
    """

    def __init__(self, app: AsyncApp, link: Link) -> None:
        # Not super().__init__: it would build a second, stock client.
        self.app = app
        self.app_token = link.app_token
        self.client = link
        link.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        start = time.time()
        response = await run_async_bolt_app(self.app, req)
        try:
            if response.status == 200:
                await send_async_response(client, req, response, start)
            elif response.status < 500:
                await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            else:
                log.warning("left a %s envelope unacknowledged (status %d): Slack sends events again",
                            req.type, response.status)
        except (ConnectionError, aiohttp.ClientError) as lost:
            log.warning("could not acknowledge a %s envelope (%s): Slack sends events again", req.type, _reason(lost))


def _reason(problem: BaseException) -> str:
    """A failure in a few words (no URL: it holds a connection ticket)."""
    if isinstance(problem, SlackApiError):
        return str(problem.response.get("error") or f"HTTP {problem.response.status_code}")
    if isinstance(problem, aiohttp.WSServerHandshakeError):
        return f"handshake refused with HTTP {problem.status}"
    if isinstance(problem, TimeoutError):
        return "timed out"
    return type(problem).__name__
