"""Repeating series: once an occurrence has begun, the next one goes on the calendar.

Shared by the pairs' and the circles' ticks: a series is every recurring row with one
``calendar_uid``; the next occurrence keeps the series' wall-clock time in the zone it was
scheduled in, and its calendar identity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cadence.periods import next_occurrence
from bot.invites import new_invite_token
from storage.enums import SessionStatus
from storage.models import MentoringSession


async def continue_series(session: AsyncSession, rows: Iterable[MentoringSession],
                          cadence_of: Callable[[MentoringSession], str], now: datetime) -> list[MentoringSession]:
    """Add the next occurrence of each series in ``rows`` whose latest occurrence has begun (it
    already is in the participants' calendars, through the series' recurrence rule);
    ``cadence_of`` gives the cadence of an occurrence's pair or circle. The rows added."""
    series: dict[str, list[MentoringSession]] = defaultdict(list)
    for row in rows:
        if row.calendar_uid:
            series[row.calendar_uid].append(row)
    added = []
    for occurrences in series.values():
        latest = max(occurrences, key=lambda s: s.starts_at)
        if latest.starts_at > now:
            continue
        row = next_in_series(occurrences, cadence_of(latest), now)
        session.add(row)
        added.append(row)
    if added:
        await session.flush()
    return added


def next_in_series(occurrences: list[MentoringSession], cadence: str, now: datetime) -> MentoringSession:
    """The first occurrence of the series after ``now``, as a new row."""
    first = min(occurrences, key=lambda s: s.starts_at)
    index = 1
    while (starts := next_occurrence(first.starts_at, first.timezone, cadence, index)) <= now:
        index += 1
    latest = max(occurrences, key=lambda s: s.starts_at)
    return MentoringSession(
        tenant_id=first.tenant_id, program_id=first.program_id, pair_id=first.pair_id, circle_id=first.circle_id,
        starts_at=starts, duration_minutes=latest.duration_minutes, mode=latest.mode, place=latest.place,
        recurring=True, status=SessionStatus.SCHEDULED, created_at=now, created_by_id=first.created_by_id,
        timezone=first.timezone, calendar_uid=first.calendar_uid, calendar_sequence=latest.calendar_sequence,
        invite_token=new_invite_token(),
        # The series' event on the real calendar (if any) is this occurrence's too.
        calendar_event_id=first.calendar_event_id, calendar_event_key=first.calendar_event_key,
        calendar_owner_id=first.calendar_owner_id,
    )
