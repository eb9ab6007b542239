"""How close Slack delivery runs to the workspace budget, and whether it loses or repeats messages.

    .venv/bin/python bench/slack_delivery.py [--messages 10000] [--channels 2000] [--budget 20000]
                                             [--error-rate 0.02] [--rate-limit-rate 0.0002] [--timeout-rate 0.002]

Every message is queued at once (an outbox backlog) and sent over real HTTP on 127.0.0.1 to
the fake Slack Web API, which enforces 1 message per second per channel and the workspace
budget in any sliding 60 s window, and injects 500/503s, 429s and calls held past the client's
timeout. Prints the achieved rate against the budget (target >= 95%), duplicates and losses
(target 0), what the fake rejected, and the p50 / p99 time from queuing a message to its result.
A run shorter than a minute never fills the 60 s window; to see the window bind, run longer
(e.g. ``--messages 4500 --channels 500 --budget 3000``, about 90 s).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.kit

from adapters.slack.delivery import SlackDelivery  # noqa: E402
from bot.delivery import DeliveryResult  # noqa: E402
from tests.kit.fakes.slack_api import FakeSlackApi  # noqa: E402
from tests.kit.fakes.slack_limits import SlackLimits  # noqa: E402

TOKEN = "xoxb-bench"


async def _timed(delivery: SlackDelivery, channel: str, text: str) -> tuple[DeliveryResult, float]:
    started = time.perf_counter()
    result = await delivery.post("T1", channel, text)
    return result, time.perf_counter() - started


def _paused(limits: SlackLimits) -> float:
    """Seconds during which some 429's Retry-After forbade sending (the union of those spans)."""
    spans = sorted((at, at + retry_after) for at, retry_after in limits.limited_at)
    total, covered_to = 0.0, -1.0
    for start, end in spans:
        total += max(0.0, end - max(start, covered_to))
        covered_to = max(covered_to, end)
    return total


def _peak(times: list[float], window: float) -> int:
    """The most accepted messages in any sliding window of ``window`` seconds."""
    peak = start = 0
    for end, at in enumerate(times):
        while times[start] <= at - window:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


async def run(args: argparse.Namespace) -> None:
    async with FakeSlackApi() as slack:
        slack.add_workspace("T1", TOKEN)
        limits = SlackLimits(slack, budget_per_minute=args.budget, error_rate=args.error_rate,
                             rate_limit_rate=args.rate_limit_rate, timeout_rate=args.timeout_rate,
                             delay=args.timeout * 1.5, seed=args.seed)
        slack.policy = limits

        async def token_for(team_id: str) -> str | None:
            return TOKEN if team_id == "T1" else None

        delivery = SlackDelivery(token_for, slack.url, budget_per_minute=args.budget, timeout=args.timeout,
                                 backoff_base=args.backoff)
        wanted = [(f"D{n % args.channels:05}", f"message {n}") for n in range(args.messages)]
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(_timed(delivery, channel, text) for channel, text in wanted))
        elapsed = time.perf_counter() - started
        await delivery.close()
    _report(args, limits, wanted, outcomes, elapsed)


def _report(args: argparse.Namespace, limits: SlackLimits, wanted: list[tuple[str, str]],
            outcomes: list[tuple[DeliveryResult, float]], elapsed: float) -> None:
    failed = {key for key, (result, _) in zip(wanted, outcomes, strict=True) if not result.ok}
    lost = [key for key in wanted if key not in limits.accepted and key not in failed]
    delivered = len(limits.accepted)
    rate = delivered / elapsed * 60
    paused = _paused(limits)
    times = sorted(limits.accepted_at)
    cuts = statistics.quantiles([latency for _, latency in outcomes], n=100)
    rows = [
        ("messages", f"{len(wanted)} to {args.channels} channels"),
        ("elapsed", f"{elapsed:.1f} s"),
        ("delivered", f"{delivered}"),
        ("achieved rate", f"{rate:.0f}/min of {args.budget}/min budget = {rate / args.budget:.1%}"),
        ("peak in any 60 s", f"{_peak(times, 60.0)} (budget {args.budget})"),
        ("peak in any 1 s", f"{_peak(times, 1.0)} (budget/60 = {args.budget / 60:.0f})"),
        ("duplicates", f"{limits.duplicates()}"),
        ("losses", f"{len(lost)}"),
        ("failures reported", f"{len(failed)}"),
        ("attempts", f"{sum(result.attempts for result, _ in outcomes)}"),
        ("429s seen", ", ".join(f"{reason} {count}" for reason, count in sorted(limits.rate_limited.items()))
         or "0"),
        ("5xx seen", ", ".join(f"{status}: {count}" for status, count in sorted(limits.server_errors.items()))
         or "0"),
        ("timeouts seen", f"{limits.timeouts}"),
        ("Retry-After pause", f"{paused:.1f} s"),
        ("latency p50 / p99", f"{cuts[49]:.2f} s / {cuts[98]:.2f} s (queued to result, all queued at once)"),
    ]
    for name, value in rows:
        print(f"{name:18} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=2_000)
    parser.add_argument("--budget", type=int, default=20_000, help="messages per minute per workspace")
    parser.add_argument("--error-rate", type=float, default=0.02, help="fraction of calls answered 500/503")
    parser.add_argument("--rate-limit-rate", type=float, default=0.0002, help="fraction answered 429 (Retry-After: 1)")
    parser.add_argument("--timeout-rate", type=float, default=0.002, help="fraction held past the timeout")
    parser.add_argument("--timeout", type=float, default=1.0, help="the client's timeout, in seconds")
    parser.add_argument("--backoff", type=float, default=0.5, help="the client's first back-off, in seconds")
    parser.add_argument("--seed", type=int, default=1)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
