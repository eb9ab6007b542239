"""Channel audiences in Teams (a lunch-and-learn announced in a channel or group chat), over
real HTTP against the fake Bot Connector.

An activity from a channel or group chat reaches the core with that conversation as the
inbound's ``channel`` (its reference posts a new message there); the person who acted is
answered in their personal chat, opened for them; the bot's own posts to a channel address
go to that conversation.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.teams.app import TeamsAdapter
from adapters.teams.turns import NO_PERSONAL_CHAT
from bot.clock import FakeClock
from bot.engine import MentorBot
from bot.messages import Address, Button, Inbound, InboundKind, Message, Visibility, say
from scheduler.outbox import Outbox
from storage.enums import NudgeStatus
from tests.kit.fakes.teams_client import Member, TeamsDriver, serving
from tests.kit.fakes.teams_connector import FakeConnector
from tests.kit.outbox import add_nudge, add_person, add_tenant, nudge, render

from tests.kit.teams import CONTOSO, HANA, VICTOR
from tests.kit.platform_names import Platform

CHANNEL = "19:lunch0learn1@thread.tacv2"
GROUP = "19:3f0c9a1e5b7d4e2f8a6c0b9d1e3f5a7c@thread.v2"
INVITE = say("Lunch-and-learn: Hana presents AI assistants, Thursday 12:30.", Button.for_command("Help", "help"))


@pytest.fixture
async def teams(bot: MentorBot, connector: FakeConnector) -> AsyncIterator[tuple[TeamsDriver, TeamsAdapter]]:
    async with serving(bot, connector) as (url, adapter):
        yield TeamsDriver(url, connector, CONTOSO, adapter.drain), adapter


@pytest.fixture
def seen(bot: MentorBot, monkeypatch: pytest.MonkeyPatch) -> list[Inbound]:
    """Every inbound the core is handed, in order (the core answers as usual)."""
    inbounds: list[Inbound] = []
    answer = bot.answer

    async def spy(inbound: Inbound, again: bool = False) -> list[Message]:
        inbounds.append(inbound)
        return await answer(inbound, again)

    monkeypatch.setattr(bot, "answer", spy)
    return inbounds


def _in_channel(driver: TeamsDriver, member: Member, thread: str = "1763893211447", **changes: Any) -> dict[str, Any]:
    """``member`` @mentions the bot in a thread of the lunch-and-learn channel."""
    activity = driver.activity("message_channel_mention", member, **changes)
    activity["conversation"]["id"] = f"{CHANNEL};messageid={thread}"
    activity["channelData"]["channel"] = {"id": CHANNEL}
    return activity


def _pressed_in_channel(driver: TeamsDriver, member: Member, value: dict[str, Any]) -> dict[str, Any]:
    """``member`` taps a button of a card the bot posted in the channel."""
    activity = driver.activity("card_submit", member, value=value)
    activity["conversation"] = {"isGroup": True, "conversationType": "channel", "tenantId": CONTOSO,
                                "id": f"{CHANNEL};messageid=1763893000001"}
    activity["channelData"].update(channel={"id": CHANNEL}, team={"id": CHANNEL})
    return activity


async def _channel_address(driver: TeamsDriver, seen: list[Inbound]) -> Address:
    """The channel's address, as the core gets it when Hana writes there."""
    await driver.send(HANA, _in_channel(driver, HANA, text="<at>mentorbot</at> mentoring help"))
    channel = seen[-1].channel
    assert channel is not None
    return channel


async def test_a_mention_in_a_channel_reaches_the_core_with_the_channel_and_its_reference(
    teams: tuple[TeamsDriver, TeamsAdapter], connector: FakeConnector, seen: list[Inbound]
) -> None:
    driver, _ = teams
    await driver.send(HANA, _in_channel(driver, HANA, text="<at>mentorbot</at> mentoring help"))

    [inbound] = seen
    assert inbound.kind is InboundKind.TEXT and inbound.text == "mentoring help"
    assert inbound.address.user_id == HANA.aad
    channel = inbound.channel
    assert channel is not None and (channel.platform, channel.tenant, channel.user_id) == ("teams", CONTOSO, CHANNEL)
    reference = dict(channel.reference or {})
    assert reference["conversation"]["id"] == CHANNEL, "the channel itself, not the thread she wrote in"
    assert reference["conversation"]["conversationType"] == "channel"
    assert reference["serviceUrl"] == connector.url and reference["bot"]["id"]
    assert "user" not in reference, "a post in the channel is for nobody in particular"
    assert (inbound.address.reference or {})["conversation"]["id"] == HANA.chat, "her own chat, opened for her"


