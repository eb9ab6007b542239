"""The research assignments' part of the cadence tick.

Only assignments under way whose ``next_check_at`` has come are read, in batches, one
transaction each, across tenants; nudges and flags are inserted by unique key, so a tick
run twice writes each of them once. The rules are in :mod:`bot.research.rules`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cadence.hours import WorkingHours
from bot.cadence.rules import SessionState, Side
from bot.cadence.tick import TickBatch, TickReport, in_batches
from bot.research import rules
from bot.research.lunch import audience_people
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
        hours = WorkingHours.of_row(person)
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
    everyone |= {p for a in assignments for p in audience_people(a)}
    everyone |= {s.created_by_id for s in lunches.values() if s.created_by_id is not None}
    loaded = _Loaded(await cadence_queries.hours_of_people(session, everyone),
                     await queries.active_members(session, {p for people in mentors.values() for p in people}),
                     mentors, lunches)
    writes = TickBatch(session, now, await queries.raised_flag_keys(session, ids))
    for assignment in assignments:
        verdict = rules.evaluate(_state(assignment, programs[assignment.program_id], loaded), now)
        await writes.record(assignment.id, verdict, tenant_id=assignment.tenant_id,
                            program_id=assignment.program_id, assignment_id=assignment.id)
    return await writes.finish(report, "assignments", queries.set_next_checks)


def _state(assignment: ResearchAssignment, program: Program, loaded: _Loaded) -> rules.AssignmentState:
    mentors = [side for person_id in loaded.mentors.get(assignment.id, [])
               if (side := loaded.side(person_id, "mentor", assignment.program_id)) is not None]
    lunch = loaded.lunches.get(assignment.id)
    audience = [side for person_id in audience_people(assignment)
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
        lunch=SessionState.of(lunch) if lunch is not None else None,
        audience=audience,
        channel=channel,
        poster=poster,
    )
