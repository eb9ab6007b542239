"""`mentorbot serve` as operators run it, with Slack configured from the environment."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import aiohttp

from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_workspace import SIGNING_SECRET, SlackDriver

from .conftest import ACME, ACME_TOKEN

MENTORBOT = [sys.executable, "-m", "mentorbot.cli"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _healthy(url: str, server: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(150):
            try:
                async with session.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            assert server.returncode is None, "the server stopped"
            await asyncio.sleep(0.2)
    raise AssertionError("mentorbot serve did not come up")


async def test_serve_with_slack_settings_answers_a_dm_and_stops_cleanly(
    slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    environment.update(SLACK_BOT_TOKEN=ACME_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=slack_api.url,
                       LOG_LEVEL="DEBUG")
    server = await asyncio.create_subprocess_exec(
        *MENTORBOT, "serve", "--port", str(port), cwd=tmp_path, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}"
        await _healthy(url, server)
        reply = await SlackDriver(url, slack_api, ACME).dm("UVICTOR", "hello")
        assert reply.status == 200
        [greeting] = await slack_api.wait_for("chat.postMessage")
        assert "Hi Victor Hugo" in greeting.body["text"]
        server.terminate()
        _, errors = await asyncio.wait_for(server.communicate(), 15)
        assert server.returncode == 0, errors.decode()
        log = errors.decode()
        assert "Slack: on" in log
        assert ACME_TOKEN not in log and SIGNING_SECRET not in log, "no secret in the logs, even at DEBUG"
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
