"""The cadence rules every format shares, as pure functions of state and the time.

A format's rules (:mod:`bot.pairs.rules`, :mod:`bot.circles.rules`, :mod:`bot.research.rules`)
take what its tick loaded and return a :class:`Verdict`: the nudges due now, the flags that
hold, and when to look again. They are built from the pieces here: reminders before a
session, "did it happen?" after it, the cadence period of a schedule ask, the missed streak
and the silence that raise flags. Nothing here reads or writes the database, so every rule is
tested on a fake clock directly.

Nudge keys make each nudge exist at most once: ``kind:subject-or-session:period:person``.
Flag keys carry the id of the latest held session, so a flag is raised once per stretch of
trouble and may be raised again after the pair (or circle) got back on track.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.cadence.hours import WorkingHours
from bot.cadence.periods import window
from storage.enums import SessionStatus

# After a session, the pair (or circle) has a day to put the next one on the calendar (the
# answer to "did it happen?" offers it) before the bot asks.
FIRST_ASK_DELAY = timedelta(days=1)
# "Did it happen?" goes out this long after a session's end.
OUTCOME_DELAY = timedelta(minutes=15)
# Every active pair is looked at again at least once a day (prompts sent in between may
# have gone unanswered), each pair at its own time of day: pairs looked at in one tick
# would otherwise all come due again together, at the same tick every day.
DAY_SECONDS = 86_400
SPREAD = 7919  # a prime: consecutive pair ids land far apart in the day
ENDED = (SessionStatus.HELD, SessionStatus.CANCELED, SessionStatus.NO_SHOW)
MISSED = (SessionStatus.CANCELED, SessionStatus.NO_SHOW)


@dataclass(frozen=True)
class Side:
    """One participant of a pair, as the rules need them."""

    person_id: int
    role: str
    hours: WorkingHours
    active: bool = True


@dataclass(frozen=True)
class SessionState:
    """A session of a pair, a meeting of a circle or a lunch-and-learn."""

    id: int
    starts_at: datetime
    duration: timedelta
    status: str
    created_at: datetime
    outcome_at: datetime | None = None
    canceled_by_id: int | None = None

    @classmethod
    def of(cls, row: Any) -> SessionState:
        """A session as the rules see it, from a row of columns or a whole one."""
        return cls(row.id, row.starts_at, timedelta(minutes=row.duration_minutes), row.status, row.created_at,
                   row.outcome_at, row.canceled_by_id)

    @property
    def ends_at(self) -> datetime:
        """When the session is over."""
        return self.starts_at + self.duration

    @property
    def happened_at(self) -> datetime:
        """When the session counts as having taken place (or having been called off)."""
        if self.status == SessionStatus.CANCELED and self.outcome_at is not None:
            return min(self.starts_at, self.outcome_at)
        return self.starts_at


@dataclass(frozen=True)
class Prompt:
    """A question sent to a person (to schedule, or whether a session happened)."""

    person_id: int
    sent_at: datetime
    answered_at: datetime | None
    key: str = ""


@dataclass(frozen=True)
class PlannedNudge:
    """A nudge due now."""

    person_id: int
    kind: str  # a NudgeKind, or a kind of a format's own
    key: str
    due_at: datetime
    session_id: int | None = None
    expires_at: datetime | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedFlag:
    """A flag that holds now."""

    kind: str  # a FlagKind, or a kind of a format's own
    key: str
    person_id: int | None
    details: dict[str, Any]


@dataclass
class Verdict:
    """What the rules found for one pair."""

    nudges: list[PlannedNudge] = field(default_factory=list)
    flags: list[PlannedFlag] = field(default_factory=list)
    next_check_at: datetime | None = None

    def later(self, moment: datetime) -> None:
        """Look at the pair again no later than ``moment``."""
        if self.next_check_at is None or moment < self.next_check_at:
            self.next_check_at = moment


def daily_look(pair_id: int, now: datetime) -> datetime:
    """The pair's own daily moment, the first one after ``now`` (at most a day ahead)."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    slot = midnight + timedelta(seconds=(pair_id * SPREAD) % DAY_SECONDS)
    return slot if slot > now else slot + timedelta(days=1)


