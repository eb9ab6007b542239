"""The circles' part of the cadence tick: find the running circles due for a look, apply
:mod:`bot.circles.rules`, write what is due.

Like the pairs' tick: only circles whose ``next_check_at`` has come are read, each batch is
one transaction across tenants, and nudges and flags are inserted by unique key, so a tick
run twice writes each of them once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cadence.hours import WorkingHours
from bot.cadence.rules import SessionState, Side
from bot.cadence.series import continue_series
from bot.cadence.tick import TickBatch, TickReport, in_batches
from bot.circles import rules as circle_rules
from storage import cadence as cadence_queries
from storage import circles as queries
from storage.db import Database
from storage.enums import CircleRole, SessionStatus
from storage.models import Circle, CircleMember, MentoringSession, Program

BATCH = 200
# How far back meetings are read: enough for every rule at a monthly cadence.
HISTORY = timedelta(days=120)


async def tick_circles(db: Database, now: datetime, report: TickReport, batch: int = BATCH) -> None:
    """Look at every circle that is due and write its due nudges and flags."""
    await in_batches(db, lambda session: _tick_batch(session, now, batch, report), batch)


async def _tick_batch(session: AsyncSession, now: datetime, batch: int, report: TickReport) -> int:
    circles = await queries.due_circles(session, now, batch)
    if not circles:
        return 0
    ids = [c.id for c in circles]
    programs = await cadence_queries.programs_by_id(session, {c.program_id for c in circles})
    members: dict[int, list[CircleMember]] = defaultdict(list)
    for member in await queries.members_of_circles(session, ids):
        members[member.circle_id].append(member)
    people_ids = {m.person_id for found in members.values() for m in found}
    people = await cadence_queries.hours_of_people(session, people_ids)
    active = await queries.active_enrolled(session, people_ids)
    sessions = await _sessions_by_circle(session, circles, programs, now, report)
    attendance = await _attendance(session, [s.id for found in sessions.values() for s in found
                                             if s.status == SessionStatus.HELD])
    last_attended = await queries.latest_attended(session, ids)
    writes = TickBatch(session, now, await queries.raised_flag_keys(session, ids))
    for circle in circles:
        program = programs[circle.program_id]
        sides = {role: [_side(m, circle, people, active) for m in members[circle.id] if m.role == role]
                 for role in (CircleRole.HOST, CircleRole.MEMBER)}
        state = circle_rules.CircleState(
            circle_id=circle.id, cadence=circle.cadence or program.cadence,
            reminder=timedelta(hours=program.reminder_hours), active_since=circle.started_at or circle.created_at,
            hosts=sides[CircleRole.HOST], members=sides[CircleRole.MEMBER], sessions=sessions[circle.id],
            attendance=attendance,
            last_attended={person: found for (circle_id, person), found in last_attended.items()
                           if circle_id == circle.id})
        await writes.record(circle.id, circle_rules.evaluate(state, now), tenant_id=circle.tenant_id,
                            program_id=circle.program_id, circle_id=circle.id)
    return await writes.finish(report, "circles", queries.set_next_checks)


async def _sessions_by_circle(session: AsyncSession, circles: Sequence[Circle], programs: dict[int, Program],
                              now: datetime, report: TickReport) -> dict[int, list[SessionState]]:
    """The circles' meetings, once each repeating series has its next occurrence."""
    by_id = {c.id: c for c in circles}

    def cadence_of(row: MentoringSession) -> str:
        circle = by_id[row.circle_id or 0]
        return circle.cadence or programs[circle.program_id].cadence

    series = await queries.series_of_circles(session, list(by_id), now - HISTORY)
    added = await continue_series(session, series, cadence_of, now)
    report.sessions_added += len(added)
    found: dict[int, list[SessionState]] = defaultdict(list)
    for row in [*await queries.sessions_of_circles(session, list(by_id), now - HISTORY)]:
        found[row.circle_id].append(SessionState.of(row))
    return found


async def _attendance(session: AsyncSession, session_ids: Sequence[int]) -> dict[int, dict[int, bool]]:
    found: dict[int, dict[int, bool]] = defaultdict(dict)
    for row in await queries.attendance_of_sessions(session, session_ids):
        if row.attended is not None:
            found[row.session_id][row.person_id] = bool(row.attended)
    return dict(found)


def _side(member: CircleMember, circle: Circle, people: dict[int, Any], active: set[tuple[int, int]]) -> Side:
    person = people[member.person_id]
    hours = WorkingHours.of_row(person)
    enrolled = (circle.program_id, member.person_id) in active and person.erased_at is None
    return Side(member.person_id, member.role, hours, enrolled)
