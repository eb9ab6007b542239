"""What the fake calendar services share: recorded calls, slowness on demand, scripted failures,
a cap on concurrent requests per mailbox, and the occurrences of a series."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from dateutil.rrule import rrulestr


@dataclass
class Call:
    """One request a fake calendar service received."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    mailbox: str = ""
    status: int = 0
    at: float = field(default_factory=time.monotonic)


class ServiceBase:
    """Recording, delays, scripted answers and per-mailbox concurrency, for the two fakes."""

    def __init__(self, delay: float = 0.0, per_mailbox: int = 4) -> None:
        self.calls: list[Call] = []
        self.delay = delay
        self.per_mailbox = per_mailbox
        self.throttle_every = 0
        """Under load: every n-th API call is answered as rate-limited (0: never)."""
        self.retry_after = "0"
        """The ``Retry-After`` (seconds) a throttled answer carries, where the service sends one."""
        self.received = 0
        self.in_flight: Counter[str] = Counter()
        self.scripted: deque[int] = deque()
        self.limited = 0
        self.server_errors = 0

    def fail_next(self, *statuses: int) -> None:
        """Answer the next API calls with these statuses (429, 503, ...), then normally."""
        self.scripted.extend(statuses)

    def called(self, method: str, fragment: str = "") -> list[Call]:
        """Calls with ``method`` whose path contains ``fragment``."""
        return [c for c in self.calls if c.method == method and fragment in c.path]

    async def _enter(self, call: Call) -> web.Response | None:
        """Record ``call``; an error answer when scripted or when the mailbox is busy."""
        self.calls.append(call)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.scripted:
            status = self.scripted.popleft()
            call.status = status
            if status in (403, 429):
                self.limited += 1
                return self._limited(call, status)
            self.server_errors += 1
            return self._server_error(status)
        self.received += 1
        if self.throttle_every and self.received % self.throttle_every == 0:
            self.limited += 1
            answer = self._limited(call, 429 if self.received % (2 * self.throttle_every) else 403)
            call.status = answer.status
            return answer
        if call.mailbox and self.in_flight[call.mailbox] >= self.per_mailbox:
            self.limited += 1
            call.status = 429
            return self._limited(call, 429)
        return self._over_limit(call)

    def _over_limit(self, call: Call) -> web.Response | None:
        """A service's own limits beyond concurrency (none here)."""
        return None

    def _server_error(self, status: int) -> web.Response:
        return web.json_response({"error": {"code": "ServiceUnavailable", "message": "try later"}}, status=status)

    def _limited(self, call: Call, status: int) -> web.Response:
        return web.json_response({"error": {"code": "ApplicationThrottled", "message": "too many requests"}},
                                 status=429, headers={"Retry-After": self.retry_after})


def occurrences(first: datetime, zone: str, rule: str, start: datetime, end: datetime) -> list[datetime]:
    """The starts (UTC) of a series beginning at ``first`` whose RRULE is ``rule``
    (``FREQ=WEEKLY;INTERVAL=2``), kept at the same wall-clock time in ``zone``, between ``start``
    and ``end``."""
    tz = ZoneInfo(zone)
    local = first.astimezone(tz).replace(tzinfo=None)
    found = []
    for moment in rrulestr(rule, dtstart=local):
        when = moment.replace(tzinfo=tz).astimezone(UTC)
        if when >= end or len(found) > 1000:
            break
        if when >= start:
            found.append(when)
    return found
