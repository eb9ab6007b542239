"""The calendar as evidence: the ``calendar_sync`` job reads what changed on the executives'
calendars and acts through the pairs' own session code.

- moved in the calendar: the session is moved (the partner is told, reminders follow the new time);
- deleted or canceled there: a cancellation by the organiser (it counts towards the flags);
- declined by an attendee: that person is asked, with one tap, to skip this one or find another time;
- the day before, a clash on the executive's calendar in the session's slot: one message to them.

It also writes the events sessions need (:func:`bot.calendars.events.push_events`) and keeps the
push subscriptions alive. Each calendar is read outside any transaction; what it changed is
applied in one transaction per batch. A calendar that cannot be read is retried later with
back-off (its person shows in ``calendar status``); nothing waits on it.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cadence.hours import hours_of
from bot.cadence.outbox import add_nudge
from bot.cadence.slots import earliest_slots
from bot.cadence.when_and_where import Venue
from bot.calendars.connection import Connected, connected, mailbox_of
from bot.calendars.events import push_events
from bot.calendars.provider import (
    CalendarError,
    CalendarEvent,
    CalendarRefused,
    Calendars,
    Changes,
    CursorExpired,
    Subscription,
)
from bot.calendars.slots import busy_of
from bot.clock import Clock
from bot.messages import Address, Inbound, InboundKind
from bot.pairs import sessions as ops
from bot.turn import Limits, Turn
from storage.db import Database
from storage.enums import NudgeKind, PairStatus, SessionStatus
from storage.models import CalendarConnection, MentoringSession, Pair, Person, PersonCalendar, Tenant
from storage.repository import Repository

log = logging.getLogger(__name__)

WINDOW_BEFORE = timedelta(days=1)
WINDOW_AFTER = timedelta(days=400)
POLL = timedelta(minutes=15)
POLL_WITH_PUSH = timedelta(hours=6)
REFUSED_PAUSE = timedelta(hours=6)
RETRY = timedelta(minutes=5)
MOVED = timedelta(minutes=1)
RENEW_BEFORE = timedelta(hours=12)
SUBSCRIPTION_LENGTH = timedelta(days=3)
CLASH_AHEAD = (timedelta(hours=12), timedelta(hours=36))
BATCH = 200
CONCURRENCY = 32


@dataclass
class SyncReport:
    """What one run did."""

    calendars: int = 0
    moved: int = 0
    canceled: int = 0
    declined: int = 0
    clashes: int = 0
    failed: int = 0
    subscribed: int = 0
    pushed: dict[str, int] = field(default_factory=dict)


@dataclass
class _Read:
    calendar_id: int
    tenant_id: int
    person_id: int
    changes: Changes | None = None
    problem: str | None = None
    unavailable: bool = False
    full: bool = False


async def sync_calendars(db: Database, clock: Clock, calendars: Calendars) -> SyncReport:
    """The ``calendar_sync`` job: push the events sessions need, read every calendar that is due,
    act on what changed, keep subscriptions alive, warn of tomorrow's clashes."""
    report = SyncReport()
    pushed = await push_events(db, clock, calendars)
    report.pushed = {k: v for k, v in vars(pushed).items() if v}
    await _own_calendars(db)
    done: set[int] = set()
    while True:
        async with db.transaction() as session:
            # A calendar read is due again only later (its next_sync_at moves on): ``done`` is a guard.
            due = [row for row in await _due(session, clock.now()) if row.id not in done]
            links = {tenant_id: await connected(Repository(session, tenant_id), calendars)
                     for tenant_id in {row.tenant_id for row in due}}
        if not due:
            break
        done.update(row.id for row in due)
        gate = asyncio.Semaphore(CONCURRENCY)
        results = await asyncio.gather(*(_gated(gate, row, links.get(row.tenant_id), clock) for row in due))
        async with db.transaction() as session:
            batch = await _Batch.load(session, results)
            for result in results:
                await _apply(session, batch, result, clock, report)
        report.calendars += len(due)
    await _subscriptions(db, clock, calendars, report)
    await _clashes(db, clock, calendars, report)
    if report.calendars or report.failed:
        log.info("calendar sync: %s", report)
    return report


