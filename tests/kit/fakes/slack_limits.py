"""Slack's chat.postMessage rate limits, and injected failures, as a policy for the fake API.

    slack.policy = SlackLimits(slack, budget_per_minute=600, error_rate=0.02)

For chat.postMessage it enforces at most one message per ``channel_interval`` per channel
(else 429 with ``Retry-After: 1``) and at most ``budget_per_minute`` messages per workspace in
any sliding ``window`` (else 429 with the seconds until the window has room). It can also
answer a fraction of calls with 500/503, with a 429, or hold them past the client's timeout
(then answer 504: a timed-out call is never delivered, so a retry is not a duplicate).
:meth:`fail_next` scripts the answers to the next calls instead (``503``, ``429``,
``"timeout"`` or a Slack error such as ``"channel_not_found"``).
Only accepted messages count towards the limits and in :attr:`accepted`; every request is
still recorded in ``FakeSlackApi.calls``.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import Counter, deque

from aiohttp import web

from tests.kit.fakes.slack_api import Call, FakeSlackApi

POST = "chat.postMessage"


class SlackLimits:
    """A callable policy for :class:`FakeSlackApi` that keeps counts of what it did."""

    def __init__(
        self,
        api: FakeSlackApi,
        budget_per_minute: int | None = None,
        channel_interval: float = 1.0,
        window: float = 60.0,
        error_rate: float = 0.0,
        rate_limit_rate: float = 0.0,
        timeout_rate: float = 0.0,
        delay: float = 1.0,
        seed: int = 0,
    ) -> None:
        self.api = api
        self.budget_per_minute = budget_per_minute
        self.channel_interval = channel_interval
        self.window = window
        self.error_rate = error_rate
        self.rate_limit_rate = rate_limit_rate
        self.timeout_rate = timeout_rate
        self.delay = delay
        self._random = random.Random(seed)
        self._last_on_channel: dict[tuple[str, str], float] = {}
        self._recent: dict[str, deque[float]] = {}
        self.accepted: Counter[tuple[str, str]] = Counter()  # (channel, text) -> times accepted
        self.accepted_at: list[float] = []
        self.rate_limited: Counter[str] = Counter()  # reason (channel, budget, injected) -> 429s sent
        self.server_errors: Counter[int] = Counter()  # status -> 5xx sent
        self.limited_at: list[tuple[float, int]] = []  # (when, Retry-After) of each 429
        self.timeouts = 0
        self._scripted: deque[int | str] = deque()

    async def __call__(self, call: Call) -> web.Response | None:
        workspace = self.api.workspaces.get(call.token or "")
        if call.method != POST or workspace is None:
            return None  # the fake answers (invalid_auth for an unknown token)
        injected = await (self._scripted_answer() if self._scripted else self._injected())
        if injected is not None:
            return injected
        now = time.monotonic()
        channel = str(call.body.get("channel", ""))
        limited = self._limit(workspace.team_id, channel, now)
        if limited is not None:
            return limited
        self._accept(workspace.team_id, channel, str(call.body.get("text", "")), now)
        return None

    # --- reading the counts --------------------------------------------------------------

    def delivered(self) -> int:
        """Messages accepted, duplicates included."""
        return sum(self.accepted.values())

    def duplicates(self) -> int:
        """Messages accepted more than once (same channel and text)."""
        return sum(count - 1 for count in self.accepted.values() if count > 1)

    def fail_next(self, *faults: int | str) -> None:
        """Answer the next chat.postMessage calls with these faults, in turn, before the limits apply."""
        self._scripted.extend(faults)

    # --- deciding ------------------------------------------------------------------------

    async def _injected(self) -> web.Response | None:
        draw = self._random.random()
        if draw < self.error_rate:
            return self._server_error(self._random.choice((500, 503)))
        draw -= self.error_rate
        if draw < self.rate_limit_rate:
            return self._too_many("injected", 1)
        draw -= self.rate_limit_rate
        if draw < self.timeout_rate:
            return await self._time_out()
        return None

    async def _scripted_answer(self) -> web.Response:
        fault = self._scripted.popleft()
        if fault == 429:
            return self._too_many("injected", 1)
        if isinstance(fault, int):
            return self._server_error(fault)
        if fault == "timeout":
            return await self._time_out()
        return web.json_response({"ok": False, "error": fault})

    def _server_error(self, status: int) -> web.Response:
        self.server_errors[status] += 1
        return web.json_response({"ok": False, "error": "internal_error"}, status=status)

    async def _time_out(self) -> web.Response:
        self.timeouts += 1
        await asyncio.sleep(self.delay)
        return web.json_response({"ok": False, "error": "request_timeout"}, status=504)

    def _limit(self, team_id: str, channel: str, now: float) -> web.Response | None:
        last = self._last_on_channel.get((team_id, channel))
        if last is not None and now - last < self.channel_interval:
            return self._too_many("channel", 1)
        if self.budget_per_minute is None:
            return None
        recent = self._recent.setdefault(team_id, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(recent) >= self.budget_per_minute * self.window / 60:
            return self._too_many("budget", max(1, math.ceil(recent[0] + self.window - now)))
        return None

    def _accept(self, team_id: str, channel: str, text: str, now: float) -> None:
        self._last_on_channel[(team_id, channel)] = now
        self._recent.setdefault(team_id, deque()).append(now)
        self.accepted[(channel, text)] += 1
        self.accepted_at.append(now)

    def _too_many(self, reason: str, retry_after: int) -> web.Response:
        self.rate_limited[reason] += 1
        self.limited_at.append((time.monotonic(), retry_after))
        return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                 headers={"Retry-After": str(retry_after)})
