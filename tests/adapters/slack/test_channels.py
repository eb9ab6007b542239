"""Channel audiences in Slack (a lunch-and-learn announced in a channel), over real HTTP.

Commands and button presses in a channel reach the core with the channel as the inbound's
``channel``; the answers are for the person who acted alone (ephemeral, or their DM); the
bot's own posts go straight to the channel, and a channel the bot is not in is a failed
delivery with Slack's error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from adapters.slack.app import SlackAdapter, SlackConfig
from adapters.slack.render import escape
from adapters.slack.translate import neutral_text
from bot.clock import FakeClock
from bot.engine import MentorBot
from bot.messages import Address, Button, Inbound, InboundKind, referenced_person, say
from scheduler.outbox import Outbox
from storage.enums import NudgeStatus
from tests.kit.fakes.slack_api import Call, FakeSlackApi
from tests.kit.fakes.slack_workspace import SIGNING_SECRET, SlackDriver
from tests.kit.outbox import add_nudge, add_person, add_tenant, nudge, render
from tests.kit.scripts import CREATE_PROGRAM

from tests.kit.slack import ACME, ACME_TOKEN
from tests.kit.platform_names import Platform

CHANNEL = "C0123"
HERE = Address(Platform.SLACK, ACME, CHANNEL)
POST = "chat.postMessage"
INVITE = say("Lunch-and-learn: Hana presents AI assistants, Thursday 12:30.",
             Button.for_command("I'll come", "lunch attend 42"))


@pytest.fixture
def seen(bot: MentorBot, monkeypatch: pytest.MonkeyPatch) -> list[Inbound]:
    """Every inbound the core is handed, in order (the core answers as usual)."""
    inbounds: list[Inbound] = []
    handle = bot.handle

    async def spy(inbound: Inbound, again: bool = False) -> list:
        inbounds.append(inbound)
        return await handle(inbound, again)

    monkeypatch.setattr(bot, "handle", spy)
    return inbounds


@pytest.fixture
async def adapter(bot: MentorBot, slack_api: FakeSlackApi) -> AsyncIterator[SlackAdapter]:
    adapter = SlackAdapter(bot, SlackConfig(SIGNING_SECRET, slack_api.url, bot_token=ACME_TOKEN), bot.db.engine)
    yield adapter
    await adapter.close()


def _in_channel(channel: str = CHANNEL) -> dict[str, object]:
    return {"type": "message", "message_ts": "1700000001.000100", "channel_id": channel, "is_ephemeral": False}


async def test_a_slash_command_typed_in_a_channel_reaches_the_core_with_that_channel(
    acme: SlackDriver, slack_api: FakeSlackApi, seen: list[Inbound]
) -> None:
    await acme.command("UHANA", "help", channel=CHANNEL)
    [answer] = await slack_api.wait_for("response_url")

    [inbound] = seen
    assert inbound.kind is InboundKind.COMMAND and inbound.channel == HERE
    assert inbound.address == Address(Platform.SLACK, ACME, "UHANA")
    assert answer.body["response_type"] == "ephemeral", "the answer is for the caller alone"
    assert slack_api.called(POST) == []


async def test_a_group_conversation_is_a_channel_too(
    acme: SlackDriver, slack_api: FakeSlackApi, seen: list[Inbound]
) -> None:
    await acme.command("UHANA", "help", channel="G0GROUP1")
    await slack_api.wait_for("response_url")
    assert seen[0].channel == Address(Platform.SLACK, ACME, "G0GROUP1")


async def test_a_command_or_a_press_in_the_dm_has_no_channel(
    acme: SlackDriver, slack_api: FakeSlackApi, seen: list[Inbound]
) -> None:
    await acme.command("UHANA", "help", channel="DUHANA")
    await slack_api.wait_for("response_url")
    await acme.press("UHANA", "command#1", "help")
    await slack_api.wait_for(POST)
    assert [inbound.channel for inbound in seen] == [None, None]


async def test_a_button_pressed_on_a_channel_post_is_answered_to_the_presser_alone(
    acme: SlackDriver, slack_api: FakeSlackApi, seen: list[Inbound]
) -> None:
    await acme.press("ULEA", "command#1", "help", container=_in_channel())
    [answer] = await slack_api.wait_for("response_url")

    [inbound] = seen
    assert inbound.kind is InboundKind.ACTION and inbound.value == "help"
    assert inbound.address.user_id == "ULEA", "whoever taps is recorded as themselves"
    assert inbound.channel == HERE
    assert answer.body["response_type"] == "ephemeral" and answer.body["replace_original"] is False
    assert "/mentoring join" in answer.body["text"]
    assert [call.body["channel"] for call in slack_api.called(POST)] == [], "nothing public in the channel"


async def test_a_form_opened_from_a_channel_post_keeps_the_channel_and_answers_in_the_dm(
    acme: SlackDriver, slack_api: FakeSlackApi, seen: list[Inbound]
) -> None:
    await acme.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
    await slack_api.wait_for("response_url")

    await acme.press("UVICTOR", "command#1", "join", container=_in_channel())
    role = (await slack_api.wait_for("views.open"))[-1].view()
    reply = await acme.submit("UVICTOR", role, {"role": "mentee"})
    assert reply.json() == {}
    [reversal] = await slack_api.wait_for(POST)

    submitted = seen[-1]
    assert submitted.kind is InboundKind.FORM and submitted.channel == HERE
    assert reversal.body["channel"] == "UVICTOR", "the next step goes to his DM, not the channel"
    assert "You are the mentee" in reversal.body["text"]


async def test_the_bot_posts_to_a_channel_address_straight_in_the_channel(
    adapter: SlackAdapter, slack_api: FakeSlackApi
) -> None:
    result = await adapter.deliver(HERE, INVITE)

    [posted] = slack_api.called(POST)
    assert (posted.token, posted.body["channel"], posted.body["text"]) == (ACME_TOKEN, CHANNEL, INVITE.text)
    assert slack_api.called("conversations.open") == []
    assert result.ok and result.attempts == 1 and result.message_id


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found"])
async def test_a_channel_the_bot_is_not_in_is_a_failed_delivery_with_slacks_error(
    adapter: SlackAdapter, slack_api: FakeSlackApi, error: str
) -> None:
    async def refuse(call: Call) -> web.Response | None:
        return web.json_response({"ok": False, "error": error}) if call.method == POST else None

    slack_api.policy = refuse

    result = await adapter.deliver(HERE, INVITE)

    assert (result.ok, result.attempts, result.error) == (False, 1, error), "final: not retried"
    assert len(slack_api.called(POST)) == 1


async def test_a_nudge_for_a_channel_goes_to_the_channel_not_the_persons_dm(
    bot: MentorBot, clock: FakeClock, adapter: SlackAdapter, slack_api: FakeSlackApi
) -> None:
    tenant = await add_tenant(bot.db, platform="slack", external_id=ACME)
    hana = await add_person(bot.db, tenant, "UHANA", platform="slack")
    channel = {"platform": "slack", "tenant": ACME, "user_id": CHANNEL, "reference": None}
    nudge_id = await add_nudge(bot.db, tenant, hana, "lunch-invite", text=INVITE.text, channel=channel)

    report = await Outbox(bot.db, {Platform.SLACK: adapter}, render, clock, "test-worker").drain()

    assert report.sent == 1 and (await nudge(bot.db, nudge_id)).status == NudgeStatus.SENT
    assert [call.body["channel"] for call in slack_api.called(POST)] == [CHANNEL]


async def test_a_channel_the_bot_left_is_recorded_on_the_nudge(
    bot: MentorBot, clock: FakeClock, adapter: SlackAdapter, slack_api: FakeSlackApi
) -> None:
    async def refuse(call: Call) -> web.Response | None:
        return web.json_response({"ok": False, "error": "not_in_channel"}) if call.method == POST else None

    slack_api.policy = refuse
    tenant = await add_tenant(bot.db, platform="slack", external_id=ACME)
    hana = await add_person(bot.db, tenant, "UHANA", platform="slack")
    channel = {"platform": "slack", "tenant": ACME, "user_id": CHANNEL, "reference": None}
    nudge_id = await add_nudge(bot.db, tenant, hana, "lunch-invite", text=INVITE.text, channel=channel)

    report = await Outbox(bot.db, {Platform.SLACK: adapter}, render, clock, "test-worker").drain()

    row = await nudge(bot.db, nudge_id)
    assert report.retried == 1 and row.status == NudgeStatus.PENDING and row.last_error == "not_in_channel"


async def test_mentions_reach_the_core_as_neutral_references(
    acme: SlackDriver, slack_api: FakeSlackApi, seen: list[Inbound]
) -> None:
    await acme.command("UHANA", "research schedule 2027-01-14 12:30 audience=<#C0123|general>,<@UVICTOR|victor>")
    await acme.command("UHANA", "admin add <@UZOE> &amp; 2 &lt; 3")
    await slack_api.wait_for("response_url", 2)

    first, second = (inbound.text for inbound in seen)
    assert first.endswith("audience=<channel:C0123|general>,<person:UVICTOR|victor>")
    assert second == "admin add <person:UZOE> & 2 < 3", "Slack's escapes undone after the mentions"
    assert referenced_person("<person:UZOE>") == "UZOE" and neutral_text("<@W42>") == "<person:W42>"


def test_a_neutral_reference_goes_out_as_a_slack_mention_and_typed_brackets_stay_literal() -> None:
    text = "Posted in <channel:C0123|the channel where it was scheduled> for <person:UVICTOR|Victor>; 2 < 3 & more"
    assert escape(text) == "Posted in <#C0123> for <@UVICTOR>; 2 &lt; 3 &amp; more"
    assert escape("<channel:19:abc@thread.tacv2|the channel where it was scheduled>") == \
        "the channel where it was scheduled", "an id that is not Slack's shows as its label"
