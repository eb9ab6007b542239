"""`mentorbot serve` as operators run it, with Slack configured from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_workspace import SIGNING_SECRET, SlackDriver
from tests.kit.serving import mentorbot_serve
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
