"""The cadence tick's queries: they read and write many tenants' rows in one pass.

The tick is the system acting, not a person in a tenant: it reads pairs of every tenant,
and every row it writes carries the tenant of the pair (or program) it is about.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import EnrollmentStatus, NudgeKind, NudgeStatus, PairStatus, SessionStatus
from storage.models import Enrollment, Flag, MentoringSession, Nudge, Pair, Person, Profile, Program, ProgramAdmin
from storage.repository import insert_ignoring_conflicts

PROMPT_KINDS = (NudgeKind.SCHEDULE, NudgeKind.OUTCOME)


async def due_pairs(session: AsyncSession, now: datetime, limit: int) -> Sequence[Pair]:
    """Active pairs whose next look is due (never looked at, or ``next_check_at`` passed).

    No ORDER BY: every due pair is looked at in this tick anyway, and the batch moves their
    ``next_check_at`` ahead, so the next batch finds the others; an index range, no sort.
    """
    query = (
        select(Pair)
        .where(Pair.status == PairStatus.ACTIVE, or_(Pair.next_check_at.is_(None), Pair.next_check_at <= now))
        .limit(limit)
    )
    return (await session.execute(query)).scalars().all()


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
        .outerjoin(Profile, Profile.person_id == Person.id).where(Person.id.in_(set(ids)))
    )
    return {row.id: row for row in rows.all()}


async def active_participants(session: AsyncSession, pairs: Sequence[Pair]) -> set[tuple[int, int]]:
    """(program id, person id) of the pairs' participants who are active in the program
    (not paused, not left)."""
    people = {person for p in pairs for person in (p.mentor_id, p.mentee_id)}
    if not people:
        return set()
    rows = await session.execute(
        select(Enrollment.program_id, Enrollment.person_id).where(
            Enrollment.person_id.in_(people), Enrollment.status == EnrollmentStatus.ACTIVE)
    )
    return {(program, person) for program, person in rows.all()}


SESSION_COLUMNS = (MentoringSession.id, MentoringSession.pair_id, MentoringSession.starts_at,
                   MentoringSession.duration_minutes, MentoringSession.status, MentoringSession.created_at,
                   MentoringSession.outcome_at, MentoringSession.canceled_by_id)


async def sessions_of_pairs(session: AsyncSession, pair_ids: Sequence[int], since: datetime) -> Sequence[Any]:
    """The pairs' sessions from ``since`` on, plus any still scheduled (the columns the rules read)."""
    rows = await session.execute(
        select(*SESSION_COLUMNS)
        .where(MentoringSession.pair_id.in_(pair_ids),
               or_(MentoringSession.starts_at >= since, MentoringSession.status == SessionStatus.SCHEDULED))
    )
    return rows.all()


async def series_of_pairs(session: AsyncSession, pair_ids: Sequence[int], since: datetime,
                          now: datetime) -> Sequence[MentoringSession]:
    """The occurrences (from ``since`` on, whole) of the pairs' repeating series whose latest
    occurrence has begun by ``now``: the series that need their next occurrence."""
    recurring = (MentoringSession.pair_id.in_(pair_ids), MentoringSession.recurring.is_(True),
                 MentoringSession.starts_at >= since)
    begun = (select(MentoringSession.calendar_uid).where(*recurring, MentoringSession.calendar_uid != "")
             .group_by(MentoringSession.calendar_uid).having(func.max(MentoringSession.starts_at) <= now))
    rows = await session.execute(select(MentoringSession).where(*recurring, MentoringSession.calendar_uid.in_(begun)))
    return rows.scalars().all()


