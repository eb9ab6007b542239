"""The research assignments' part of the cadence tick.

Only assignments under way whose ``next_check_at`` has come are read, in batches, one
transaction each, across tenants; nudges and flags are inserted by unique key, so a tick
run twice writes each of them once. The rules are in :mod:`bot.formats.research_rules`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cadence.batch import Admins, TickReport, in_batches, nudge_row, raise_flag_row
from bot.cadence.hours import WorkingHours
from bot.cadence.rules import SessionState, Side
from bot.formats import research_rules as rules
from storage import cadence as cadence_queries
from storage import research as queries
from storage.db import Database
from storage.models import MentoringSession, Program, ResearchAssignment

BATCH = 500


async def tick_assignments(db: Database, now: datetime, report: TickReport, batch: int = BATCH) -> None:
    """Look at every research assignment that is due and write its due nudges and flags."""
    await in_batches(db, lambda session: _batch(session, now, batch, report), batch)


class _Loaded:
    """What one batch read about its assignments' people and lunches."""

    def __init__(self, people: dict[int, Any], active: set[tuple[int, int]],
                 mentors: dict[int, list[int]], lunches: dict[int, MentoringSession]) -> None:
        self.people, self.active, self.mentors, self.lunches = people, active, mentors, lunches

    def side(self, person_id: int, role: str, program_id: int | None = None) -> Side | None:
        """A person as the rules see them (inactive when erased, or not active in ``program_id``)."""
        person = self.people.get(person_id)
        if person is None:
            return None
        hours = WorkingHours.given(person.timezone, person.platform_timezone, person.work_start, person.work_end)
        active = person.erased_at is None and (program_id is None or (program_id, person_id) in self.active)
        return Side(person_id, role, hours, active)


async def _batch(session: AsyncSession, now: datetime, batch: int, report: TickReport) -> int:
    assignments = await queries.due_assignments(session, now, batch)
    if not assignments:
        return 0
    ids = [a.id for a in assignments]
    programs = await cadence_queries.programs_by_id(session, {a.program_id for a in assignments})
    mentors = await queries.mentors_of(session, ids)
    lunches = await queries.scheduled_lunches(session, ids)
    everyone = {p for people in mentors.values() for p in people}
    everyone |= {p for a in assignments for p in _audience_people(a)}
    everyone |= {s.created_by_id for s in lunches.values() if s.created_by_id is not None}
    loaded = _Loaded(await cadence_queries.hours_of_people(session, everyone),
                     await queries.active_members(session, {p for people in mentors.values() for p in people}),
                     mentors, lunches)
    raised = await queries.raised_flag_keys(session, ids)
    admins = Admins(session)
    nudges: list[dict[str, Any]] = []
    checks: dict[int, datetime | None] = {}
    for assignment in assignments:
        verdict = rules.evaluate(_state(assignment, programs[assignment.program_id], loaded), now)
        nudges += [nudge_row(assignment.tenant_id, planned, now, assignment_id=assignment.id)
                   for planned in verdict.nudges]
        for flag in verdict.flags:
            if flag.key not in raised:
                row = {"tenant_id": assignment.tenant_id, "program_id": assignment.program_id,
                       "assignment_id": assignment.id, "person_id": flag.person_id, "kind": flag.kind,
                       "key": flag.key, "details": flag.details}
                report.flags_raised += await raise_flag_row(session, row, now, await admins.of(assignment.program_id),
                                                            nudges)
        checks[assignment.id] = verdict.next_check_at
    report.nudges_written += await cadence_queries.add_nudges(session, nudges)
    await queries.set_next_checks(session, checks)
    report.assignments_checked += len(assignments)
    return len(assignments)


def _audience_people(assignment: ResearchAssignment) -> list[int]:
    people = (assignment.audience or {}).get("people") or []
    return [int(p) for p in people if isinstance(p, int)]


def _state(assignment: ResearchAssignment, program: Program, loaded: _Loaded) -> rules.AssignmentState:
    mentors = [side for person_id in loaded.mentors.get(assignment.id, [])
               if (side := loaded.side(person_id, "mentor", assignment.program_id)) is not None]
    lunch = loaded.lunches.get(assignment.id)
    audience = [side for person_id in _audience_people(assignment)
                if (side := loaded.side(person_id, "audience")) is not None]
    channel = (assignment.audience or {}).get("channel") or None
    poster = None
    if lunch is not None and channel:
        poster = loaded.side(lunch.created_by_id, "poster") if lunch.created_by_id else None
        poster = poster if poster is not None and poster.active else (mentors[0] if mentors else None)
    return rules.AssignmentState(
        assignment_id=assignment.id,
        created_at=assignment.created_at,
        due_on=assignment.due_on,
        written=bool(assignment.writeup),
        reminder=timedelta(hours=program.reminder_hours),
        mentors=mentors,
        lunch=_lunch_state(lunch) if lunch is not None else None,
        audience=audience,
        channel=channel,
        poster=poster,
    )


def _lunch_state(row: MentoringSession) -> SessionState:
    return SessionState(row.id, row.starts_at, timedelta(minutes=row.duration_minutes), row.status,
                        row.created_at, row.outcome_at, row.canceled_by_id)
