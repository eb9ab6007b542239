"""Outbound Slack messages (chat.postMessage), paced to Slack's limits and retried.

Conversations with several people (conversations.open) are opened here too, with the same
workspace tokens, retries and error handling.

Pacing has two levels, and neither is a global lock, so posts to different channels go
out in parallel:

- per channel: at most one message per ``channel_interval`` (Slack: 1 per second); posts to
  one channel go out in call order, each one after the previous answer plus the interval;
- per workspace: ``budget_per_minute``, as a token bucket with a burst of about one second's
  worth (smooth) under a sliding 60 s window kept just below the budget (never more than the
  budget in any minute); the oldest message gets the next slot. An HTTP 429 pauses the whole
  workspace for its ``Retry-After``.

Server errors (5xx), timeouts and connection errors are retried with exponential back-off
and jitter, up to ``max_attempts``; Slack errors such as ``channel_not_found`` are final.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.pacing import backoff_delay, retry_after
from bot.delivery import DeliveryResult

log = logging.getLogger(__name__)

TokenFor = Callable[[str], Awaitable[str | None]]

# Slack errors answered with HTTP 200 that are worth another try.
_PASSING_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
_MAX_RATE_LIMITED = 20  # 429s tolerated for one message before it is reported failed


@dataclass(frozen=True)
class _Outcome:
    """What one chat.postMessage request came to."""

    kind: Literal["sent", "final", "retry", "limited"]  # "sent": the request did what it asked
    detail: str = ""
    retry_after: float = 0.0
    spent: bool = True  # False when Slack answered 5xx or 429: nothing was posted


class _PriorityLock:
    """A lock handed to the waiter with the lowest priority value (ties: first come)."""

    def __init__(self) -> None:
        self._locked = False
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def acquire(self, priority: float) -> None:
        """Wait for the lock; lower ``priority`` values are served first."""
        if not self._locked and not self._waiting:
            self._locked = True
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # it was handed to us as we were cancelled: pass it on
            raise

    def release(self) -> None:
        """Hand the lock to the next waiter, or free it."""
        while self._waiting:
            turn = heapq.heappop(self._waiting)[2]
            if not turn.done():
                turn.set_result(None)
                return
        self._locked = False


class _WorkspaceBudget:
    """A workspace's message budget: a token bucket, a sliding minute and a 429 pause.

    The bucket (GCRA) sends at ``budget / 60`` per second with a burst of about one second's
    worth, so the flow stays smooth; the sliding window keeps any 60 s at most ``budget``
    less a small margin for network jitter, whatever pauses and bursts came before. A request
    Slack answered with 5xx or 429 posted nothing: it gives its slot back. Slots go to the
    oldest message first, so a retried message does not queue behind newer ones.
    """

    def __init__(self, per_minute: int) -> None:
        self.interval = 60.0 / per_minute
        self.tolerance = (max(1, per_minute // 60) - 1) * self.interval
        self.limit = max(1, per_minute - max(1, per_minute // 200))
        self.paused_until = 0.0
        self._tat = 0.0  # theoretical arrival time of the next message (GCRA)
        self._sent: deque[float] = deque()  # when requests that count ended, within the last minute
        self._in_flight = 0
        self._lock = _PriorityLock()

    async def take(self, priority: float) -> None:
        """Wait for this workspace's next send slot and use it (lowest ``priority`` first)."""
        await self._lock.acquire(priority)
        try:
            while (wait := self._wait(time.monotonic())) > 0:
                await asyncio.sleep(wait)
            now = time.monotonic()
            self._tat = max(self._tat, now) + self.interval
            self._in_flight += 1
        finally:
            self._lock.release()

    def settle(self, spent: bool) -> None:
        """Account for a finished request: it counts in the window, or gives its slot back."""
        self._in_flight -= 1
        if spent:
            self._sent.append(time.monotonic())
        else:
            self._tat -= self.interval

    def pause(self, seconds: float) -> None:
        """Send nothing in this workspace for ``seconds`` (Slack's Retry-After)."""
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)

    async def unpaused(self) -> None:
        """Wait out a pause (for requests that are not messages and take no slot)."""
        while (wait := self.paused_until - time.monotonic()) > 0:
            await asyncio.sleep(wait)

    def _wait(self, now: float) -> float:
        return max(self.paused_until - now, self._tat - self.tolerance - now, self._window_wait(now))

    def _window_wait(self, now: float) -> float:
        while self._sent and self._sent[0] <= now - 60.0:
            self._sent.popleft()
        if len(self._sent) + self._in_flight < self.limit:
            return 0.0
        return self._sent[0] + 60.0 - now if self._sent else self.interval


