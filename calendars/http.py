"""What both providers share: one httpx client, retries with back-off and jitter (honouring
``Retry-After``), a cap on concurrent requests per mailbox, and errors mapped to the neutral ones.

Tokens are sent in headers and never logged; log lines name the method, the path's shape and the
status, not the URL's query (which may carry a delta or sync token).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from weakref import WeakValueDictionary

import httpx

from bot.calendars.provider import CalendarUnavailable

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
LIMITS = httpx.Limits(max_connections=64, max_keepalive_connections=32)
"""Enough for the sync's concurrency; a bigger pool costs each request a look at every idle connection."""
Transient = Callable[[httpx.Response], bool]


@dataclass
class Backoff:
    """How a failed call is tried again: up to ``attempts`` in all, waiting ``Retry-After`` when
    the service says, else ``base * 2**n`` seconds with full jitter, at most ``cap``."""

    attempts: int = 6
    base: float = 0.5
    cap: float = 30.0
    sleep: Sleep = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        """Seconds to wait before try number ``attempt + 1``."""
        told = retry_after(response) if response is not None else None
        if told is not None:
            return min(told, self.cap)
        return self.rng.uniform(0, min(self.cap, self.base * 2 ** attempt))


def retry_after(response: httpx.Response) -> float | None:
    """The ``Retry-After`` header in seconds (a number or an HTTP date), if any."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import UTC, datetime
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def server_trouble(response: httpx.Response) -> bool:
    """429 and 5xx: worth trying again."""
    return response.status_code == 429 or response.status_code >= 500


class Api:
    """One service's HTTP client: ``request`` retries what is transient and keeps at most
    ``per_mailbox`` requests in flight for one mailbox."""

    def __init__(self, base_url: str, *, timeout: float = 10.0, per_mailbox: int = 4,
                 backoff: Backoff | None = None, transient: Transient = server_trouble,
                 client: httpx.AsyncClient | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.backoff = backoff or Backoff()
        self.transient = transient
        self.per_mailbox = per_mailbox
        self._client = client or httpx.AsyncClient(timeout=timeout, limits=LIMITS)
        self._gates: WeakValueDictionary[str, asyncio.Semaphore] = WeakValueDictionary()

    def url(self, path: str) -> str:
        """``path`` under the base URL (an absolute URL is kept: next and delta links)."""
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def _gate(self, mailbox: str) -> asyncio.Semaphore:
        gate = self._gates.get(mailbox)
        if gate is None:
            gate = self._gates[mailbox] = asyncio.Semaphore(self.per_mailbox)
        return gate

    async def request(self, method: str, path: str, *, token: Callable[[], Awaitable[str]], mailbox: str = "",
                      json: Any = None, params: Mapping[str, Any] | None = None,
                      headers: Mapping[str, str] | None = None) -> httpx.Response:
        """The response to ``method path`` once it is not transient (any status: the caller maps
        it); :class:`CalendarUnavailable` when every try failed or timed out."""
        gate = self._gate(mailbox)
        last: httpx.Response | None = None
        problem = ""
        for attempt in range(self.backoff.attempts):
            bearer = await token()
            try:
                async with gate:
                    last = await self._client.request(
                        method, self.url(path), json=json, params=params,
                        headers={**(headers or {}), "Authorization": f"Bearer {bearer}"})
            except httpx.TransportError as failure:  # timeouts, refused connections, resets
                last, problem = None, type(failure).__name__
            else:
                if not self.transient(last):
                    return last
                problem = f"HTTP {last.status_code}"
            if attempt + 1 < self.backoff.attempts:
                wait = self.backoff.delay(attempt, last)
                log.info("calendar %s %s: %s, trying again in %.1f s", method, _shape(path), problem, wait)
                await self.backoff.sleep(wait)
        log.warning("calendar %s %s: %s after %d tries", method, _shape(path), problem, self.backoff.attempts)
        raise CalendarUnavailable(f"{problem} after {self.backoff.attempts} tries")

    async def close(self) -> None:
        """Close the connections."""
        await self._client.aclose()


def _shape(path: str) -> str:
    """The path without its query (delta links and sync tokens stay out of the log)."""
    return path.split("?", 1)[0][-120:]


def error_of(response: httpx.Response) -> tuple[str, str]:
    """``(code, message)`` of an error answer in Graph's or Google's shape."""
    try:
        body = response.json()
    except ValueError:
        return str(response.status_code), response.text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        reasons = [e.get("reason", "") for e in error.get("errors", []) if isinstance(e, dict)]
        code = error.get("code")
        return (str(reasons[0]) if reasons and reasons[0] else str(code), str(error.get("message", ""))[:300])
    if isinstance(error, str):
        return error, str(body.get("error_description", ""))[:300]
    return str(response.status_code), ""
