"""The cadence tick's queries: they read and write many tenants' rows in one pass.

The tick is the system acting, not a person in a tenant: it reads pairs of every tenant,
and every row it writes carries the tenant of the pair (or program) it is about.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, any_, bindparam, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import EnrollmentStatus, NudgeKind, NudgeStatus, PairStatus, SessionStatus
from storage.models import (
    Circle,
    Enrollment,
    Flag,
    MentoringSession,
    Nudge,
    Pair,
    Person,
    Profile,
    Program,
    ProgramAdmin,
    ResearchAssignment,
)
from storage.repository import insert_ignoring_conflicts

PROMPT_KINDS = (NudgeKind.SCHEDULE, NudgeKind.OUTCOME)


def among(session: AsyncSession, column: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    """``column IN (ids)``; on PostgreSQL ``column = ANY(:ids)``, one array parameter rather than
    one per id (a batch of the tick names thousands)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer), unique=True))
    return column.in_(list(ids))  # type: ignore[no-any-return]


PAIR_COLUMNS = (Pair.id, Pair.tenant_id, Pair.program_id, Pair.mentor_id, Pair.mentee_id, Pair.cadence,
                Pair.proposed_at, Pair.started_at, Pair.resumed_at)
"""What the rules read of a pair (plain columns: a tick after an upgrade reads every pair)."""


async def due_pairs(session: AsyncSession, now: datetime, limit: int) -> Sequence[Any]:
    """Active pairs whose next look is due (never looked at, or ``next_check_at`` passed), as
    rows of :data:`PAIR_COLUMNS`.

    No ORDER BY: every due pair is looked at in this tick anyway, and the batch moves their
    ``next_check_at`` ahead, so the next batch finds the others; an index range, no sort.
    """
    query = (
        select(*PAIR_COLUMNS)
        .where(Pair.status == PairStatus.ACTIVE, or_(Pair.next_check_at.is_(None), Pair.next_check_at <= now))
        .limit(limit)
    )
    return (await session.execute(query)).all()


async def programs_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Program]:
    """Programs by id."""
    rows = await session.execute(select(Program).where(Program.id.in_(set(ids))))
    return {p.id: p for p in rows.scalars()}


async def hours_of_people(session: AsyncSession, ids: Iterable[int]) -> dict[int, Any]:
    """What the rules need of each person: ``(id, erased_at, platform_timezone, timezone,
    work_start, work_end)`` (the last three None before onboarding)."""
    rows = await session.execute(
        select(Person.id, Person.erased_at, Person.platform_timezone, Profile.timezone, Profile.work_start,
               Profile.work_end)
        .outerjoin(Profile, Profile.person_id == Person.id).where(among(session, Person.id, set(ids)))
    )
    return {row.id: row for row in rows.all()}


async def active_participants(session: AsyncSession, pairs: Sequence[Any]) -> set[tuple[int, int]]:
    """(program id, person id) of the pairs' participants who are active in the program
    (not paused, not left)."""
    people = {person for p in pairs for person in (p.mentor_id, p.mentee_id)}
    if not people:
        return set()
    rows = await session.execute(
        select(Enrollment.program_id, Enrollment.person_id).where(
            among(session, Enrollment.person_id, people), Enrollment.status == EnrollmentStatus.ACTIVE)
    )
    return {(program, person) for program, person in rows.all()}


SESSION_COLUMNS = (MentoringSession.id, MentoringSession.pair_id, MentoringSession.starts_at,
                   MentoringSession.duration_minutes, MentoringSession.status, MentoringSession.created_at,
                   MentoringSession.outcome_at, MentoringSession.canceled_by_id)


