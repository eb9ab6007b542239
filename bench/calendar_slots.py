"""Slot suggestion for one pair with a calendar connection: ``/mentoring schedule`` without a time,
through the bot's entry point, with the fake Microsoft Graph answering every call in 50 ms
(target: under 300 ms). Prints p50, p90 and the worst of the runs.

    .venv/bin/python bench/calendar_slots.py [--runs 30] [--delay 0.05]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.calendars.provider import Calendars  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.engine import MentorBot  # noqa: E402
from bot.messages import Address, Inbound, InboundKind  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.kit.calendars import TENANT, email, give_emails, graph_provider  # noqa: E402
from tests.kit.fakes.graph import FakeGraph  # noqa: E402
from tests.kit.world import MENTEE, MENTOR, START, build_world  # noqa: E402


async def main(runs: int, delay: float) -> None:
    folder = Path(tempfile.mkdtemp(prefix="mentorbot-bench-"))
    db = Database(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    await upgrade(db)
    clock = FakeClock(START)
    world = await build_world(db, clock)
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", zone="America/New_York", role=MENTEE)
    await world.pair("Zoe", "Victor")
    await give_emails(world)
    async with FakeGraph(delay=delay) as graph:
        graph.add_tenant(TENANT, *(email(name) for name in world.people))
        provider = graph_provider(graph)
        bot = MentorBot(db, clock, calendars=Calendars({"microsoft": provider}))
        ada = Address("console", "local", "Ada")
        await bot.handle(Inbound(ada, InboundKind.COMMAND, "Ada", text=f"/mentoring calendar connect microsoft "
                                                                        f"tenant={TENANT}"))
        victor = Address("console", "local", "Victor")
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            [answer] = await bot.handle(Inbound(victor, InboundKind.COMMAND, "Victor", text="/mentoring schedule"))
            timings.append((time.perf_counter() - started) * 1000)
            assert "free in your calendars" in answer.text, answer.text
        await provider.close()
    await db.close()
    timings.sort()
    print(f"slot suggestion, one pair, fake Graph answering in {delay * 1000:.0f} ms, {runs} runs "
          f"({len(graph.called('POST', 'getSchedule'))} getSchedule calls):")
    print(f"  p50 {statistics.median(timings):.0f} ms, p90 {timings[int(len(timings) * 0.9) - 1]:.0f} ms, "
          f"worst {timings[-1]:.0f} ms (target: under 300 ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--delay", type=float, default=0.05)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.runs, arguments.delay))
