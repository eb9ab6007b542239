"""Queries of research assignments and their lunch-and-learns.

The functions taking a :class:`Repository` read one tenant's rows; those taking a bare
session are the tick's, which reads assignments of every tenant in one pass (every row it
writes carries the tenant of the assignment it is about).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cadence import set_next_looks
from storage.enums import AssignmentStatus, EnrollmentStatus, FlagKind, SessionStatus
from storage.models import (
    AssignmentMentor,
    Attendance,
    Enrollment,
    Flag,
    MentoringSession,
    ResearchAssignment,
)
from storage.repository import Repository

LIVE = (AssignmentStatus.ASSIGNED, AssignmentStatus.WRITTEN, AssignmentStatus.SCHEDULED)
"""An assignment still under way: neither presented nor canceled."""


# --- one tenant ----------------------------------------------------------------------------


async def assignment(repo: Repository, assignment_id: int) -> ResearchAssignment | None:
    """A research assignment of this tenant by id."""
    return await repo.one_or_none(repo.scoped(ResearchAssignment).where(ResearchAssignment.id == assignment_id))


async def mentor_ids(repo: Repository, assignment_id: int) -> list[int]:
    """The assignment's mentors, in the order they were named."""
    rows = await repo.session.scalars(
        select(AssignmentMentor.person_id)
        .where(AssignmentMentor.tenant_id == repo.tenant_id, AssignmentMentor.assignment_id == assignment_id)
        .order_by(AssignmentMentor.id))
    return list(rows)


async def mentors_by_assignment(repo: Repository, ids: Iterable[int]) -> dict[int, list[int]]:
    """Each assignment's mentors, in the order they were named."""
    found: dict[int, list[int]] = defaultdict(list)
    rows = await repo.session.execute(
        select(AssignmentMentor.assignment_id, AssignmentMentor.person_id)
        .where(AssignmentMentor.tenant_id == repo.tenant_id, AssignmentMentor.assignment_id.in_(set(ids)))
        .order_by(AssignmentMentor.id))
    for assignment_id, person_id in rows.all():
        found[assignment_id].append(person_id)
    return found


async def of_program(repo: Repository, program_id: int) -> Sequence[ResearchAssignment]:
    """A program's assignments, newest first."""
    return await repo.all(repo.scoped(ResearchAssignment).where(ResearchAssignment.program_id == program_id)
                          .order_by(ResearchAssignment.id.desc()))


async def of_mentor(repo: Repository, person_id: int, live_only: bool = False) -> Sequence[ResearchAssignment]:
    """The assignments a person carries out, newest first."""
    query = (repo.scoped(ResearchAssignment)
             .join(AssignmentMentor, AssignmentMentor.assignment_id == ResearchAssignment.id)
             .where(AssignmentMentor.person_id == person_id))
    if live_only:
        query = query.where(ResearchAssignment.status.in_(LIVE))
    return await repo.all(query.order_by(ResearchAssignment.id.desc()))


async def live_topics(repo: Repository, program_id: int) -> set[str]:
    """The topics (lower case) of the program's assignments under way."""
    rows = await repo.session.scalars(
        select(func.lower(ResearchAssignment.topic))
        .where(ResearchAssignment.tenant_id == repo.tenant_id, ResearchAssignment.program_id == program_id,
               ResearchAssignment.status.in_(LIVE)))
    return set(rows)


async def live_load(repo: Repository, program_id: int) -> dict[int, int]:
    """How many of the program's assignments under way each mentor carries."""
    rows = await repo.session.execute(
        select(AssignmentMentor.person_id, func.count())
        .join(ResearchAssignment, ResearchAssignment.id == AssignmentMentor.assignment_id)
        .where(AssignmentMentor.tenant_id == repo.tenant_id, ResearchAssignment.program_id == program_id,
               ResearchAssignment.status.in_(LIVE))
        .group_by(AssignmentMentor.person_id))
    return {person_id: count for person_id, count in rows.all()}


async def sessions_of(repo: Repository, assignment_id: int) -> Sequence[MentoringSession]:
    """The assignment's lunch-and-learns (moved ones left out: their new time counts), newest first."""
    return await repo.all(repo.scoped(MentoringSession).where(
        MentoringSession.assignment_id == assignment_id, MentoringSession.status != SessionStatus.RESCHEDULED,
    ).order_by(MentoringSession.id.desc()))


async def lunch_of(repo: Repository, assignment_id: int) -> MentoringSession | None:
    """The assignment's latest lunch-and-learn (scheduled, held or canceled), if any."""
    found = await sessions_of(repo, assignment_id)
    return found[0] if found else None


async def latest_lunches(repo: Repository, ids: Iterable[int]) -> dict[int, MentoringSession]:
    """Each assignment's latest lunch-and-learn."""
    rows = await repo.all(repo.scoped(MentoringSession).where(
        MentoringSession.assignment_id.in_(set(ids)), MentoringSession.status != SessionStatus.RESCHEDULED,
    ).order_by(MentoringSession.id))
    return {row.assignment_id: row for row in rows if row.assignment_id is not None}