async def sessions_of_pairs(session: AsyncSession, pair_ids: Sequence[int], since: datetime) -> Sequence[Any]:
    """The pairs' sessions the rules read (their columns): from each pair's latest held session
    on (from ``since`` for a pair that held none), plus any still scheduled. What came before a
    pair's latest held session changes no rule."""
    held = (select(MentoringSession.pair_id, func.max(MentoringSession.starts_at).label("held_at"))
            .where(among(session, MentoringSession.pair_id, pair_ids), MentoringSession.status == SessionStatus.HELD)
            .group_by(MentoringSession.pair_id).subquery())
    rows = await session.execute(
        select(*SESSION_COLUMNS).outerjoin(held, held.c.pair_id == MentoringSession.pair_id)
        .where(among(session, MentoringSession.pair_id, pair_ids),
               or_(MentoringSession.status == SessionStatus.SCHEDULED,
                   MentoringSession.starts_at >= func.coalesce(held.c.held_at, since)))
    )
    return rows.all()


async def series_of_pairs(session: AsyncSession, pair_ids: Sequence[int], since: datetime,
                          now: datetime) -> Sequence[MentoringSession]:
    """The occurrences (from ``since`` on, whole) of the pairs' repeating series whose latest
    occurrence has begun by ``now``: the series that need their next occurrence."""
    recurring = (among(session, MentoringSession.pair_id, pair_ids), MentoringSession.recurring.is_(True),
                 MentoringSession.starts_at >= since)
    begun = (select(MentoringSession.calendar_uid).where(*recurring, MentoringSession.calendar_uid != "")
             .group_by(MentoringSession.calendar_uid).having(func.max(MentoringSession.starts_at) <= now))
    rows = await session.execute(select(MentoringSession).where(*recurring, MentoringSession.calendar_uid.in_(begun)))
    return rows.scalars().all()


PROMPTS_KEPT = 3
"""The latest questions per person of a pair that the rules read: the last two (did they go
unanswered?) and the period's first ask (when did the mentee get it?)."""


async def prompts_of_pairs(session: AsyncSession, pair_ids: Sequence[int], since: datetime) -> Sequence[Any]:
    """The latest :data:`PROMPTS_KEPT` questions sent to each of the pairs' participants since
    ``since`` (to schedule, did it happen): ``(pair_id, person_id, sent_at, answered_at, key)``."""
    ranked = (
        select(Nudge.pair_id, Nudge.person_id, Nudge.sent_at, Nudge.answered_at, Nudge.key,
               func.row_number().over(partition_by=(Nudge.pair_id, Nudge.person_id),
                                      order_by=Nudge.sent_at.desc()).label("latest"))
        .where(among(session, Nudge.pair_id, pair_ids), Nudge.kind.in_(PROMPT_KINDS), Nudge.status == NudgeStatus.SENT,
               Nudge.sent_at >= since)
        .subquery()
    )
    rows = await session.execute(
        select(ranked.c.pair_id, ranked.c.person_id, ranked.c.sent_at, ranked.c.answered_at, ranked.c.key)
        .where(ranked.c.latest <= PROMPTS_KEPT))
    return rows.all()


async def raised_flag_keys(session: AsyncSession, pair_ids: Sequence[int]) -> set[str]:
    """Keys of every flag already raised for these pairs (open or resolved)."""
    return set(await session.scalars(select(Flag.key).where(among(session, Flag.pair_id, pair_ids))))


NUDGE_COLUMNS = ("tenant_id", "person_id", "pair_id", "circle_id", "assignment_id", "session_id", "kind", "key",
                 "payload", "due_at", "expires_at", "status", "attempts", "created_at")
"""The columns of an outbox row a job writes (see :func:`bot.cadence.outbox.nudge_row`)."""
COPY_FROM = 200
"""From this many rows on, PostgreSQL gets them by COPY rather than in a multi-row INSERT."""


FLAG_COLUMNS = ("tenant_id", "program_id", "pair_id", "circle_id", "assignment_id", "person_id", "kind", "key",
                "details", "raised_at")
"""The columns of a flag a job raises (see :class:`bot.cadence.tick.TickBatch`)."""
JSON_COLUMNS = frozenset({"payload", "details"})


