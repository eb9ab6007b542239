"""`mentorbot serve` as operators run it, with Slack configured from the environment."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import aiohttp
import pytest

from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_socket import APP_TOKEN, FakeSocketMode
from tests.kit.fakes.slack_workspace import SIGNING_SECRET, SlackDriver, SocketDriver
from tests.kit.serving import MENTORBOT, PLATFORM_SETTINGS, free_port, mentorbot_serve
from tests.kit.slack import ACME, ACME_TOKEN

pytestmark = pytest.mark.slow  # a real `mentorbot serve` process


async def test_serve_with_slack_settings_answers_a_dm_and_stops_cleanly(
    slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    async with mentorbot_serve(tmp_path, SLACK_BOT_TOKEN=ACME_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                               SLACK_API_URL=slack_api.url, LOG_LEVEL="DEBUG") as server:
        reply = await SlackDriver(server.url, slack_api, ACME).dm("UVICTOR", "hello")
        assert reply.status == 200
        [greeting] = await slack_api.wait_for("chat.postMessage")
        assert "Hi Victor Hugo" in greeting.body["text"]
        assert await server.stop() == 0, server.log
    assert "Slack: on" in server.log
    assert ACME_TOKEN not in server.log and SIGNING_SECRET not in server.log, "no secret in the logs, even at DEBUG"


async def test_serve_over_socket_mode_connects_out_answers_a_dm_and_says_it_is_ready(
    slack_api: FakeSlackApi, socket_mode: FakeSocketMode, tmp_path: Path
) -> None:
    async with mentorbot_serve(tmp_path, SLACK_APP_TOKEN=APP_TOKEN, SLACK_BOT_TOKEN=ACME_TOKEN,
                               SLACK_API_URL=slack_api.url, LOG_LEVEL="DEBUG") as server:
        await socket_mode.wait_connections(1, timeout=30)
        await SocketDriver(socket_mode, slack_api, ACME).dm("UVICTOR", "hello")
        [greeting] = await slack_api.wait_for("chat.postMessage", timeout=30)
        assert "Hi Victor Hugo" in greeting.body["text"]
        async with aiohttp.ClientSession() as http, http.get(f"{server.url}/readyz") as ready:
            assert (ready.status, (await ready.json())["slack_socket"]) == (200, "connected")
        assert await server.stop() == 0, server.log
    assert "Slack: on (Socket Mode)" in server.log
    assert not socket_mode.open_connections, "the connection is closed on the way out"
    assert APP_TOKEN not in server.log and ACME_TOKEN not in server.log, "no secret in the logs, even at DEBUG"


async def test_serve_with_an_app_token_slack_refuses_stops_at_once_saying_what_to_do(
    slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    async with FakeSocketMode(slack_api, scopes=("authorizations:read",)):
        environment = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_SETTINGS)}
        environment.update(SLACK_APP_TOKEN=APP_TOKEN, SLACK_BOT_TOKEN=ACME_TOKEN, SLACK_API_URL=slack_api.url)
        process = await asyncio.create_subprocess_exec(*MENTORBOT, "serve", "--port", str(free_port()), cwd=tmp_path,
                                                       env=environment, stderr=asyncio.subprocess.PIPE)
        _, errors = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    assert "lacks the connections:write scope" in errors.decode()
    assert "Traceback" not in errors.decode() and APP_TOKEN not in errors.decode()
    assert len(slack_api.called("apps.connections.open")) == 1, "asked once: no loop"
