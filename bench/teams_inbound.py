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
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.fakes

from tests.fakes.teams_client import fixture  # noqa: E402
from tests.fakes.teams_connector import FakeConnector  # noqa: E402

TENANT = "7b3e2a10-0000-4000-8000-00000000be7c"
TEXTS = ("mentoring help", "hello")
PLATFORM_VARIABLES = ("SLACK_", "MICROSOFT_", "TEAMS_")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def activities(count: int, people: int, connector: FakeConnector) -> list[str]:
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
        bodies.append(json.dumps(activity))
    return bodies


async def load(url: str, bodies: list[str], rate: float) -> tuple[list[float], float, int]:
    """Send every body at ``rate`` per second (open loop); latencies from due time to answer."""
    latencies: list[float] = []
    failures = 0
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()

        async def one(n: int, body: str) -> None:
            nonlocal failures
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            try:
                async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as response:
                    await response.read()
                    failures += not 200 <= response.status < 300
            except (aiohttp.ClientError, OSError):  # OSError covers TimeoutError
                failures += 1
                return
            latencies.append(time.perf_counter() - due)

        await asyncio.gather(*(one(n, body) for n, body in enumerate(bodies)))
        elapsed = time.perf_counter() - start
    return latencies, elapsed, failures


async def up(session: aiohttp.ClientSession, port: int, health: bool) -> bool:
    """mentorbot: /healthz says 200; the bare bot: /api/messages accepts a connection."""
    if health:
        async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
            return response.status == 200
    async with session.post(f"http://127.0.0.1:{port}/api/messages", json={}) as response:
        await response.read()
        return True


async def served(command: list[str], env: dict[str, str], port: int, health: bool) -> subprocess.Popen[bytes]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_VARIABLES)}
    process = subprocess.Popen(command, env={**inherited, **env}, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            try:
                if await up(session, port, health):
                    return process
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    process.kill()
    raise SystemExit(f"{' '.join(command)} did not come up")


async def drained(connector: FakeConnector, ended: float, quiet: float = 1.0) -> float:
    """Seconds from the end of the load to the last reply, once the fake connector has been
    quiet for ``quiet`` seconds (the work after the answers is done)."""
    seen = -1
    while seen != len(connector.posts):
        seen = len(connector.posts)
        await asyncio.sleep(quiet)
    return max(0.0, max((post.at for post in connector.posts), default=ended) - ended)


async def run(name: str, command: list[str], env: dict[str, str], connector: FakeConnector,
              args: argparse.Namespace, health: bool = True) -> tuple[float, float]:
    """Serve, load and drain one server; its answer p99 (seconds) and throughput (answers/s)."""
    port = free_port()
    process = await served([*command, "--port", str(port)], env, port, health)
    connector.posts.clear()
    try:
        bodies = activities(int(args.rate * args.seconds), args.people, connector)
        latencies, elapsed, failures = await load(f"http://127.0.0.1:{port}/api/messages", bodies, args.rate)
        drain = await drained(connector, time.monotonic())
    finally:
        process.terminate()
        process.wait(timeout=10)
    cuts = statistics.quantiles(latencies, n=100)
    throughput = len(latencies) / elapsed
    print(f"{name:22} {len(bodies):6} {throughput:10.0f} {cuts[49] * 1000:8.1f} "
          f"{cuts[98] * 1000:8.1f} {failures:6} {len(connector.posts):8} {drain:9.1f}")
    return cuts[98], throughput


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    async with FakeConnector() as connector:
        env = {"TEAMS_ALLOW_UNAUTHENTICATED": "1", "LOG_LEVEL": "WARNING"}
        serve = [str(ROOT / ".venv" / "bin" / "mentorbot"), "serve"]
        print(f"{args.rate:.0f} activities/s for {args.seconds:.0f} s, {args.people} people, "
              f"half `mentoring help`, half plain text")
        print(f"{'server':22} {'sent':>6} {'answers/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
              f"{'replies':>8} {'drain s':>9}")
        ours: dict[str, tuple[float, float]] = {}
        with tempfile.TemporaryDirectory() as folder:
            sqlite = {**env, "DATABASE_URL": f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"}
            ours["sqlite"] = await run("mentorbot (SQLite)", serve, sqlite, connector, args)
        name = f"mentorbot_bench_{uuid.uuid4().hex[:8]}"
        server = make_url(args.postgres).set(drivername="postgresql")
        admin = await asyncpg.connect(server.render_as_string(hide_password=False))
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = server.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
            ours["postgresql"] = await run("mentorbot (PostgreSQL)", serve, {**env, "DATABASE_URL": url},
                                           connector, args)
        finally:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            await admin.close()
        bare_p99, bare_throughput = await run("bare botbuilder bot", [sys.executable, str(ROOT / "bench" /
                                              "bare_teams_bot.py")], {}, connector, args, health=False)
        for backend, (p99, throughput) in ours.items():
            print(f"mentorbot ({backend}) / bare: p99 ratio {p99 / bare_p99:.2f}, "
                  f"throughput ratio {throughput / bare_throughput:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
