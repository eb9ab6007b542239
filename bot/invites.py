"""Calendar files (.ics) for mentoring sessions, so that people keep them in their own calendar.

Every row of one calendar event shares ``calendar_uid``: a reschedule adds a row with a higher
``calendar_sequence`` pointing back at the row it replaces, so the file for any of their
invite tokens shows the event as it stands now and a calendar app updates it in place. A
recurring session is one occurrence of a series: its file is the whole series (a start and an
RRULE by the pair's cadence), with canceled occurrences as EXDATEs and moved ones as
RECURRENCE-ID overrides. Times are written in the zone the session was scheduled in, with its
VTIMEZONE, so 15:00 stays 15:00 across a daylight-saving change.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event
from sqlalchemy import select

from bot.i18n import N_, _, use_locale
from bot.i18n import formats
from bot.languages import program_locale
from bot.messages import Attachment
from storage.db import Database
from storage.enums import Cadence, PairStatus, SessionMode, SessionStatus
from storage.models import Circle, MentoringSession, Pair, Person, ResearchAssignment
from storage.repository import Repository
from storage.research import mentor_ids

MEDIA_TYPE = "text/calendar"
PRODID = "-//mentorbot//EN"
UID_DOMAIN = "mentorbot"
REMOTE = N_("Remote (video call)")
IN_PERSON = N_("In person (place to be agreed)")
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")
RULES: dict[str, dict[str, Any]] = {
    Cadence.WEEKLY: {"FREQ": "WEEKLY"},
    Cadence.BIWEEKLY: {"FREQ": "WEEKLY", "INTERVAL": 2},
    Cadence.MONTHLY: {"FREQ": "MONTHLY"},
}
GROUND_RULES = (
    N_("Ground rules: mutual respect, openness, no ego. Confidentiality: what is said in the "
    "session stays there.\n"
    "To move or cancel it, ask mentorbot rather than editing this event, so that everyone is told.")
)
LUNCH_NOTE = N_("To move or cancel it, ask mentorbot rather than editing this event, so that everyone is told.")
TIMEZONES_UNTIL = date(2038, 1, 1)


def new_invite_token() -> str:
    """A fresh unguessable invite token (32 URL-safe characters) for a new session row."""
    return secrets.token_urlsafe(24)


def new_calendar_uid() -> str:
    """A fresh calendar identity for a new event or series (kept across its reschedules)."""
    return uuid.uuid4().hex


def invite_link(token: str) -> str:
    """The path under the bot's HTTP server where a session's calendar file is served."""
    return f"/calendar/{token}.ics"


@dataclass(frozen=True)
class _About:
    """What the event says, the same for every row of it."""

    summary: str
    description: str
    cadence: str | None
    until: datetime | None
    stamp: datetime


async def session_invite(repo: Repository, session: MentoringSession) -> Attachment:
    """The calendar file for ``session``: the event as it stands now, or its whole series. It is
    one event in everyone's calendar, so it is written in the program's language."""
    with use_locale(program_locale(await repo.program(session.program_id))):
        return await _session_invite(repo, session)


async def _session_invite(repo: Repository, session: MentoringSession) -> Attachment:
    rows = await _event_rows(repo, session)
    about = await _about(repo, session, rows)
    successors = _successors(rows)
    occurrences = [row for row in rows if row.recurring]
    if occurrences and about.cadence in RULES:
        calendar = _series(rows, occurrences, successors, about)
    else:
        # Without a known cadence a series cannot be written: the session alone, then.
        newest = _leaf(successors, session) if occurrences else max(rows, key=lambda r: (r.calendar_sequence, r.id))
        calendar = _single(newest, rows, about)
    shown = _leaf(successors, session)
    return Attachment(
        filename=f"mentoring-{_local(shown).date().isoformat()}.ics",
        media_type=MEDIA_TYPE,
        data=calendar.to_ical(),
        link=invite_link(session.invite_token) if session.invite_token else "",
    )


async def attachment_by_token(db: Database, token: str) -> Attachment | None:
    """The calendar file behind an invite link, or None for a malformed or unknown token."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    async with db.transaction() as session:
        # The one lookup across tenants: the unguessable token is what grants access, and the
        # row found then fixes the tenant for every other query.
        found = await session.scalar(select(MentoringSession).where(MentoringSession.invite_token == token))
        if found is None:
            return None
        return await session_invite(Repository(session, found.tenant_id), found)


