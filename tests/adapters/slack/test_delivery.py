"""Slack delivery over real HTTP against the fake Slack Web API: pacing, retries, failures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from adapters.slack.delivery import SlackDelivery
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_limits import SlackLimits

TOKEN = "xoxb-secret-bot-token"
INTERVAL = 0.05
POST = "chat.postMessage"


async def token_for(team_id: str) -> str | None:
    return {"T1": TOKEN}.get(team_id)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as api:
        api.add_workspace("T1", TOKEN)
        yield api


@pytest.fixture
def limits(slack: FakeSlackApi) -> SlackLimits:
    slack.policy = policy = SlackLimits(slack, channel_interval=INTERVAL)
    return policy


@pytest.fixture
async def delivery(slack: FakeSlackApi) -> AsyncIterator[Callable[..., SlackDelivery]]:
    made: list[SlackDelivery] = []

    def make(**options: Any) -> SlackDelivery:
        settings: dict[str, Any] = {"channel_interval": INTERVAL, "backoff_base": 0.01, "timeout": 2.0,
                                    "budget_per_minute": 6000, **options}
        made.append(SlackDelivery(token_for, slack.url, **settings))
        return made[-1]

    yield make
    for each in made:
        await each.close()


async def test_a_dm_goes_out_with_its_text_blocks_and_the_workspace_token(slack, delivery):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Time for a check-in"}}]

    result = await delivery().post("T1", "UALICE", "Time for a check-in", blocks)

    [call] = slack.called(POST)
    assert (call.token, call.body["channel"], call.body["text"]) == (TOKEN, "UALICE", "Time for a check-in")
    assert call.blocks() == blocks
    assert result.ok and result.attempts == 1 and result.message_id


async def test_messages_to_one_channel_go_out_in_call_order_an_interval_apart(slack, limits, delivery):
    sender = delivery()

    results = await asyncio.gather(*(sender.post("T1", "UALICE", f"message {n}") for n in range(4)))

    calls = slack.called(POST)
    assert [call.body["text"] for call in calls] == [f"message {n}" for n in range(4)]
    assert all(later.at - earlier.at >= INTERVAL for earlier, later in zip(calls, calls[1:], strict=False))
    assert all(result.ok for result in results) and not limits.rate_limited


async def test_posts_to_different_channels_do_not_wait_for_each_other(slack, delivery):
    sender = delivery(channel_interval=1.0)

    await asyncio.gather(*(sender.post("T1", f"U{n}", "hello") for n in range(10)))

    calls = slack.called(POST)
    assert len(calls) == 10 and calls[-1].at - calls[0].at < 0.5


async def test_the_workspace_budget_paces_posts_without_a_single_429(slack, limits, delivery):
    limits.budget_per_minute = 1200  # 20 a second, after a burst of about one second's worth
    sender = delivery(budget_per_minute=1200)

    results = await asyncio.gather(*(sender.post("T1", f"U{n}", "hi") for n in range(50)))

    calls = slack.called(POST)
    assert all(result.ok for result in results) and not limits.rate_limited
    assert 1.4 <= calls[-1].at - calls[0].at < 2.5  # (50 - 20) / 20 s: at the budget, not above nor far below


async def test_a_429_pauses_the_whole_workspace_for_retry_after_then_the_message_goes_once(slack, limits, delivery):
    limits.fail_next(429)  # Retry-After: 1
    sender = delivery()

    first = asyncio.create_task(sender.post("T1", "UALICE", "hello Alice"))
    await slack.wait_for(POST)
    other = await sender.post("T1", "UBOB", "hello Bob")
    result = await first

    rejected, *accepted = slack.called(POST)
    assert all(call.at - rejected.at >= 1.0 for call in accepted)
    assert limits.accepted == {("UALICE", "hello Alice"): 1, ("UBOB", "hello Bob"): 1}
    assert result.ok and result.attempts == 2 and other.ok


async def test_server_errors_are_retried_and_the_message_goes_once(limits, delivery):
    limits.fail_next(503, 500)

    result = await delivery().post("T1", "UALICE", "hello")

    assert result.ok and result.attempts == 3
    assert limits.accepted == {("UALICE", "hello"): 1}


async def test_persistent_server_errors_fail_after_max_attempts_with_a_warning_without_the_token(
    slack, limits, delivery, caplog
):
    limits.error_rate = 1.0

    with caplog.at_level(logging.WARNING, logger="adapters.slack.delivery"):
        result = await delivery(max_attempts=3).post("T1", "UALICE", "hello")

    assert (result.ok, result.attempts) == (False, 3) and result.error
    assert len(slack.called(POST)) == 3 and not limits.accepted
    assert "UALICE" in caplog.text and result.error in caplog.text
    assert TOKEN not in caplog.text and TOKEN not in result.error


async def test_channel_not_found_is_final_and_not_retried(slack, limits, delivery):
    limits.fail_next("channel_not_found")

    result = await delivery().post("T1", "CGONE", "hello")

    assert (result.ok, result.attempts, result.error) == (False, 1, "channel_not_found")
    assert len(slack.called(POST)) == 1


async def test_an_unknown_workspace_fails_without_calling_slack(slack, delivery):
    result = await delivery().post("TOTHER", "UALICE", "hello")

    assert (result.ok, result.attempts, result.error) == (False, 0, "workspace_not_installed")
    assert slack.calls == []


async def test_a_timed_out_post_is_retried_and_goes_once(slack, limits, delivery):
    limits.delay = 0.6
    limits.fail_next("timeout")

    result = await delivery(timeout=0.3).post("T1", "UALICE", "hello")

    assert result.ok and result.attempts == 2
    assert len(slack.called(POST)) == 2 and limits.accepted == {("UALICE", "hello"): 1}