"""Sessions on the real calendar: one event on the organiser's (the executive's) calendar with the
partner invited, created once, then updated or canceled when the bot moves or cancels the session.

A turn only marks what is to be done (``calendar_push``), so that nobody waits on a calendar and
a calendar that is down delays nothing else; :func:`push_events` (a job of the calendar sync) does
the calls, outside any transaction, and records what came of them. The event's key is chosen by
the bot from the session's calendar identity, so a create retried after a lost answer finds the
same event (Graph ``transactionId``, Google's event id) rather than making a second one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendars.connection import Connected, connected, mailbox_of, note_problem
from bot.calendars.provider import CalendarProvider, CalendarRefused, CalendarUnavailable, Calendars, EventDraft
from bot.clock import Clock
from storage.db import Database
from storage.enums import CalendarPush, ConnectionStatus, SessionMode
from storage.models import CalendarConnection, Goal, MentoringSession, Pair, Person, PersonCalendar, Program
from storage.repository import Repository

log = logging.getLogger(__name__)

RRULES = {"weekly": "FREQ=WEEKLY", "biweekly": "FREQ=WEEKLY;INTERVAL=2", "monthly": "FREQ=MONTHLY"}
CALENDAR_NOTE = ("Moving or canceling this event in your calendar is fine: mentorbot sees it and tells "
                 "your partner. Ground rules: mutual respect, openness, no ego; what is said here stays here.")
CONCURRENCY = 20


def event_key(calendar_uid: str) -> str:
    """The id the bot chooses for the event of a calendar identity (the same across retries)."""
    return f"mb{calendar_uid}"[:80]


async def _is_connected(repo: Repository) -> bool:
    row = await repo.one_or_none(repo.scoped(CalendarConnection))
    return row is not None and row.status == ConnectionStatus.CONNECTED


async def plan_new(repo: Repository, session: MentoringSession, owner_id: int) -> None:
    """A new session goes on ``owner_id``'s calendar (when the organization connected one)."""
    if not await _is_connected(repo):
        return
    session.calendar_owner_id = owner_id
    session.calendar_event_key = event_key(session.calendar_uid)
    session.calendar_push = CalendarPush.CREATE


def plan_move(old: MentoringSession, new: MentoringSession, from_calendar: bool = False) -> None:
    """``new`` replaces ``old``: the same event, changed unless the calendar is where it moved."""
    new.calendar_owner_id, new.calendar_event_key = old.calendar_owner_id, old.calendar_event_key
    new.calendar_event_id = old.calendar_event_id
    if new.calendar_event_key and not from_calendar:
        new.calendar_push = CalendarPush.UPDATE
    old.calendar_push = None


def plan_cancel(session: MentoringSession, from_calendar: bool = False) -> None:
    """A canceled session's event is canceled too (unless the calendar is where it was canceled);
    for an occurrence of a series, only that occurrence: the series goes on."""
    if from_calendar or not session.calendar_event_key:
        session.calendar_push = None
    elif session.calendar_event_id is None and session.calendar_push == CalendarPush.CREATE:
        session.calendar_push = None  # never made it to the calendar
    elif session.recurring:
        session.calendar_push = CalendarPush.CANCEL_OCCURRENCE
    else:
        session.calendar_push = CalendarPush.CANCEL


async def on_both_calendars(repo: Repository, session: MentoringSession) -> bool:
    """Whether a pair's session is on the real calendars of both people (or on its way there):
    its event is made or being made on the organiser's calendar, whose calendar the bot can use,
    and the partner, with a work email, is invited. Then nobody needs a calendar file."""
    if not session.calendar_event_key or session.calendar_owner_id is None or session.pair_id is None:
        return False
    if session.calendar_event_id is None and session.calendar_push != CalendarPush.CREATE:
        return False
    pair = await repo.one_or_none(repo.scoped(Pair).where(Pair.id == session.pair_id))
    if pair is None:
        return False
    calendar = await repo.one_or_none(repo.scoped(PersonCalendar).where(
        PersonCalendar.person_id == session.calendar_owner_id))
    if calendar is not None and calendar.problem is not None:
        return False
    partner = await repo.person(pair.mentor_id if pair.mentee_id == session.calendar_owner_id else pair.mentee_id)
    return partner is not None and bool(partner.email)