async def invite_by_token(db: Database, token: str) -> bytes | None:
    """The .ics bytes behind an invite link, or None for a malformed or unknown token."""
    attachment = await attachment_by_token(db, token)
    return attachment.data if attachment is not None else None


# --- what the event is about -------------------------------------------------------------


async def _event_rows(repo: Repository, session: MentoringSession) -> Sequence[MentoringSession]:
    """Every row of the session's calendar event (or series), oldest first."""
    if not session.calendar_uid:
        return [session]
    rows = await repo.all(
        repo.scoped(MentoringSession)
        .where(MentoringSession.calendar_uid == session.calendar_uid)
        .order_by(MentoringSession.id)
    )
    return rows or [session]


async def _about(repo: Repository, session: MentoringSession, rows: Sequence[MentoringSession]) -> _About:
    program = await repo.program(session.program_id)
    program_name = program.name if program is not None else _("Reverse mentoring")
    cadence = program.cadence if program is not None else None
    summary, until = _("Reverse mentoring: {program_name}", program_name=program_name), None
    if session.pair_id is not None:
        pair = await repo.one_or_none(repo.scoped(Pair).where(Pair.id == session.pair_id))
        if pair is not None:
            summary = _("Reverse mentoring: {value} & {value2}", value=await _name(repo, pair.mentor_id), value2=await _name(repo, pair.mentee_id))
            cadence = pair.cadence or cadence
            if pair.status == PairStatus.ENDED and pair.ended_at is not None:
                until = pair.ended_at
    elif session.circle_id is not None:
        circle = await repo.one_or_none(repo.scoped(Circle).where(Circle.id == session.circle_id))
        if circle is not None:
            summary = _("Reverse mentoring circle: {circle}", circle=circle.title)
            cadence = circle.cadence or cadence
    elif session.assignment_id is not None:
        assignment = await repo.one_or_none(
            repo.scoped(ResearchAssignment).where(ResearchAssignment.id == session.assignment_id))
        if assignment is not None:
            description = await _lunch_description(repo, assignment, program_name)
            return _About(_("Lunch-and-learn: {topic}", topic=assignment.topic), description, None, None, _stamp(rows))
    description = _("Program: {program_name}\n{ground_rules}", program_name=program_name, ground_rules=_(GROUND_RULES))
    return _About(summary, description, cadence, until, _stamp(rows))


async def _lunch_description(repo: Repository, assignment: ResearchAssignment, program_name: str) -> str:
    """Who presents the lunch-and-learn and the write-up's links."""
    names = [await _name(repo, person_id) for person_id in await mentor_ids(repo, assignment.id)]
    lines = [_("Program: {program_name}", program_name=program_name), _("Presented by {value}.", value=formats.listed(names) or _("a mentor"))]
    if assignment.links:
        lines += [_("Links:"), *(f"- {link}" for link in assignment.links)]
    lines.append(_(LUNCH_NOTE))
    return "\n".join(lines)


async def _name(repo: Repository, person_id: int) -> str:
    person: Person | None = await repo.person(person_id)
    return person.display_name if person is not None else "someone"


# --- the calendar ------------------------------------------------------------------------


def _single(row: MentoringSession, rows: Sequence[MentoringSession], about: _About) -> Calendar:
    """One event at the newest row's time, or its cancellation."""
    canceled = row.status == SessionStatus.CANCELED
    event = _event(row, about, _revision(rows), canceled)
    return _calendar([event], rows, "CANCEL" if canceled else "PUBLISH")


