"""The cadence tick: every format looks at what is due, applies its rules, writes what is due.

Each format gives a :data:`Tick` (the pairs', the circles', the research assignments', see
:mod:`bot.registry`), which reads only the subjects whose ``next_check_at`` has come, so a
tick costs what is due, not what exists. Each batch is one transaction (:func:`in_batches`);
what a batch writes goes through a :class:`TickBatch`: nudges and flags are inserted by
unique key, so a tick run twice (or by two replicas at once) writes each of them once.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cadence.flags import Admins, raise_flag_rows
from bot.cadence.outbox import planned_row
from bot.cadence.rules import Verdict
from bot.clock import Clock
from storage import cadence as queries
from storage.db import Database

log = logging.getLogger(__name__)

WRITE_AHEAD = timedelta(hours=24)
"""How far ahead of its due time a nudge is written. Every subject is looked at at least once a
day (at its own time of day), so a nudge due later is written at a later look, still ahead of
its time: the tick never needs to wake for a nudge (docs/cadence.md, "Written ahead"), and the
first tick after an upgrade writes only the next day's."""


@dataclass
class TickReport:
    """What one tick did. ``checked`` counts the subjects looked at by what they are
    (``pairs``, ``circles``, ``assignments``); ``report.pairs_checked`` reads ``checked["pairs"]``."""

    checked: Counter[str] = field(default_factory=Counter)
    nudges_written: int = 0
    flags_raised: int = 0
    sessions_added: int = 0

    def __getattr__(self, name: str) -> int:
        if name.endswith("_checked"):
            return self.checked[name.removesuffix("_checked")]
        raise AttributeError(name)


Tick = Callable[[Database, datetime, TickReport], Awaitable[None]]
"""A format's part of the tick: look at what of it is due at the given moment, add to the report."""


async def run_ticks(db: Database, clock: Clock, ticks: Sequence[Tick]) -> TickReport:
    """Run every format's tick at the clock's time; what they looked at and wrote."""
    report = TickReport()
    now = clock.now()
    for tick in ticks:
        await tick(db, now, report)
    if report.nudges_written or report.flags_raised:
        looked_at = ", ".join(f"{n} {what}" for what, n in report.checked.items())
        log.info("tick: %s looked at, %d nudges and %d flags written", looked_at, report.nudges_written,
                 report.flags_raised)
    return report


async def in_batches(db: Database, step: Callable[[AsyncSession], Awaitable[int]], batch: int) -> None:
    """Run ``step`` (which looks at up to ``batch`` due rows and says how many it found), one
    transaction each, until a step finds less than a full batch."""
    while True:
        async with db.transaction() as session:
            checked = await step(session)
        if checked < batch:
            break


class TickBatch:
    """What one batch of a format's tick writes: each subject's planned nudges, its new flags
    (each once per key, told to every admin of the program in their working hours), and when
    the subject is looked at again."""

    def __init__(self, session: AsyncSession, now: datetime, raised: set[str]) -> None:
        self.session, self.now, self.raised = session, now, raised
        self.admins = Admins(session)
        self.nudges: list[dict[str, Any]] = []
        self.flags: list[dict[str, Any]] = []
        self.next_checks: dict[int, datetime | None] = {}

    async def record(self, subject_id: int, verdict: Verdict, *, tenant_id: int, program_id: int,
                     **about: int) -> None:
        """Keep what the rules found for one subject (the nudges due within :data:`WRITE_AHEAD`);
        ``about`` names it on the rows written (``pair_id=7``, ``circle_id=3`` or ``assignment_id=5``)."""
        horizon = self.now + WRITE_AHEAD
        self.nudges += [planned_row(tenant_id, planned, self.now, **about) for planned in verdict.nudges
                        if planned.due_at <= horizon]
        self.flags += [{"tenant_id": tenant_id, "program_id": program_id, "pair_id": None, "circle_id": None,
                        "assignment_id": None, **about, "person_id": flag.person_id, "kind": flag.kind, "key": flag.key,
                        "details": flag.details} for flag in verdict.flags if flag.key not in self.raised]
        self.next_checks[subject_id] = verdict.next_check_at

    async def finish(self, report: TickReport, what: str,
                     set_next_checks: Callable[[AsyncSession, dict[int, datetime | None]], Awaitable[None]]) -> int:
        """Write the batch, count it in ``report`` under ``what``; how many subjects it looked at."""
        report.flags_raised += await raise_flag_rows(self.session, self.flags, self.now, self.admins, self.nudges)
        report.nudges_written += await queries.add_nudges(self.session, self.nudges)
        await set_next_checks(self.session, self.next_checks)
        report.checked[what] += len(self.next_checks)
        return len(self.next_checks)
