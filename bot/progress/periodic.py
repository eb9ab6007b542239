"""The questions that come with the calendar rather than with a session: the monthly pulse
and the end-of-cycle evaluation. Written by the pairs' part of the ``periodic_nudges`` job (see
:func:`bot.registry.write_periodic_nudges`), once per key, in each person's working hours."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cadence.hours import WorkingHours
from bot.cadence.outbox import nudge_row
from bot.progress.pulse import SETTLING_IN, period_of
from storage import cadence as cadence_queries
from storage.enums import NudgeKind
from storage.models import Nudge, Pair, Program
from storage.progress import running_pairs

EVALUATION_WINDOW = timedelta(days=14)
"""The end-of-cycle evaluation goes out this long before the cycle's last day (and until it)."""


async def write_pair_questions(session: AsyncSession, program: Program, now: datetime) -> int:
    """The pairs' periodic nudges for ``program``: the monthly pulses and, near the end
    of the cycle, the evaluations. The nudges written."""
    written = await write_pulses(session, program, now)
    if _evaluation_due(program, now.date()):
        written += await queue_evaluations(session, program, now)
    return written


def _evaluation_due(program: Program, today: date) -> bool:
    end = program.cycle_ends_on
    return end is not None and end - EVALUATION_WINDOW <= today <= end


async def write_pulses(session: AsyncSession, program: Program, now: datetime) -> int:
    """This month's pulse for both sides of every pair of ``program`` running long enough."""
    period = period_of(now)
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    asked = set(await session.scalars(select(Nudge.pair_id).where(
        Nudge.tenant_id == program.tenant_id, Nudge.kind == NudgeKind.PULSE, Nudge.created_at >= month_start)))
    pairs = [p for p in await running_pairs(session, program.id)
             if p.id not in asked and p.started_at is not None and p.started_at <= now - SETTLING_IN]
    return await _ask_both(session, pairs, now, NudgeKind.PULSE, lambda pair, person: f"pulse:{pair}:{period}:{person}",
                           {"period": period})


async def queue_evaluations(session: AsyncSession, program: Program, now: datetime) -> int:
    """The end-of-cycle evaluation for both sides of every running pair of ``program`` (once each)."""
    pairs = list(await running_pairs(session, program.id))
    return await _ask_both(session, pairs, now, NudgeKind.EVALUATION,
                           lambda pair, person: f"evaluation:{pair}:{person}", {})


async def _ask_both(session: AsyncSession, pairs: list[Pair], now: datetime, kind: NudgeKind,
                    key: Any, payload: dict[str, Any]) -> int:
    """A nudge of ``kind`` for both active sides of each pair, in their working hours."""
    if not pairs:
        return 0
    people = await cadence_queries.hours_of_people(session, {x for p in pairs for x in (p.mentor_id, p.mentee_id)})
    hours = {pid: WorkingHours.of_row(row)
             for pid, row in people.items() if row.erased_at is None}
    active = await cadence_queries.active_participants(session, pairs)
    rows = [nudge_row(pair.tenant_id, person_id, kind, key(pair.id, person_id), hours[person_id].next_working(now),
                      now, payload=payload, pair_id=pair.id)
            for pair in pairs for person_id in (pair.mentor_id, pair.mentee_id)
            if (pair.program_id, person_id) in active and person_id in hours]
    return await cadence_queries.add_nudges(session, rows)

