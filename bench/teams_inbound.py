"""How fast `mentorbot serve` answers Teams, beside a bare botbuilder echo bot.

    .venv/bin/python bench/teams_inbound.py [--rate 200] [--seconds 10] [--people 200]
                                            [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Starts a fake Bot Connector here, then, one after the other, `mentorbot serve` on SQLite,
`mentorbot serve` on PostgreSQL (Teams in its unauthenticated development mode) and
bench/bare_teams_bot.py, each a process of its own. Each gets the same open-loop load of
activities POSTed to /api/messages: personal-chat messages from --people people, half
`mentoring help`, half plain text, at --rate activities per second for --seconds. Latency runs
from the moment an activity was due to its HTTP answer (so a server that falls behind pays for
it). The bare bot replies inline, before it answers; mentorbot answers at once and replies
afterwards. Prints throughput, answer p50 / p99 and the ratios to the bare bot, then how long
the work after the answers took to finish (the replies seen by the fake connector). Target:
answer p99 < 100 ms at 200 activities per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from harness import MENTORBOT, ROOT, Ready, cpu_seconds, healthy, open_loop, scratch_postgres, served

from tests.kit.fakes.teams_client import fixture
from tests.kit.fakes.teams_connector import FakeConnector

TENANT = "7b3e2a10-0000-4000-8000-00000000be7c"
TEXTS = ("mentoring help", "hello")


def activities(count: int, people: int, connector: FakeConnector) -> list[tuple[str, str]]:
    """``count`` message activities in personal chats, `mentoring help` and plain text alternating."""
    bodies = []
    run = uuid.uuid4().hex[:8]
    for n in range(count):
        person = n % people
        text = TEXTS[n % 2]
        activity: dict[str, Any] = fixture("message_personal")
        activity.update(id=f"bench-{run}-{n}", serviceUrl=connector.url, text=text,
                        attachments=[{"contentType": "text/html", "content": f"<p>{text}</p>"}])
        activity["from"].update(id=f"29:bench-{person}", aadObjectId=f"00000000-0000-4000-8000-{person:012d}",
                                name=f"Person {person}")
        activity["conversation"].update(id=f"a:bench-{person}", tenantId=TENANT)
        activity["channelData"]["tenant"]["id"] = TENANT
        bodies.append(("application/json", json.dumps(activity)))
    return bodies


async def accepting(session: aiohttp.ClientSession, base_url: str) -> bool:
    """The bare bot (no /healthz) is up once /api/messages takes a connection."""
    async with session.post(f"{base_url}/api/messages", json={}) as response:
        await response.read()
        return True


async def drained(connector: FakeConnector, ended: float, quiet: float = 1.0) -> float:
    """Seconds from the end of the load to the last reply, once the fake connector has been
    quiet for ``quiet`` seconds (the work after the answers is done)."""
    seen = -1
    while seen != len(connector.posts):
        seen = len(connector.posts)
        await asyncio.sleep(quiet)
    return max(0.0, max((post.at for post in connector.posts), default=ended) - ended)


async def run(name: str, command: list[str], env: dict[str, str], connector: FakeConnector,
              args: argparse.Namespace, ready: Ready = healthy) -> tuple[float, float]:
    """Serve, load and drain one server; its answer p99 (seconds) and throughput (answers/s)."""
    connector.posts.clear()
    pids: list[int] = []
    async with served(command, env, ready, pids=pids) as url:
        bodies = activities(int(args.rate * args.seconds), args.people, connector)
        before = cpu_seconds(pids[0])
        latencies, elapsed, failures = await open_loop(f"{url}/api/messages", bodies, args.rate)
        answer_cpu = (cpu_seconds(pids[0]) - before) / len(bodies) * 1000
        drain = await drained(connector, time.monotonic())
    cuts = statistics.quantiles(latencies, n=100)
    throughput = len(latencies) / elapsed
    print(f"{name:22} {len(bodies):6} {throughput:10.0f} {cuts[49] * 1000:8.1f} "
          f"{cuts[98] * 1000:8.1f} {failures:6} {len(connector.posts):8} {drain:9.1f} {answer_cpu:8.2f}")
    return cuts[98], throughput


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rounds", type=int, default=1, help="run the three in turn this many times; "
                        "the median of the rounds' ratios is printed")
    args = parser.parse_args()
    async with FakeConnector() as connector:
        env = {"TEAMS_ALLOW_UNAUTHENTICATED": "1", "LOG_LEVEL": "WARNING"}
        print(f"{args.rate:.0f} activities/s for {args.seconds:.0f} s, {args.people} people, "
              f"half `mentoring help`, half plain text")
        print(f"{'server':22} {'sent':>6} {'answers/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
              f"{'replies':>8} {'drain s':>9} {'cpu ms':>8}")
        ratios: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
        for _ in range(args.rounds):
            ours: dict[str, tuple[float, float]] = {}
            with tempfile.TemporaryDirectory() as folder:
                sqlite = {**env, "DATABASE_URL": f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"}
                ours["sqlite"] = await run("mentorbot (SQLite)", MENTORBOT, sqlite, connector, args)
            async with scratch_postgres(args.postgres) as url:
                ours["postgresql"] = await run("mentorbot (PostgreSQL)", MENTORBOT, {**env, "DATABASE_URL": url},
                                               connector, args)
            bare = [sys.executable, str(ROOT / "bench" / "bare_teams_bot.py")]
            bare_p99, bare_throughput = await run("bare botbuilder bot", bare, {}, connector, args, accepting)
            for backend, (p99, throughput) in ours.items():
                ratios[backend].append(p99 / bare_p99)
                print(f"mentorbot ({backend}) / bare: p99 ratio {p99 / bare_p99:.2f}, "
                      f"throughput ratio {throughput / bare_throughput:.2f}")
        if args.rounds > 1:
            for backend, found in ratios.items():
                print(f"median p99 ratio mentorbot ({backend}) / bare over {args.rounds} rounds: "
                      f"{statistics.median(found):.2f} (min {min(found):.2f}, max {max(found):.2f})")


if __name__ == "__main__":
    asyncio.run(main())