async def latest_held(session: AsyncSession, pair_ids: Sequence[int]) -> dict[int, Any]:
    """Each pair's latest held session (it may be older than the sessions loaded)."""
    latest = (
        select(MentoringSession.pair_id, func.max(MentoringSession.starts_at).label("starts_at"))
        .where(MentoringSession.pair_id.in_(pair_ids), MentoringSession.status == SessionStatus.HELD)
        .group_by(MentoringSession.pair_id)
        .subquery()
    )
    rows = await session.execute(
        select(*SESSION_COLUMNS).join(latest, (latest.c.pair_id == MentoringSession.pair_id)
                                      & (latest.c.starts_at == MentoringSession.starts_at))
        .where(MentoringSession.status == SessionStatus.HELD)
    )
    return {row.pair_id: row for row in rows.all()}


async def prompts_of_pairs(session: AsyncSession, pair_ids: Sequence[int], since: datetime) -> Sequence[Any]:
    """Questions sent to the pairs' participants since ``since`` (to schedule, did it happen):
    ``(pair_id, person_id, sent_at, answered_at, key)``."""
    rows = await session.execute(
        select(Nudge.pair_id, Nudge.person_id, Nudge.sent_at, Nudge.answered_at, Nudge.key).where(
            Nudge.pair_id.in_(pair_ids), Nudge.kind.in_(PROMPT_KINDS), Nudge.status == NudgeStatus.SENT,
            Nudge.sent_at >= since,
        )
    )
    return rows.all()


async def raised_flag_keys(session: AsyncSession, pair_ids: Sequence[int]) -> set[str]:
    """Keys of every flag already raised for these pairs (open or resolved)."""
    return set(await session.scalars(select(Flag.key).where(Flag.pair_id.in_(pair_ids))))


NUDGE_COLUMNS = ("tenant_id", "person_id", "pair_id", "circle_id", "assignment_id", "session_id", "kind", "key",
                 "payload", "due_at", "expires_at", "status", "attempts", "created_at")
"""The columns of an outbox row a job writes (see :func:`bot.cadence.outbox.nudge_row`)."""
COPY_FROM = 200
"""From this many rows on, PostgreSQL gets them by COPY rather than in a multi-row INSERT."""


async def add_nudges(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Insert outbox rows; a key already there is left alone. Returns how many were new."""
    if not rows:
        return 0
    if session.get_bind().dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        return await _copy_nudges(session, rows)
    # One multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING: only new rows come back.
    result = await session.execute(insert_ignoring_conflicts(session, Nudge).returning(Nudge.id), list(rows))
    return len(result.all())


async def _copy_nudges(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Many outbox rows on PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT
    ... ON CONFLICT DO NOTHING (the first tick after an upgrade writes a day's nudges of every
    pair; a multi-row INSERT of that size costs the server a plan per batch)."""
    connection = await session.connection()
    await connection.execute(select(1))  # the driver's transaction is begun: what follows runs in it
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None
    await driver.execute("CREATE TEMPORARY TABLE IF NOT EXISTS nudges_in "
                         "(LIKE nudges INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
    records = [tuple(json.dumps(row[name]) if name == "payload" else row[name] for name in NUDGE_COLUMNS)
               for row in rows]
    await driver.copy_records_to_table("nudges_in", records=records, columns=list(NUDGE_COLUMNS))
    columns = ", ".join(NUDGE_COLUMNS)
    inserted = await driver.fetch(f"INSERT INTO nudges ({columns}) SELECT {columns} FROM nudges_in "
                                  "ON CONFLICT DO NOTHING RETURNING id")
    await driver.execute("TRUNCATE nudges_in")
    return len(inserted)


async def add_flags(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert flags (one multi-row statement); the id of each new one by its key (a key already
    raised is left alone and missing from the answer)."""
    if not rows:
        return {}
    result = await session.execute(insert_ignoring_conflicts(session, Flag).returning(Flag.key, Flag.id), list(rows))
    return {key: flag_id for key, flag_id in result.all()}


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
    if checks:
        await session.execute(update(Pair), [{"id": pair, "next_check_at": at} for pair, at in checks.items()])


async def active_programs(session: AsyncSession) -> Sequence[Program]:
    """Every active program, across tenants."""
    return (await session.execute(select(Program).where(Program.status == "active").order_by(Program.id))).scalars().all()
