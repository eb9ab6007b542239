"""Messages the bot sends in Teams: proactive sends from the stored reference, paced and retried.

Teams' limits (7 messages per second and 60 per 30 s per conversation, 50 requests per second
per tenant) are scaled down here so the tests run in about a second; the benchmark
``bench/teams_inbound.py`` and the defaults keep the real ones.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence

import pytest
from aiohttp import web
from sqlalchemy import select

from adapters.teams.app import TeamsAdapter
from adapters.pacing import SlidingWindow, take
from adapters.teams import delivery
from adapters.teams.delivery import CONVERSATION_LIMITS, TENANT_LIMIT
from bot.engine import MentorBot
from bot.messages import Address, Button, Message, say
from storage.models import Person
from tests.kit.fakes.teams_client import Member, TeamsDriver, serving
from tests.kit.fakes.teams_connector import FakeConnector, Post

from tests.kit.teams import CONTOSO, HANA, VICTOR
from tests.kit.platform_names import Platform

FAST = {"conversation_limits": ((3, 0.3), (5, 1.0)), "tenant_limit": (6, 0.5), "backoff_base": 0.01,
        "backoff_max": 0.05, "max_attempts": 4}


@pytest.fixture
async def paced(bot: MentorBot, connector: FakeConnector) -> AsyncIterator[tuple[TeamsDriver, TeamsAdapter]]:
    async with serving(bot, connector, **FAST) as (url, adapter):
        yield TeamsDriver(url, connector, CONTOSO, adapter.drain), adapter


async def _installed(driver: TeamsDriver, bot: MentorBot, member: Member) -> Address:
    """``member`` installs the app; the address the bot stored for them."""
    await driver.install(member)
    async with bot.db.transaction() as session:
        person = await session.scalar(select(Person).where(Person.user_id == member.aad))
    assert person is not None and person.address is not None
    stored = person.address
    return Address(stored["platform"], stored["tenant"], stored["user_id"], stored["reference"])


@pytest.fixture
def departures(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """When each request left the adapter: the moment its pacer let it go, which is what Teams'
    limits govern (arrival times at the fake connector bunch up when the machine is busy and
    the test's loop is late to read them, which says nothing about the bot)."""
    left: list[float] = []

    async def timed(*windows: SlidingWindow) -> None:
        await take(*windows)
        left.append(time.monotonic())

    monkeypatch.setattr(delivery, "take", timed)
    return left


def _most_in_any_window(times: Sequence[float], seconds: float) -> int:
    ordered = sorted(times)
    return max((sum(1 for t in ordered[i:] if t - start < seconds) for i, start in enumerate(ordered)), default=0)


def test_the_defaults_are_teams_limits() -> None:
    assert CONVERSATION_LIMITS == ((7, 1.0), (60, 30.0))
    assert TENANT_LIMIT == (50, 1.0)


async def test_a_participant_is_messaged_later_from_the_stored_conversation_reference(
    paced: tuple[TeamsDriver, TeamsAdapter], connector: FakeConnector, bot: MentorBot
) -> None:
    driver, adapter = paced
    address = await _installed(driver, bot, HANA)

    result = await adapter.deliver(address, say("Your session with Victor is tomorrow at 15:00.",
                                                Button.for_command("My profile", "profile")))

    assert result.ok and result.attempts == 1 and result.message_id
    sent = connector.to(HANA.chat)[-1]
    assert sent.reply_to is None, "a proactive message starts a new message: POST .../activities"
    assert "tomorrow at 15:00" in sent.text and sent.buttons()[0]["title"] == "My profile"
    assert sent.activity["recipient"]["id"] == HANA.user_id


async def test_someone_never_seen_in_teams_cannot_be_messaged_and_the_result_says_so(
    paced: tuple[TeamsDriver, TeamsAdapter], connector: FakeConnector
) -> None:
    _, adapter = paced
    result = await adapter.deliver(Address(Platform.TEAMS, CONTOSO, "nobody"), say("Hello"))
    assert not result.ok and result.error == "no_conversation_reference"
    assert connector.posts == []


async def test_messages_to_one_conversation_keep_their_order_within_its_limits(
    paced: tuple[TeamsDriver, TeamsAdapter], connector: FakeConnector, bot: MentorBot, departures: list[float]
) -> None:
    driver, adapter = paced
    address = await _installed(driver, bot, HANA)
    before, departures[:] = len(connector.posts), []

    results = await asyncio.gather(*(adapter.deliver(address, say(f"nudge {n}")) for n in range(12)))

    assert all(r.ok for r in results)
    sent = connector.posts[before:]
    assert [p.text for p in sent] == [f"nudge {n}" for n in range(12)]
    assert len(departures) == 12
    assert _most_in_any_window(departures, 0.3) <= 3 and _most_in_any_window(departures, 1.0) <= 5


async def test_a_tenant_stays_within_its_request_rate_across_conversations(
    paced: tuple[TeamsDriver, TeamsAdapter], connector: FakeConnector, bot: MentorBot, departures: list[float]
) -> None:
    driver, adapter = paced
    members = [HANA, VICTOR, Member("Lea Smith", "lea-aad"), Member("Omar Haddad", "omar-aad")]
    addresses = [await _installed(driver, bot, member) for member in members]
    before, departures[:] = len(connector.posts), []

    await asyncio.gather(*(adapter.deliver(a, say(f"digest {n}")) for a in addresses for n in range(3)))

    sent = connector.posts[before:]
    assert len(sent) == 12 and len(departures) == 12
    assert _most_in_any_window(departures, 0.5) <= 6
    assert len({p.conversation_id for p in sent[:4]}) > 1, "conversations take turns, none waits for another"


@pytest.mark.parametrize("statuses", [[429], [412], [502], [504], [429, 412, 502]])
async def test_passing_errors_are_retried_until_the_message_goes_out(
    paced: tuple[TeamsDriver, TeamsAdapter], connector: FakeConnector, bot: MentorBot, statuses: list[int]
) -> None:
    driver, adapter = paced
    address = await _installed(driver, bot, HANA)
    answers = list(statuses)

    async def flaky(post: Post) -> web.Response | None:
        if not answers:
            return None
        status = answers.pop(0)
        return web.json_response({"error": {"code": "Throttled"}}, status=status,
                                 headers={"Retry-After": "0.05"} if status == 429 else None)

    connector.policy = flaky
    result = await adapter.deliver(address, say("Did your session happen?"))

    assert result.ok and result.attempts == len(statuses) + 1
    assert [p.text for p in connector.to(HANA.chat)].count("Did your session happen?") == 1


async def test_a_message_that_finally_fails_comes_back_failed_and_is_logged(
    paced: tuple[TeamsDriver, TeamsAdapter], connector: FakeConnector, bot: MentorBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    driver, adapter = paced
    address = await _installed(driver, bot, HANA)

    async def blocked(post: Post) -> web.Response:
        return web.json_response({"error": {"code": "BotDisabledByAdmin"}}, status=403)

    connector.policy = blocked
    refused = await adapter.deliver(address, say("Reminder"))
    assert (refused.ok, refused.attempts, refused.error) == (False, 1, "http_403"), "403 is final"

    async def down(post: Post) -> web.Response:
        return web.Response(status=502)

    connector.policy = down
    unreachable = await adapter.deliver(address, say("Reminder"))
    assert (unreachable.ok, unreachable.attempts, unreachable.error) == (False, FAST["max_attempts"], "http_502")
    assert "Teams message to conversation" in caplog.text and "http_502" in caplog.text


async def test_a_connector_that_cannot_be_reached_is_retried_then_reported(
    paced: tuple[TeamsDriver, TeamsAdapter], connector: FakeConnector, bot: MentorBot
) -> None:
    driver, adapter = paced
    address = await _installed(driver, bot, HANA)
    reference = dict(address.reference or {})
    reference["serviceUrl"] = "http://127.0.0.1:9/"  # the discard port: nothing listens
    result = await adapter.deliver(Address(address.platform, address.tenant, address.user_id, reference),
                                   Message("Reminder"))
    assert not result.ok and result.attempts == FAST["max_attempts"]
    assert result.error is not None and result.error.startswith("connection_error")
