"""How much of the work that follows acknowledgements a platform's turns do at once."""

from __future__ import annotations

BUSY_LIMIT = 4
"""Turns a worker works on at once, per platform. More would not finish sooner (one event loop,
one database) but would hold more connections and memory."""
