"""Writing to the outbox: a nudge is what the bot will say to a person later.

A nudge is a row with a unique key (so that it is written at most once), a due time (inside
the recipient's working hours) and a kind; :mod:`bot.cadence.nudges` renders it when it goes
out, and the scheduler's sender delivers it. Everything in the core that queues a message for
later goes through here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from bot.cadence.rules import PlannedNudge
from bot.turn import Turn
from storage.enums import NudgeKind, NudgeStatus
from storage.models import Nudge
from storage.repository import insert_ignoring_conflicts


async def add_nudge(turn: Turn, person_id: int, kind: str, key: str, due_at: datetime,
                    pair_id: int | None = None, session_id: int | None = None,
                    payload: dict[str, Any] | None = None, circle_id: int | None = None,
                    assignment_id: int | None = None, expires_at: datetime | None = None) -> bool:
    """Queue a message for someone else; False when that key was already queued."""
    result = await turn.repo.session.execute(insert_ignoring_conflicts(
        turn.repo.session, Nudge, tenant_id=turn.tenant.id, person_id=person_id, pair_id=pair_id,
        session_id=session_id, circle_id=circle_id, assignment_id=assignment_id, kind=kind, key=key,
        payload=payload or {}, due_at=due_at, expires_at=expires_at,
        status=NudgeStatus.PENDING, attempts=0, created_at=turn.now,
    ))
    return bool(getattr(result, "rowcount", 0))


async def drop_pending(turn: Turn, session_id: int) -> None:
    """Reminders and questions about a session that changed are no longer sent."""
    await turn.repo.session.execute(
        update(Nudge).where(Nudge.tenant_id == turn.tenant.id, Nudge.session_id == session_id,
                            Nudge.status == NudgeStatus.PENDING, Nudge.kind != NudgeKind.SESSION_NEWS)
        .values(status=NudgeStatus.CANCELED)
    )


def nudge_row(tenant_id: int, person_id: int, kind: str, key: str, due_at: datetime, now: datetime, *,
              payload: dict[str, Any] | None = None, session_id: int | None = None,
              expires_at: datetime | None = None, pair_id: int | None = None, circle_id: int | None = None,
              assignment_id: int | None = None) -> dict[str, Any]:
    """The outbox row of a nudge written by a job (every row of a batch has the same keys: one
    multi-row INSERT, see :func:`storage.cadence.add_nudges`)."""
    return {
        "tenant_id": tenant_id, "person_id": person_id, "pair_id": pair_id, "circle_id": circle_id,
        "assignment_id": assignment_id, "session_id": session_id, "kind": kind, "key": key,
        "payload": payload or {}, "due_at": due_at, "expires_at": expires_at,
        "status": NudgeStatus.PENDING, "attempts": 0, "created_at": now,
    }


def planned_row(tenant_id: int, planned: PlannedNudge, now: datetime, *, pair_id: int | None = None,
                circle_id: int | None = None, assignment_id: int | None = None) -> dict[str, Any]:
    """The outbox row of a nudge the rules planned, about a pair, a circle or an assignment."""
    return nudge_row(tenant_id, planned.person_id, planned.kind, planned.key, planned.due_at, now,
                     payload=planned.payload, session_id=planned.session_id, expires_at=planned.expires_at,
                     pair_id=pair_id, circle_id=circle_id, assignment_id=assignment_id)
