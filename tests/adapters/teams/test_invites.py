"""Calendar invites in Teams: an Action.OpenUrl "Add to calendar" to the bot's PUBLIC_URL."""

from __future__ import annotations

from sqlalchemy import select

from adapters.teams.app import TeamsConfig
from adapters.teams.render import activity_of, card
from bot.engine import MentorBot
from bot.messages import Address, Attachment, Message, Section, say
from storage.models import Person
from tests.kit.fakes.teams_client import TeamsDriver, serving
from tests.kit.fakes.teams_connector import FakeConnector

from tests.kit.teams import CONTOSO, HANA, card_validator

PUBLIC_URL = "https://mentorbot.example.com"
INVITE = Attachment("mentoring-2027-01-12.ics", "text/calendar", b"BEGIN:VCALENDAR", "/calendar/abc.ics")
MESSAGE = Message("Your session is on 12 January at 15:00.", [Section("Your session is on 12 January at 15:00.")],
                  attachments=[INVITE])


def _valid(content: dict) -> None:
    errors = list(card_validator().iter_errors(content))
    assert not errors, errors[0].message


def _open_urls(content: dict) -> list[dict]:
    return [a for element in content["body"] if element["type"] == "ActionSet"
            for a in element["actions"] if a["type"] == "Action.OpenUrl"]


def test_an_invite_is_an_open_url_button_in_a_valid_card() -> None:
    activity = activity_of(MESSAGE, PUBLIC_URL)

    content = activity["attachments"][0]["content"]
    _valid(content)
    assert _open_urls(content) == [{"type": "Action.OpenUrl", "title": "Add to calendar",
                                    "url": "https://mentorbot.example.com/calendar/abc.ics"}]
    assert content["fallbackText"] == MESSAGE.text


def test_without_a_public_url_the_card_says_what_is_missing() -> None:
    content = card(MESSAGE)

    _valid(content)
    assert _open_urls(content) == []
    assert "PUBLIC_URL" in content["body"][-1]["text"]


def test_a_message_without_invites_is_still_plain_text() -> None:
    assert activity_of(say("Hello"), PUBLIC_URL) == {"type": "message", "text": "Hello", "textFormat": "markdown"}


async def test_a_message_the_bot_starts_carries_the_button(bot: MentorBot, connector: FakeConnector) -> None:
    config = TeamsConfig(allow_unauthenticated=True, public_url=PUBLIC_URL)
    async with serving(bot, connector, config) as (url, adapter):
        await TeamsDriver(url, connector, CONTOSO, adapter.drain).install(HANA)
        async with bot.db.transaction() as session:
            hana = await session.scalar(select(Person).where(Person.user_id == HANA.aad))
        assert hana is not None and hana.address is not None
        stored = hana.address
        address = Address(stored["platform"], stored["tenant"], stored["user_id"], stored["reference"])

        result = await adapter.deliver(address, MESSAGE)

    assert result.ok
    sent = connector.to(HANA.chat)[-1]
    assert sent.card is not None
    assert [a["url"] for a in _open_urls(sent.card)] == [f"{PUBLIC_URL}/calendar/abc.ics"]


CHART = Attachment("weekly.png", "image/png", b"\x89PNG", "/report/abc/charts/weekly.png")
PAGE = Attachment("report.html", "text/html", b"<!doctype html>", "/report/abc")


def test_a_chart_is_an_image_teams_fetches_from_the_public_url() -> None:
    content = card(Message("Charts", [Section("Charts")], attachments=[CHART, PAGE]), PUBLIC_URL)

    _valid(content)
    [image] = [e for e in content["body"] if e["type"] == "Image"]
    assert image == {"type": "Image", "url": f"{PUBLIC_URL}/report/abc/charts/weekly.png", "altText": "weekly.png"}
    assert _open_urls(content) == [{"type": "Action.OpenUrl", "title": "Open in your browser",
                                    "url": f"{PUBLIC_URL}/report/abc"}]


def test_without_a_public_url_a_chart_is_not_a_broken_image() -> None:
    content = card(Message("Charts", [Section("Charts")], attachments=[CHART]))

    _valid(content)
    assert [e["type"] for e in content["body"]] == ["TextBlock", "TextBlock"]
    assert "PUBLIC_URL" in content["body"][-1]["text"]