class _ChannelGate:
    """One channel's turn-taking: a FIFO lock and when its last request finished."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.last_done = -math.inf
        self.users = 0

    async def wait(self, interval: float) -> None:
        """Sleep until ``interval`` has passed since the previous request to this channel."""
        delay = self.last_done + interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


class SlackDelivery:
    """Posts Slack messages for any installed workspace, paced and retried."""

    def __init__(
        self,
        token_for: TokenFor,
        api_url: str,
        budget_per_minute: int = 600,
        channel_interval: float = 1.0,
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        timeout: float = 10.0,
    ) -> None:
        """``token_for(team_id)`` gives a workspace's bot token, or None when it is not installed."""
        self._token_for = token_for
        self._api_url = api_url if api_url.endswith("/") else api_url + "/"
        self.budget_per_minute = budget_per_minute
        self.channel_interval = channel_interval
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._clients: dict[str, AsyncWebClient] = {}
        self._budgets: dict[str, _WorkspaceBudget] = {}
        self._gates: dict[tuple[str, str], _ChannelGate] = {}

    async def post(self, team_id: str, channel: str, text: str, blocks: list[dict[str, Any]] | None = None,
                   ) -> DeliveryResult:
        """Post a message to ``channel`` (a channel, DM or user id) of workspace ``team_id``.

        Never raises for delivery failures: returns ``ok=False`` with a short error instead.
        """
        queued_at = time.monotonic()
        key = (team_id, channel)
        gate = self._gates.setdefault(key, _ChannelGate())
        gate.users += 1
        try:
            async with gate.lock:  # taken before any other await: call order is kept
                result = await self._deliver(gate, queued_at, team_id, channel, text, blocks)
        finally:
            self._release(key, gate)
        if not result.ok:
            log.warning("Slack message to %s in %s failed after %d attempt(s): %s",
                        channel, team_id, result.attempts, result.error)
        return result

    async def open_conversation(self, team_id: str, user_ids: Sequence[str]) -> DeliveryResult:
        """Open the conversation holding ``user_ids`` and the bot in workspace ``team_id``
        (conversations.open: a DM for one person, a multi-person DM for several).

        On success ``message_id`` is the conversation's id (a channel to :meth:`post` to).
        Retried like a post (5xx, timeouts, 429s); never raises: ``ok=False`` with a short
        error instead.
        """
        token = await self._token_for(team_id)
        if token is None:
            return DeliveryResult(ok=False, attempts=0, error="workspace_not_installed")
        client = self._client(token)
        budget = self._budgets.setdefault(team_id, _WorkspaceBudget(self.budget_per_minute))
        users = ",".join(user_ids)

        async def attempt() -> _Outcome:
            await budget.unpaused()
            return await _outcome(client.conversations_open(users=users), _channel_id)

        result = await self._retried(attempt, budget.pause)
        if result.ok and not result.message_id:
            result = DeliveryResult(ok=False, attempts=result.attempts, error="no_channel_in_answer")
        if not result.ok:
            log.warning("opening a Slack conversation with %s in %s failed after %d attempt(s): %s",
                        users, team_id, result.attempts, result.error)
        return result

    async def close(self) -> None:
        """Close the HTTP session shared by the workspace clients."""
        if self._session is not None:
            await self._session.close()
        self._session = None
        self._clients.clear()

    # --- one message ---------------------------------------------------------------------

    async def _deliver(self, gate: _ChannelGate, queued_at: float, team_id: str, channel: str, text: str,
                       blocks: list[dict[str, Any]] | None) -> DeliveryResult:
        token = await self._token_for(team_id)
        if token is None:
            return DeliveryResult(ok=False, attempts=0, error="workspace_not_installed")
        client = self._client(token)
        budget = self._budgets.setdefault(team_id, _WorkspaceBudget(self.budget_per_minute))

        async def attempt() -> _Outcome:
            await gate.wait(self.channel_interval)
            outcome = await self._request(budget, queued_at, client, channel, text, blocks)
            gate.last_done = time.monotonic()
            return outcome

        return await self._retried(attempt, budget.pause)

    async def _retried(self, attempt: Callable[[], Awaitable[_Outcome]],
                       pause: Callable[[float], None]) -> DeliveryResult:
        """Make ``attempt`` until it is done: passing errors are retried with back-off up to
        ``max_attempts``, and a 429 calls ``pause(retry_after)`` then tries again."""
        attempts = failures = limited = 0
        while True:
            attempts += 1
            outcome = await attempt()
            if outcome.kind == "sent":
                return DeliveryResult(ok=True, attempts=attempts, message_id=outcome.detail)
            if outcome.kind == "final":
                return DeliveryResult(ok=False, attempts=attempts, error=outcome.detail)
            if outcome.kind == "limited":
                pause(outcome.retry_after)
                limited += 1
                if limited > _MAX_RATE_LIMITED or outcome.retry_after > self.backoff_max:
                    return DeliveryResult(ok=False, attempts=attempts, error="rate_limited")
                continue
            failures += 1
            if failures >= self.max_attempts:
                return DeliveryResult(ok=False, attempts=attempts, error=outcome.detail)
            await asyncio.sleep(self._backoff(failures))

    async def _request(self, budget: _WorkspaceBudget, priority: float, client: AsyncWebClient, channel: str,
                       text: str, blocks: list[dict[str, Any]] | None) -> _Outcome:
        """One request, in its workspace slot."""
        await budget.take(priority)
        spent = True
        try:
            outcome = await self._attempt(client, channel, text, blocks)
            spent = outcome.spent
            return outcome
        finally:
            budget.settle(spent)

    async def _attempt(self, client: AsyncWebClient, channel: str, text: str,
                       blocks: list[dict[str, Any]] | None) -> _Outcome:
        return await _outcome(client.chat_postMessage(channel=channel, text=text, blocks=blocks),
                              lambda response: str(response.get("ts", "")))

    def _backoff(self, failures: int) -> float:
        return backoff_delay(failures, self.backoff_base, self.backoff_max)

    # --- clients and bookkeeping ---------------------------------------------------------

    def _client(self, token: str) -> AsyncWebClient:
        client = self._clients.get(token)
        if client is None:
            if self._session is None or self._session.closed:
                self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
            client = AsyncWebClient(token=token, base_url=self._api_url, timeout=math.ceil(self.timeout),
                                    session=self._session, retry_handlers=[])
            self._clients[token] = client
        return client

    def _release(self, key: tuple[str, str], gate: _ChannelGate) -> None:
        """Forget an idle channel once its interval has passed (the map stays small)."""
        gate.users -= 1
        if gate.users == 0:
            asyncio.get_running_loop().call_later(self.channel_interval, self._forget, key, gate)

    def _forget(self, key: tuple[str, str], gate: _ChannelGate) -> None:
        if gate.users == 0 and self._gates.get(key) is gate:
            del self._gates[key]


