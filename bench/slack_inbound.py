"""How fast `mentorbot serve` acknowledges Slack, beside a bare slack-bolt app that only acks.

    .venv/bin/python bench/slack_inbound.py [--rate 200] [--seconds 10] [--people 200]
                                            [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Starts a fake Slack Web API in a process of its own (bench/fake_slack.py: answering the bot's
replies must not delay the load generator's clock), then, one after the other, `mentorbot serve` on SQLite,
`mentorbot serve` on PostgreSQL and bench/bare_slack_app.py, each a process of its own. Each
gets the same open-loop load of signed requests over HTTP: half slash commands, half DM
events, from --people people, at --rate requests per second for --seconds. Latency runs from
the moment a request was due to its acknowledgement (so a server that falls behind pays for
it). Prints throughput, ack p50 / p99 and the ratio to the bare app, then how long the work
after the acks took to finish (the replies seen by the fake API), and the CPU time the
acknowledging process spent per request (mentorbot's serving process, not its workers: a figure
a busy machine does not blur). With --rounds N the three run
in turn N times (the machine's load drifts; pairing each round keeps the ratio fair) and the
median of the rounds' p99 ratios is printed. Target: ack p99 within 2x the bare app's at 200
requests per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import aiohttp
from harness import MENTORBOT, ROOT, cpu_seconds, open_loop, scratch_postgres, served

from tests.kit.fakes.slack_workspace import SIGNING_SECRET, fixture, signature_headers

TEAM, TOKEN = "TBENCH", "xoxb-bench"
COMMANDS = ("help", "profile", "join", "program list")


class RemoteSlackApi:
    """bench/fake_slack.py, from here: its URL, its response URLs and its call counts."""

    def __init__(self, url: str) -> None:
        self.url = url

    def response_url(self, key: str) -> str:
        return self.url.replace("/api/", f"/response/{key}")

    async def calls(self) -> dict[str, int]:
        async with aiohttp.ClientSession() as session, session.post(f"{self.url}bench.stats") as answer:
            return dict((await answer.json())["calls"])


@asynccontextmanager
async def fake_slack(people: int, *socket_mode: str) -> AsyncIterator[RemoteSlackApi]:
    """A fresh fake Slack Web API in a process of its own (``socket_mode``: its Socket Mode
    options, ``--app-token T --socket-url U``)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bench" / "fake_slack.py"), "--team", TEAM, "--token", TOKEN,
        "--people", str(people), *socket_mode, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    assert process.stdout is not None and process.stdin is not None
    url = (await process.stdout.readline()).decode().strip()
    try:
        yield RemoteSlackApi(url)
    finally:
        process.stdin.close()
        await process.wait()


def payloads(count: int, people: int, response_url: Callable[[str], str]) -> list[tuple[str, dict[str, Any]]]:
    """``count`` payloads as (Socket Mode's name of their kind, payload): commands and DMs alternating."""
    found: list[tuple[str, dict[str, Any]]] = []
    for n in range(count):
        user = f"U{n % people:05d}"
        if n % 2:
            payload = fixture("message_im")
            payload["team_id"] = payload["authorizations"][0]["team_id"] = TEAM
            payload["event"].update(user=user, text="hello", channel=f"D{user}", team=TEAM)
            payload["event_id"] = f"EvBENCH{n:07d}"
            found.append(("events_api", payload))
        else:
            command = {**fixture("slash_command"), "team_id": TEAM, "user_id": user,
                       "text": COMMANDS[n // 2 % len(COMMANDS)], "trigger_id": f"trig-{n}",
                       "response_url": response_url(f"r{n}")}
            command.pop("enterprise_id")
            found.append(("slash_commands", command))
    return found


def requests(count: int, people: int, response_url: Callable[[str], str]) -> list[tuple[str, str]]:
    """``count`` signed-later bodies: (content type, body), commands and DMs alternating."""
    return [("application/json", json.dumps(payload)) if kind == "events_api"
            else ("application/x-www-form-urlencoded", urlencode(payload))
            for kind, payload in payloads(count, people, response_url)]


async def drained(api: RemoteSlackApi, quiet: float = 1.0) -> tuple[float, dict[str, int]]:
    """Seconds until the fake API stops hearing replies (the work after the acks is done), and
    its calls by method."""
    start, seen, calls = time.perf_counter(), -1, await api.calls()
    while seen != sum(calls.values()):
        seen = sum(calls.values())
        await asyncio.sleep(quiet)
        calls = await api.calls()
    return time.perf_counter() - start - quiet, calls


async def run(name: str, command: list[str], env: dict[str, str], args: argparse.Namespace) -> float:
    pids: list[int] = []
    async with fake_slack(args.people) as api, served(command, {**env, "SLACK_API_URL": api.url}, pids=pids) as url:
        bodies = requests(int(args.rate * args.seconds), args.people, api.response_url)
        before = cpu_seconds(pids[0])
        latencies, elapsed, failures = await open_loop(f"{url}/slack/events", bodies, args.rate, signature_headers)
        ack_cpu = (cpu_seconds(pids[0]) - before) / len(bodies) * 1000
        drain, calls = await drained(api)
    cuts = statistics.quantiles(latencies, n=100)
    replies = calls.get("chat.postMessage", 0) + calls.get("response_url", 0)
    print(f"{name:22} {len(latencies):6} {len(latencies) / elapsed:8.0f} {cuts[49] * 1000:8.1f} "
          f"{cuts[98] * 1000:8.1f} {failures:6} {replies:8} {drain:9.1f} {ack_cpu:8.2f}")
    return cuts[98]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--bare-before-response", action="store_true",
                        help="the bare app answers once its listener is done too (process_before_response), "
                             "rather than polling for the ack every 10 ms as Bolt does by default")
    args = parser.parse_args()
    env = {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_BOT_TOKEN": TOKEN, "LOG_LEVEL": "WARNING"}
    print(f"{args.rate:.0f} requests/s for {args.seconds:.0f} s, {args.people} people, half commands, half DMs")
    print(f"{'server':22} {'acks':>6} {'acks/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'replies':>8} "
          f"{'drain s':>9} {'cpu ms':>8}")
    ratios: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
    for _ in range(args.rounds):
        p99: dict[str, float] = {}
        with tempfile.TemporaryDirectory() as folder:
            sqlite = {**env, "DATABASE_URL": f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"}
            p99["sqlite"] = await run("mentorbot (SQLite)", MENTORBOT, sqlite, args)
        async with scratch_postgres(args.postgres) as url:
            p99["postgresql"] = await run("mentorbot (PostgreSQL)", MENTORBOT, {**env, "DATABASE_URL": url}, args)
        bare_env = {**env, "BARE_PROCESS_BEFORE_RESPONSE": "1" if args.bare_before_response else "0"}
        bare = await run("bare slack-bolt app", [sys.executable, str(ROOT / "bench" / "bare_slack_app.py")],
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
