"""Where the platform adapters run the work that follows an acknowledgement, and how much of it at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

Offload = Callable[[Coroutine[Any, Any, Any]], Awaitable[Any]]
"""Where the work after an acknowledgement runs (the composition root may give it a loop of
its own); by default, right here (:func:`run_here`)."""

BUSY_LIMIT = 4
"""Turns worked on at once after their acks. More would not finish sooner (one event loop,
one database) but would slow down the acks of requests still arriving."""


async def run_here(work: Coroutine[Any, Any, Any]) -> Any:
    """Run ``work`` on the current loop: the :data:`Offload` when none is given."""
    return await work