def _series(
    rows: Sequence[MentoringSession],
    occurrences: Sequence[MentoringSession],
    successors: dict[int, MentoringSession],
    about: _About,
) -> Calendar:
    """The series from its first occurrence, by the cadence, with its exceptions."""
    first = min(occurrences, key=lambda r: r.starts_at)
    zone = _zone(first)
    master = _event(first, about, _revision(rows), canceled=False)
    rule = dict(RULES[about.cadence or ""])
    if about.until is not None:
        rule["UNTIL"] = about.until.astimezone(UTC)
    master.add("rrule", rule)
    events, skipped = [master], []
    for occurrence in sorted(occurrences, key=lambda r: r.starts_at):
        leaf = _leaf(successors, occurrence)
        original = occurrence.starts_at.astimezone(zone)
        if leaf.status == SessionStatus.CANCELED:
            skipped.append(original)
        elif leaf is not occurrence:
            moved = _event(leaf, about, leaf.calendar_sequence, canceled=False)
            moved.add("recurrence-id", original)
            events.append(moved)
    if skipped:
        master.add("exdate", skipped)
    return _calendar(events, rows, "PUBLISH")


def _event(row: MentoringSession, about: _About, sequence: int, canceled: bool) -> Event:
    start = _local(row)
    event = Event()
    event.add("uid", f"{row.calendar_uid or _fallback_uid(row)}@{UID_DOMAIN}")
    event.add("sequence", sequence)
    event.add("dtstamp", about.stamp)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=row.duration_minutes))
    event.add("summary", about.summary)
    event.add("location", _location(row))
    event.add("description", about.description)
    event.add("status", "CANCELLED" if canceled else "CONFIRMED")
    return event


def _calendar(events: Sequence[Event], rows: Sequence[MentoringSession], method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    for event in events:
        calendar.add_component(event)
    earliest = min(row.starts_at for row in rows).date() - timedelta(days=7)
    latest = max(row.starts_at for row in rows).date() + timedelta(days=400)
    calendar.add_missing_timezones(earliest, max(latest, TIMEZONES_UNTIL))
    return calendar


def _revision(rows: Sequence[MentoringSession]) -> int:
    # A cancellation changes the event without a reschedule: counting canceled rows on top of
    # the highest sequence makes every change arrive with a higher SEQUENCE, which calendar
    # apps need before they accept an update.
    canceled = sum(1 for row in rows if row.status == SessionStatus.CANCELED)
    return max(row.calendar_sequence for row in rows) + canceled


def _stamp(rows: Sequence[MentoringSession]) -> datetime:
    """The last change among ``rows``: the same file twice is the same bytes."""
    return max(t for row in rows for t in (row.created_at, row.outcome_at) if t is not None).astimezone(UTC)


def _successors(rows: Sequence[MentoringSession]) -> dict[int, MentoringSession]:
    """Each rescheduled row's id -> the row that replaced it."""
    return {r.rescheduled_from_id: r for r in rows if r.rescheduled_from_id is not None}


def _leaf(replaced_by: dict[int, MentoringSession], row: MentoringSession) -> MentoringSession:
    """The row that replaced ``row`` last (``row`` itself if it was never rescheduled)."""
    seen = {row.id}
    while row.id in replaced_by and replaced_by[row.id].id not in seen:
        row = replaced_by[row.id]
        seen.add(row.id)
    return row


def _zone(row: MentoringSession) -> ZoneInfo:
    try:
        return ZoneInfo(row.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local(row: MentoringSession) -> datetime:
    return row.starts_at.astimezone(_zone(row))


def _location(row: MentoringSession) -> str:
    if row.place:
        return row.place
    return _(IN_PERSON) if row.mode == SessionMode.IN_PERSON else _(REMOTE)


def _fallback_uid(row: MentoringSession) -> str:
    """A stable UID for a row created before sessions had a calendar identity."""
    return f"session-{row.tenant_id}-{row.id}"
