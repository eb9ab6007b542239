"""Calendar invites (.ics): what a calendar app reads back from the file of a session's link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from bot.invites import (
    TOKEN_SHAPE,
    attachment_by_token,
    invite_by_token,
    new_calendar_uid,
    new_invite_token,
    session_invite,
)
from storage.db import Database
from storage.repository import Repository
from tests.kit.calendar import BRUSSELS, build_mentoring

NEW_YORK = ZoneInfo("America/New_York")


def _events(calendar: Calendar) -> list[Any]:
    """The calendar's events, loosely typed (icalendar types a property as any of its value types)."""
    return list(calendar.events)


def _only_event(calendar: Calendar) -> Any:
    [event] = _events(calendar)
    return event


def _tzid(event: Any, name: str) -> str:
    return str(event[name].params["TZID"])


async def test_a_session_is_one_event_in_its_own_zone_with_the_zone_described(db: Database) -> None:
    mentoring = await build_mentoring(db)
    row = await mentoring.session(datetime(2027, 1, 12, 15, 0, tzinfo=BRUSSELS), "abc123")

    async with db.transaction() as session:
        invite = await session_invite(Repository(session, mentoring.tenant_id), row)
    calendar = Calendar.from_ical(invite.data)
    event = _only_event(calendar)

    assert (invite.filename, invite.media_type, invite.link) == (
        "mentoring-2027-01-12.ics", "text/calendar", f"/calendar/{row.invite_token}.ics")
    assert (str(calendar["PRODID"]), str(calendar["METHOD"]), str(calendar["VERSION"])) == (
        "-//mentorbot//EN", "PUBLISH", "2.0")
    assert _tzid(event, "DTSTART") == "Europe/Brussels" and _tzid(event, "DTEND") == "Europe/Brussels"
    assert event.start == datetime(2027, 1, 12, 15, 0, tzinfo=BRUSSELS)
    assert event.start.astimezone(UTC).hour == 14 and event.end - event.start == timedelta(minutes=45)
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Brussels"]
    assert (str(event["UID"]), event["SEQUENCE"], str(event["STATUS"])) == ("abc123@mentorbot", 0, "CONFIRMED")
    assert str(event["SUMMARY"]) == "Reverse mentoring: Amara Diallo & Victor Hugo"
    assert str(event["LOCATION"]) == "Remote (video call)"
    assert "Digital Leaders 2027" in event["DESCRIPTION"] and "Confidentiality" in event["DESCRIPTION"]
    assert "DTSTAMP" in event and "RRULE" not in event and "ATTENDEE" not in event


async def test_an_in_person_session_is_at_its_place(db: Database) -> None:
    mentoring = await build_mentoring(db)
    row = await mentoring.session(datetime(2027, 1, 12, 15, 0, tzinfo=BRUSSELS), mode="in_person",
                                  place="Brussels office, room 4.12")

    event = _only_event(await mentoring.ics(row))

    assert str(event["LOCATION"]) == "Brussels office, room 4.12"


async def test_a_session_scheduled_in_new_york_stays_in_new_york_time(db: Database) -> None:
    mentoring = await build_mentoring(db)
    row = await mentoring.session(datetime(2027, 7, 6, 9, 30, tzinfo=NEW_YORK), timezone="America/New_York")

    calendar = await mentoring.ics(row)
    event = _only_event(calendar)

    assert _tzid(event, "DTSTART") == "America/New_York"
    assert event.start == datetime(2027, 7, 6, 9, 30, tzinfo=NEW_YORK)
    assert event.start.astimezone(UTC) == datetime(2027, 7, 6, 13, 30, tzinfo=UTC)
    assert [tz.tz_name for tz in calendar.timezones] == ["America/New_York"]


@pytest.mark.parametrize(("cadence", "rule"), [
    ("weekly", {"FREQ": ["WEEKLY"]}),
    ("biweekly", {"FREQ": ["WEEKLY"], "INTERVAL": [2]}),
    ("monthly", {"FREQ": ["MONTHLY"]}),
])
async def test_a_recurring_session_repeats_by_the_pairs_cadence(db: Database, cadence: str, rule: dict) -> None:
    mentoring = await build_mentoring(db, program_cadence="monthly", pair_cadence=cadence)
    row = await mentoring.session(datetime(2027, 1, 12, 15, 0, tzinfo=BRUSSELS), recurring=True)

    event = _only_event(await mentoring.ics(row))

    assert dict(event["RRULE"]) == rule
    assert event.start == datetime(2027, 1, 12, 15, 0, tzinfo=BRUSSELS)