async def test_a_group_chat_is_a_channel_too_and_a_personal_chat_is_not(
    teams: tuple[TeamsDriver, TeamsAdapter], seen: list[Inbound]
) -> None:
    driver, _ = teams
    group = driver.activity("message_group_chat", HANA)
    group["conversation"]["id"] = GROUP
    await driver.send(HANA, group)
    await driver.say(HANA, "mentoring help")

    in_group, in_personal = seen
    assert in_group.channel is not None and in_group.channel.user_id == GROUP
    assert (in_group.channel.reference or {})["conversation"]["conversationType"] == "groupChat"
    assert in_personal.channel is None


async def test_the_bot_posts_to_a_channel_address_in_that_channel(
    teams: tuple[TeamsDriver, TeamsAdapter], connector: FakeConnector, seen: list[Inbound]
) -> None:
    driver, adapter = teams
    here = await _channel_address(driver, seen)

    result = await adapter.deliver(here, INVITE)

    assert result.ok and result.message_id
    [posted] = connector.to(CHANNEL)
    assert posted.reply_to is None, "a new post: POST /v3/conversations/{channel}/activities"
    assert "Lunch-and-learn" in posted.text and posted.buttons()[0]["title"] == "Help"


async def test_a_button_tapped_in_the_channel_is_recorded_as_the_tapper_and_answered_in_their_chat(
    teams: tuple[TeamsDriver, TeamsAdapter], connector: FakeConnector, seen: list[Inbound]
) -> None:
    driver, adapter = teams
    here = await _channel_address(driver, seen)
    await adapter.deliver(here, INVITE)
    [card] = connector.to(CHANNEL)
    in_channel = len(connector.posts) - len(connector.to(VICTOR.chat))

    answer = await driver.send(VICTOR, _pressed_in_channel(driver, VICTOR, card.buttons()[0]["data"]))

    pressed = seen[-1]
    assert pressed.kind is InboundKind.ACTION and pressed.value == "help"
    assert pressed.address.user_id == VICTOR.aad and pressed.channel == here
    assert answer and "/mentoring join" in answer[-1].text, "the answer is in Victor's personal chat"
    assert connector.opened[-1]["members"] == [{"id": VICTOR.user_id}]
    assert len(connector.posts) - len(connector.to(VICTOR.chat)) == in_channel, "nothing new in the channel"


async def test_without_a_personal_chat_the_channel_gets_a_note_never_the_answer(
    teams: tuple[TeamsDriver, TeamsAdapter], connector: FakeConnector, seen: list[Inbound]
) -> None:
    driver, _ = teams
    connector.refuse_opening = 403

    await driver.send(HANA, _in_channel(driver, HANA, thread="77", text="<at>mentorbot</at> mentoring help"))

    [note] = connector.to(f"{CHANNEL};messageid=77")
    assert note.text == NO_PERSONAL_CHAT and note.reply_to, "a reply in her thread"
    assert seen[-1].address.reference is None, "no reference to keep: the stored one stays"


async def test_an_answer_the_core_makes_public_goes_to_the_channel_thread(
    teams: tuple[TeamsDriver, TeamsAdapter], connector: FakeConnector, bot: MentorBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    driver, _ = teams

    async def scripted(inbound: Inbound, again: bool = False) -> list[Message]:
        return [Message("Lunch-and-learn scheduled for everyone here.", visibility=Visibility.PUBLIC),
                say("Only for you: the invite is in your calendar.")]

    monkeypatch.setattr(bot, "answer", scripted)
    mine = await driver.send(HANA, _in_channel(driver, HANA, thread="88"))

    [public] = connector.to(f"{CHANNEL};messageid=88")
    assert public.text == "Lunch-and-learn scheduled for everyone here." and public.reply_to
    assert [post.text for post in mine] == ["Only for you: the invite is in your calendar."]


async def test_a_nudge_for_a_channel_goes_to_the_channel_not_the_persons_chat(
    teams: tuple[TeamsDriver, TeamsAdapter], connector: FakeConnector, seen: list[Inbound], bot: MentorBot,
    clock: FakeClock,
) -> None:
    driver, adapter = teams
    here = await _channel_address(driver, seen)
    tenant = await add_tenant(bot.db, platform="teams", external_id="another-tenant")
    lea = await add_person(bot.db, tenant, "lea-aad", platform="teams")
    channel = {"platform": here.platform, "tenant": here.tenant, "user_id": here.user_id,
               "reference": dict(here.reference or {})}
    nudge_id = await add_nudge(bot.db, tenant, lea, "lunch-invite", text="Lunch-and-learn on Thursday",
                               channel=channel)

    report = await Outbox(bot.db, {Platform.TEAMS: adapter}, render, clock, "test-worker").drain()

    assert report.sent == 1 and (await nudge(bot.db, nudge_id)).status == NudgeStatus.SENT
    [posted] = connector.to(CHANNEL)
    assert posted.text == "Lunch-and-learn on Thursday" and posted.reply_to is None
