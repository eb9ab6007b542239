"""Every row the bot holds about one person (``/mentoring my-data``): theirs, their pairs', and
what the bot said or flagged about them, as plain JSON values."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AssignmentMentor,
    Attendance,
    AuditEntry,
    Base,
    CheckIn,
    Circle,
    CircleMember,
    Flag,
    Goal,
    GoalUpdate,
    MentoringSession,
    Pair,
    Person,
    ResearchAssignment,
)
from storage.portability import plain

LEFT_OUT = {"tenant_id"}
"""Columns that say nothing about the person (every row of theirs has the same)."""


async def rows_about(session: AsyncSession, tenant_id: int, person_id: int) -> dict[str, list[dict[str, Any]]]:
    """Each table's rows about the person, by table name (tables with none left out)."""
    pairs = select(Pair.id).where(Pair.tenant_id == tenant_id,
                                  or_(Pair.mentor_id == person_id, Pair.mentee_id == person_id))
    circles = select(CircleMember.circle_id).where(CircleMember.tenant_id == tenant_id,
                                                   CircleMember.person_id == person_id)
    assignments = select(AssignmentMentor.assignment_id).where(AssignmentMentor.tenant_id == tenant_id,
                                                               AssignmentMentor.person_id == person_id)
    goals = select(Goal.id).where(Goal.tenant_id == tenant_id, Goal.pair_id.in_(pairs))
    special: dict[str, Select[Any]] = {
        Person.__tablename__: select(Person).where(Person.id == person_id),
        Pair.__tablename__: select(Pair).where(Pair.id.in_(pairs)),
        Goal.__tablename__: select(Goal).where(Goal.id.in_(goals)),
        GoalUpdate.__tablename__: select(GoalUpdate).where(GoalUpdate.goal_id.in_(goals)),
        Circle.__tablename__: select(Circle).where(Circle.id.in_(circles)),
        ResearchAssignment.__tablename__: select(ResearchAssignment).where(ResearchAssignment.id.in_(assignments)),
        MentoringSession.__tablename__: select(MentoringSession).where(or_(
            MentoringSession.pair_id.in_(pairs), MentoringSession.circle_id.in_(circles),
            MentoringSession.id.in_(select(Attendance.session_id).where(Attendance.person_id == person_id)))),
        Flag.__tablename__: select(Flag).where(or_(Flag.person_id == person_id, Flag.pair_id.in_(pairs))),
        AuditEntry.__tablename__: select(AuditEntry).where(AuditEntry.actor_id == person_id),
        CheckIn.__tablename__: select(CheckIn).where(CheckIn.person_id == person_id),
    }
    found: dict[str, list[dict[str, Any]]] = {}
    for mapper in Base.registry.mappers:
        model = mapper.class_
        table = model.__table__
        query = special.get(table.name)
        if query is None and "person_id" in table.c and "tenant_id" in table.c:
            query = select(model).where(table.c.person_id == person_id)
        if query is None:
            continue
        if "tenant_id" in table.c:
            query = query.where(table.c.tenant_id == tenant_id)
        rows = (await session.scalars(query.order_by(*table.primary_key.columns))).all()
        if rows:
            found[table.name] = [{column.key: plain(getattr(row, column.key)) for column in mapper.column_attrs
                                  if column.key not in LEFT_OUT} for row in rows]
    return dict(sorted(found.items()))
