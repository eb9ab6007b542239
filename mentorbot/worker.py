"""A second event loop, in a thread of its own, for the work that follows an acknowledgement.

Slack wants its acknowledgement within 3 s and the bench wants it within 100 ms even when
the process is busy: with the conversation work on this loop, the HTTP loop only verifies,
parses and acknowledges, and the interpreter switches to it every millisecond or so however
much work is queued here.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
SWITCH_INTERVAL = 0.001


class WorkerLoop:
    """Runs coroutines on a background event loop; ``await worker(coro)`` from any loop."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mentorbot-worker", daemon=True)

    def start(self) -> None:
        """Start the thread (and make the interpreter switch threads often enough for fast acks)."""
        sys.setswitchinterval(SWITCH_INTERVAL)
        self._thread.start()

    async def __call__(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the worker loop and wait for its result here."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self._loop))

    def stop(self) -> None:
        """Let pending work finish, stop the loop and join the thread."""
        async def drain() -> None:
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            await asyncio.gather(*pending, return_exceptions=True)

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(drain(), self._loop).result(timeout=30)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
