"""`mentorbot serve` as operators run it, with Teams configured from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
import aiohttp

from tests.kit.fakes.teams_client import TeamsDriver
from tests.kit.fakes.teams_connector import FakeConnector
from tests.kit.serving import mentorbot_serve
from tests.kit.teams import CONTOSO, HANA

APP_ID = "0f8b6c2e-3d4a-4b5c-9e7f-1a2b3c4d5e6f"
PASSWORD = "Xy7~not-a-real-client-secret"

pytestmark = pytest.mark.slow  # a real `mentorbot serve` process


async def test_development_mode_serves_the_emulator_and_says_so_in_the_log(
    connector: FakeConnector, tmp_path: Path
) -> None:
    async with mentorbot_serve(tmp_path, TEAMS_ALLOW_UNAUTHENTICATED="1") as server:
        driver = TeamsDriver(server.url, connector, CONTOSO, settle=lambda: connector.wait_for(1))
        replies = await driver.install(HANA)
        assert replies[0].text.startswith("Hi Hana Kim")
        assert await server.stop() == 0, server.log
    assert "Teams: on" in server.log
    assert "UNAUTHENTICATED development mode" in server.log


async def test_with_a_bot_registration_a_request_without_a_token_gets_401(
    connector: FakeConnector, tmp_path: Path
) -> None:
    async with mentorbot_serve(tmp_path, MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD=PASSWORD,
                               LOG_LEVEL="DEBUG") as server:
        driver = TeamsDriver(server.url, connector, CONTOSO, settle=lambda: connector.wait_for(0))
        reply = await driver.post(driver.activity("message_personal", HANA))
        assert reply.status == 401
        assert await server.stop() == 0
    assert "UNAUTHENTICATED" not in server.log and PASSWORD not in server.log
    assert connector.posts == []


async def test_without_teams_settings_there_is_no_teams_endpoint(tmp_path: Path) -> None:
    async with mentorbot_serve(tmp_path) as server, aiohttp.ClientSession() as session, \
            session.post(f"{server.url}/api/messages", json={"type": "message"}) as response:
        assert response.status == 404
