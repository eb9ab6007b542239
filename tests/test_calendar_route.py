"""``GET /calendar/{token}.ics`` over real HTTP on 127.0.0.1: the invite behind a session's link."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime

import aiohttp
import pytest
from aiohttp import web
from icalendar import Calendar

from bot.invites import new_invite_token
from mentorbot.server import build_app
from storage.db import Database
from tests.kit.calendar import BRUSSELS, build_mentoring


@pytest.fixture
async def served(db: Database) -> AsyncIterator[str]:
    """The server's application on a free port: its base URL."""
    runner = web.AppRunner(build_app(db))
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_an_invite_link_serves_the_calendar_file(db: Database, served: str) -> None:
    mentoring = await build_mentoring(db)
    row = await mentoring.session(datetime(2027, 1, 12, 15, 0, tzinfo=BRUSSELS))

    async with aiohttp.ClientSession() as client, client.get(f"{served}/calendar/{row.invite_token}.ics") as response:
        body = await response.read()
        status, headers = response.status, response.headers

    assert status == 200
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert headers["Content-Disposition"] == 'attachment; filename="mentoring-2027-01-12.ics"'
    assert headers["Cache-Control"] == "no-store"
    [event] = Calendar.from_ical(body).events
    assert event.start == datetime(2027, 1, 12, 15, 0, tzinfo=BRUSSELS)


async def test_unknown_or_malformed_tokens_get_404_and_are_not_logged_in_full(
    db: Database, served: str, caplog: pytest.LogCaptureFixture
) -> None:
    await (await build_mentoring(db)).session(datetime(2027, 1, 12, 15, 0, tzinfo=BRUSSELS))
    unknown = new_invite_token()
    caplog.set_level(logging.INFO, logger="mentorbot.server")

    async with aiohttp.ClientSession() as client:
        for path in (f"/calendar/{unknown}.ics", "/calendar/short.ics", "/calendar/%2e%2e%2fsecret-aaaaaaaaaaaaaaaaa.ics",
                     f"/calendar/{unknown}", f"/calendar/{unknown}.ics.ics"):
            async with client.get(f"{served}{path}") as response:
                assert response.status == 404, path
                assert "BEGIN:VCALENDAR" not in await response.text()

    assert "calendar invite not found" in caplog.text
    assert unknown not in caplog.text and unknown[:8] not in caplog.text
