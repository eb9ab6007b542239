"""How fast `mentorbot serve` acknowledges Slack, beside a bare slack-bolt app that only acks.

    .venv/bin/python bench/slack_inbound.py [--rate 200] [--seconds 10] [--people 200]
                                            [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Starts a fake Slack Web API here, then, one after the other, `mentorbot serve` on SQLite,
`mentorbot serve` on PostgreSQL and bench/bare_slack_app.py, each a process of its own. Each
gets the same open-loop load of signed requests over HTTP: half slash commands, half DM
events, from --people people, at --rate requests per second for --seconds. Latency runs from
the moment a request was due to its acknowledgement (so a server that falls behind pays for
it). Prints throughput, ack p50 / p99 and the ratio to the bare app, then how long the work
after the acks took to finish (the replies seen by the fake API). With --rounds N the three run
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
from urllib.parse import urlencode

from harness import MENTORBOT, ROOT, open_loop, scratch_postgres, served

from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_workspace import SIGNING_SECRET, fixture, signature_headers

TEAM, TOKEN = "TBENCH", "xoxb-bench"
COMMANDS = ("help", "profile", "join", "program list")


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


async def drained(api: FakeSlackApi, quiet: float = 1.0) -> float:
    """Seconds until the fake API stops hearing replies (the work after the acks is done)."""
    start, seen = time.perf_counter(), -1
    while seen != len(api.calls):
        seen = len(api.calls)
        await asyncio.sleep(quiet)
    return time.perf_counter() - start - quiet


async def run(name: str, command: list[str], env: dict[str, str], api: FakeSlackApi, args: argparse.Namespace
              ) -> float:
    api.calls.clear()
    async with served(command, env) as url:
        bodies = requests(int(args.rate * args.seconds), args.people, api)
        latencies, elapsed, failures = await open_loop(f"{url}/slack/events", bodies, args.rate, signature_headers)
        drain = await drained(api)
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
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    async with FakeSlackApi() as api:
        api.add_workspace(TEAM, TOKEN, "Bench")
        for n in range(args.people):
            api.add_user(TOKEN, f"U{n:05d}", f"Person {n}")
        env = {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": api.url,
               "LOG_LEVEL": "WARNING"}
        print(f"{args.rate:.0f} requests/s for {args.seconds:.0f} s, {args.people} people, half commands, half DMs")
        print(f"{'server':22} {'acks':>6} {'acks/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'replies':>8} "
              f"{'drain s':>9}")
        ratios: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
        for _ in range(args.rounds):
            p99: dict[str, float] = {}
            with tempfile.TemporaryDirectory() as folder:
                sqlite = {**env, "DATABASE_URL": f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"}
                p99["sqlite"] = await run("mentorbot (SQLite)", MENTORBOT, sqlite, api, args)
            async with scratch_postgres(args.postgres) as url:
                p99["postgresql"] = await run("mentorbot (PostgreSQL)", MENTORBOT, {**env, "DATABASE_URL": url}, api,
                                              args)
            bare = await run("bare slack-bolt app", [sys.executable, str(ROOT / "bench" / "bare_slack_app.py")],
                             env, api, args)
            for backend, value in p99.items():
                ratios[backend].append(value / bare)
                print(f"p99 ratio mentorbot ({backend}) / bare: {value / bare:.2f}")
        if args.rounds > 1:
            for backend, found in ratios.items():
                print(f"median p99 ratio mentorbot ({backend}) / bare over {args.rounds} rounds: "
                      f"{statistics.median(found):.2f} (min {min(found):.2f}, max {max(found):.2f})")


if __name__ == "__main__":
    asyncio.run(main())
