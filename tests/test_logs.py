"""What `mentorbot serve` writes to its log: never a token, one line for a malformed request."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import aiohttp

from mentorbot.logs import OneLineForBadRequests, Redact, redact
from tests.kit.slack import ACME
from tests.adapters.slack.test_workspaces import CLIENT_ID, CLIENT_SECRET, install
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_workspace import SIGNING_SECRET, SlackDriver
from tests.kit.serving import mentorbot_serve

INSTALLED_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"


async def _raw(url: str, request: bytes) -> bytes:
    """Send ``request`` as it is on a new connection; what came back first."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(request)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(200), 5)
    writer.close()
    return answer


async def test_the_bot_token_of_an_install_is_not_logged_even_at_debug(tmp_path: Path) -> None:
    async with FakeSlackApi() as api:
        api.add_workspace(ACME, INSTALLED_TOKEN, "Acme")
        async with mentorbot_serve(tmp_path, SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET,
                                   SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=api.url,
                                   LOG_LEVEL="DEBUG") as server:
            assert (await install(server.url, INSTALLED_TOKEN)).startswith("200")
            assert api.called("oauth.v2.access"), "the install went through Slack's token exchange"
            await server.stop()
    assert "oauth.v2.access" in server.log, "slack_sdk logged the exchange at DEBUG"
    assert INSTALLED_TOKEN not in server.log
    assert INSTALLED_TOKEN.split("-", 1)[1] not in server.log, "not even the token without its prefix"
    assert CLIENT_SECRET not in server.log and SIGNING_SECRET not in server.log


async def test_calendar_and_report_tokens_are_not_logged_however_many_slashes(tmp_path: Path) -> None:
    secret = "Zx9SECRETcalendarTOKEN0123456789"
    async with mentorbot_serve(tmp_path) as server:
        async with aiohttp.ClientSession() as client:
            for path in (f"//calendar//{secret}.ics", f"/calendar/{secret}.ics", f"///report///{secret}/charts/a.png",
                         f"/CALENDAR/{secret}.ics"):
                async with client.get(f"{server.url}{path}") as response:
                    assert response.status == 404
        await server.stop()
    assert "calendar" in server.log.lower(), "the access log has the requests"
    assert secret not in server.log


async def test_a_malformed_http_request_is_one_warning_line_without_traceback(tmp_path: Path) -> None:
    garbage = [b"GARBAGE\x01 / HTTP/1.1\r\n\r\n", b"GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
               b"POST /slack/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"]
    async with mentorbot_serve(tmp_path) as server:
        for request in garbage * 5:
            assert (await _raw(server.url, request)).startswith(b"HTTP/1.")
        await server.stop()
    assert "Traceback" not in server.log and " ERROR " not in server.log
    warnings = [line for line in server.log.splitlines() if "refused a malformed HTTP request" in line]
    assert len(warnings) >= 10 and all(" WARNING " in line for line in warnings)


def test_redaction_covers_every_kind_of_slack_token() -> None:
    for token in ("xoxb-1-2-abc", "xoxp-1-2-3-abc", "xapp-1-A1-2-abc", "xoxe.xoxp-1-abc", "xoxe-1-abc"):
        assert token not in redact(f"token={token} and more"), token
    assert redact("GET /healthz") == "GET /healthz"


def test_a_record_with_arguments_is_redacted_whole() -> None:
    record = logging.LogRecord("slack_sdk", logging.DEBUG, __file__, 1, "body: %s", ({"access_token": "xoxb-9-9"},),
                               None)
    assert Redact().filter(record)
    assert "xoxb-9-9" not in record.getMessage() and "access_token" in record.getMessage()


def test_other_errors_of_aiohttp_keep_their_traceback() -> None:
    try:
        raise RuntimeError("a real bug")
    except RuntimeError as error:
        record = logging.LogRecord("aiohttp.server", logging.ERROR, __file__, 1, "Error handling request", (),
                                   (type(error), error, error.__traceback__))
    OneLineForBadRequests().filter(record)
    assert record.levelno == logging.ERROR and record.exc_info is not None


async def test_json_logs_carry_the_turn_and_never_a_name_or_what_was_typed(tmp_path: Path) -> None:
    """Rule (LOG_FORMAT=json): one JSON object a line; every line of a turn names its platform,
    tenant, event id and the request id of the HTTP request it came from; at INFO and above no
    line holds a person's name or what they typed."""
    async with FakeSlackApi() as api:
        api.add_workspace("TACME", "xoxb-acme", "Acme")
        api.add_user("xoxb-acme", "UZOE", "Zoë Secretname")
        async with mentorbot_serve(tmp_path, SLACK_BOT_TOKEN="xoxb-acme", SLACK_SIGNING_SECRET=SIGNING_SECRET,
                                   SLACK_API_URL=api.url, LOG_FORMAT="json", LOG_LEVEL="INFO") as server:
            slack = SlackDriver(server.url, api, "TACME")
            await slack.dm("UZOE", "my confidential words", event_id="EvZ1")
            await slack.dm("UZOE", "/mentoring frobnicate confidential", event_id="EvZ2")
            await slack.dm("UZOE", "/mentoring pause until=confidential", event_id="EvZ3")
            await slack.dm("UZOE", "/mentoring rematch Secretname", event_id="EvZ4")
            await api.wait_for("chat.postMessage", count=4)
            await server.stop()
    lines = [json.loads(line) for line in server.log.splitlines() if line.strip()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    turns = [line for line in lines if line["platform"] == "slack"]
    assert {line["event_id"] for line in turns} >= {"EvZ2", "EvZ4"}, server.log
    requests = {line["request_id"] for line in lines if line["logger"] == "aiohttp.access"}
    assert all(line["tenant"] == "TACME" and line["request_id"] in requests for line in turns)
    for secret in ("Secretname", "Zoë", "confidential", "frobnicate"):
        assert secret not in server.log, secret
