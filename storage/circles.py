"""Queries about circles: their people, meetings and attendance.

The functions taking a :class:`Repository` run for one tenant (commands, flows, nudges);
those taking a bare session are the tick's, which reads every tenant's due circles at once
and writes rows carrying each circle's tenant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cadence import set_next_looks
from storage.enums import CircleRole, CircleStatus, EnrollmentStatus, MemberStatus, SessionStatus
from storage.models import (
    Attendance,
    Circle,
    CircleMember,
    Enrollment,
    Flag,
    MentoringSession,
    Person,
)
from storage.repository import Repository

IN_CIRCLE = (MemberStatus.PROPOSED, MemberStatus.ACTIVE)
OPEN = (CircleStatus.PROPOSED, CircleStatus.ACTIVE)


# --- one tenant ---------------------------------------------------------------------------


async def circle(repo: Repository, circle_id: int) -> Circle | None:
    """A circle of this tenant by id."""
    return await repo.one_or_none(repo.scoped(Circle).where(Circle.id == circle_id))


async def circles_of_program(repo: Repository, program_id: int) -> Sequence[Circle]:
    """Every circle of a program, oldest first."""
    return await repo.all(repo.scoped(Circle).where(Circle.program_id == program_id).order_by(Circle.id))


async def open_circle_titled(repo: Repository, program_id: int, title: str) -> Circle | None:
    """A proposed or running circle of the program with this title (case-insensitive)."""
    return await repo.one_or_none(repo.scoped(Circle).where(
        Circle.program_id == program_id, Circle.status.in_(OPEN),
        func.lower(Circle.title) == title.strip().lower()).limit(1))


async def people_of(repo: Repository, circle_id: int,
                    statuses: Sequence[str] = IN_CIRCLE) -> Sequence[tuple[CircleMember, Person]]:
    """A circle's hosts and members with these statuses, hosts first, in the order they came."""
    rows = await repo.session.execute(
        select(CircleMember, Person).join(Person, Person.id == CircleMember.person_id)
        .where(CircleMember.tenant_id == repo.tenant_id, CircleMember.circle_id == circle_id,
               CircleMember.status.in_(statuses))
        .order_by(case((CircleMember.role == CircleRole.HOST, 0), else_=1), CircleMember.id))
    return [(member, person) for member, person in rows.all()]


async def membership(repo: Repository, circle_id: int, person_id: int) -> CircleMember | None:
    """A person's row in a circle, whatever its status."""
    return await repo.one_or_none(repo.scoped(CircleMember).where(
        CircleMember.circle_id == circle_id, CircleMember.person_id == person_id))


async def circles_of_person(repo: Repository, person_id: int) -> Sequence[tuple[Circle, CircleMember]]:
    """The running circles a person is an active host or member of, oldest first."""
    rows = await repo.session.execute(
        select(Circle, CircleMember).join(CircleMember, CircleMember.circle_id == Circle.id)
        .where(Circle.tenant_id == repo.tenant_id, Circle.status == CircleStatus.ACTIVE,
               CircleMember.person_id == person_id, CircleMember.status == MemberStatus.ACTIVE)
        .order_by(Circle.id))
    return [(found, member) for found, member in rows.all()]


async def circle_counts(repo: Repository, program_id: int, role: CircleRole) -> dict[int, int]:
    """How many proposed or running circles of the program each person is in with ``role``."""
    rows = await repo.session.execute(
        select(CircleMember.person_id, func.count())
        .join(Circle, Circle.id == CircleMember.circle_id)
        .where(Circle.tenant_id == repo.tenant_id, Circle.program_id == program_id, Circle.status.in_(OPEN),
               CircleMember.role == role, CircleMember.status.in_(IN_CIRCLE))
        .group_by(CircleMember.person_id))
    return {person: count for person, count in rows.all()}


async def upcoming(repo: Repository, circle_id: int, now: datetime) -> MentoringSession | None:
    """The circle's next scheduled meeting that has not started yet."""
    return await repo.one_or_none(repo.scoped(MentoringSession).where(
        MentoringSession.circle_id == circle_id, MentoringSession.status == SessionStatus.SCHEDULED,
        MentoringSession.starts_at > now).order_by(MentoringSession.starts_at).limit(1))