async def _own_calendars(db: Database) -> None:
    """Every organiser of an event the bot created has a calendar row to read."""
    async with db.transaction() as session:
        owners = (await session.execute(
            select(MentoringSession.tenant_id, MentoringSession.calendar_owner_id).distinct()
            .outerjoin(PersonCalendar, PersonCalendar.person_id == MentoringSession.calendar_owner_id)
            .where(MentoringSession.calendar_event_id.is_not(None), MentoringSession.calendar_owner_id.is_not(None),
                   PersonCalendar.id.is_(None)))).all()
        if not owners:
            return
        people = {person.id: person for person in await session.scalars(
            select(Person).where(Person.id.in_({person_id for _, person_id in owners})))}
        connections = {row.tenant_id: row for row in await session.scalars(
            select(CalendarConnection).where(CalendarConnection.tenant_id.in_({tenant for tenant, _ in owners})))}
        for tenant_id, person_id in owners:
            person, connection = people.get(person_id or 0), connections.get(tenant_id)
            mailbox = mailbox_of(person, connection.provider) if person and connection else None
            if person is not None and person.tenant_id == tenant_id and connection is not None and mailbox:
                Repository(session, tenant_id).add(PersonCalendar(person_id=person.id, provider=connection.provider,
                                                                  mailbox=mailbox, failures=0))


async def _due(session: AsyncSession, now: datetime) -> Sequence[PersonCalendar]:
    organises = (select(MentoringSession.id).where(
        MentoringSession.calendar_owner_id == PersonCalendar.person_id, MentoringSession.status == SessionStatus.SCHEDULED,
        MentoringSession.calendar_event_id.is_not(None), MentoringSession.starts_at > now - WINDOW_BEFORE).exists())
    query = (select(PersonCalendar).where(or_(PersonCalendar.next_sync_at.is_(None), PersonCalendar.next_sync_at <= now),
                                          organises)
             .order_by(PersonCalendar.next_sync_at.nulls_first(), PersonCalendar.id))
    return (await session.scalars(query.limit(BATCH))).all()


async def _gated(gate: asyncio.Semaphore, row: PersonCalendar, link: Connected | None, clock: Clock) -> _Read:
    async with gate:
        return await _read(row, link, clock.now())


async def _read(row: PersonCalendar, link: Connected | None, now: datetime) -> _Read:
    """What changed on one calendar since its cursor (everything, if the cursor expired)."""
    result = _Read(row.id, row.tenant_id, row.person_id)
    if link is None:
        result.unavailable = True
        return result
    provider, directory = link.provider, link.directory
    try:
        try:
            result.changes = await provider.changes(directory, row.mailbox, row.cursor, now - WINDOW_BEFORE,
                                                    now + WINDOW_AFTER)
            result.full = row.cursor is None
        except CursorExpired:
            result.changes = await provider.changes(directory, row.mailbox, None, now - WINDOW_BEFORE,
                                                    now + WINDOW_AFTER)
            result.full = True
    except CalendarRefused as refused:
        result.problem = refused.reason
    except CalendarError as failure:
        log.info("calendar of person %s not read: %s", row.person_id, failure)
        result.unavailable = True
    return result


