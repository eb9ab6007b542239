"""What happens to a pair's sessions: scheduled, moved, called off, held or missed.

Every change is told to the partner through the outbox (in their working hours), wakes
the tick for the pair, settles the questions it answers (a schedule request, "did it
happen?"), and a held session resolves the pair's open cadence flags (rule 6 of
docs/cadence.md: a poor fit or a rematch request waits for an admin).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import update

from bot.cadence.hours import hours_of
from bot.cadence.outbox import add_nudge, drop_pending
from bot.cadence.when_and_where import Venue
from bot.calendars.events import plan_cancel, plan_move, plan_new
from bot.invites import new_calendar_uid, new_invite_token
from bot.turn import Turn
from storage.enums import FlagKind, NudgeKind, NudgeStatus, PairStatus, SessionStatus
from storage.models import Flag, MentoringSession, Nudge, Pair

DEFAULT_MINUTES = 45
CADENCE_FLAGS = (FlagKind.CANCELED_TWICE, FlagKind.SILENT, FlagKind.IGNORED_PROMPTS)
"""The flags a held session answers; a poor fit or a rematch request waits for an admin."""


def with_pair(pair_id: int | None) -> str:
    """How a button names a pair in a participant command: ``with=#17``, by id, never by a name
    (rule 10 of docs/cadence.md: a name may hold quotes or any script)."""
    return f"with=#{pair_id}"


def partner_of(pair: Pair, person_id: int) -> int:
    """The other side of the pair."""
    return pair.mentee_id if pair.mentor_id == person_id else pair.mentor_id


async def upcoming_session(turn: Turn, pair: Pair) -> MentoringSession | None:
    """The pair's next scheduled session that has not started yet."""
    return await turn.repo.next_session([pair.id], turn.now)


async def schedule(turn: Turn, pair: Pair, starts_at: datetime, zone: str, venue: Venue,
                   recurring: bool = False, minutes: int = DEFAULT_MINUTES) -> MentoringSession:
    """Put a new session of ``pair`` on the calendar (a series when ``recurring``)."""
    session = turn.repo.add(MentoringSession(
        program_id=pair.program_id, pair_id=pair.id, starts_at=starts_at, duration_minutes=minutes,
        mode=venue.mode, place=venue.place, recurring=recurring,
        status=SessionStatus.SCHEDULED, created_at=turn.now, created_by_id=turn.person.id, timezone=zone,
        calendar_uid=new_calendar_uid(), calendar_sequence=0, invite_token=new_invite_token(),
    ))
    await turn.repo.flush()
    await plan_new(turn.repo, session, owner_id=pair.mentee_id)
    await _settle(turn, pair, kinds=(NudgeKind.SCHEDULE, NudgeKind.MANUAL))
    await tell_partner(turn, pair, session, "scheduled")
    return session


async def reschedule(turn: Turn, pair: Pair, old: MentoringSession, starts_at: datetime, zone: str,
                     venue: Venue, minutes: int | None = None, from_calendar: bool = False) -> MentoringSession:
    """Move ``old`` to a new time: the same calendar event, at its next sequence number
    (``from_calendar``: it was moved on the real calendar, which needs no update)."""
    old.status, old.outcome_at, old.outcome_by_id = SessionStatus.RESCHEDULED, turn.now, turn.person.id
    session = turn.repo.add(MentoringSession(
        program_id=old.program_id, pair_id=pair.id, starts_at=starts_at, duration_minutes=minutes or old.duration_minutes,
        mode=venue.mode, place=venue.place,
        # A moved session is a single event: the moved occurrence of a series is an exception
        # to it (the series goes on from its own dates), not a new series.
        recurring=False,
        status=SessionStatus.SCHEDULED, created_at=turn.now, created_by_id=turn.person.id, timezone=zone,
        calendar_uid=old.calendar_uid or new_calendar_uid(), calendar_sequence=old.calendar_sequence + 1,
        invite_token=new_invite_token(), rescheduled_from_id=old.id,
    ))
    plan_move(old, session, from_calendar)
    await turn.repo.flush()
    await drop_pending(turn, old.id)
    await _settle(turn, pair, kinds=(NudgeKind.SCHEDULE, NudgeKind.MANUAL))
    await tell_partner(turn, pair, session, "rescheduled")
    return session


