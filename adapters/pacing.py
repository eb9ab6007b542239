"""Pacing and back-off shared by the platform adapters' outbound senders."""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Mapping

MARGIN = 0.05
"""Seconds added to every window: requests are counted when they leave, the platform counts
them when they arrive, and the network does not keep them evenly spaced."""


DEFAULT_RETRY_AFTER = 1.0


def retry_after(headers: Mapping[str, str]) -> float:
    """A rate-limited answer's ``Retry-After``, in seconds (1 s when missing or unreadable)."""
    try:
        return max(0.0, float(headers.get("Retry-After", DEFAULT_RETRY_AFTER)))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def backoff_delay(failures: int, base: float, cap: float) -> float:
    """Exponential back-off with jitter: between half and all of ``base * 2^(failures-1)``, capped."""
    delay = min(cap, base * 2 ** (failures - 1))
    return delay / 2 + random.uniform(0, delay / 2)


class SlidingWindow:
    """At most ``limit`` requests in any ``seconds``, and a pause the platform can ask for."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds + MARGIN
        self.paused_until = 0.0
        self._starts: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        """Seconds until one more request fits (0 when it fits now)."""
        while self._starts and self._starts[0] <= now - self.seconds:
            self._starts.popleft()
        pause = self.paused_until - now
        if len(self._starts) < self.limit:
            return max(0.0, pause)
        return max(pause, self._starts[0] + self.seconds - now)

    def idle(self, now: float) -> bool:
        """True when no request of the last window counts any more."""
        self.wait_time(now)
        return not self._starts

    def record(self, now: float) -> None:
        """Count a request leaving now."""
        self._starts.append(now)

    def pause(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (a platform's Retry-After)."""
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)


async def take(*windows: SlidingWindow) -> None:
    """Wait until a request fits every window, and count it in each."""
    while True:
        now = time.monotonic()
        wait = max(window.wait_time(now) for window in windows)
        if wait <= 0:
            for window in windows:
                window.record(now)
            return
        await asyncio.sleep(wait)