async def session(repo: Repository, session_id: int) -> MentoringSession | None:
    """A lunch-and-learn of this tenant by id (None for a pair's or a circle's session)."""
    return await repo.one_or_none(repo.scoped(MentoringSession).where(
        MentoringSession.id == session_id, MentoringSession.assignment_id.is_not(None)))


async def attendance_of(repo: Repository, session_id: int, person_id: int) -> Attendance | None:
    """One person's attendance (rating, what they will try) at a session."""
    return await repo.one_or_none(repo.scoped(Attendance).where(
        Attendance.session_id == session_id, Attendance.person_id == person_id))


async def ratings(repo: Repository, session_ids: Iterable[int]) -> dict[int, list[int]]:
    """The ratings given to each session."""
    found: dict[int, list[int]] = defaultdict(list)
    rows = await repo.session.execute(
        select(Attendance.session_id, Attendance.rating)
        .where(Attendance.tenant_id == repo.tenant_id, Attendance.session_id.in_(set(session_ids)),
               Attendance.rating.is_not(None)))
    for session_id, rating in rows.all():
        if rating is not None:
            found[session_id].append(rating)
    return found


async def will_try(repo: Repository, session_id: int) -> list[str]:
    """What attendees said they will try after a session, oldest first."""
    rows = await repo.session.scalars(
        select(Attendance.will_try)
        .where(Attendance.tenant_id == repo.tenant_id, Attendance.session_id == session_id,
               Attendance.will_try.is_not(None))
        .order_by(Attendance.recorded_at, Attendance.id))
    return [text for text in rows if text]


async def open_overdue_flag(repo: Repository, assignment_id: int) -> Flag | None:
    """The assignment's unresolved "write-up overdue" flag, if any."""
    return await repo.one_or_none(repo.scoped(Flag).where(
        Flag.assignment_id == assignment_id, Flag.kind == FlagKind.RESEARCH_OVERDUE, Flag.resolved_at.is_(None),
    ).limit(1))


async def resolve_flags(repo: Repository, assignment_id: int, now: datetime) -> None:
    """The assignment's open flags are resolved."""
    await repo.session.execute(
        update(Flag).where(Flag.tenant_id == repo.tenant_id, Flag.assignment_id == assignment_id,
                           Flag.resolved_at.is_(None)).values(resolved_at=now))


# --- the tick, across tenants --------------------------------------------------------------


async def due_assignments(session: AsyncSession, now: datetime, limit: int) -> Sequence[ResearchAssignment]:
    """Assignments under way whose next look is due (never looked at, or ``next_check_at`` passed)."""
    query = (
        select(ResearchAssignment)
        .where(ResearchAssignment.status.in_(LIVE),
               or_(ResearchAssignment.next_check_at.is_(None), ResearchAssignment.next_check_at <= now))
        .limit(limit)
    )
    return (await session.execute(query)).scalars().all()


async def mentors_of(session: AsyncSession, ids: Sequence[int]) -> dict[int, list[int]]:
    """Each assignment's mentors."""
    found: dict[int, list[int]] = defaultdict(list)
    rows = await session.execute(
        select(AssignmentMentor.assignment_id, AssignmentMentor.person_id)
        .where(AssignmentMentor.assignment_id.in_(ids)).order_by(AssignmentMentor.id))
    for assignment_id, person_id in rows.all():
        found[assignment_id].append(person_id)
    return found


async def scheduled_lunches(session: AsyncSession, ids: Sequence[int]) -> dict[int, MentoringSession]:
    """Each assignment's lunch-and-learn still on the calendar (or awaiting its outcome)."""
    rows = await session.execute(
        select(MentoringSession).where(MentoringSession.assignment_id.in_(ids),
                                       MentoringSession.status == SessionStatus.SCHEDULED)
        .order_by(MentoringSession.id))
    return {row.assignment_id: row for row in rows.scalars() if row.assignment_id is not None}


async def active_members(session: AsyncSession, people: Iterable[int]) -> set[tuple[int, int]]:
    """(program id, person id) of these people's active enrollments."""
    wanted = set(people)
    if not wanted:
        return set()
    rows = await session.execute(
        select(Enrollment.program_id, Enrollment.person_id).where(
            Enrollment.person_id.in_(wanted), Enrollment.status == EnrollmentStatus.ACTIVE))
    return {(program, person) for program, person in rows.all()}


async def raised_flag_keys(session: AsyncSession, ids: Sequence[int]) -> set[str]:
    """Keys of every flag already raised about these assignments (open or resolved)."""
    return set(await session.scalars(select(Flag.key).where(Flag.assignment_id.in_(ids))))


async def set_next_checks(session: AsyncSession, checks: dict[int, datetime | None]) -> None:
    """Record when each assignment needs its next look."""
    await set_next_looks(session, ResearchAssignment, checks)
