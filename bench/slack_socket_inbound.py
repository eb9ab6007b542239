"""How fast `mentorbot serve` acknowledges Slack over Socket Mode, beside a bare slack-bolt Socket
Mode app that only acks.

    .venv/bin/python bench/slack_socket_inbound.py [--rate 200] [--seconds 10] [--warmup 1] [--people 200]
                                                   [--rounds 3] [--bare-before-response]
                                                   [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

The Socket Mode server is the fake of the tests (tests/kit/fakes/slack_socket.py), here the load
generator: once the server under test has connected, it sends envelopes open-loop at --rate per
second for --seconds (half slash commands, half DM events, from --people people, the payloads of
bench/slack_inbound.py) and records when each acknowledgement comes back, after --warmup seconds
(default 1) of the same load that are not timed: a fresh process's first requests (Bolt's first
auth.test, the worker's first cadence run at start) are not what it does at work. Latency runs from
the moment an envelope was due to its acknowledgement. The fake Web API (the replies,
``apps.connections.open``) is bench/fake_slack.py in a process of its own. Runs, one after the
other: `mentorbot serve` on SQLite, on PostgreSQL, and bench/bare_socket_app.py (Bolt's stock
AsyncSocketModeHandler); prints acks per second, p50 / p99, envelopes left unacknowledged, the
replies the fake API saw, how long they took to drain, and the CPU the acknowledging process spent
per envelope. With --rounds N the three run in turn N times and the median p99 ratio is printed.
Target: ack p99 within 2x the bare app's at 200 envelopes per second.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from harness import MENTORBOT, ROOT, cpu_seconds, scratch_postgres, served
from slack_inbound import TOKEN, drained, fake_slack, payloads

from tests.kit.fakes.slack_socket import APP_TOKEN, FakeSocketMode

ACK_TIMEOUT = 10.0


async def open_loop(socket: FakeSocketMode, envelopes: list[tuple[str, dict]], rate: float,
                    unmeasured: int = 0) -> tuple[list[float], float, int]:
    """Send every envelope at ``rate`` per second whatever the acknowledgements (open loop):
    latencies from each envelope's due time to its acknowledgement, the elapsed time, and how many
    were not acknowledged within ACK_TIMEOUT; the first ``unmeasured`` (the warm-up) are sent
    the same way but neither timed nor counted."""
    latencies: list[float] = []
    missing = 0
    start = time.monotonic() + unmeasured / rate

    async def one(n: int, kind: str, payload: dict) -> None:
        nonlocal missing
        due = start + (n - unmeasured) / rate
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        envelope = await socket.send(kind, payload)
        try:
            await socket.acked(envelope, timeout=ACK_TIMEOUT)
        except AssertionError:
            missing += n >= unmeasured
            return
        if n >= unmeasured:
            latencies.append(socket.acks[envelope.envelope_id].at - due)

    await asyncio.gather(*(one(n, kind, payload) for n, (kind, payload) in enumerate(envelopes)))
    return latencies, time.monotonic() - start, missing


async def run(name: str, command: list[str], env: dict[str, str], args: argparse.Namespace) -> float:
    async with FakeSocketMode(strict_tickets=False) as socket, \
            fake_slack(args.people, "--app-token", APP_TOKEN, "--socket-url", socket.url) as api:

        async def connected(session: aiohttp.ClientSession, base_url: str) -> bool:
            return bool(socket.open_connections)

        pids: list[int] = []
        settings = {**env, "SLACK_API_URL": api.url, "SLACK_APP_TOKEN": APP_TOKEN}
        async with served(command, settings, ready=connected, pids=pids):
            warmup = int(args.rate * args.warmup)
            envelopes = payloads(warmup + int(args.rate * args.seconds), args.people, api.response_url)
            before = cpu_seconds(pids[0])
            latencies, elapsed, missing = await open_loop(socket, envelopes, args.rate, warmup)
            ack_cpu = (cpu_seconds(pids[0]) - before) / len(envelopes) * 1000
            drain, calls = await drained(api)
    cuts = statistics.quantiles(latencies, n=100)
    replies = calls.get("chat.postMessage", 0) + calls.get("response_url", 0)
    print(f"{name:22} {len(latencies):6} {len(latencies) / elapsed:8.0f} {cuts[49] * 1000:8.1f} "
          f"{cuts[98] * 1000:8.1f} {missing:7} {replies:8} {drain:9.1f} {ack_cpu:8.2f}")
    return cuts[98]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="seconds of the same load first, not timed (the first requests of a fresh process)")
    parser.add_argument("--bare-before-response", action="store_true",
                        help="the bare app answers once its listener is done too (process_before_response), "
                             "rather than polling for the ack every 10 ms as Bolt does by default")
    args = parser.parse_args()
    env = {"SLACK_BOT_TOKEN": TOKEN, "LOG_LEVEL": "WARNING"}
    print(f"Socket Mode: {args.rate:.0f} envelopes/s for {args.seconds:.0f} s after {args.warmup:.0f} s untimed, "
          f"{args.people} people, half commands, half DMs")
    print(f"{'server':22} {'acks':>6} {'acks/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'unacked':>7} {'replies':>8} "
          f"{'drain s':>9} {'cpu ms':>8}")
    ratios: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
    for _ in range(args.rounds):
        p99: dict[str, float] = {}
        with tempfile.TemporaryDirectory() as folder:
            sqlite = {**env, "DATABASE_URL": f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}",
                      "SPOOL_FILE": str(Path(folder) / "spool.db")}
            p99["sqlite"] = await run("mentorbot (SQLite)", MENTORBOT, sqlite, args)
            async with scratch_postgres(args.postgres) as url:
                postgres = {**env, "DATABASE_URL": url, "SPOOL_FILE": str(Path(folder) / "spool-pg.db")}
                p99["postgresql"] = await run("mentorbot (PostgreSQL)", MENTORBOT, postgres, args)
        bare_env = {**env, "BARE_PROCESS_BEFORE_RESPONSE": "1" if args.bare_before_response else "0"}
        bare = await run("bare Bolt Socket Mode", [sys.executable, str(ROOT / "bench" / "bare_socket_app.py")],
                         bare_env, args)
        for backend, value in p99.items():
            ratios[backend].append(value / bare)
            print(f"p99 ratio mentorbot ({backend}) / bare: {value / bare:.2f}")
    if args.rounds > 1:
        for backend, found in ratios.items():
            print(f"median p99 ratio mentorbot ({backend}) / bare over {args.rounds} rounds: "
                  f"{statistics.median(found):.2f} (min {min(found):.2f}, max {max(found):.2f})")


if __name__ == "__main__":
    asyncio.run(main())
