"""A sender that claims due nudges and then hangs before sending: the crash test kills it.

Usage: python tests/scheduler/claim_and_die.py DATABASE_URL NOW_ISO WORKER_ID
Prints ``claimed N`` once its claim is committed, then waits to be killed.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from bot.clock import FakeClock
from scheduler.outbox import Outbox
from storage.db import Database

MARKER = "claimed"


async def _render(*_: object) -> None:
    raise AssertionError("this sender never gets as far as rendering")


async def main(url: str, now: str, worker: str) -> None:
    """Claim what is due at ``now`` as ``worker``, say so, then hang."""
    db = Database(url)
    claimed = await Outbox(db, {}, _render, FakeClock(datetime.fromisoformat(now)), worker).claim()
    print(f"{MARKER} {len(claimed)}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