@dataclass
class _Batch:
    """What applying a batch of reads needs, loaded in a few queries rather than a few per calendar:
    the calendar rows, the tenants' connections, and the events the sessions stand for."""

    rows: dict[int, PersonCalendar]
    connections: dict[int, CalendarConnection]
    ours: set[str]

    @classmethod
    async def load(cls, session: AsyncSession, results: Sequence[_Read]) -> _Batch:
        ids = [result.calendar_id for result in results]
        rows = {row.id: row for row in await session.scalars(select(PersonCalendar).where(PersonCalendar.id.in_(ids)))}
        tenants = {row.tenant_id for row in rows.values()}
        connections = {row.tenant_id: row for row in await session.scalars(
            select(CalendarConnection).where(CalendarConnection.tenant_id.in_(tenants)))}
        owners = [row.person_id for row in rows.values()]
        ours = set(await session.scalars(select(MentoringSession.calendar_event_id).where(
            MentoringSession.calendar_owner_id.in_(owners), MentoringSession.calendar_event_id.is_not(None),
            MentoringSession.status == SessionStatus.SCHEDULED)))
        return cls(rows, connections, {event_id for event_id in ours if event_id})

    def concerns(self, event: CalendarEvent) -> bool:
        """Whether the event (or the series it belongs to) is one of the sessions' events."""
        return event.event_id in self.ours or (event.series_id is not None and event.series_id in self.ours)


async def _apply(session: AsyncSession, batch: _Batch, result: _Read, clock: Clock, report: SyncReport) -> None:
    now = clock.now()
    row = batch.rows.get(result.calendar_id)
    if row is None:
        return
    if result.problem is not None:
        row.problem, row.problem_at, row.failures = result.problem[:300], now, row.failures + 1
        row.next_sync_at, row.cursor = now + REFUSED_PAUSE, None
        report.failed += 1
        return
    if result.changes is None:
        row.failures += 1
        row.next_sync_at = now + min(RETRY * 2 ** min(row.failures, 6), timedelta(hours=1))
        report.failed += 1
        return
    repo = Repository(session, row.tenant_id)
    for event in result.changes.events:
        if batch.concerns(event):
            await _act(repo, row, event, clock, report)
    row.cursor, row.synced_at, row.failures, row.problem = result.changes.cursor or None, now, 0, None
    pushed = row.subscription_id is not None and row.subscription_expires_at is not None \
        and row.subscription_expires_at > now
    row.next_sync_at = now + (POLL_WITH_PUSH if pushed else POLL)
    connection = batch.connections.get(row.tenant_id)
    if connection is not None:
        connection.last_sync_at = now


async def _session_of(repo: Repository, event: CalendarEvent) -> MentoringSession | None:
    """The scheduled session an event (or an occurrence of a series) stands for."""
    if event.series_id and event.original_start is not None:
        rows = await repo.all(repo.scoped(MentoringSession).where(
            MentoringSession.calendar_event_id == event.series_id, MentoringSession.status == SessionStatus.SCHEDULED))
        uids = {row.calendar_uid for row in rows}
        if not uids:
            return None
        return await repo.one_or_none(repo.scoped(MentoringSession).where(
            MentoringSession.calendar_uid.in_(uids), MentoringSession.status == SessionStatus.SCHEDULED,
            MentoringSession.starts_at == event.original_start).limit(1))
    rows = await repo.all(repo.scoped(MentoringSession).where(
        MentoringSession.calendar_event_id == event.event_id, MentoringSession.status == SessionStatus.SCHEDULED)
        .order_by(MentoringSession.starts_at))
    if len(rows) > 1 and not event.series_id:
        return None if any(row.recurring for row in rows) else rows[-1]
    return rows[0] if rows else None