async def cancel(turn: Turn, pair: Pair, session: MentoringSession, by_id: int, from_calendar: bool = False) -> None:
    """Call a session off, recording who canceled it (``from_calendar``: it was canceled on the
    real calendar, where nothing is left to cancel)."""
    await record_outcome(turn, pair, session, SessionStatus.CANCELED, by_id, from_calendar=from_calendar)


async def record_outcome(turn: Turn, pair: Pair, session: MentoringSession, status: SessionStatus,
                         canceled_by_id: int | None = None, from_calendar: bool = False) -> None:
    """What became of a session: held, canceled (by whom) or a no-show."""
    session.status, session.outcome_at, session.outcome_by_id = status, turn.now, turn.person.id
    session.canceled_by_id = canceled_by_id if status == SessionStatus.CANCELED else None
    if status == SessionStatus.CANCELED and session.starts_at > turn.now:
        plan_cancel(session, from_calendar)
    await drop_pending(turn, session.id)
    await _settle(turn, pair, kinds=(NudgeKind.OUTCOME,), session_id=session.id)
    if status == SessionStatus.HELD:
        await resolve_flags(turn, pair, CADENCE_FLAGS)
    if session.starts_at > turn.now or status == SessionStatus.CANCELED:
        await tell_partner(turn, pair, session, str(status))


async def resolve_flags(turn: Turn, pair: Pair, kinds: Collection[str] | None = None) -> None:
    """The pair's open flags of ``kinds`` (all of them when None: the pair ended) are resolved."""
    query = update(Flag).where(Flag.tenant_id == turn.tenant.id, Flag.pair_id == pair.id, Flag.resolved_at.is_(None))
    if kinds is not None:
        query = query.where(Flag.kind.in_(list(kinds)))
    await turn.repo.session.execute(query.values(resolved_at=turn.now))


async def tell_partner(turn: Turn, pair: Pair, session: MentoringSession, event: str) -> None:
    """Let the partner know what the person speaking did to a session, in their working hours."""
    partner_id = partner_of(pair, turn.person.id)
    partner = await turn.repo.person(partner_id)
    if partner is None or partner.erased_at is not None:
        return
    hours = await hours_of(turn.repo, partner)
    await add_nudge(turn, partner_id, NudgeKind.SESSION_NEWS, f"news:{session.id}:{event}:{partner_id}",
                    hours.next_working(turn.now), pair_id=pair.id, session_id=session.id,
                    payload={"session_id": session.id, "event": event, "by": turn.person.id})


async def _settle(turn: Turn, pair: Pair, kinds: tuple[NudgeKind, ...], session_id: int | None = None) -> None:
    """Questions this action answers count as answered (for the "stopped answering" flag),
    and the tick looks at the pair again at its next run."""
    query = update(Nudge).where(Nudge.tenant_id == turn.tenant.id, Nudge.pair_id == pair.id, Nudge.kind.in_(kinds))
    if session_id is not None:
        query = query.where(Nudge.session_id == session_id)
    await turn.repo.session.execute(query.where(Nudge.answered_at.is_(None)).values(answered_at=turn.now))
    await turn.repo.session.execute(
        query.where(Nudge.status == NudgeStatus.PENDING).values(status=NudgeStatus.CANCELED)
    )
    pair.next_check_at = None


async def pair_sessions(turn: Turn, pair: Pair, limit: int = 6) -> list[MentoringSession]:
    """The pair's latest sessions, newest first (moved ones left out: their new time counts)."""
    rows = await turn.repo.all(
        turn.repo.scoped(MentoringSession)
        .where(MentoringSession.pair_id == pair.id, MentoringSession.status != SessionStatus.RESCHEDULED)
        .order_by(MentoringSession.starts_at.desc()).limit(limit)
    )
    return list(rows)


async def active_pair(turn: Turn, pair_id: int) -> Pair | None:
    """A pair of this tenant that is active or paused."""
    pair = await turn.repo.one_or_none(turn.repo.scoped(Pair).where(Pair.id == pair_id))
    return pair if pair is not None and pair.status in (PairStatus.ACTIVE, PairStatus.PAUSED) else None
