"""The one-to-one pairs' cadence rules, as pure functions of a pair's state and the time.

Given what the tick loaded about a pair (:class:`PairState`), :func:`evaluate` says which
nudges are due now, which flags hold, and when the pair next needs a look; the pieces shared
with the other formats are in :mod:`bot.cadence.rules`. Nothing here reads or writes the
database, so every rule is tested on a fake clock directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.cadence.rules import (
    ENDED,
    FIRST_ASK_DELAY,
    PlannedFlag,
    PlannedNudge,
    Prompt,
    SessionState,
    Side,
    Verdict,
    daily_look,
    missed_streak,
    outcome_prompts,
    reminders,
    schedule_period,
    silent_since,
    when_due,
)
from storage.enums import FlagKind, NudgeKind, SessionStatus

# If the mentee has not scheduled after a full working day of their own since being asked (and
# at least two days into the period), the mentee is asked again and the mentor is asked too.
FOLLOW_UP_DELAY = timedelta(days=2)
# A prompt counts as ignored when unanswered this long after it was sent.
IGNORE_GRACE = timedelta(days=2)


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


def evaluate(state: PairState, now: datetime) -> Verdict:
    """The nudges due now, the flags that hold and when to look again, for an active pair."""
    verdict = Verdict()
    verdict.later(daily_look(state.pair_id, now))
    if not (state.mentor.active and state.mentee.active):
        return verdict  # a paused participant gets nothing, and neither does their partner
    upcoming = [s for s in state.sessions if s.status == SessionStatus.SCHEDULED and s.starts_at > now]
    for session in upcoming:
        reminders(state.sides, session, state.reminder, now, verdict, NudgeKind.REMINDER)
    for session in state.sessions:
        if session.status == SessionStatus.SCHEDULED:
            outcome_prompts(state.sides, session, now, verdict, NudgeKind.OUTCOME)
    if not upcoming:
        _schedule_asks(state, now, verdict)
    _flags(state, now, verdict)
    return verdict


def _anchor(state: PairState) -> tuple[datetime, bool]:
    """The moment the pair last met (or tried to), or began; True when it is a session."""
    past = [s.happened_at for s in state.sessions if s.status in (*ENDED, SessionStatus.SCHEDULED)]
    latest = max(past, default=None)
    if latest is None or latest < state.active_since:
        return state.active_since, False
    return latest, True


def _schedule_asks(state: PairState, now: datetime, verdict: Verdict) -> None:
    """Nothing on the calendar: ask the mentee to schedule, then both, once per cadence period.

    Executive first (rule 1 of docs/cadence.md): the mentee's ask goes out at the period's first
    working moment of theirs; the mentor's, with the mentee's second, only once the mentee has
    had a full working day of their own to answer since it went out (and two days into the
    period): those two are planned only once it has. Each is written ahead of its time; a
    session put on the calendar meanwhile cancels those not yet sent, and their renderer checks
    again."""
    anchor, after_session = _anchor(state)
    first = anchor + (FIRST_ASK_DELAY if after_session else timedelta(0))
    found = schedule_period(state.sessions, state.cadence, first, now, verdict)
    if found is None:
        return
    period, start = found
    stamp = f"{state.pair_id}:{anchor:%Y%m%dT%H%M}:{period}"
    first_key = f"schedule:{stamp}:mentee-first"
    asks = [(state.mentee, when_due(state.mentee.hours, start, now), "first")]
    sent = min((p.sent_at for p in state.prompts if p.key == first_key), default=None)
    if sent is not None:  # the others follow a working day after the mentee's ask actually went out
        follow_up = max(start + FOLLOW_UP_DELAY, state.mentee.hours.after_working_day(sent))
        asks += [(state.mentee, when_due(state.mentee.hours, follow_up, now), "again"),
                 (state.mentor, when_due(state.mentor.hours, follow_up, now), "first")]
    for side, due, step in asks:
        verdict.nudges.append(PlannedNudge(
            side.person_id, NudgeKind.SCHEDULE, f"schedule:{stamp}:{side.role}-{step}", due,
            payload={"pair_id": state.pair_id, "step": step},
        ))


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
    since = silent_since(held, state.active_since, state.cadence, now, verdict, state.sessions)
    if since is not None:
        verdict.flags.append(PlannedFlag(FlagKind.SILENT, f"silent:{state.pair_id}:{marker}", None,
                                         {"since": since.isoformat()}))
    # Questions count from the pair's last meeting, or from the end of a pause: someone who
    # paused instead of answering has not stopped answering.
    back_on_track = max((held.outcome_at or held.starts_at) if held else state.active_since, state.active_since)
    for side in state.sides:
        _ignored(state, side, marker, back_on_track, now, verdict)


def _ignored(state: PairState, side: Side, marker: int, since: datetime | None, now: datetime,
             verdict: Verdict) -> None:
    """The last two prompts sent to ``side`` since the pair last met went unanswered past the
    grace period."""
    mine = [p for p in state.prompts if p.person_id == side.person_id and (since is None or p.sent_at >= since)]
    sent = sorted(mine, key=lambda p: p.sent_at)[-2:]
    if len(sent) < 2 or any(p.answered_at is not None for p in sent):
        return
    if now < sent[-1].sent_at + IGNORE_GRACE:
        return  # the pair's daily look raises it in time: prompts go out at 09:00, looks are spread
    verdict.flags.append(PlannedFlag(
        FlagKind.IGNORED_PROMPTS, f"ignored_prompts:{state.pair_id}:{side.person_id}:{marker}", side.person_id,
        {"since": sent[0].sent_at.isoformat(), "role": side.role},
    ))
