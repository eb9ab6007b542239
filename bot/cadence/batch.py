"""What the cadence ticks write, shared by the pairs', circles' and assignments' ticks:
outbox rows and flags (with their admins' nudges), and the tally of a tick."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cadence import rules
from bot.cadence.hours import WorkingHours
from storage import cadence as queries
from storage.db import Database
from storage.enums import NudgeKind, NudgeStatus

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    """What one tick did."""

    pairs_checked: int = 0
    circles_checked: int = 0
    assignments_checked: int = 0
    nudges_written: int = 0
    flags_raised: int = 0
    sessions_added: int = 0


class Admins:
    """Program admins with their working hours, looked up once per program in a batch."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.known: dict[int, list[tuple[int, WorkingHours]]] = {}

    async def of(self, program_id: int) -> list[tuple[int, WorkingHours]]:
        if program_id not in self.known:
            self.known[program_id] = [(admin.id, WorkingHours.of(admin, profile))
                                      for admin, profile in await queries.admins_of(self.session, program_id)]
        return self.known[program_id]


def nudge_row(tenant_id: int, planned: rules.PlannedNudge, now: datetime, *, pair_id: int | None = None,
              circle_id: int | None = None, assignment_id: int | None = None) -> dict[str, Any]:
    """The outbox row of a planned nudge about a pair, a circle or an assignment (every row of a
    batch has the same keys: one multi-row INSERT)."""
    return {
        "tenant_id": tenant_id, "person_id": planned.person_id, "pair_id": pair_id, "circle_id": circle_id,
        "assignment_id": assignment_id, "session_id": planned.session_id, "kind": planned.kind, "key": planned.key,
        "payload": planned.payload, "due_at": planned.due_at, "expires_at": planned.expires_at,
        "status": NudgeStatus.PENDING, "attempts": 0, "created_at": now,
    }


async def raise_flag_row(session: AsyncSession, row: dict[str, Any], now: datetime,
                         admins: list[tuple[int, WorkingHours]], nudges: list[dict[str, Any]]) -> int:
    """Insert a flag row (about a pair, a circle or an assignment) once per key; when it is new,
    add a FLAG nudge for every admin, in their working hours, to ``nudges``. 1 if it was new."""
    flag_id = await queries.add_flag(session, {**row, "raised_at": now})
    if flag_id is None:
        return 0
    log.info("flag %s raised (%s)", row["kind"], row["key"])
    subject = {name: row.get(name) for name in ("pair_id", "circle_id", "assignment_id")}
    for admin_id, hours in admins:
        nudges.append({
            "tenant_id": row["tenant_id"], "person_id": admin_id, **subject, "session_id": None,
            "kind": NudgeKind.FLAG, "key": f"flag:{flag_id}:{admin_id}", "payload": {"flag_id": flag_id},
            "due_at": hours.next_working(now), "expires_at": None,
            "status": NudgeStatus.PENDING, "attempts": 0, "created_at": now,
        })
    return 1


async def in_batches(db: Database, step: Callable[[AsyncSession], Awaitable[int]], batch: int) -> None:
    """Run ``step`` (which looks at up to ``batch`` due rows and says how many it found), one
    transaction each, until a step finds less than a full batch."""
    while True:
        async with db.transaction() as session:
            checked = await step(session)
        if checked < batch:
            break