async def test_a_weekly_series_stays_at_15_00_brussels_across_the_daylight_saving_change(db: Database) -> None:
    mentoring = await build_mentoring(db, program_cadence="weekly")  # the pair has no cadence of its own
    uid = new_calendar_uid()
    first = await mentoring.session(datetime(2027, 3, 15, 15, 0, tzinfo=BRUSSELS), uid, recurring=True)
    later = await mentoring.session(datetime(2027, 3, 22, 15, 0, tzinfo=BRUSSELS), uid, recurring=True)

    event = _only_event(await mentoring.ics(later))
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=event.start)
    occurrences = [start.astimezone(UTC) for start in rule[:3]]

    assert event.start == first.starts_at  # the series starts at its earliest occurrence
    assert occurrences == [datetime(2027, 3, 15, 14, 0, tzinfo=UTC), datetime(2027, 3, 22, 14, 0, tzinfo=UTC),
                           datetime(2027, 3, 29, 13, 0, tzinfo=UTC)]
    assert {start.astimezone(BRUSSELS).hour for start in rule[:3]} == {15}


async def test_a_rescheduled_session_is_the_same_event_at_its_new_time_for_either_link(db: Database) -> None:
    mentoring = await build_mentoring(db)
    old = await mentoring.session(datetime(2027, 1, 12, 15, 0, tzinfo=BRUSSELS))
    new = await mentoring.reschedule(old, datetime(2027, 1, 14, 10, 0, tzinfo=BRUSSELS))

    before = await invite_by_token(db, old.invite_token or "")
    after = await invite_by_token(db, new.invite_token or "")
    assert before is not None and before == after
    event = _only_event(Calendar.from_ical(after))

    assert str(event["UID"]) == f"{old.calendar_uid}@mentorbot"
    assert event["SEQUENCE"] == 1
    assert event.start == datetime(2027, 1, 14, 10, 0, tzinfo=BRUSSELS)
    attachment = await attachment_by_token(db, old.invite_token or "")
    assert attachment is not None and attachment.filename == "mentoring-2027-01-14.ics"


async def test_a_canceled_session_cancels_the_event_with_a_higher_sequence(db: Database) -> None:
    mentoring = await build_mentoring(db)
    row = await mentoring.session(datetime(2027, 1, 12, 15, 0, tzinfo=BRUSSELS))
    published = _only_event(await mentoring.ics(row))

    await mentoring.cancel(row)
    calendar = await mentoring.ics(row)
    event = _only_event(calendar)

    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == str(published["UID"]) and event["SEQUENCE"] > published["SEQUENCE"]
    assert event.start == published.start


async def test_a_series_skips_canceled_occurrences_and_moves_rescheduled_ones(db: Database) -> None:
    mentoring = await build_mentoring(db, pair_cadence="weekly")
    uid = new_calendar_uid()
    starts = [datetime(2027, 1, 5 + 7 * n, 15, 0, tzinfo=BRUSSELS) for n in range(4)]
    first, second, third, _fourth = [await mentoring.session(start, uid, recurring=True) for start in starts]
    await mentoring.cancel(second)
    moved = await mentoring.reschedule(third, datetime(2027, 1, 20, 17, 30, tzinfo=BRUSSELS), recurring=False)

    calendar = await mentoring.ics(first)
    master, override = sorted(_events(calendar), key=lambda e: "RECURRENCE-ID" in e)

    assert dict(master["RRULE"]) == {"FREQ": ["WEEKLY"]} and master.start == starts[0]
    assert [d.dt for d in master["EXDATE"].dts] == [starts[1]]
    assert master["EXDATE"].params["TZID"] == "Europe/Brussels"
    assert str(override["UID"]) == str(master["UID"]) == f"{uid}@mentorbot"
    assert override["RECURRENCE-ID"].dt == starts[2]
    assert override.start == datetime(2027, 1, 20, 17, 30, tzinfo=BRUSSELS)
    assert override["SEQUENCE"] == 1 and master["SEQUENCE"] >= 1
    assert (await mentoring.ics(moved)).to_ical() == calendar.to_ical()


async def test_a_token_that_is_unknown_or_malformed_finds_nothing(db: Database) -> None:
    mentoring = await build_mentoring(db)
    row = await mentoring.session(datetime(2027, 1, 12, 15, 0, tzinfo=BRUSSELS))
    assert row.invite_token is not None

    assert await invite_by_token(db, row.invite_token) is not None
    for token in (new_invite_token(), "", "short", "x" * 65, "../../etc/passwd-aaaaaaaaaaaaaaa",
                  row.invite_token + ".ics", row.invite_token[:19], f"{row.invite_token[:-1]}%",
                  "' OR '1'='1' --aaaaaaaaaaaa"):
        assert await invite_by_token(db, token) is None, token


def test_new_tokens_and_uids_are_fresh_and_well_formed() -> None:
    tokens = {new_invite_token() for _ in range(50)}
    assert len(tokens) == 50 and all(TOKEN_SHAPE.fullmatch(token) for token in tokens)
    uid = new_calendar_uid()
    assert len(uid) == 32 and int(uid, 16) >= 0 and uid != new_calendar_uid()
