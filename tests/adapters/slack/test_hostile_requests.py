"""Hostile and broken requests to /slack/events: each gets 400 or 401, is logged in one line,
and changes nothing; a signed request with a broken part is answered as well as it can be."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.engine import MentorBot
from storage.models import Person, Program
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_workspace import SlackDriver, fixture
from tests.kit.scripts import CREATE_PROGRAM


async def _count(bot: MentorBot, model: type) -> int:
    async with bot.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _settle(api: FakeSlackApi, quiet: float = 0.3) -> None:
    import asyncio

    seen = -1
    while seen != len(api.calls):
        seen = len(api.calls)
        await asyncio.sleep(quiet)


def _dm(text: str, user: str = "UHANA") -> str:
    payload = fixture("message_im")
    payload["team_id"] = payload["authorizations"][0]["team_id"] = "TACME"
    payload["event"].update(user=user, text=text, channel=f"D{user}", team="TACME")
    return json.dumps(payload)


UNSIGNED_HEADERS = [
    {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"},
    {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": "v0=00"},
    {"X-Slack-Request-Timestamp": "1796525915.5", "X-Slack-Signature": "v0=00"},
    {"X-Slack-Request-Timestamp": "9" * 420, "X-Slack-Signature": "v0=00"},
    {"X-Slack-Request-Timestamp": "-1", "X-Slack-Signature": "v0=00"},
    {"X-Slack-Request-Timestamp": "١٧٩٦٥٢٥٩١٥", "X-Slack-Signature": "v0=00"},
    {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=é" * 20},
    {"X-Slack-Request-Timestamp": str(int(time.time()))},
    {"X-Slack-Signature": "v0=" + "0" * 64},
]


@pytest.mark.parametrize("headers", UNSIGNED_HEADERS, ids=range(len(UNSIGNED_HEADERS)))
async def test_unsigned_requests_with_odd_headers_get_401(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot, caplog: pytest.LogCaptureFixture,
    headers: dict[str, str],
) -> None:
    sent = {"Content-Type": "application/json"}
    async with aiohttp.ClientSession() as session:
        # aiohttp's client would refuse to send a non-latin-1 header: encode it by hand.
        raw_headers = {**sent, **{k: v.encode().decode("latin-1") for k, v in headers.items()}}
        async with session.post(acme.url, data=_dm(CREATE_PROGRAM), headers=raw_headers) as response:
            status = response.status
    assert status == 401
    assert "bad or stale signature" in caplog.text
    assert "Traceback" not in caplog.text
    assert slack_api.calls == [] and await _count(bot, Person) == 0


@pytest.mark.parametrize(("body", "content_type"), [
    (b"\xff\xfe{not utf-8", "application/json"),
    (b'{"type": "event_callback"}', "application/json; charset=klingon"),
    ("{\"type\": \"event_callback\", \"text\": \"caf\u00e9\"}".encode("latin-1"), "application/json"),
])
async def test_a_body_that_is_not_utf8_gets_400(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot, body: bytes, content_type: str
) -> None:
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(int(time.time())),
               "X-Slack-Signature": "v0=" + "0" * 64}
    async with aiohttp.ClientSession() as session, session.post(acme.url, data=body, headers=headers) as response:
        assert response.status in (400, 401)
    assert slack_api.calls == [] and await _count(bot, Person) == 0


@pytest.mark.parametrize(("body", "problem"), [
    ("[" * 200_000, "neither JSON"),
    ("{\"a\":" * 100_000 + "1" + "}" * 100_000, "nested too deeply"),
    ('{"type": "event_callback", "event": {"type": "message", "x": NaN}}', "NaN"),
    ('{"type": "event_callback", "event": {"type": "message", "x": -Infinity}}', "Infinity"),
    (json.dumps({"type": ["event_callback"], "event": {"type": "message"}}), "type"),
    (json.dumps({"type": {"a": 1}, "event": {"type": "message"}}), "type"),
    (json.dumps({"type": "event_callback", "authorizations": "TACME", "event": {"type": "message"}}),
     "authorizations"),
    (json.dumps({"type": "event_callback", "authorizations": [{"team_id": 7}], "event": {"type": "message"}}),
     "authorizations.0.team_id"),
    (json.dumps({"type": "event_callback", "team_id": "TACME", "event": {"type": "message", "user": {"id": 5}}}),
     "event.user"),
    (json.dumps({"type": "event_callback", "team_id": "TACME", "event": {"user": "UHANA"}}), "event without a type"),
    (json.dumps({"type": "block_actions", "team": {"id": "TACME"}, "actions": [{"action_id": ["x"]}]}),
     "actions.0.action_id"),
    (json.dumps({"type": "view_submission", "team": {"id": "TACME"}, "view": {"callback_id": "x"}}), "view.type"),
])
async def test_a_signed_but_malformed_body_gets_400_and_one_log_line(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot, caplog: pytest.LogCaptureFixture,
    body: str, problem: str,
) -> None:
    form = body if body.startswith(("{", "[")) and "actions" not in body and "view" not in body else None
    if form is None:
        reply = await acme.post(urlencode({"payload": body}), "application/x-www-form-urlencoded")
    else:
        reply = await acme.post(body, "application/json")
    assert reply.status == 400, reply.text
    assert problem in reply.text
    assert "Traceback" not in caplog.text and "ERROR" not in caplog.text
    assert [r.levelname for r in caplog.records if "malformed" in r.getMessage()] == ["WARNING"]
    assert slack_api.calls == [] and await _count(bot, Person) == 0


async def test_an_unreadable_form_keeps_the_modal_open_with_an_error(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot
) -> None:
    payload = fixture("view_submission")
    payload["team"]["id"] = "TACME"
    payload["user"].update(id="UHANA", team_id="TACME")
    payload["view"]["blocks"] = [{"type": "input", "block_id": "role", "label": {"type": "plain_text", "text": "R"},
                                  "element": {"type": "plain_text_input", "action_id": "role"}}]
    payload["view"]["callback_id"] = ""  # no form id: nothing to route the answers to
    reply = await acme.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
    assert reply.status == 200
    assert reply.json() == {"response_action": "errors",
                            "errors": {"role": "Sorry, I could not read that request. Nothing was saved."}}
    assert await _count(bot, Person) == 0


@pytest.mark.parametrize("response_url", ["not a url", "ftp://hooks.slack.com/x", "http://", "javascript:alert(1)",
                                          "http://exa mple.com/x", "https://[::1/x"])
async def test_a_command_with_a_bad_response_url_is_answered_in_the_dm(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot, caplog: pytest.LogCaptureFixture, response_url: str
) -> None:
    payload = {**fixture("slash_command"), "team_id": "TACME", "user_id": "UHANA",
               "text": CREATE_PROGRAM.removeprefix("/mentoring "), "response_url": response_url}
    payload.pop("enterprise_id")
    reply = await acme.post(urlencode(payload), "application/x-www-form-urlencoded")
    assert reply.status == 200
    [answer] = await slack_api.wait_for("chat.postMessage")
    assert answer.body["channel"] == "UHANA" and "you are its admin" in answer.body["text"]
    assert await _count(bot, Program) == 1
    assert "Traceback" not in caplog.text


async def test_a_response_url_that_fails_falls_back_to_the_dm(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot
) -> None:
    payload = {**fixture("slash_command"), "team_id": "TACME", "user_id": "UHANA", "text": "help",
               "response_url": "http://127.0.0.1:1/closed-port"}
    payload.pop("enterprise_id")
    await acme.post(urlencode(payload), "application/x-www-form-urlencoded")
    [answer] = await slack_api.wait_for("chat.postMessage")
    assert "/mentoring join" in answer.body["text"]


@pytest.mark.parametrize("where", ["text", "user"])
async def test_nul_characters_are_taken_out_of_text_and_refused_in_ids(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot, caplog: pytest.LogCaptureFixture, where: str
) -> None:
    if where == "text":
        await acme.command("UHANA", 'program create "Digital\x00 Leaders"')
    else:
        await acme.command("UHA\x00NA", CREATE_PROGRAM.removeprefix("/mentoring "))
    [answer] = await slack_api.wait_for("response_url")
    async with bot.db.transaction() as session:
        names = list(await session.scalars(select(Program.name)))
    if where == "text":
        assert names == ["Digital Leaders"] and "you are its admin" in answer.body["text"]
    else:
        assert names == [] and "Nothing was saved" in answer.body["text"]
        assert await _count(bot, Person) == 0
    assert "Traceback" not in caplog.text and "Sorry, something went wrong" not in answer.body["text"]


async def test_a_slash_command_whose_text_says_payload_is_still_a_command(
    acme: SlackDriver, slack_api: FakeSlackApi
) -> None:
    await acme.command("UHANA", "payload")
    [answer] = await slack_api.wait_for("response_url")
    assert "payload" in answer.body["text"] and "help" in answer.body["text"]
