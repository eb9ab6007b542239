"""How fast `mentorbot serve` acknowledges Slack, beside a bare slack-bolt app that only acks.

    .venv/bin/python bench/slack_inbound.py [--rate 200] [--seconds 10] [--people 200]
                                            [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Starts a fake Slack Web API here, then, one after the other, `mentorbot serve` on SQLite,
`mentorbot serve` on PostgreSQL and bench/bare_slack_app.py, each a process of its own. Each
gets the same open-loop load of signed requests over HTTP: half slash commands, half DM
events, from --people people, at --rate requests per second for --seconds. Latency runs from
the moment a request was due to its acknowledgement (so a server that falls behind pays for
it). Prints throughput, ack p50 / p99 and the ratio to the bare app, then how long the work
after the acks took to finish (the replies seen by the fake API). Target: ack p99 < 100 ms at
200 requests per second.
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
from urllib.parse import urlencode

import aiohttp
import asyncpg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.fakes

from tests.fakes.slack_api import FakeSlackApi  # noqa: E402
from tests.fakes.slack_workspace import SIGNING_SECRET, fixture, signature_headers  # noqa: E402

TEAM, TOKEN = "TBENCH", "xoxb-bench"
COMMANDS = ("help", "profile", "join", "program list")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def requests(count: int, people: int, api: FakeSlackApi) -> list[tuple[str, str]]:
    """``count`` signed-later bodies: (content type, body), commands and DMs alternating."""
    bodies = []
    for n in range(count):
        user = f"U{n % people:05d}"
        if n % 2:
            payload = fixture("message_im")
            payload["team_id"] = payload["authorizations"][0]["team_id"] = TEAM
            payload["event"].update(user=user, text="hello", channel=f"D{user}", team=TEAM)
            payload["event_id"] = f"EvBENCH{n:07d}"
            bodies.append(("application/json", json.dumps(payload)))
        else:
            command = {**fixture("slash_command"), "team_id": TEAM, "user_id": user,
                       "text": COMMANDS[n // 2 % len(COMMANDS)], "trigger_id": f"trig-{n}",
                       "response_url": api.response_url(f"r{n}")}
            command.pop("enterprise_id")
            bodies.append(("application/x-www-form-urlencoded", urlencode(command)))
    return bodies


async def load(url: str, bodies: list[tuple[str, str]], rate: float) -> tuple[list[float], float, int]:
    """Send every body at ``rate`` per second (open loop); latencies from due time to ack."""
    latencies: list[float] = []
    failures = 0
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()

        async def one(n: int, content_type: str, body: str) -> None:
            nonlocal failures
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            headers = {"Content-Type": content_type, **signature_headers(body)}
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                failures += response.status != 200
            latencies.append(time.perf_counter() - due)

        await asyncio.gather(*(one(n, ct, body) for n, (ct, body) in enumerate(bodies)))
        elapsed = time.perf_counter() - start
    return latencies, elapsed, failures


async def served(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return process
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    process.kill()
    raise SystemExit(f"{' '.join(command)} did not come up")


async def drained(api: FakeSlackApi, quiet: float = 1.0) -> float:
    """Seconds until the fake API stops hearing replies (the work after the acks is done)."""
    start, seen = time.perf_counter(), -1
    while seen != len(api.calls):
        seen = len(api.calls)
        await asyncio.sleep(quiet)
    return time.perf_counter() - start - quiet


async def run(name: str, command: list[str], env: dict[str, str], api: FakeSlackApi, args: argparse.Namespace
              ) -> float:
    port = free_port()
    api.calls.clear()
    process = await served([*command, "--port", str(port)], env, port)
    try:
        bodies = requests(int(args.rate * args.seconds), args.people, api)
        latencies, elapsed, failures = await load(f"http://127.0.0.1:{port}/slack/events", bodies, args.rate)
        drain = await drained(api)
    finally:
        process.terminate()
        process.wait(timeout=10)
    cuts = statistics.quantiles(latencies, n=100)
    replies = len(api.called("chat.postMessage")) + len(api.called("response_url"))
    print(f"{name:22} {len(latencies):6} {len(latencies) / elapsed:8.0f} {cuts[49] * 1000:8.1f} "
          f"{cuts[98] * 1000:8.1f} {failures:6} {replies:8} {drain:9.1f}")
    return cuts[98]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    async with FakeSlackApi() as api:
        api.add_workspace(TEAM, TOKEN, "Bench")
        for n in range(args.people):
            api.add_user(TOKEN, f"U{n:05d}", f"Person {n}")
        env = {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": api.url,
               "LOG_LEVEL": "WARNING"}
        serve = [str(ROOT / ".venv" / "bin" / "mentorbot"), "serve"]
        print(f"{args.rate:.0f} requests/s for {args.seconds:.0f} s, {args.people} people, half commands, half DMs")
        print(f"{'server':22} {'acks':>6} {'acks/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'!=200':>6} {'replies':>8} "
              f"{'drain s':>9}")
        p99: dict[str, float] = {}
        with tempfile.TemporaryDirectory() as folder:
            sqlite = {**env, "DATABASE_URL": f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"}
            p99["sqlite"] = await run("mentorbot (SQLite)", serve, sqlite, api, args)
        name = f"mentorbot_bench_{uuid.uuid4().hex[:8]}"
        server = make_url(args.postgres).set(drivername="postgresql")
        admin = await asyncpg.connect(server.render_as_string(hide_password=False))
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = server.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
            p99["postgresql"] = await run("mentorbot (PostgreSQL)", serve, {**env, "DATABASE_URL": url}, api, args)
        finally:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            await admin.close()
        bare = await run("bare slack-bolt app", [sys.executable, str(ROOT / "bench" / "bare_slack_app.py")],
                         env, api, args)
        for backend, value in p99.items():
            print(f"p99 ratio mentorbot ({backend}) / bare: {value / bare:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
