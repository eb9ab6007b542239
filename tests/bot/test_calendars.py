"""Sessions on the real calendars, as transcripts against the fake Microsoft Graph and the fake
Google Calendar, on both databases: connect, suggest, pick, create once under retry, an assistant
moving the event, deleting it (flagged after two), a decline, a clash the day before, consent
revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bot.clock import FakeClock
from bot.registry import render_nudge, run_tick
from sqlalchemy import select

from storage.enums import FlagKind, NudgeKind
from storage.models import Flag, Nudge, Person
from storage.repository import Repository
from tests.kit.calendars import PROVIDERS, Connected, connected_world, email
from tests.kit.world import World

MONDAY_NY_BUSY = (datetime(2026, 11, 23, 14, 0, tzinfo=UTC), datetime(2026, 11, 23, 17, 0, tzinfo=UTC))


@pytest.fixture(params=PROVIDERS)
def provider(request: pytest.FixtureRequest) -> str:
    """Each transcript runs against Microsoft 365 and against Google Workspace."""
    return str(request.param)


async def rendered(c: Connected, nudge: Nudge) -> str:
    async with c.world.db.transaction() as session:
        message = await render_nudge(Repository(session, nudge.tenant_id), nudge, c.clock.now())
    assert message is not None
    return message.text + " " + " ".join(f"[{b.label}]" for b in message.buttons)


async def connect_and_schedule(c: Connected) -> None:
    c.fake.add_busy(email("Victor"), *MONDAY_NY_BUSY)
    await c.chats.run(f"""
        Ada> {c.connect}
        bot: Connected to {c.label} ({c.directory}).
        Victor> /mentoring schedule
        bot: The earliest times when you are both at work and free in your calendars
        bot: [1] Tue 24 Nov 09:00
        bot never: Mon 23 Nov
        Victor> 1
        bot: Scheduled your session with Zoe: Tue 24 Nov 2026, 09:00 (America/New_York), remote.
        bot: It is on your calendar and Zoe's (no invite file needed)
        bot never: Calendar invite saved
    """)


async def test_a_picked_slot_becomes_one_event_on_the_executive_s_calendar_even_when_retried(
        world: World, clock: FakeClock, tmp_path: Path, provider: str) -> None:
    async with connected_world(world, clock, tmp_path, provider=provider) as c:
        await connect_and_schedule(c)
        report = await c.sync()
        [row] = await c.sessions()
        await c.lose_the_answer(row.id)
        await c.sync()
        [event] = c.bot_events("Victor")
        [raw] = c.fake.bot_events(email("Victor"))
        [again] = await c.sessions()
    assert report.pushed == {"created": 1}
    assert event.attendees == [email("Zoe")] and event.online
    assert (event.local_start, event.zone) == ("2026-11-24T09:00:00", "America/New_York")
    assert "Agenda" in event.body and event.subject == "Reverse mentoring: Zoe & Victor"
    assert again.calendar_event_id == raw["id"] and again.calendar_push is None
    assert len(c.fake.called("POST", "/events")) == 2  # the retry asked again, and got the same event


async def test_an_assistant_moving_the_event_moves_the_session_and_tells_the_partner(
        world: World, clock: FakeClock, tmp_path: Path, provider: str) -> None:
    async with connected_world(world, clock, tmp_path, provider=provider) as c:
        await connect_and_schedule(c)
        await c.sync()
        [row] = await c.sessions()
        wednesday = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
        c.fake.move(email("Victor"), row.calendar_event_id or "", wednesday, minutes=60)
        report = await c.sync()
        again = await c.sync()
        old, new = await c.sessions()
        [news] = [n for n in await c.nudges(NudgeKind.SESSION_NEWS) if n.session_id == new.id]
        told = await rendered(c, news)
        async with c.world.db.transaction() as session:
            message = await render_nudge(Repository(session, news.tenant_id), news, c.clock.now())
        updates = c.fake.called("PATCH", "/events/")
    assert (report.moved, again.moved) == (1, 0)
    assert (old.status, new.status, new.starts_at, new.duration_minutes) == ("rescheduled", "scheduled", wednesday, 60)
    assert new.calendar_event_id == old.calendar_event_id and new.calendar_push is None and updates == []
    assert world.name_of(news.person_id) == "Zoe" and "Victor moved your session: Wed 25 Nov 2026, 16:00" in told
    assert "It is on your calendar." in told and message is not None and message.attachments == ()


async def test_deleted_in_the_calendar_counts_as_canceled_by_the_organiser_and_twice_raises_the_flag(
        world: World, clock: FakeClock, tmp_path: Path, provider: str) -> None:
    async with connected_world(world, clock, tmp_path, provider=provider) as c:
        await connect_and_schedule(c)
        for _ in range(2):
            await c.sync()
            row = (await c.sessions())[-1]
            c.fake.delete(email("Victor"), row.calendar_event_id or "")
            report = await c.sync()
            assert report.canceled == 1
            await c.chats.run("""
                Victor> /mentoring schedule 2026-11-26 10:00
                bot: Scheduled your session with Zoe
            """)
        first, second, _third = await c.sessions()
        await run_tick(world.db, clock)
        async with world.db.transaction() as session:
            flags = list(await session.scalars(select(Flag)))
        news = [await rendered(c, n) for n in await c.nudges(NudgeKind.SESSION_NEWS)
                if n.payload.get("event") == "canceled"]
    assert (first.status, first.canceled_by_id) == ("canceled", world.people["Victor"])
    assert second.status == "canceled"
    assert [f.kind for f in flags] == [FlagKind.CANCELED_TWICE]
    assert len(news) == 2 and "Victor canceled your session" in news[0]


async def test_a_decline_asks_that_person_to_skip_or_find_another_time_once(
        world: World, clock: FakeClock, tmp_path: Path, provider: str) -> None:
    async with connected_world(world, clock, tmp_path, provider=provider) as c:
        await connect_and_schedule(c)
        await c.sync()
        [row] = await c.sessions()
        c.fake.respond(email("Victor"), row.calendar_event_id or "", email("Zoe"), "declined")
        first, second = await c.sync(), await c.sync()
        [asked] = await c.nudges(NudgeKind.CALENDAR_DECLINED)
        text = await rendered(c, asked)
        await c.chats.run("""
            Zoe> /mentoring cancel-session
            bot: Canceled your session with Victor
        """)
        await c.sync()
        [event] = c.bot_events("Victor")
    assert (first.declined, second.declined) == (1, 0) and world.name_of(asked.person_id) == "Zoe"
    assert "You declined the calendar invitation" in text and "[Find another time] [Skip this one]" in text
    assert event.canceled


async def test_a_clash_the_day_before_asks_the_executive_once_with_three_free_slots(
        world: World, clock: FakeClock, tmp_path: Path, provider: str) -> None:
    async with connected_world(world, clock, tmp_path, provider=provider) as c:
        await connect_and_schedule(c)
        await c.sync()
        [row] = await c.sessions()
        c.fake.add_busy(email("Victor"), row.starts_at - timedelta(minutes=30), row.starts_at + timedelta(minutes=30),
                         "Quarterly results")
        clock.advance(timedelta(hours=12))
        first, second = await c.sync(), await c.sync()
        [asked] = await c.nudges(NudgeKind.CALENDAR_CLASH)
        text = await rendered(c, asked)
    assert (first.clashes, second.clashes) == (1, 0) and world.name_of(asked.person_id) == "Victor"
    assert "Your calendar has something else at the time of your session with Zoe" in text
    assert text.count("[Move to") == 3 and "[Keep the session]" in text


async def test_consent_revoked_shows_in_status_and_falls_back_to_working_hours_without_a_loop(
        world: World, clock: FakeClock, tmp_path: Path, provider: str) -> None:
    async with connected_world(world, clock, tmp_path, provider=provider) as c:
        await connect_and_schedule(c)
        await c.sync()
        c.fake.revoke(c.directory)
        calls = len(c.fake.calls)
        failed = await c.sync()
        quiet = await c.sync()
        await c.chats.run(f"""
            Ada> /mentoring calendar status
            bot: Connected to {c.label}
            bot: Calendars I could not use
            bot: Victor: no access to the calendar
            Victor> /mentoring reschedule
            bot: The earliest times when you are both at work, in your time zone
            Zoe> /mentoring calendar status
            bot: Only program admins
        """)
    assert failed.failed == 1 and quiet.calendars == 0 and len(c.fake.calls) - calls < 10


async def test_canceling_one_session_of_a_series_cancels_only_that_occurrence_on_the_calendar(
        world: World, clock: FakeClock, tmp_path: Path, provider: str) -> None:
    async with connected_world(world, clock, tmp_path, provider=provider) as c:
        await c.chats.run(f"""
            Ada> {c.connect}
            Victor> /mentoring schedule 2026-11-26 10:00 repeat
            bot: Scheduled your session with Zoe
        """)
        await c.sync()
        await c.chats.run("""
            Victor> /mentoring cancel-session
            bot: Only this one is off: your repeating series goes on
        """)
        report = await c.sync()
        later = await c.sync()
        [series] = c.bot_events("Victor")
        canceled = c.fake.canceled_occurrences(email("Victor"))
        [row] = await c.sessions()
    assert report.pushed == {"canceled": 1} and later.canceled == 0
    assert not series.canceled and canceled == [datetime(2026, 11, 26, 15, 0, tzinfo=UTC)]
    assert row.status == "canceled" and row.calendar_push is None


async def test_a_partner_without_a_work_email_still_gets_the_calendar_file(
        world: World, clock: FakeClock, tmp_path: Path, provider: str) -> None:
    async with connected_world(world, clock, tmp_path, provider=provider) as c:
        async with world.db.transaction() as session:
            zoe = await session.get(Person, world.people["Zoe"])
            assert zoe is not None
            zoe.email = None
        await c.chats.run(f"""
            Ada> {c.connect}
            Victor> /mentoring schedule 2026-11-26 10:00
            bot: Scheduled your session with Zoe
            bot: Calendar invite saved
            bot never: It is on your calendar
        """)
        await c.sync()
        [event] = c.bot_events("Victor")
    assert event.attendees == []