async def add_nudges(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Insert outbox rows; a key already there is left alone. Returns how many were new."""
    if not rows:
        return 0
    if _copies(session, rows):
        return len(await _copy_in(session, "nudges", NUDGE_COLUMNS, rows, "id"))
    # One multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING: only new rows come back.
    result = await session.execute(insert_ignoring_conflicts(session, Nudge).returning(Nudge.id), list(rows))
    return len(result.all())


async def add_flags(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert flags; the id of each new one by its key (a key already raised is left alone and
    missing from the answer)."""
    if not rows:
        return {}
    if _copies(session, rows):
        return {key: flag_id for key, flag_id in await _copy_in(session, "flags", FLAG_COLUMNS, rows, "key, id")}
    result = await session.execute(insert_ignoring_conflicts(session, Flag).returning(Flag.key, Flag.id), list(rows))
    return {key: flag_id for key, flag_id in result.all()}


def _copies(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> bool:
    """True when ``rows`` go in by COPY: many of them, on PostgreSQL."""
    return len(rows) >= COPY_FROM and session.get_bind().dialect.name == "postgresql"


async def _copy_in(session: AsyncSession, table: str, columns: Sequence[str], rows: Sequence[dict[str, Any]],
                   returning: str) -> list[Any]:
    """Many rows on PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT ... ON
    CONFLICT DO NOTHING RETURNING ``returning`` of the new ones (the first tick after an upgrade
    writes a day's nudges and the flags of every pair; a multi-row INSERT of that size costs the
    server a plan per batch, and a row's worth of parameters)."""
    connection = await session.connection()
    await connection.execute(select(1))  # the driver's transaction is begun: what follows runs in it
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None
    staging = f"{table}_in"
    await driver.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} "
                         f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
    records = [tuple(json.dumps(row[name]) if name in JSON_COLUMNS else row[name] for name in columns)
               for row in rows]
    await driver.copy_records_to_table(staging, records=records, columns=list(columns))
    listed = ", ".join(columns)
    inserted = await driver.fetch(f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {staging} "
                                  f"ON CONFLICT DO NOTHING RETURNING {returning}")
    await driver.execute(f"TRUNCATE {staging}")
    return [tuple(row.values()) if len(row) > 1 else row[0] for row in inserted]


async def admins_of(session: AsyncSession, program_id: int) -> Sequence[tuple[Person, Profile | None]]:
    """A program's admins with their profiles."""
    rows = await session.execute(
        select(Person, Profile)
        .join(ProgramAdmin, ProgramAdmin.person_id == Person.id)
        .outerjoin(Profile, Profile.person_id == Person.id)
        .where(ProgramAdmin.program_id == program_id, Person.erased_at.is_(None))
    )
    return [(person, profile) for person, profile in rows.all()]


async def set_next_checks(session: AsyncSession, checks: dict[int, datetime | None]) -> None:
    """Record when each pair needs its next look."""
    await set_next_looks(session, Pair, checks)


async def set_next_looks(session: AsyncSession, model: type[Pair | Circle | ResearchAssignment],
                         checks: dict[int, datetime | None]) -> None:
    """Record when each pair, circle or research assignment (``model``) needs its next look: on
    PostgreSQL in one statement (an UPDATE ... FROM the arrays of ids and moments), elsewhere
    one row after the other."""
    if not checks:
        return
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text(f"UPDATE {model.__tablename__} SET next_check_at = looks.at FROM unnest("
                 "CAST(:ids AS integer[]), CAST(:ats AS timestamptz[])) AS looks(id, at) "
                 f"WHERE {model.__tablename__}.id = looks.id"),
            {"ids": list(checks), "ats": list(checks.values())})
        return
    await session.execute(update(model), [{"id": key, "next_check_at": at} for key, at in checks.items()])


async def active_programs(session: AsyncSession) -> Sequence[Program]:
    """Every active program, across tenants."""
    return (await session.execute(select(Program).where(Program.status == "active").order_by(Program.id))).scalars().all()