async def _outcome(request: Awaitable[Any], detail: Callable[[Any], str]) -> _Outcome:
    """Await one Web API request and classify how it ended; ``detail`` reads a success's answer."""
    try:
        response = await request
    except SlackApiError as problem:
        return _judge(problem.response)
    except TimeoutError:
        return _Outcome("retry", "timeout")
    except aiohttp.ClientError as problem:
        return _Outcome("retry", f"connection_error ({type(problem).__name__})")
    except Exception as problem:  # whatever else: reported, never raised to the caller
        return _Outcome("final", f"unexpected_error ({type(problem).__name__})")
    return _Outcome("sent", detail(response))


def _channel_id(response: Any) -> str:
    """The id of the conversation a conversations.open answer names ("" when it names none)."""
    channel = response.get("channel")
    return str(channel.get("id") or "") if isinstance(channel, dict) else ""


def _judge(response: Any) -> _Outcome:
    """Classify a failed answer: rate limited, worth retrying, or final."""
    status = int(getattr(response, "status_code", None) or getattr(response, "status", 0) or 0)
    data = getattr(response, "data", None)
    error = str(data.get("error") or "") if isinstance(data, dict) else ""
    if status == 429 or error == "ratelimited":
        wait = retry_after(getattr(response, "headers", None) or {})
        return _Outcome("limited", "rate_limited", wait, spent=status != 429)
    if status >= 500:
        return _Outcome("retry", f"http_{status}", spent=False)
    if error in _PASSING_ERRORS:
        return _Outcome("retry", error)
    return _Outcome("final", error or f"http_{status}")
