"""Slack over Socket Mode: retried envelopes, Slack asking for a new connection, lost connections,
two replicas, malformed envelopes and other workspaces (the dialogs themselves run over both
transports in test_dialogs.py)."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from sqlalchemy import func, select

from bot.engine import MentorBot
from storage.models import Person, ProcessedEvent, Program
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_socket import FakeSocketMode
from tests.kit.fakes.slack_workspace import SocketDriver, serving, socket_config
from tests.kit.scripts import CREATE_PROGRAM
from tests.kit.slack import ACME


async def _count(bot: MentorBot, model: type) -> int:
    async with bot.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def _bot_calls(api: FakeSlackApi) -> list[str]:
    """The Web API methods called, but the link's own (``apps.connections.open``)."""
    return [call.method for call in api.calls if call.method != "apps.connections.open"]


def _texts(api: FakeSlackApi, channel: str) -> list[str]:
    return [str(call.body["text"]) for call in api.called("chat.postMessage") if call.body["channel"] == channel]


async def test_a_retried_envelope_takes_effect_once_even_while_the_original_is_still_running(
    acme_socket: SocketDriver, socket_mode: FakeSocketMode, slack_api: FakeSlackApi, bot: MentorBot
) -> None:
    slack_api.delays["users.info"] = 0.6  # the original is still at work when Slack sends it again
    await acme_socket.dm("UHANA", CREATE_PROGRAM, event_id="Ev0RETRIED")
    [original] = acme_socket.envelopes
    retried = await socket_mode.retry(original)
    assert retried.retry_attempt == 1 and retried.envelope_id != original.envelope_id
    assert await socket_mode.acked(retried) == {}, "the retry is acknowledged too, so Slack stops sending it"
    await slack_api.wait_for("chat.postMessage")
    await slack_api.settled()
    assert len(_texts(slack_api, "DUHANA")) == 1, "one answer"
    assert await _count(bot, Program) == 1
    assert await _count(bot, ProcessedEvent) == 1


async def test_slack_asking_for_a_new_connection_mid_conversation_loses_nothing(
    acme_socket: SocketDriver, socket_mode: FakeSocketMode, slack_api: FakeSlackApi
) -> None:
    await acme_socket.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
    await slack_api.wait_for("response_url")
    await acme_socket.dm("UVICTOR", "/mentoring join")
    await slack_api.wait_for("chat.postMessage")

    slack_api.delays["users.info"] = 0.3  # Victor's answer is still being worked on when the link changes
    in_flight = asyncio.ensure_future(acme_socket.dm("UVICTOR", "mentee"))
    await asyncio.sleep(0.05)
    old = await socket_mode.disconnect("refresh_requested")
    during = asyncio.ensure_future(acme_socket.dm("UVICTOR", "got it"))  # sent while the new connection opens
    await asyncio.gather(in_flight, during)
    await acme_socket.dm("UVICTOR", "yes")
    await slack_api.wait_for("chat.postMessage", 4)
    await slack_api.settled()

    texts = _texts(slack_api, "DUVICTOR")
    assert "Which side are you on?" in texts[0]
    assert "You are the mentee" in texts[1]
    assert "Confidentiality" in texts[2]
    assert "Your level" in texts[3]
    assert len(texts) == 4, "every message answered once, in order"
    assert len(socket_mode.connections) == 2 and not old.open
    assert socket_mode.lost == [] and socket_mode.duplicate_acks == []
    assert all(envelope.envelope_id in socket_mode.acks for envelope in socket_mode.sent)


async def test_a_lost_connection_is_opened_again_and_unacknowledged_events_come_again(
    acme_socket: SocketDriver, socket_mode: FakeSocketMode, slack_api: FakeSlackApi, bot: MentorBot
) -> None:
    slack_api.delays["users.info"] = 0.4  # the DM is being worked on when the network fails
    in_flight = asyncio.ensure_future(acme_socket.dm("UVICTOR", "hello"))
    await asyncio.sleep(0.1)
    await socket_mode.drop()
    await in_flight  # acknowledged on the new connection, or sent again by Slack and taken once
    await socket_mode.wait_connections(1)
    await acme_socket.dm("UHANA", "hello")
    await slack_api.wait_for("chat.postMessage", 2)
    await slack_api.settled()
    assert len(_texts(slack_api, "DUVICTOR")) == 1 and len(_texts(slack_api, "DUHANA")) == 1
    assert await _count(bot, Person) == 2
    assert len(socket_mode.connections) == 2