@dataclass
class _Work:
    session_id: int
    tenant_id: int
    action: str
    provider: CalendarProvider
    directory: str
    owner: Person
    mailbox: str
    event_id: str | None
    key: str
    draft: EventDraft | None
    starts_at: datetime


@dataclass
class PushReport:
    """What a run of :func:`push_events` did."""

    created: int = 0
    updated: int = 0
    canceled: int = 0
    refused: int = 0
    postponed: int = 0


async def push_events(db: Database, clock: Clock, calendars: Calendars, batch: int = 500) -> PushReport:
    """Create, update or cancel the events the bot's sessions need, ``batch`` at a time."""
    report = PushReport()
    after = 0
    while True:
        async with db.transaction() as session:
            work, after = await _load(session, calendars, batch, after)
        if after == 0:
            return report
        gate = asyncio.Semaphore(CONCURRENCY)
        results = await asyncio.gather(*(_gated(gate, item) for item in work))
        async with db.transaction() as session:
            for item, event_id, problem in results:
                await _record(session, item, event_id, problem, clock.now(), report)


async def _load(session: AsyncSession, calendars: Calendars, batch: int, after: int) -> tuple[list[_Work], int]:
    """The work for the next ``batch`` sessions (by id, after ``after``) and the last id looked
    at (0: none left); a session whose push was postponed waits for the next run."""
    rows = (await session.scalars(select(MentoringSession).where(MentoringSession.calendar_push.is_not(None),
                                                                 MentoringSession.id > after)
                                  .order_by(MentoringSession.id).limit(batch))).all()
    if not rows:
        return [], 0
    goals = await _prefetch(session, rows)
    work = []
    links: dict[int, Connected | None] = {}
    for row in rows:
        repo = Repository(session, row.tenant_id)
        if row.tenant_id not in links:
            links[row.tenant_id] = await connected(repo, calendars)
        link = links[row.tenant_id]
        owner = await repo.person(row.calendar_owner_id) if row.calendar_owner_id else None
        mailbox = mailbox_of(owner, link.provider.name) if owner is not None and link is not None else None
        if link is None or owner is None or mailbox is None:
            row.calendar_push = None  # no calendar to write to: the .ics invite is what people have
            continue
        cancels = (CalendarPush.CANCEL, CalendarPush.CANCEL_OCCURRENCE)
        draft = await draft_for(repo, row, link.provider.name, goals.get(row.pair_id or 0, [])) \
            if row.calendar_push not in cancels else None
        work.append(_Work(row.id, row.tenant_id, str(row.calendar_push), link.provider, link.directory, owner,
                          mailbox, row.calendar_event_id, row.calendar_event_key or event_key(row.calendar_uid),
                          draft, row.starts_at))
    return work, rows[-1].id


async def _prefetch(session: AsyncSession, rows: Sequence[MentoringSession]) -> dict[int, list[Goal]]:
    """The rows' pairs, people and programs, loaded at once into the session (later lookups by id
    find them there), and the pairs' open goals."""
    pair_ids = {row.pair_id for row in rows if row.pair_id is not None}
    if not pair_ids:
        return {}
    pairs = (await session.scalars(select(Pair).where(Pair.id.in_(pair_ids)))).all()
    people = {row.calendar_owner_id for row in rows if row.calendar_owner_id is not None}
    people |= {person_id for pair in pairs for person_id in (pair.mentor_id, pair.mentee_id)}
    (await session.scalars(select(Person).where(Person.id.in_(people)))).all()
    (await session.scalars(select(Program).where(Program.id.in_({row.program_id for row in rows})))).all()
    goals: dict[int, list[Goal]] = {}
    for goal in await session.scalars(select(Goal).where(Goal.pair_id.in_(pair_ids), Goal.status == "open")
                                      .order_by(Goal.id)):
        goals.setdefault(goal.pair_id, []).append(goal)
    return goals


async def _gated(gate: asyncio.Semaphore, item: _Work) -> tuple[_Work, str | None, str | None]:
    async with gate:
        return await _perform(item)


