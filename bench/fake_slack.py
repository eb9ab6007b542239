"""The fake Slack Web API in a process of its own, for the inbound benchmarks: answering the
bot's replies then does not delay the load generator's clock (they would share one event loop).

    .venv/bin/python bench/fake_slack.py --team TBENCH --token xoxb-bench --people 200

Prints its base URL (``SLACK_API_URL``) on the first line, then serves until stdin closes.
``bench.stats`` (a method only this fake knows) answers how many calls of each method it
received.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import sys
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
    args = parser.parse_args()
    async with CountingSlackApi() as api:
        api.add_workspace(args.team, args.token, "Bench")
        for n in range(args.people):
            api.add_user(args.token, f"U{n:05d}", f"Person {n}")
        print(api.url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main())
