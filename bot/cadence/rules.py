"""The cadence rules, as pure functions of a pair's state and the time.

Given what the tick loaded about a pair (:class:`PairState`), :func:`evaluate` says which
nudges are due now, which flags hold, and when the pair next needs a look. Nothing here
reads or writes the database, so every rule is tested on a fake clock directly.

Nudge keys make each nudge exist at most once: ``kind:pair-or-session:period:person``.
Flag keys carry the id of the pair's latest held session, so a flag is raised once per
stretch of trouble and may be raised again after the pair got back on track.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.cadence.hours import WorkingHours
from bot.cadence.periods import window
from storage.enums import FlagKind, NudgeKind, SessionStatus

# After a session, the pair has a day to put the next one on the calendar (the answer to
# "did it happen?" offers it) before the bot asks.
FIRST_ASK_DELAY = timedelta(days=1)
# If the mentee has not scheduled two days after being asked, the mentee is asked again and
# the mentor is asked too.
FOLLOW_UP_DELAY = timedelta(days=2)
# "Did it happen?" goes out this long after a session's end.
OUTCOME_DELAY = timedelta(minutes=15)
# A prompt counts as ignored when unanswered this long after it was sent.
IGNORE_GRACE = timedelta(days=2)
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
    """A session of the pair."""

    id: int
    starts_at: datetime
    duration: timedelta
    status: str
    created_at: datetime
    outcome_at: datetime | None = None
    canceled_by_id: int | None = None

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


@dataclass(frozen=True)
class PairState:
    """Everything the rules look at for one pair."""

    pair_id: int
    cadence: str
    reminder: timedelta
    active_since: datetime
    mentor: Side
    mentee: Side
    sessions: Sequence[SessionState] = ()
    prompts: Sequence[Prompt] = ()

    @property
    def sides(self) -> tuple[Side, Side]:
        """The mentee first: the executive is asked first."""
        return self.mentee, self.mentor


@dataclass(frozen=True)
class PlannedNudge:
    """A nudge due now."""

    person_id: int
    kind: NudgeKind
    key: str
    due_at: datetime
    session_id: int | None = None
    expires_at: datetime | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedFlag:
    """A flag that holds now."""

    kind: FlagKind
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


def evaluate(state: PairState, now: datetime) -> Verdict:
    """The nudges due now, the flags that hold and when to look again, for an active pair."""
    verdict = Verdict()
    verdict.later(daily_look(state.pair_id, now))
    if not (state.mentor.active and state.mentee.active):
        return verdict  # a paused participant gets nothing, and neither does their partner
    upcoming = [s for s in state.sessions if s.status == SessionStatus.SCHEDULED and s.starts_at > now]
    for session in upcoming:
        reminders(state.sides, session, state.reminder, now, verdict)
    for session in state.sessions:
        if session.status == SessionStatus.SCHEDULED and session.starts_at <= now:
            outcome_prompts(state.sides, session, now, verdict)
    if not upcoming:
        _schedule_asks(state, now, verdict)
    _flags(state, now, verdict)
    return verdict


def daily_look(pair_id: int, now: datetime) -> datetime:
    """The pair's own daily moment, the first one after ``now`` (at most a day ahead)."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    slot = midnight + timedelta(seconds=(pair_id * SPREAD) % DAY_SECONDS)
    return slot if slot > now else slot + timedelta(days=1)


def when_due(hours: WorkingHours, planned: datetime, now: datetime, verdict: Verdict) -> datetime | None:
    """The moment a nudge planned for ``planned`` goes out (inside working hours), or None when
    that is still ahead (the pair is looked at again then)."""
    due = hours.next_working(planned)
    if due > now:
        verdict.later(due)
        return None
    return hours.next_working(now)


def reminders(sides: Sequence[Side], session: SessionState, reminder: timedelta, now: datetime, verdict: Verdict,
              kind: NudgeKind = NudgeKind.REMINDER) -> None:
    """A reminder to each of ``sides``, ``reminder`` before the session, placed earlier into
    working hours when that moment is at night or on a weekend; never after the session has
    started. Keys: ``KIND:SESSION:PERSON``."""
    for side in sides:
        planned = side.hours.last_working_before(session.starts_at - reminder)
        if planned < session.created_at:
            continue  # scheduled at short notice: the confirmation was the reminder
        due = when_due(side.hours, planned, now, verdict)
        if due is None or due >= session.starts_at:
            continue
        verdict.nudges.append(PlannedNudge(
            side.person_id, kind, f"{kind}:{session.id}:{side.person_id}", due,
            session_id=session.id, expires_at=session.starts_at, payload={"session_id": session.id},
        ))


