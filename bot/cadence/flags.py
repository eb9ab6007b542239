"""Flags: a pair, a circle or a research assignment in trouble, told to the program admins.

A flag is raised once per key, by a format's tick (:func:`raise_flag_rows`) or by something a
person did (:func:`raise_about`); each new flag becomes a nudge to every admin of the program,
in their working hours. How each format's flags read is in its own ``flags`` module.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.cadence.hours import WorkingHours, hours_of
from bot.cadence.outbox import add_nudge, nudge_row
from bot.turn import Turn
from storage import cadence as queries
from storage.enums import NudgeKind
from storage.models import Flag
from storage.repository import Repository

log = logging.getLogger(__name__)


async def open_flags(repo: Repository, program_id: int) -> Sequence[Flag]:
    """A program's unresolved flags, oldest first."""
    return await repo.all(repo.scoped(Flag).where(Flag.program_id == program_id, Flag.resolved_at.is_(None))
                          .order_by(Flag.raised_at, Flag.id))


async def raise_about(turn: Turn, program_id: int, kind: str, key: str, *, pair_id: int | None = None,
                      circle_id: int | None = None, assignment_id: int | None = None,
                      person_id: int | None = None, details: dict[str, object] | None = None) -> Flag | None:
    """Raise a flag about a pair, a circle or a research assignment from something the person
    speaking did, once per ``key``; every admin of the program is told in their working hours.
    None if it was raised already."""
    if await turn.repo.one_or_none(turn.repo.scoped(Flag).where(Flag.key == key)) is not None:
        return None
    flag = turn.repo.add(Flag(program_id=program_id, pair_id=pair_id, circle_id=circle_id,
                              assignment_id=assignment_id, person_id=person_id, kind=kind, key=key,
                              raised_at=turn.now, details={**(details or {}), "since": turn.now.isoformat()}))
    await turn.repo.flush()
    metrics.FLAGS.labels(kind).inc()
    for admin in await turn.repo.admins(program_id):
        hours = await hours_of(turn.repo, admin)
        await add_nudge(turn, admin.id, NudgeKind.FLAG, f"flag:{flag.id}:{admin.id}", hours.next_working(turn.now),
                        pair_id=pair_id, circle_id=circle_id, assignment_id=assignment_id,
                        payload={"flag_id": flag.id})
    return flag


class Admins:
    """Program admins with their working hours, looked up once per program in a batch."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.known: dict[int, list[tuple[int, WorkingHours]]] = {}

    async def of(self, program_id: int) -> list[tuple[int, WorkingHours]]:
        """The admins of ``program_id`` and their working hours."""
        if program_id not in self.known:
            self.known[program_id] = [(admin.id, WorkingHours.of(admin, profile))
                                      for admin, profile in await queries.admins_of(self.session, program_id)]
        return self.known[program_id]


async def raise_flag_rows(session: AsyncSession, rows: Sequence[dict[str, Any]], now: datetime, admins: Admins,
                          nudges: list[dict[str, Any]]) -> int:
    """Insert flag rows (about pairs, circles or assignments) once per key, in one statement; for
    each new one, add a FLAG nudge for every admin of its program, in their working hours, to
    ``nudges``. How many were new."""
    new = await queries.add_flags(session, [{**row, "raised_at": now} for row in rows])
    for row in rows:
        flag_id = new.get(row["key"])
        if flag_id is None:
            continue
        log.info("flag %s raised (%s)", row["kind"], row["key"])
        metrics.FLAGS.labels(row["kind"]).inc()
        subject = {name: row.get(name) for name in ("pair_id", "circle_id", "assignment_id")}
        for admin_id, hours in await admins.of(row["program_id"]):
            nudges.append(nudge_row(row["tenant_id"], admin_id, NudgeKind.FLAG, f"flag:{flag_id}:{admin_id}",
                                    hours.next_working(now), now, payload={"flag_id": flag_id}, **subject))
    return len(new)
