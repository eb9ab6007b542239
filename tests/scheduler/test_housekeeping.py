"""Housekeeping: old platform event ids go, ended pauses end."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import FakeClock
from storage.db import Database
from storage.enums import EnrollmentStatus, PairStatus
from storage.housekeeping import HousekeepingReport, housekeep
from storage.models import Enrollment, Pair, ProcessedEvent, Program
from tests.kit.world import START
from tests.kit.outbox import add_person, add_tenant


async def _program(db: Database, tenant: int) -> int:
    async with db.transaction() as session:
        program = Program(tenant_id=tenant, name="Digital Leaders", cadence="monthly", capacity=3, created_at=START)
        session.add(program)
        await session.flush()
        return program.id


async def test_housekeeping_prunes_old_events_and_resumes_ended_pauses(db: Database, clock: FakeClock) -> None:
    tenant = await add_tenant(db)
    program = await _program(db, tenant)
    people = [await add_person(db, tenant, name) for name in ("amara", "victor", "hana", "li")]
    today, earlier = START.date(), START - timedelta(days=30)
    async with db.transaction() as session:
        session.add_all([
            ProcessedEvent(source="slack", event_id="old", created_at=START - timedelta(days=8)),
            ProcessedEvent(source="slack", event_id="recent", created_at=START - timedelta(days=6)),
            *[Enrollment(tenant_id=tenant, program_id=program, person_id=person, role="mentee",
                         status=EnrollmentStatus.PAUSED, paused_until=until, joined_at=earlier)
              for person, until in zip(people[:3], [today - timedelta(days=1), today, today + timedelta(days=1)],
                                       strict=True)],
            Enrollment(tenant_id=tenant, program_id=program, person_id=people[3], role="mentor",
                       status=EnrollmentStatus.ACTIVE, joined_at=earlier),
            Pair(tenant_id=tenant, program_id=program, mentor_id=people[3], mentee_id=people[0],
                 status=PairStatus.PAUSED, paused_until=today, proposed_at=earlier,
                 next_check_at=START + timedelta(days=40)),
            Pair(tenant_id=tenant, program_id=program, mentor_id=people[3], mentee_id=people[2],
                 status=PairStatus.PAUSED, paused_until=today + timedelta(days=1), proposed_at=earlier,
                 next_check_at=START + timedelta(days=40)),
        ])

    async with db.transaction() as session:
        report = await housekeep(session, clock.now())

    assert report == HousekeepingReport(events_pruned=1, enrollments_resumed=2, pairs_resumed=1)
    async with db.transaction() as session:
        events = list(await session.scalars(select(ProcessedEvent.event_id)))
        enrollments = (await session.execute(
            select(Enrollment.person_id, Enrollment.status, Enrollment.paused_until).order_by(Enrollment.person_id)
        )).all()
        pairs = (await session.execute(
            select(Pair.status, Pair.paused_until, Pair.resumed_at, Pair.next_check_at).order_by(Pair.id)
        )).all()
    assert events == ["recent"]
    assert [tuple(row)[1:] for row in enrollments] == [
        (EnrollmentStatus.ACTIVE, None), (EnrollmentStatus.ACTIVE, None),
        (EnrollmentStatus.PAUSED, today + timedelta(days=1)), (EnrollmentStatus.ACTIVE, None)]
    assert [tuple(row) for row in pairs] == [
        (PairStatus.ACTIVE, None, START, None),
        (PairStatus.PAUSED, today + timedelta(days=1), None, START + timedelta(days=40))]


async def test_housekeeping_twice_changes_nothing_more(db: Database, clock: FakeClock) -> None:
    async with db.transaction() as session:
        first = await housekeep(session, clock.now())
    async with db.transaction() as session:
        second = await housekeep(session, clock.now())
    assert first == second == HousekeepingReport(0, 0, 0)