async def test_two_replicas_each_hold_a_connection_and_slack_spreads_envelopes_without_double_effects(
    bot: MentorBot, slack_api: FakeSlackApi, socket_mode: FakeSocketMode
) -> None:
    other = MentorBot(bot.db, bot.clock)  # a second replica on the same database
    config = socket_config(slack_api)
    async with serving(bot, slack_api, config), serving(other, slack_api, config):
        first, second = await socket_mode.wait_connections(2)
        driver = SocketDriver(socket_mode, slack_api, ACME)
        await driver.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
        await slack_api.wait_for("response_url")
        slack_api.delays["users.info"] = 0.5
        for user in ("UVICTOR", "ULEA"):
            await driver.dm(user, "/mentoring join", event_id=f"Ev{user}")
        assert first.received and second.received, "Slack spread the envelopes over both connections"
        # Slack sends each DM again, to the other replica, while the first is still at work on it.
        for envelope in driver.envelopes[1:]:
            elsewhere = second if socket_mode.connection_of(envelope) is first else first
            await socket_mode.acked(await socket_mode.retry(envelope, to=elsewhere))
        await slack_api.wait_for("chat.postMessage", 2)
        await slack_api.settled()
    assert len(_texts(slack_api, "DUVICTOR")) == 1 and len(_texts(slack_api, "DULEA")) == 1
    assert await _count(bot, ProcessedEvent) == 2
    assert await _count(bot, Program) == 1


@pytest.mark.parametrize(("frame", "logged", "acknowledged"), [
    ("{not json", "not valid JSON", False),
    ("[1, 2, 3]", "not a JSON object", False),
    (json.dumps({"type": "events_api", "payload": {"type": "event_callback"}}), "without a readable envelope_id",
     False),
    (json.dumps({"type": "events_api", "envelope_id": "env-1", "payload": "a string"}), "without a payload object",
     True),
    (json.dumps({"type": "events_api", "envelope_id": "env-2", "payload": {
        "type": "event_callback", "team_id": "TACME", "event_id": "Ev1",
        "event": {"type": "message", "channel_type": "im", "user": ["UHANA"], "text": 42}}}),
     "event.user is missing or of the wrong type", True),
    (json.dumps({"type": "slash_commands", "envelope_id": "env-3", "retry_attempt": "twice",
                 "payload": {"command": "/mentoring", "text": "help"}}), "retry_attempt is not a number", True),
    (json.dumps({"type": "teleport", "envelope_id": "env-4", "payload": {}}), "unknown type 'teleport'", True),
])
async def test_a_malformed_envelope_is_logged_in_one_line_and_changes_nothing(
    acme_socket: SocketDriver, socket_mode: FakeSocketMode, slack_api: FakeSlackApi, bot: MentorBot,
    caplog: pytest.LogCaptureFixture, frame: str, logged: str, acknowledged: bool,
) -> None:
    with caplog.at_level(logging.WARNING):
        await socket_mode.send_raw(frame)
        await slack_api.settled()
    [line] = [record for record in caplog.records if record.name.startswith("adapters.slack")]
    assert logged in line.getMessage() and line.levelno == logging.WARNING and line.exc_info is None
    assert "Traceback" not in caplog.text
    envelope_id = json.loads(frame).get("envelope_id") if frame.startswith("{\"") else None
    assert (envelope_id in socket_mode.acknowledged) == acknowledged, \
        "acknowledged empty when it has an id, so that Slack does not send it again"
    assert _bot_calls(slack_api) == [] and await _count(bot, Person) == 0
    await acme_socket.dm("UVICTOR", "hello")
    await slack_api.wait_for("chat.postMessage")  # the connection is still in use


async def test_an_envelope_for_another_workspace_is_acknowledged_refused_and_stores_nothing(
    acme_socket: SocketDriver, socket_mode: FakeSocketMode, slack_api: FakeSlackApi, bot: MentorBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    stranger = SocketDriver(socket_mode, slack_api, "TOTHER")
    with caplog.at_level(logging.WARNING):
        command = await stranger.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
        event = await stranger.dm("UVICTOR", "hello")
        await slack_api.settled()
    assert (command.text, event.text) == ("", ""), "acknowledged without an answer, so Slack does not retry"
    assert "refused a request for workspace TOTHER" in caplog.text
    assert _bot_calls(slack_api) == ["auth.test"], "nothing answered, nothing looked up"
    assert await _count(bot, Program) == 0 and await _count(bot, Person) == 0
