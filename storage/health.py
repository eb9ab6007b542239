"""Queries behind the bot's own health: how the cadence jobs' last runs went (across replicas),
the outbox's backlog, and what could not be delivered lately."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import NudgeStatus
from storage.models import JobRun, Nudge, Person
from storage.repository import insert_ignoring_conflicts

ERROR_LIMIT = 500


async def job_started(session: AsyncSession, name: str, now: datetime) -> None:
    """Record that job ``name`` started a run."""
    await session.execute(insert_ignoring_conflicts(session, JobRun, name=name, failures_in_a_row=0))
    run = await session.get(JobRun, name, with_for_update=session.bind is not None
                            and session.bind.dialect.name == "postgresql")
    assert run is not None
    run.last_started_at = now


async def job_ended(session: AsyncSession, name: str, now: datetime, error: str | None) -> int:
    """Record how a run of ``name`` ended (``error`` None: it succeeded); the failures in a row now."""
    await session.execute(insert_ignoring_conflicts(session, JobRun, name=name, failures_in_a_row=0))
    run = await session.get(JobRun, name, with_for_update=session.bind is not None
                            and session.bind.dialect.name == "postgresql")
    assert run is not None
    if error is None:
        run.last_succeeded_at, run.failures_in_a_row = now, 0
    else:
        run.last_failed_at, run.failures_in_a_row = now, run.failures_in_a_row + 1
        run.last_error = error[:ERROR_LIMIT]
    return run.failures_in_a_row


async def job_runs(session: AsyncSession) -> dict[str, JobRun]:
    """Every job's record, by name."""
    return {run.name: run for run in (await session.scalars(select(JobRun))).all()}


@dataclass(frozen=True)
class Backlog:
    """Messages due and not sent yet, and since when the oldest has waited."""

    due: int
    oldest_due_at: datetime | None


async def backlogs(session: AsyncSession, now: datetime) -> dict[int, Backlog]:
    """The backlog of each tenant that has one (pending rows already due)."""
    rows = await session.execute(
        select(Nudge.tenant_id, func.count(), func.min(Nudge.due_at))
        .where(Nudge.status == NudgeStatus.PENDING, Nudge.due_at <= now).group_by(Nudge.tenant_id))
    return {tenant: Backlog(count, oldest) for tenant, count, oldest in rows.all()}


@dataclass(frozen=True)
class Failure:
    """A message that failed for good: to whom, why, when."""

    person_id: int
    kind: str
    error: str
    failed_at: datetime


async def failures_since(session: AsyncSession, tenant_id: int, since: datetime) -> Sequence[Failure]:
    """The tenant's messages that failed for good since ``since``, newest first (erased people left out)."""
    rows = await session.execute(
        select(Nudge.person_id, Nudge.kind, Nudge.last_error, Nudge.failed_at)
        .join(Person, Person.id == Nudge.person_id)
        .where(Nudge.tenant_id == tenant_id, Nudge.status == NudgeStatus.FAILED, Nudge.failed_at >= since,
               Person.erased_at.is_(None))
        .order_by(Nudge.failed_at.desc(), Nudge.id.desc()))
    return [Failure(person, kind, error or "", failed_at or since) for person, kind, error, failed_at in rows.all()]