def when_due(hours: WorkingHours, planned: datetime, now: datetime) -> datetime:
    """The moment a nudge planned for ``planned`` goes out: the first moment inside the
    recipient's working hours at or after it, or after ``now`` when it is late. A moment still
    to come is written ahead as the row's due time (docs/cadence.md, "Written ahead"), so the
    subject needs no look then."""
    return hours.next_working(max(planned, now))


def reminders(sides: Sequence[Side], session: SessionState, reminder: timedelta, now: datetime, verdict: Verdict,
              kind: str) -> None:
    """A reminder to each of ``sides``, ``reminder`` before the session, placed earlier into
    working hours when that moment is at night or on a weekend; never after the session has
    started. Keys: ``KIND:SESSION:PERSON``."""
    for side in sides:
        planned = side.hours.last_working_before(session.starts_at - reminder)
        if planned < session.created_at:
            continue  # scheduled at short notice: the confirmation was the reminder
        due = when_due(side.hours, planned, now)
        if due >= session.starts_at:
            continue
        verdict.nudges.append(PlannedNudge(
            side.person_id, kind, f"{kind}:{session.id}:{side.person_id}", due,
            session_id=session.id, expires_at=session.starts_at, payload={"session_id": session.id},
        ))


def outcome_prompts(sides: Sequence[Side], session: SessionState, now: datetime, verdict: Verdict,
                    kind: str) -> None:
    """After the session: did it happen? Asked of each of ``sides`` a quarter of an hour after
    it ends, in their working hours (at the start of their next working morning when it ends
    after hours); written ahead, from the moment the session is known (rule 5 of
    docs/cadence.md). Keys: ``KIND:SESSION:PERSON``."""
    for side in sides:
        due = when_due(side.hours, session.ends_at + OUTCOME_DELAY, now)
        verdict.nudges.append(PlannedNudge(
            side.person_id, kind, f"{kind}:{session.id}:{side.person_id}", due,
            session_id=session.id, payload={"session_id": session.id},
        ))


def missed_streak(sessions: Sequence[SessionState]) -> list[SessionState]:
    """The sessions canceled or missed since the last one held, newest first."""
    ended = sorted((s for s in sessions if s.status in ENDED), key=lambda s: s.starts_at, reverse=True)
    streak = []
    for session in ended:
        if session.status not in MISSED:
            break
        streak.append(session)
    return streak


def schedule_period(sessions: Sequence[SessionState], cadence: str, first: datetime, now: datetime,
                    verdict: Verdict) -> tuple[int, datetime] | None:
    """Nothing is on the calendar: the cadence period the schedule asks of ``now`` belong to
    (its number since ``first``, the moment of the first ask, and when it began), or None when
    no ask is due yet (before ``first``, or while a session's outcome is still unknown: "did it
    happen?" comes first). Asks are made once per period."""
    length = window(cadence)
    if any(s.status == SessionStatus.SCHEDULED and s.starts_at <= now < s.ends_at + length for s in sessions):
        return None
    if now < first:
        verdict.later(first)
        return None
    period = int((now - first) / length)
    start = first + period * length
    verdict.later(start + length)
    return period, start


def silent_since(last_held: SessionState | None, active_since: datetime, cadence: str, now: datetime,
                 verdict: Verdict, sessions: Sequence[SessionState] = ()) -> datetime | None:
    """When the silence began, if nothing was held for twice the cadence since the last held
    session (or the start, or the end of a pause); None otherwise (the subject is looked at
    again when it would be). A session that took place and whose outcome nobody gave yet may
    have been held: the clock counts from it until someone says (the "stopped answering" flag
    speaks for unanswered questions), so the flag never cries wolf."""
    since = max(last_held.starts_at if last_held else active_since, active_since)
    maybe_held = [s.starts_at for s in sessions if s.status == SessionStatus.SCHEDULED and s.starts_at <= now]
    silent_at = max([since, *maybe_held]) + 2 * window(cadence)
    if now >= silent_at:
        return since
    verdict.later(silent_at)
    return None
