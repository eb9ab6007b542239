"""Requests into /slack/events: signatures, acknowledgements, commands, DMs and bad input."""

from __future__ import annotations

import json
import logging
import time

import pytest
from sqlalchemy import func, select

from bot.engine import MentorBot
from storage.models import AuditEntry, Person, ProcessedEvent, Program
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_workspace import SIGNING_SECRET, SlackDriver, fixture, signature_headers
from tests.kit.scripts import CREATE_PROGRAM

from tests.kit.slack import ACME_TOKEN


async def _count(bot: MentorBot, model: type) -> int:
    async with bot.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_slack_checks_the_url_with_a_challenge(acme: SlackDriver) -> None:
    body = json.dumps(fixture("url_verification"))
    reply = await acme.post(body, "application/json")
    assert reply.status == 200
    assert fixture("url_verification")["challenge"] in reply.text


@pytest.mark.parametrize("headers", [
    {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=forged"},
    "signed with another secret",
    "signed six minutes ago",
    {},
])
async def test_a_request_with_a_bad_or_stale_signature_gets_401_and_changes_nothing(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot, headers: object
) -> None:
    payload = fixture("message_im")
    payload["team_id"] = payload["authorizations"][0]["team_id"] = "TACME"
    payload["event"].update(user="UHANA", text=f"/mentoring {CREATE_PROGRAM.removeprefix('/mentoring ')}")
    body = json.dumps(payload)
    if headers == "signed with another secret":
        headers = signature_headers(body, secret="not-the-secret")
    elif headers == "signed six minutes ago":
        headers = signature_headers(body, timestamp=int(time.time()) - 360)
    assert isinstance(headers, dict)
    reply = await acme.post(body, "application/json", headers)
    assert reply.status == 401
    assert slack_api.calls == []
    assert await _count(bot, Person) == 0
    assert await _count(bot, Program) == 0


async def test_a_slash_command_is_acknowledged_at_once_and_answered_only_to_the_caller(
    acme: SlackDriver, slack_api: FakeSlackApi
) -> None:
    reply = await acme.command("UHANA", "help")
    assert reply.status == 200
    assert reply.text == "", "an empty acknowledgement: the answer follows on the response_url"
    [answer] = await slack_api.wait_for("response_url")
    assert answer.body["response_type"] == "ephemeral"
    assert "/mentoring join" in answer.body["text"]


async def test_an_admin_command_creates_the_program_and_is_audited(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot
) -> None:
    await acme.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
    [answer] = await slack_api.wait_for("response_url")
    assert "is created and you are its admin" in answer.body["text"]
    async with bot.db.transaction() as session:
        program = await session.scalar(select(Program))
        hana = await session.scalar(select(Person))
    assert program is not None and program.name == "Digital Leaders 2027"
    assert hana is not None and hana.display_name == "Hana Kim", "the name comes from users.info"
    assert hana.platform_timezone == "Europe/Brussels"
    assert await _count(bot, AuditEntry) == 1


async def test_a_direct_message_is_answered_in_the_dm(acme: SlackDriver, slack_api: FakeSlackApi) -> None:
    reply = await acme.dm("UVICTOR", "hello")
    assert reply.status == 200
    [greeting] = await slack_api.wait_for("chat.postMessage")
    assert greeting.token == ACME_TOKEN
    assert greeting.body["channel"] == "DUVICTOR"
    assert "Hi Victor Hugo" in greeting.body["text"]
    assert greeting.blocks(), "blocks, with the text as the fallback"


async def test_the_bots_own_messages_and_message_edits_are_ignored(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot
) -> None:
    for change in ({"bot_id": "BT0001"}, {"subtype": "message_changed"}, {"channel_type": "channel"}):
        payload = fixture("message_im")
        payload["team_id"] = payload["authorizations"][0]["team_id"] = "TACME"
        payload["event"].update(user="UVICTOR", **change)
        assert (await acme.post(json.dumps(payload), "application/json")).status == 200
    await acme.dm("UHANA", "hello")
    await slack_api.wait_for("chat.postMessage")
    assert [call.body["channel"] for call in slack_api.called("chat.postMessage")] == ["DUHANA"]
    assert await _count(bot, Person) == 1


async def test_a_retried_event_takes_effect_once_even_while_the_original_is_still_running(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot
) -> None:
    slack_api.delays["users.info"] = 0.6  # the original is still at work when the retry comes
    text = CREATE_PROGRAM
    first = await acme.dm("UHANA", text, event_id="Ev0RETRIED")
    retry = await acme.dm("UHANA", text, event_id="Ev0RETRIED", retry=1)
    assert (first.status, retry.status) == (200, 200)
    await slack_api.wait_for("chat.postMessage")
    await _settle(slack_api)
    assert len(slack_api.called("chat.postMessage")) == 1
    assert await _count(bot, Program) == 1
    assert await _count(bot, ProcessedEvent) == 1


async def test_a_message_too_long_is_refused_and_nothing_is_saved(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot
) -> None:
    await acme.dm("UHANA", CREATE_PROGRAM + " " + "x" * 5000)
    [refusal] = await slack_api.wait_for("chat.postMessage")
    assert "I accept at most 2,000" in refusal.body["text"]
    assert await _count(bot, Program) == 0


async def test_an_unknown_command_gets_a_clear_answer(acme: SlackDriver, slack_api: FakeSlackApi) -> None:
    await acme.command("UHANA", "teleport now")
    [answer] = await slack_api.wait_for("response_url")
    assert "teleport" in answer.body["text"] and "help" in answer.body["text"]


@pytest.mark.parametrize(("body", "status", "logged"), [
    ("{not json", 400, "not valid JSON"),
    (json.dumps({"type": "event_callback", "team_id": "TACME", "event": "a string"}), 400, "without event"),
    (json.dumps({"type": "event_callback", "team_id": "TACME", "event_id": "Ev1",
                 "event": {"type": "message", "channel_type": "im", "user": ["U1"], "text": 42}}),
     400, "event.user is missing or of the wrong type"),
])
async def test_a_malformed_event_is_rejected_cleanly_and_logged(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot, caplog: pytest.LogCaptureFixture,
    body: str, status: int, logged: str,
) -> None:
    with caplog.at_level(logging.WARNING):
        reply = await acme.post(body, "application/json")
        await _settle(slack_api)
    assert reply.status == status, "broken shapes are refused before anything reads them"
    assert logged in caplog.text
    assert slack_api.called("chat.postMessage") == []
    assert await _count(bot, Person) == 0


async def test_a_button_press_without_actions_is_rejected_and_logged(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot, caplog: pytest.LogCaptureFixture
) -> None:
    payload = fixture("block_actions")
    payload["team"]["id"] = "TACME"
    payload["actions"] = []
    from urllib.parse import urlencode

    with caplog.at_level(logging.WARNING):
        reply = await acme.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
        await _settle(slack_api)
    assert reply.status == 400
    assert "block_actions without actions" in caplog.text
    assert await _count(bot, Person) == 0


async def test_a_request_from_a_workspace_the_token_does_not_serve_is_refused(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot
) -> None:
    stranger = SlackDriver(acme.url.removesuffix("/slack/events"), slack_api, "TOTHER")
    reply = await stranger.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
    assert reply.status == 403
    assert await _count(bot, Program) == 0


async def test_no_token_or_secret_reaches_the_logs(
    acme: SlackDriver, slack_api: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        await acme.command("UHANA", "help")
        await acme.dm("UVICTOR", "hello")
        await slack_api.wait_for("chat.postMessage")
        await slack_api.wait_for("response_url")
    assert caplog.records, "debug logging was on"
    for secret in (ACME_TOKEN, SIGNING_SECRET):
        assert secret not in caplog.text


async def _settle(api: FakeSlackApi, quiet: float = 0.3) -> None:
    """Wait until the fake API has heard nothing new for ``quiet`` seconds (work after acks)."""
    import asyncio

    seen = -1
    while seen != len(api.calls):
        seen = len(api.calls)
        await asyncio.sleep(quiet)