async def _act(repo: Repository, row: PersonCalendar, event: CalendarEvent, clock: Clock, report: SyncReport) -> None:
    """What one changed event means for its session."""
    found = await _session_of(repo, event)
    if found is None or found.pair_id is None or found.calendar_push is not None:
        return  # not ours, settled already, or the bot's own change not written yet
    if found.recurring and not event.series_id and event.status != "canceled":
        return  # a change to the whole series: its occurrences keep their rows
    pair = await ops.active_pair(repo_turn := await _turn(repo, row.person_id, clock), found.pair_id)
    if pair is None or found.starts_at <= clock.now():
        return
    if event.status == "canceled":
        await ops.cancel(repo_turn, pair, found, by_id=row.person_id, from_calendar=True)
        report.canceled += 1
        return
    if event.starts_at is not None and abs(event.starts_at - found.starts_at) >= MOVED:
        minutes = int((event.ends_at - event.starts_at).total_seconds() // 60) if event.ends_at else None
        await ops.reschedule(repo_turn, pair, found, event.starts_at, found.timezone, Venue.of(found),
                             minutes=minutes if minutes and 0 < minutes <= 480 else None, from_calendar=True)
        report.moved += 1
        return
    for person_id in (pair.mentor_id, pair.mentee_id):
        person = await repo.person(person_id)
        if person is None or person.id == row.person_id or not person.email:
            continue
        if event.responses.get(person.email.lower()) == "declined":
            hours = await hours_of(repo, person)
            if await add_nudge(repo_turn, person.id, NudgeKind.CALENDAR_DECLINED, f"declined:{found.id}:{person.id}",
                               hours.next_working(clock.now()), pair_id=pair.id, session_id=found.id):
                report.declined += 1


async def _turn(repo: Repository, person_id: int, clock: Clock) -> Turn:
    """A turn as the organiser (what the calendar shows, they did)."""
    tenant = await repo.session.get(Tenant, repo.tenant_id)
    person = await repo.person(person_id)
    assert tenant is not None and person is not None
    address = Address(person.platform, tenant.external_id, person.user_id)
    return Turn(repo, tenant, person, Inbound(address, InboundKind.TEXT), clock, Limits())


async def _subscriptions(db: Database, clock: Clock, calendars: Calendars, report: SyncReport) -> None:
    """Push when the bot is reachable over https: subscribe, renew before expiry, or subscribe again."""
    base = calendars.push_url
    if base is None:
        return
    now = clock.now()
    async with db.transaction() as session:
        rows = (await session.scalars(select(PersonCalendar).where(
            PersonCalendar.problem.is_(None), PersonCalendar.synced_at.is_not(None),
            or_(PersonCalendar.subscription_expires_at.is_(None),
                PersonCalendar.subscription_expires_at < now + RENEW_BEFORE)).limit(BATCH))).all()
        links = {row.tenant_id: await connected(Repository(session, row.tenant_id), calendars) for row in rows}
        work = [(row.id, row.mailbox, row.person_id, row.subscription_id, row.subscription_resource,
                 row.subscription_expires_at, links[row.tenant_id]) for row in rows if links.get(row.tenant_id)]
    outcomes = []
    for calendar_id, mailbox, _person, sub_id, resource, expires, link in work:
        assert link is not None
        secret = secrets.token_urlsafe(24)
        url = f"{base}/calendars/{link.provider.name}/notifications"
        try:
            renewed = None
            if sub_id and expires and expires > now:
                try:
                    renewed = await link.provider.renew(link.directory, Subscription(sub_id, expires, resource or ""),
                                                        now + SUBSCRIPTION_LENGTH)
                    secret = ""
                except CalendarRefused:
                    renewed = None
            if renewed is None:
                renewed = await link.provider.subscribe(link.directory, mailbox, url, secret, now + SUBSCRIPTION_LENGTH)
            outcomes.append((calendar_id, renewed, secret))
        except CalendarError as failure:
            log.info("push for calendar %s not set up: %s", calendar_id, failure)
    async with db.transaction() as session:
        for calendar_id, subscription, secret in outcomes:
            row = await session.get(PersonCalendar, calendar_id)
            if row is None:
                continue
            row.subscription_id, row.subscription_expires_at = subscription.subscription_id, subscription.expires_at
            row.subscription_resource = subscription.resource
            if secret:
                row.client_state = secret
            report.subscribed += 1


async def _clashes(db: Database, clock: Clock, calendars: Calendars, report: SyncReport) -> None:
    """Sessions of the coming day whose slot the executive's calendar also gives to something else."""
    now = clock.now()
    async with db.transaction() as session:
        rows = (await session.scalars(select(MentoringSession).where(
            MentoringSession.status == SessionStatus.SCHEDULED, MentoringSession.calendar_event_id.is_not(None),
            MentoringSession.pair_id.is_not(None), MentoringSession.starts_at >= now + CLASH_AHEAD[0],
            MentoringSession.starts_at < now + CLASH_AHEAD[1]))).all()
        candidates = []
        for row in rows:
            repo = Repository(session, row.tenant_id)
            owner = await repo.person(row.calendar_owner_id) if row.calendar_owner_id else None
            link = await connected(repo, calendars)
            mailbox = mailbox_of(owner, link.provider.name) if owner and link else None
            asked = await repo.one_or_none(repo.scoped(MentoringSession).where(MentoringSession.id == row.id))
            if link and mailbox and asked is not None and not await _clash_asked(session, row.id):
                candidates.append((row.id, row.tenant_id, link, mailbox, row.starts_at,
                                   row.starts_at + timedelta(minutes=row.duration_minutes), row.calendar_event_id))
    found = []
    for session_id, tenant_id, link, mailbox, start, end, event_id in candidates:
        try:
            events = await link.provider.events_between(link.directory, mailbox, start, end)
        except CalendarError:
            continue
        others = [e for e in events if e.event_id != event_id and e.series_id != event_id and e.busy
                  and e.status != "canceled"]
        if others:
            found.append((session_id, tenant_id))
    async with db.transaction() as session:
        for session_id, tenant_id in found:
            if await _warn_clash(Repository(session, tenant_id), session_id, clock, calendars):
                report.clashes += 1


async def _clash_asked(session: AsyncSession, session_id: int) -> bool:
    from storage.models import Nudge
    return (await session.scalar(select(Nudge.id).where(Nudge.key == f"clash:{session_id}"))) is not None


async def _warn_clash(repo: Repository, session_id: int, clock: Clock, calendars: Calendars) -> bool:
    """One message to the executive: keep the session, or one of three new slots (both free)."""
    row = await repo.one_or_none(repo.scoped(MentoringSession).where(MentoringSession.id == session_id))
    pair = await repo.one_or_none(repo.scoped(Pair).where(Pair.id == row.pair_id)) if row and row.pair_id else None
    if row is None or pair is None or pair.status != PairStatus.ACTIVE or row.calendar_owner_id is None:
        return False
    owner, partner = await repo.person(pair.mentee_id), await repo.person(pair.mentor_id)
    if owner is None or partner is None:
        return False
    now = clock.now()
    people: list[Person] = [owner, partner]
    hours = [await hours_of(repo, person) for person in people]
    start = now + timedelta(hours=2)
    busy, _read, _unread = await busy_of(repo, calendars, people, start, start + timedelta(days=14), now)
    slots = earliest_slots(hours, start, timedelta(minutes=row.duration_minutes), busy=busy)
    turn = await _turn(repo, owner.id, clock)
    return await add_nudge(turn, owner.id, NudgeKind.CALENDAR_CLASH, f"clash:{row.id}", hours[0].next_working(now),
                           pair_id=pair.id, session_id=row.id,
                           payload={"slots": [slot.isoformat() for slot in slots]})


async def note_push(db: Database, provider: str, subscription_id: str, secret: str, now: datetime) -> bool:
    """A push notification for ``subscription_id`` presenting ``secret``: its calendar is read at
    the next run. False (and nothing changes) for an unknown subscription or a wrong secret."""
    async with db.transaction() as session:
        # The one lookup across tenants: the subscription id and its secret are what identify it.
        row = await session.scalar(select(PersonCalendar).where(PersonCalendar.subscription_id == subscription_id,
                                                                PersonCalendar.provider == provider))
        if row is None or not row.client_state or not secrets.compare_digest(row.client_state, secret):
            return False
        row.next_sync_at = now
        return True