async def meeting(repo: Repository, session_id: int) -> MentoringSession | None:
    """A circle meeting of this tenant by id (None for a pair's session)."""
    return await repo.one_or_none(repo.scoped(MentoringSession).where(
        MentoringSession.id == session_id, MentoringSession.circle_id.is_not(None)))


async def past_meetings(repo: Repository, circle_id: int, now: datetime, limit: int = 6) -> Sequence[MentoringSession]:
    """The circle's meetings that have begun, newest first (moved ones left out: their new time
    counts)."""
    return await repo.all(repo.scoped(MentoringSession).where(
        MentoringSession.circle_id == circle_id, MentoringSession.status != SessionStatus.RESCHEDULED,
        MentoringSession.starts_at <= now).order_by(MentoringSession.starts_at.desc()).limit(limit))


async def attendance_row(repo: Repository, session_id: int, person_id: int) -> Attendance | None:
    """One person's attendance of one meeting."""
    return await repo.one_or_none(repo.scoped(Attendance).where(
        Attendance.session_id == session_id, Attendance.person_id == person_id))


async def came_counts(repo: Repository, session_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Per meeting: members who came, and members whose attendance was recorded (hosts left out)."""
    rows = await repo.session.execute(
        select(Attendance.session_id, _came(), func.count(Attendance.attended))
        .join(MentoringSession, MentoringSession.id == Attendance.session_id)
        .join(CircleMember, and_(CircleMember.circle_id == MentoringSession.circle_id,
                                 CircleMember.person_id == Attendance.person_id))
        .where(Attendance.tenant_id == repo.tenant_id, Attendance.session_id.in_(session_ids),
               CircleMember.role == CircleRole.MEMBER)
        .group_by(Attendance.session_id))
    return {session_id: (int(came or 0), recorded) for session_id, came, recorded in rows.all()}


async def attendance_by(repo: Repository, circle_ids: Sequence[int], per_person: bool = False) -> dict[Any, tuple[int, int]]:
    """Members' attendance of the circles' held meetings so far: (came, recorded) by circle id,
    or by person id with ``per_person``."""
    key = Attendance.person_id if per_person else MentoringSession.circle_id
    rows = await repo.session.execute(
        select(key, _came(), func.count(Attendance.attended))
        .join(MentoringSession, MentoringSession.id == Attendance.session_id)
        .join(CircleMember, and_(CircleMember.circle_id == MentoringSession.circle_id,
                                 CircleMember.person_id == Attendance.person_id))
        .where(Attendance.tenant_id == repo.tenant_id, MentoringSession.circle_id.in_(circle_ids),
               MentoringSession.status == SessionStatus.HELD, CircleMember.role == CircleRole.MEMBER)
        .group_by(key))
    return {found: (int(came or 0), recorded) for found, came, recorded in rows.all()}


def _came() -> Any:
    return func.sum(case((Attendance.attended.is_(True), 1), else_=0))


async def resolve_flags(repo: Repository, circle_id: int, now: datetime, kinds: Iterable[str],
                        person_ids: Iterable[int] | None = None) -> None:
    """Resolve the circle's open flags of ``kinds`` (only those about ``person_ids`` when given)."""
    query = update(Flag).where(Flag.tenant_id == repo.tenant_id, Flag.circle_id == circle_id,
                               Flag.kind.in_(list(kinds)), Flag.resolved_at.is_(None))
    if person_ids is not None:
        query = query.where(Flag.person_id.in_(list(person_ids)))
    await repo.session.execute(query.values(resolved_at=now))


# --- the tick, across tenants ---------------------------------------------------------------

SESSION_COLUMNS = (MentoringSession.id, MentoringSession.circle_id, MentoringSession.starts_at,
                   MentoringSession.duration_minutes, MentoringSession.status, MentoringSession.created_at,
                   MentoringSession.outcome_at, MentoringSession.canceled_by_id)


async def due_circles(session: AsyncSession, now: datetime, limit: int) -> Sequence[Circle]:
    """Running circles whose next look is due (never looked at, or ``next_check_at`` passed)."""
    return (await session.execute(select(Circle).where(
        Circle.status == CircleStatus.ACTIVE, or_(Circle.next_check_at.is_(None), Circle.next_check_at <= now),
    ).limit(limit))).scalars().all()


async def members_of_circles(session: AsyncSession, circle_ids: Sequence[int]) -> Sequence[CircleMember]:
    """The active hosts and members of these circles."""
    return (await session.execute(select(CircleMember).where(
        CircleMember.circle_id.in_(circle_ids), CircleMember.status == MemberStatus.ACTIVE,
    ).order_by(CircleMember.id))).scalars().all()


async def active_enrolled(session: AsyncSession, person_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(program id, person id) of these people where their enrollment is active."""
    people = set(person_ids)
    if not people:
        return set()
    rows = await session.execute(select(Enrollment.program_id, Enrollment.person_id).where(
        Enrollment.person_id.in_(people), Enrollment.status == EnrollmentStatus.ACTIVE))
    return {(program, person) for program, person in rows.all()}


async def sessions_of_circles(session: AsyncSession, circle_ids: Sequence[int], since: datetime) -> Sequence[Any]:
    """The circles' meetings from ``since`` on, plus any still scheduled, plus each circle's
    latest held one (however old): the columns the rules read."""
    latest = (select(MentoringSession.circle_id, func.max(MentoringSession.starts_at).label("starts_at"))
              .where(MentoringSession.circle_id.in_(circle_ids), MentoringSession.status == SessionStatus.HELD)
              .group_by(MentoringSession.circle_id).subquery())
    recent = select(*SESSION_COLUMNS).where(
        MentoringSession.circle_id.in_(circle_ids),
        or_(MentoringSession.starts_at >= since, MentoringSession.status == SessionStatus.SCHEDULED))
    held = (select(*SESSION_COLUMNS).join(latest, and_(latest.c.circle_id == MentoringSession.circle_id,
                                                       latest.c.starts_at == MentoringSession.starts_at))
            .where(MentoringSession.status == SessionStatus.HELD))
    rows = {row.id: row for query in (recent, held) for row in (await session.execute(query)).all()}
    return list(rows.values())


async def series_of_circles(session: AsyncSession, circle_ids: Sequence[int],
                            since: datetime) -> Sequence[MentoringSession]:
    """The occurrences of the circles' repeating series from ``since`` on, whole."""
    return (await session.execute(select(MentoringSession).where(
        MentoringSession.circle_id.in_(circle_ids), MentoringSession.recurring.is_(True),
        MentoringSession.starts_at >= since))).scalars().all()


async def attendance_of_sessions(session: AsyncSession, session_ids: Sequence[int]) -> Sequence[Any]:
    """``session_id, person_id, attended`` of every attendance recorded for these meetings."""
    if not session_ids:
        return []
    rows = await session.execute(select(Attendance.session_id, Attendance.person_id, Attendance.attended)
                                 .where(Attendance.session_id.in_(session_ids)))
    return rows.all()


async def latest_attended(session: AsyncSession, circle_ids: Sequence[int]) -> dict[tuple[int, int], int]:
    """(circle id, person id) -> the latest meeting of the circle the person came to. Meetings go
    on the calendar one after the other, so the latest is the highest id."""
    rows = await session.execute(
        select(MentoringSession.circle_id, Attendance.person_id, func.max(Attendance.session_id))
        .join(MentoringSession, MentoringSession.id == Attendance.session_id)
        .where(MentoringSession.circle_id.in_(circle_ids), Attendance.attended.is_(True))
        .group_by(MentoringSession.circle_id, Attendance.person_id))
    return {(circle_id or 0, person_id): latest for circle_id, person_id, latest in rows.all()}


async def raised_flag_keys(session: AsyncSession, circle_ids: Sequence[int]) -> set[str]:
    """Keys of every flag already raised for these circles (open or resolved)."""
    return set(await session.scalars(select(Flag.key).where(Flag.circle_id.in_(circle_ids))))


async def set_next_checks(session: AsyncSession, checks: dict[int, datetime | None]) -> None:
    """Record when each circle needs its next look."""
    await set_next_looks(session, Circle, checks)