def outcome_prompts(sides: Sequence[Side], session: SessionState, now: datetime, verdict: Verdict,
                    kind: NudgeKind = NudgeKind.OUTCOME) -> None:
    """After the session: did it happen? Asked of each of ``sides``, in their working hours.
    Keys: ``KIND:SESSION:PERSON``."""
    for side in sides:
        due = when_due(side.hours, session.ends_at + OUTCOME_DELAY, now, verdict)
        if due is None:
            continue
        verdict.nudges.append(PlannedNudge(
            side.person_id, kind, f"{kind}:{session.id}:{side.person_id}", due,
            session_id=session.id, payload={"session_id": session.id},
        ))


def _anchor(state: PairState) -> tuple[datetime, bool]:
    """The moment the pair last met (or tried to), or began; True when it is a session."""
    past = [s.happened_at for s in state.sessions if s.status in (*ENDED, SessionStatus.SCHEDULED)]
    latest = max(past, default=None)
    if latest is None or latest < state.active_since:
        return state.active_since, False
    return latest, True


def _schedule_asks(state: PairState, now: datetime, verdict: Verdict) -> None:
    """Nothing on the calendar: ask the mentee to schedule, then both, once per cadence period."""
    cadence = window(state.cadence)
    awaiting = [s for s in state.sessions
                if s.status == SessionStatus.SCHEDULED and s.starts_at <= now < s.ends_at + cadence]
    if awaiting:
        return  # a session whose outcome is not known yet: "did it happen?" comes first
    anchor, after_session = _anchor(state)
    first = anchor + (FIRST_ASK_DELAY if after_session else timedelta(0))
    if now < first:
        verdict.later(first)
        return
    period = int((now - first) / cadence)
    start = first + period * cadence
    verdict.later(start + cadence)
    stamp = f"{state.pair_id}:{anchor:%Y%m%dT%H%M}:{period}"
    asks = [(state.mentee, start, "first")]
    asks += [(state.mentee, start + FOLLOW_UP_DELAY, "again"), (state.mentor, start + FOLLOW_UP_DELAY, "first")]
    for side, planned, step in asks:
        due = when_due(side.hours, planned, now, verdict)
        if due is None:
            continue
        verdict.nudges.append(PlannedNudge(
            side.person_id, NudgeKind.SCHEDULE, f"schedule:{stamp}:{side.role}-{step}", due,
            payload={"pair_id": state.pair_id, "step": step},
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


def _last_held(state: PairState) -> SessionState | None:
    held = [s for s in state.sessions if s.status == SessionStatus.HELD]
    return max(held, key=lambda s: s.starts_at, default=None)


def _flags(state: PairState, now: datetime, verdict: Verdict) -> None:
    held = _last_held(state)
    marker = held.id if held else 0
    streak = missed_streak(state.sessions)
    if len(streak) >= 2:
        verdict.flags.append(PlannedFlag(FlagKind.CANCELED_TWICE, f"canceled_twice:{state.pair_id}:{marker}", None, {
            "sessions": [s.id for s in reversed(streak)], "since": streak[-1].starts_at.isoformat(),
        }))
    since = max(held.starts_at if held else state.active_since, state.active_since)
    silent_at = since + 2 * window(state.cadence)
    if now >= silent_at:
        verdict.flags.append(PlannedFlag(FlagKind.SILENT, f"silent:{state.pair_id}:{marker}", None,
                                         {"since": since.isoformat()}))
    else:
        verdict.later(silent_at)
    back_on_track = (held.outcome_at or held.starts_at) if held else None
    for side in state.sides:
        _ignored(state, side, marker, back_on_track, now, verdict)


def _ignored(state: PairState, side: Side, marker: int, since: datetime | None, now: datetime,
             verdict: Verdict) -> None:
    """The last two prompts sent to ``side`` since the pair last met went unanswered past the
    grace period."""
    mine = [p for p in state.prompts if p.person_id == side.person_id and (since is None or p.sent_at > since)]
    sent = sorted(mine, key=lambda p: p.sent_at)[-2:]
    if len(sent) < 2 or any(p.answered_at is not None for p in sent):
        return
    if now < sent[-1].sent_at + IGNORE_GRACE:
        verdict.later(sent[-1].sent_at + IGNORE_GRACE)
        return
    verdict.flags.append(PlannedFlag(
        FlagKind.IGNORED_PROMPTS, f"ignored_prompts:{state.pair_id}:{side.person_id}:{marker}", side.person_id,
        {"since": sent[0].sent_at.isoformat(), "role": side.role},
    ))
