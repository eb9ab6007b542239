"""Daily upkeep across every tenant: old platform event ids go, ended pauses end.

These statements touch each row only by its own columns (no tenant's data is read into
another's), which is why they run for all tenants at once rather than through a
:class:`~storage.repository.Repository`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from collections import defaultdict

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import EnrollmentStatus, PairStatus
from storage.models import Enrollment, Pair, ProcessedEvent

# Platforms retry an event within minutes (Slack: three times over about an hour); a week
# is far beyond any retry.
EVENT_RETENTION = timedelta(days=7)


@dataclass(frozen=True)
class HousekeepingReport:
    """How many rows one housekeeping run changed."""

    events_pruned: int
    enrollments_resumed: int
    pairs_resumed: int


async def prune_processed_events(session: AsyncSession, before: datetime) -> int:
    """Delete the platform event ids recorded before ``before``; how many went."""
    result = await session.execute(delete(ProcessedEvent).where(ProcessedEvent.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


async def resume_enrollments(session: AsyncSession, today: date, now: datetime) -> int:
    """Make active again every enrollment paused until ``today`` or earlier, and restart the
    silence clock of the running pairs of the people resumed (as a pair's own pause does); how many."""
    ending = (Enrollment.status == EnrollmentStatus.PAUSED, Enrollment.paused_until <= today)
    people: dict[int, list[int]] = defaultdict(list)
    for program_id, person_id in (await session.execute(
            select(Enrollment.program_id, Enrollment.person_id).where(*ending))).all():
        people[program_id].append(person_id)
    result = await session.execute(
        update(Enrollment).where(*ending)
        .values(status=EnrollmentStatus.ACTIVE, paused_until=None)
        .execution_options(synchronize_session=False)
    )
    for program_id, ids in people.items():
        await session.execute(
            update(Pair).where(Pair.program_id == program_id, Pair.status == PairStatus.ACTIVE,
                               or_(Pair.mentor_id.in_(ids), Pair.mentee_id.in_(ids)))
            .values(resumed_at=now, next_check_at=None)
            .execution_options(synchronize_session=False)
        )
    return int(getattr(result, "rowcount", 0) or 0)


async def resume_pairs(session: AsyncSession, today: date, now: datetime) -> int:
    """Make active again every pair paused until ``today`` or earlier, due for the next tick; how many."""
    result = await session.execute(
        update(Pair)
        .where(Pair.status == PairStatus.PAUSED, Pair.paused_until <= today)
        .values(status=PairStatus.ACTIVE, paused_until=None, resumed_at=now, next_check_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def housekeep(session: AsyncSession, now: datetime) -> HousekeepingReport:
    """Run every housekeeping step at ``now`` (aware UTC) in ``session``'s transaction."""
    today = now.date()
    return HousekeepingReport(
        events_pruned=await prune_processed_events(session, now - EVENT_RETENTION),
        enrollments_resumed=await resume_enrollments(session, today, now),
        pairs_resumed=await resume_pairs(session, today, now),
    )
