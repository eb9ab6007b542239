"""How much memory `mentorbot serve` holds: idle, under load, and after the load.

    .venv/bin/python bench/memory.py [--rate 200] [--seconds 20] [--people 200]
                                     [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Starts a fake Slack Web API here and `mentorbot serve` (Slack, one worker process) on SQLite
and then on PostgreSQL; reads each process's VmRSS and VmHWM from /proc/PID/status and its PSS
(its fair share of pages shared with others) from /proc/PID/smaps_rollup: after start-up
(idle), at the end of an open-loop load of signed Slack commands and DMs at --rate per second
for --seconds, and 10 s after it. Prints one line per process (the serving process and its
workers) and the total. Targets: idle under 100 MB, loaded under 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import tempfile
from pathlib import Path

from harness import MENTORBOT, _wait_until_ready, free_port, healthy, open_loop, scratch_postgres
from slack_inbound import TEAM, TOKEN, requests

from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_workspace import SIGNING_SECRET, signature_headers
from tests.kit.serving import PLATFORM_SETTINGS


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (MB) of ``pid``, and its PSS (MB)."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            found[line.split(":")[0]] = int(line.split()[1]) // 1024
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            found["Pss"] = int(line.split()[1]) // 1024
    return found


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def report(moment: str, pid: int) -> int:
    """Print the memory of the serving process and its workers; their total PSS."""
    total_rss = total_pss = 0
    for n, each in enumerate([pid, *_children(pid)]):
        memory = _status(each)
        total_rss += memory["VmRSS"]
        total_pss += memory["Pss"]
        role = "serving" if n == 0 else f"worker {n - 1}"
        print(f"  {moment:8} {role:10} RSS {memory['VmRSS']:4} MB  peak {memory['VmHWM']:4} MB  PSS {memory['Pss']:4} MB")
    print(f"  {moment:8} {'total':10} RSS {total_rss:4} MB              PSS {total_pss:4} MB")
    return total_pss


async def run(name: str, env: dict[str, str], api: FakeSlackApi, args: argparse.Namespace) -> None:
    port = free_port()
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_SETTINGS)}
    with tempfile.TemporaryDirectory() as folder:
        process = subprocess.Popen([*MENTORBOT, "--port", str(port)], env={**inherited, **env}, cwd=folder,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            await _wait_until_ready(healthy, url, MENTORBOT)
            print(f"{name}:")
            await asyncio.sleep(5)
            report("idle", process.pid)
            bodies = requests(int(args.rate * args.seconds), args.people, api.response_url)
            await open_loop(f"{url}/slack/events", bodies, args.rate, signature_headers)
            report("loaded", process.pid)
            await asyncio.sleep(10)
            report("after", process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(process.wait, 60)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    async with FakeSlackApi() as api:
        api.add_workspace(TEAM, TOKEN, "Bench")
        for n in range(args.people):
            api.add_user(TOKEN, f"U{n:05d}", f"Person {n}")
        env = {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": api.url,
               "LOG_LEVEL": "WARNING"}
        print(f"{args.rate:.0f} requests/s for {args.seconds:.0f} s, {args.people} people, half commands, half DMs")
        with tempfile.TemporaryDirectory() as folder:
            sqlite = {**env, "DATABASE_URL": f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"}
            await run("mentorbot serve (SQLite)", sqlite, api, args)
        async with scratch_postgres(args.postgres) as url:
            await run("mentorbot serve (PostgreSQL)", {**env, "DATABASE_URL": url}, api, args)


if __name__ == "__main__":
    asyncio.run(main())
