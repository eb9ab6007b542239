"""The fake Slack Web API in a process of its own, for the inbound benchmarks: answering the
bot's replies then does not delay the load generator's clock (they would share one event loop).

    .venv/bin/python bench/fake_slack.py --team TBENCH --token xoxb-bench --people 200
                                         [--app-token xapp-... --socket-url ws://127.0.0.1:PORT/link/]

Prints its base URL (``SLACK_API_URL``) on the first line, then serves until stdin closes.
``bench.stats`` (a method only this fake knows) answers how many calls of each method it
received. With ``--app-token`` and ``--socket-url`` it also answers ``apps.connections.open`` for
that app-level token, pointing at a fake Socket Mode server run elsewhere (bench/slack_socket_inbound.py).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import sys
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.kit.fakes

from tests.kit.fakes.slack_api import Call, FakeSlackApi  # noqa: E402

STATS = "bench.stats"


class CountingSlackApi(FakeSlackApi):
    """The fake, answering ``bench.stats`` with the count of calls per method."""

    def _answer(self, call: Call) -> dict[str, Any]:
        if call.method == STATS:
            self.calls.remove(call)
            return {"ok": True, "calls": dict(collections.Counter(c.method for c in self.calls))}
        return super()._answer(call)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--team", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--app-token", help="an app-level token apps.connections.open answers (Socket Mode)")
    parser.add_argument("--socket-url", help="the Socket Mode server that answer points at (a ticket is added)")
    args = parser.parse_args()
    async with CountingSlackApi() as api:
        api.add_workspace(args.team, args.token, "Bench")
        if args.app_token and args.socket_url:
            api.add_app(args.app_token, lambda: f"{args.socket_url}?ticket={uuid.uuid4().hex}")
        for n in range(args.people):
            api.add_user(args.token, f"U{n:05d}", f"Person {n}")
        print(api.url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main())