async def _perform(item: _Work) -> tuple[_Work, str | None, str | None]:
    """The calls for one session: (its event id, None) done; (None, problem) refused; (None, None) later."""
    try:
        if item.action == CalendarPush.CANCEL:
            if item.event_id:
                await item.provider.cancel_event(item.directory, item.mailbox, item.event_id,
                                                 "Canceled through mentorbot.")
            return item, item.event_id or "", None
        if item.action == CalendarPush.CANCEL_OCCURRENCE:
            if item.event_id:
                await item.provider.cancel_occurrence(item.directory, item.mailbox, item.event_id, item.starts_at,
                                                      "This one is canceled through mentorbot; the series goes on.")
            return item, item.event_id or "", None
        assert item.draft is not None
        event_id = item.event_id
        if event_id is None:
            event_id = await item.provider.create_event(item.directory, item.mailbox, item.draft, item.key)
            if item.action == CalendarPush.CREATE:
                return item, event_id, None
        await item.provider.update_event(item.directory, item.mailbox, event_id, item.draft)
        return item, event_id, None
    except CalendarRefused as refused:
        return item, None, refused.reason
    except CalendarUnavailable as failure:
        log.info("calendar write for session %s postponed: %s", item.session_id, failure)
        return item, None, None


async def _record(session: AsyncSession, item: _Work, event_id: str | None, problem: str | None, now: datetime,
                  report: PushReport) -> None:
    repo = Repository(session, item.tenant_id)
    if event_id is None and problem is None:
        report.postponed += 1
        return
    if problem is not None:
        report.refused += 1
        log.warning("calendar write for session %s refused: %s", item.session_id, problem)
        await session.execute(update(MentoringSession).where(
            MentoringSession.id == item.session_id, MentoringSession.calendar_push == item.action)
            .values(calendar_push=None))
        owner = await repo.person(item.owner.id)
        if owner is not None:
            await note_problem(repo, owner, item.provider.name, problem, now)
        return
    counts = {CalendarPush.CREATE: "created", CalendarPush.UPDATE: "updated", CalendarPush.CANCEL: "canceled",
              CalendarPush.CANCEL_OCCURRENCE: "canceled"}
    setattr(report, counts[CalendarPush(item.action)], getattr(report, counts[CalendarPush(item.action)]) + 1)
    # Rows of the same event written before the create's answer came back learn its id too.
    if event_id:
        await session.execute(update(MentoringSession).where(
            MentoringSession.tenant_id == item.tenant_id, MentoringSession.calendar_event_key == item.key,
            MentoringSession.calendar_event_id.is_(None)).values(calendar_event_id=event_id))
    await session.execute(update(MentoringSession).where(
        MentoringSession.id == item.session_id, MentoringSession.calendar_push == item.action)
        .values(calendar_push=None))


async def draft_for(repo: Repository, row: MentoringSession, provider: str,
                    goals: Sequence[Goal] | None = None) -> EventDraft:
    """The event for a pair's session: both names, the agenda (the pair's open goals, read unless
    given), a video call when remote, the series' rule when it repeats."""
    found = await repo.session.get(Pair, row.pair_id) if row.pair_id else None
    pair = found if found is not None and found.tenant_id == repo.tenant_id else None
    program: Program | None = await repo.program(row.program_id)
    names, attendees = [], []
    cadence = program.cadence if program is not None else None
    if pair is not None:
        cadence = pair.cadence or cadence
        for person_id in (pair.mentor_id, pair.mentee_id):
            person = await repo.person(person_id)
            if person is None:
                continue
            names.append(person.display_name)
            mailbox = mailbox_of(person, provider)
            if person_id != row.calendar_owner_id and person.email:
                attendees.append(person.email)
            elif person_id != row.calendar_owner_id and mailbox:
                attendees.append(mailbox)
    if goals is None:
        goals = await repo.open_goals([pair.id]) if pair is not None else []
    agenda = ["Agenda:", *(f"- {goal.title}" for goal in goals)] if goals else ["Agenda: set it together at the start."]
    body = "\n".join([f"Program: {program.name if program else 'Reverse mentoring'}", *agenda, "", CALENDAR_NOTE])
    return EventDraft(
        subject=f"Reverse mentoring: {' & '.join(names) or 'session'}",
        body=body,
        starts_at=row.starts_at,
        ends_at=row.starts_at + timedelta(minutes=row.duration_minutes),
        zone=row.timezone or "UTC",
        attendees=tuple(attendees),
        online=row.mode == SessionMode.REMOTE,
        location=row.place or ("" if row.mode == SessionMode.REMOTE else "In person (place to be agreed)"),
        recurrence=RRULES.get(cadence or "") if row.recurring else None,
    )

