"""Calendar invites in Slack: an "Add to calendar" link button to the bot's PUBLIC_URL."""

from __future__ import annotations

import asyncio
import json

from adapters.slack.app import SlackAdapter, SlackConfig
from adapters.slack.render import message_blocks
from bot.engine import MentorBot
from bot.messages import Address, Attachment, Message, Section
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_workspace import SIGNING_SECRET, SlackDriver

from tests.kit.slack import ACME, ACME_TOKEN, assert_valid_blocks
from tests.kit.platform_names import Platform

PUBLIC_URL = "https://mentorbot.example.com"
INVITE = Attachment("mentoring-2027-01-12.ics", "text/calendar", b"BEGIN:VCALENDAR", "/calendar/abc.ics")
MESSAGE = Message("Your session is on 12 January at 15:00.", [Section("Your session is on 12 January at 15:00.")],
                  attachments=[INVITE])


def _url_buttons(blocks: list[dict]) -> list[dict]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"] if "url" in e]


def test_an_invite_is_a_link_button_to_the_public_url() -> None:
    blocks = message_blocks(MESSAGE, public_url=PUBLIC_URL)

    assert_valid_blocks(blocks)
    [button] = _url_buttons(blocks)
    assert button["text"]["text"] == "Add to calendar"
    assert button["url"] == "https://mentorbot.example.com/calendar/abc.ics"


def test_without_a_public_url_a_line_says_so_and_there_is_no_broken_button() -> None:
    blocks = message_blocks(MESSAGE)

    assert_valid_blocks(blocks)
    assert _url_buttons(blocks) == []
    assert blocks[-1]["type"] == "context" and "PUBLIC_URL" in blocks[-1]["elements"][0]["text"]


async def test_a_message_the_bot_starts_carries_the_button(bot: MentorBot, slack_api: FakeSlackApi) -> None:
    config = SlackConfig(signing_secret=SIGNING_SECRET, api_url=slack_api.url, bot_token=ACME_TOKEN,
                         public_url=PUBLIC_URL)
    adapter = SlackAdapter(bot, config, bot.db.engine)
    try:
        result = await adapter.deliver(Address(Platform.SLACK, ACME, "UVICTOR"), MESSAGE)
    finally:
        await adapter.close()

    assert result.ok
    [call] = slack_api.called("chat.postMessage")
    [button] = _url_buttons(call.blocks())
    assert button["url"] == f"{PUBLIC_URL}/calendar/abc.ics"


async def test_clicking_the_link_button_opens_the_link_and_the_bot_says_nothing(
    acme: SlackDriver, slack_api: FakeSlackApi
) -> None:
    [button] = _url_buttons(message_blocks(MESSAGE, public_url=PUBLIC_URL))

    reply = await acme.press("UVICTOR", button["action_id"], "")
    await acme.command("UVICTOR", "help")
    await slack_api.wait_for("response_url")
    await asyncio.sleep(0.2)

    assert reply.status == 200
    assert slack_api.called("chat.postMessage") == []
    assert "no longer active" not in json.dumps(slack_api.sent_texts())


CHART = Attachment("weekly.png", "image/png", b"\x89PNG", "/report/abc/charts/weekly.png")
PAGE = Attachment("report.html", "text/html", b"<!doctype html>", "/report/abc")


def test_a_chart_is_an_image_block_that_slack_fetches_from_the_public_url() -> None:
    blocks = message_blocks(Message("Charts", [Section("Charts")], attachments=[CHART, PAGE]), public_url=PUBLIC_URL)

    assert_valid_blocks(blocks)
    [image] = [b for b in blocks if b["type"] == "image"]
    assert image["image_url"] == f"{PUBLIC_URL}/report/abc/charts/weekly.png"
    assert image["alt_text"] == "weekly.png"
    [button] = _url_buttons(blocks)
    assert (button["text"]["text"], button["url"]) == ("Open in your browser", f"{PUBLIC_URL}/report/abc")


def test_without_a_public_url_a_chart_is_not_a_broken_image() -> None:
    blocks = message_blocks(Message("Charts", [Section("Charts")], attachments=[CHART]))

    assert [b["type"] for b in blocks] == ["section", "context"]
    assert "PUBLIC_URL" in blocks[-1]["elements"][0]["text"]
