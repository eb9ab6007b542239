"""The calendars' push routes of ``mentorbot serve`` over real HTTP: the fake Graph makes a
subscription (the validation handshake against the real route), then notifies; a wrong
``clientState``, an unknown subscription or a malformed body changes nothing. The same for a
Google watch channel and its token."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.clock import FakeClock
from mentorbot.calendar_routes import PUSH_CLOCK
from mentorbot.server import build_app
from storage.db import Database
from storage.models import PersonCalendar
from tests.kit.calendars import connected_world
from tests.kit.fakes.google_calendar import FakeGoogle
from tests.kit.fakes.graph import FakeGraph
from tests.kit.world import World


@pytest.fixture
async def served(db: Database, clock: FakeClock) -> AsyncIterator[str]:
    app = build_app(db)
    app[PUSH_CLOCK] = clock
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def calendar_row(world: World) -> PersonCalendar:
    async with world.db.transaction() as session:
        [row] = (await session.scalars(select(PersonCalendar).where(PersonCalendar.subscription_id.is_not(None)))).all()
        return row


async def test_a_notification_with_the_right_client_state_gets_the_calendar_read_and_others_change_nothing(
        world: World, clock: FakeClock, tmp_path: Path, served: str, caplog: pytest.LogCaptureFixture) -> None:
    async with connected_world(world, clock, tmp_path) as c:
        c.calendars.push_base = served
        await c.chats.run("""
            Ada> /mentoring calendar connect microsoft tenant=contoso-tenant
            Victor> /mentoring schedule 2026-11-26 10:00
        """)
        first, second = await c.sync(), await c.sync()
        row = await calendar_row(world)
        graph = c.fake
        assert isinstance(graph, FakeGraph)
        [(url, status, _)] = graph.validations
        assert (first.subscribed, second.subscribed) == (1, 0) and status == 200 and url == f"{served}/calendars/microsoft/notifications"
        assert row.next_sync_at is not None and row.next_sync_at > clock.now()
        subscription = row.subscription_id or ""
        with caplog.at_level(logging.INFO):
            wrong = await graph.notify(subscription, client_state="not-the-secret")
            after_wrong = await calendar_row(world)
            right = await graph.notify(subscription)
        after_right = await calendar_row(world)
        async with aiohttp.ClientSession() as http:
            unknown = await http.post(f"{served}/calendars/microsoft/notifications",
                                      json={"value": [{"subscriptionId": "sub-nobody", "clientState": "x"}]})
            malformed = await http.post(f"{served}/calendars/microsoft/notifications", data=b"{not json")
            google = await http.post(f"{served}/calendars/google/notifications",
                                     headers={"X-Goog-Channel-ID": "chan", "X-Goog-Channel-Token": "t"})
    assert (wrong, right, unknown.status, malformed.status, google.status) == (202, 202, 202, 400, 200)
    assert after_wrong.next_sync_at == row.next_sync_at
    assert after_right.next_sync_at == clock.now()
    assert "wrong clientState" in caplog.text and (row.client_state or "secret") not in caplog.text


async def test_a_google_channel_with_the_right_token_gets_the_calendar_read_and_a_wrong_one_changes_nothing(
        world: World, clock: FakeClock, tmp_path: Path, served: str, caplog: pytest.LogCaptureFixture) -> None:
    async with connected_world(world, clock, tmp_path, provider="google") as c:
        c.calendars.push_base = served
        await c.chats.run(f"""
            Ada> {c.connect}
            Victor> /mentoring schedule 2026-11-26 10:00
        """)
        first, second = await c.sync(), await c.sync()
        row = await calendar_row(world)
        google = c.fake
        assert isinstance(google, FakeGoogle)
        [channel] = google.channels.values()
        assert (first.subscribed, second.subscribed) == (1, 0)
        assert channel["address"] == f"{served}/calendars/google/notifications" and channel["token"] == row.client_state
        with caplog.at_level(logging.INFO):
            hello = await google.notify(channel["id"], state="sync")
            wrong = await google.notify(channel["id"], token="not-the-secret")
            after_wrong = await calendar_row(world)
            right = await google.notify(channel["id"])
        after_right = await calendar_row(world)
    assert (hello, wrong, right) == (200, 200, 200)
    assert after_wrong.next_sync_at == row.next_sync_at and after_right.next_sync_at == clock.now()
    assert "wrong token" in caplog.text and (row.client_state or "secret") not in caplog.text
