"""Conversations in Slack: onboarding in modals, buttons, the App Home; each over HTTP
(``/slack/events``) and over Socket Mode, with the same answers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.engine import MentorBot
from storage.models import Enrollment, Person, Profile
from tests.kit.fakes.slack_api import Call, FakeSlackApi
from tests.kit.fakes.slack_socket import FakeSocketMode
from tests.kit.fakes.slack_workspace import SlackDriver, SocketDriver, serving, socket_config
from tests.kit.scripts import CREATE_PROGRAM
from tests.kit.slack import ACME, assert_valid_view


@pytest.fixture(params=["http", "socket-mode"])
async def acme(request: pytest.FixtureRequest, bot: MentorBot, slack_api: FakeSlackApi) -> AsyncIterator[SlackDriver]:
    """People in the Acme workspace, reaching the bot over ``/slack/events`` or over Socket Mode:
    everything that works over HTTP works the same over Socket Mode."""
    if request.param == "http":
        async with serving(bot, slack_api) as url:
            yield SlackDriver(url, slack_api, ACME)
        return
    async with FakeSocketMode(slack_api) as socket, serving(bot, slack_api, socket_config(slack_api)):
        await socket.wait_connections(1)
        yield SocketDriver(socket, slack_api, ACME)
        assert socket.lost == [] and socket.duplicate_acks == [], "every envelope acknowledged once"


def _button(call: Call, label: str) -> dict[str, Any]:
    """The button labelled ``label`` in a posted message."""
    for block in call.blocks():
        for element in block.get("elements", []):
            if element.get("type") == "button" and element["text"]["text"] == label:
                return element
    raise AssertionError(f"no button {label!r} in {call.body.get('text')!r}")


def _inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


async def _press(acme: SlackDriver, user: str, label: str) -> None:
    """``user`` presses ``label`` on the last message the bot posted."""
    message = acme.api.called("chat.postMessage")[-1]
    button = _button(message, label)
    await acme.press(user, button["action_id"], button["value"])


async def _next(api: FakeSlackApi, method: str, count: int) -> Call:
    return (await api.wait_for(method, count))[-1]


async def test_victor_onboards_in_modals_with_his_name_and_time_zone_from_slack(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot
) -> None:
    await acme.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
    await slack_api.wait_for("response_url")

    await acme.command("UVICTOR", "join")
    role = (await _next(slack_api, "views.open", 1)).view()
    assert role["callback_id"] == "onboarding.role"
    assert "Which side are you on?" in json.dumps(role["blocks"])
    reply = await acme.submit("UVICTOR", role, {"role": "mentee"})
    assert reply.json() == {}, "a choice step follows: the modal closes and the DM carries on"

    reversal = await _next(slack_api, "chat.postMessage", 1)
    assert reversal.body["channel"] == "UVICTOR", "the DM with the bot"
    assert "You are the mentee" in reversal.body["text"]
    await _press(acme, "UVICTOR", "Got it")
    await _next(slack_api, "chat.postMessage", 2)
    await _press(acme, "UVICTOR", "I accept")

    about = (await _next(slack_api, "views.open", 2)).view()
    fields = _inputs(about)
    assert list(fields) == ["level", "department", "manager", "name"]
    assert fields["name"]["element"]["initial_value"] == "Victor Hugo", "the name Slack knows, to confirm"
    reply = await acme.submit("UVICTOR", about, {"level": "5", "department": "Finance", "manager": "",
                                                 "name": "Victor Hugo"})
    topics = reply.json()["view"]
    assert reply.json()["response_action"] == "update"
    assert_valid_view(topics)
    assert list(_inputs(topics)) == ["topics", "topics_free_text"]

    reply = await acme.submit("UVICTOR", topics, {"topics": ["AI assistants and prompt writing"],
                                                  "topics_free_text": ""})
    style = reply.json()["view"]
    reply = await acme.submit("UVICTOR", style, {"style": "direct", "formats": ["one-to-one"], "location": "remote"})
    availability = reply.json()["view"]
    zone = _inputs(availability)["timezone"]["element"]
    assert zone["initial_value"] == "Europe/Paris", "the time zone Slack knows, to confirm"

    reply = await acme.submit("UVICTOR", availability, {"timezone": "Europe/Paris", "hours": "nine to five",
                                                        "languages": ["en"]})
    assert reply.json()["response_action"] == "errors"
    assert "hours" in reply.json()["errors"], "the mistake is shown next to its field"

    reply = await acme.submit("UVICTOR", availability, {"timezone": "Europe/Paris", "hours": "09:00-17:00",
                                                        "languages": ["en"], "language": "en"})
    assert reply.json() == {}
    review = await _next(slack_api, "chat.postMessage", 3)
    assert "Here is your profile" in review.body["text"]
    assert "Time zone: Europe/Paris" in review.body["text"]
    await _press(acme, "UVICTOR", "Confirm")
    done = await _next(slack_api, "chat.postMessage", 4)
    assert "You're all set, Victor Hugo" in done.body["text"]

    async with bot.db.transaction() as session:
        victor = await session.scalar(select(Person).where(Person.user_id == "UVICTOR"))
        profile = await session.scalar(select(Profile))
        enrollment = await session.scalar(select(Enrollment))
    assert victor is not None and victor.name_confirmed_at is not None
    assert profile is not None and (profile.timezone, profile.department) == ("Europe/Paris", "Finance")
    assert enrollment is not None and enrollment.status == "active"


async def test_a_confirmed_name_is_kept_when_slack_says_otherwise(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot
) -> None:
    await acme.dm("UVICTOR", "hello")
    await slack_api.wait_for("chat.postMessage")
    async with bot.db.transaction() as session:
        victor = await session.scalar(select(Person))
        assert victor is not None
        victor.display_name, victor.name_confirmed_at = "Vic", bot.clock.now()
    await acme.dm("UVICTOR", "hello again")
    await slack_api.wait_for("chat.postMessage", 2)
    async with bot.db.transaction() as session:
        assert (await session.scalar(select(Person.display_name))) == "Vic"


async def test_a_form_asked_in_the_dm_opens_from_its_button(acme: SlackDriver, slack_api: FakeSlackApi) -> None:
    await acme.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
    await slack_api.wait_for("response_url")
    await acme.dm("UVICTOR", "/mentoring join")
    question = await _next(slack_api, "chat.postMessage", 1)
    assert "Which side are you on?" in question.body["text"], "the question, in plain text too"
    button = _button(question, "Your role")
    await acme.press("UVICTOR", button["action_id"], button["value"])
    modal = (await _next(slack_api, "views.open", 1)).view()
    assert modal["callback_id"] == "onboarding.role"


async def test_typing_the_answer_in_the_dm_works_as_well(acme: SlackDriver, slack_api: FakeSlackApi) -> None:
    await acme.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
    await slack_api.wait_for("response_url")
    await acme.dm("UVICTOR", "/mentoring join")
    await acme.dm("UVICTOR", "mentee")
    reply = await _next(slack_api, "chat.postMessage", 2)
    assert "You are the mentee" in reply.body["text"]


async def test_the_app_home_of_a_newcomer_offers_to_join(acme: SlackDriver, slack_api: FakeSlackApi) -> None:
    await acme.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
    await slack_api.wait_for("response_url")
    await acme.open_home("UVICTOR")
    [published] = await slack_api.wait_for("views.publish")
    assert published.body["user_id"] == "UVICTOR"
    home = published.view()
    assert home["type"] == "home"
    text = json.dumps(home)
    assert "Hi Victor Hugo" in text
    assert "Join the program" in text


async def test_the_app_home_of_an_admin_shows_program_health(acme: SlackDriver, slack_api: FakeSlackApi) -> None:
    await acme.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
    await slack_api.wait_for("response_url")
    await acme.open_home("UHANA")
    [published] = await slack_api.wait_for("views.publish")
    text = json.dumps(published.view())
    assert "Program health: Digital Leaders 2027" in text
    for label in ("Active pairs", "Sessions in November", "Open flags", "Program details", "Audit log"):
        assert label in text


async def test_a_button_on_the_app_home_answers_in_the_dm_and_refreshes_the_home(
    acme: SlackDriver, slack_api: FakeSlackApi
) -> None:
    await acme.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
    await slack_api.wait_for("response_url")
    await acme.open_home("UHANA")
    home = (await slack_api.wait_for("views.publish"))[0].view()
    details = next(e for b in home["blocks"] for e in b.get("elements", [])
                   if e.get("type") == "button" and e["text"]["text"] == "Program details")
    await acme.press("UHANA", details["action_id"], details["value"], container={"type": "view", "view_id": "V1"},
                     view={"id": "V1", "type": "home", "private_metadata": ""})
    answer = await _next(slack_api, "chat.postMessage", 1)
    assert answer.body["channel"] == "UHANA"
    assert "Digital Leaders 2027" in answer.body["text"]
    await slack_api.wait_for("views.publish", 2)


async def test_opening_the_messages_tab_greets_a_newcomer_once(acme: SlackDriver, slack_api: FakeSlackApi) -> None:
    await acme.open_home("UVICTOR", tab="messages")
    [greeting] = await slack_api.wait_for("chat.postMessage")
    assert "Hi Victor Hugo" in greeting.body["text"]
    await acme.open_home("UVICTOR", tab="messages")
    await acme.dm("UVICTOR", "/mentoring help")
    await slack_api.wait_for("chat.postMessage", 2)
    assert "Hi Victor Hugo" not in slack_api.called("chat.postMessage")[1].body["text"]


async def test_a_message_the_bot_starts_goes_to_the_persons_dm_with_the_workspace_token(
    bot: MentorBot, slack_api: FakeSlackApi
) -> None:
    from adapters.slack.app import SlackAdapter, SlackConfig
    from bot.messages import Address, Button, say
    from tests.kit.fakes.slack_workspace import SIGNING_SECRET

    adapter = SlackAdapter(bot, SlackConfig(SIGNING_SECRET, slack_api.url, bot_token="xoxb-acme"), bot.db.engine)
    try:
        reminder = say("Your session with Amara is tomorrow at 14:00.", Button.for_command("My profile", "profile"))
        result = await adapter.deliver(Address("slack", "TACME", "UVICTOR"), reminder)
    finally:
        await adapter.close()
    assert result.ok and result.attempts == 1 and result.message_id
    [sent] = slack_api.called("chat.postMessage")
    assert (sent.token, sent.body["channel"]) == ("xoxb-acme", "UVICTOR")
    assert sent.body["text"] == "Your session with Amara is tomorrow at 14:00."
    assert _button(sent, "My profile")["value"] == "profile"
