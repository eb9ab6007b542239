"""The research assignments' rules, as pure functions of an assignment's state and the time.

Given what the tick loaded about an assignment (:class:`AssignmentState`), :func:`evaluate`
says which nudges are due now, whether the write-up is overdue, and when to look again.

- No write-up yet: each mentor is reminded 7 days and 1 day before the due date (at the start
  of their working day; a weekend moves it to the Friday before). Two days after the due
  date, the program admins are warned (a flag). Keys carry the due date, so a due date moved
  by an admin brings fresh reminders (and, if missed again, a fresh flag).
- A lunch-and-learn on the calendar: a reminder to the presenting mentors and to its audience
  (each person, or one post in the audience channel) the program's reminder time before it;
  after it, "did it take place?" to the mentors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.cadence.rules import (
    PlannedFlag,
    PlannedNudge,
    SessionState,
    Side,
    Verdict,
    daily_look,
    outcome_prompts,
    reminders,
    when_due,
)
from storage.enums import FlagKind, NudgeKind, SessionStatus

DUE_REMINDERS = (7, 1)
"""Days before the due date when a mentor without a write-up is reminded."""
OVERDUE_AFTER = timedelta(days=2)
"""How long after the due date a missing write-up is flagged to the admins."""


@dataclass(frozen=True)
class AssignmentState:
    """Everything the rules look at for one research assignment under way."""

    assignment_id: int
    created_at: datetime
    due_on: date | None
    written: bool
    reminder: timedelta
    mentors: Sequence[Side]
    lunch: SessionState | None = None
    audience: Sequence[Side] = ()
    channel: Mapping[str, Any] | None = None
    poster: Side | None = None
    """Who a post in the audience channel goes out for (the person who scheduled it)."""


def evaluate(state: AssignmentState, now: datetime) -> Verdict:
    """The nudges due now, the flag that holds and when to look again."""
    verdict = Verdict()
    verdict.later(daily_look(state.assignment_id, now))
    mentors = [side for side in state.mentors if side.active]
    if not state.written and state.due_on is not None:
        due_reminders(state.assignment_id, state.due_on, state.created_at, mentors, now, verdict)
        overdue(state.assignment_id, state.due_on, mentors, now, verdict)
    lunch = state.lunch
    if lunch is not None and lunch.status == SessionStatus.SCHEDULED:
        if lunch.starts_at > now:
            lunch_reminders(state, mentors, lunch, now, verdict)
        outcome_prompts(mentors, lunch, now, verdict, kind=NudgeKind.LUNCH_OUTCOME)
    return verdict


def morning_of(side: Side, day: date) -> datetime:
    """The start of ``side``'s working day on ``day`` (late on the Friday before, for a weekend)."""
    return side.hours.last_working_before(datetime.combine(day, side.hours.start, side.hours.zone))


def due_reminders(assignment_id: int, due_on: date, created_at: datetime, mentors: Sequence[Side],
                  now: datetime, verdict: Verdict) -> None:
    """"Your write-up is due in N days" to each mentor; a reminder overtaken by the next one, or
    planned before the assignment existed, is not sent. Keys: ``research_due:ID:DUE:DAYS:PERSON``."""
    for side in mentors:
        planned = {days: morning_of(side, due_on - timedelta(days=days)) for days in DUE_REMINDERS}
        end_of_due_day = datetime.combine(due_on + timedelta(days=1), time(0), side.hours.zone)
        for index, days in enumerate(DUE_REMINDERS):
            later = DUE_REMINDERS[index + 1:]
            if planned[days] < created_at or any(planned[d] <= now for d in later) or now >= end_of_due_day:
                continue
            due = when_due(side.hours, planned[days], now)
            verdict.nudges.append(PlannedNudge(
                side.person_id, NudgeKind.RESEARCH_DUE,
                f"research_due:{assignment_id}:{due_on:%Y%m%d}:{days}:{side.person_id}", due,
                expires_at=end_of_due_day, payload={"days": days, "due_on": due_on.isoformat()},
            ))


def overdue_at(due_on: date, mentors: Sequence[Side]) -> datetime:
    """When a missing write-up is flagged: two days after the due date, midnight where the first
    mentor is."""
    zone = mentors[0].hours.zone if mentors else UTC
    return datetime.combine(due_on + OVERDUE_AFTER, time(0), zone)


def overdue(assignment_id: int, due_on: date, mentors: Sequence[Side], now: datetime, verdict: Verdict) -> None:
    """The write-up is two days late: a flag for the admins. Key: ``research_overdue:ID:DUE``."""
    at = overdue_at(due_on, mentors)
    if now < at:
        verdict.later(at)
        return
    verdict.flags.append(PlannedFlag(FlagKind.RESEARCH_OVERDUE, f"research_overdue:{assignment_id}:{due_on:%Y%m%d}",
                                     None, {"due_on": due_on.isoformat()}))


def lunch_reminders(state: AssignmentState, mentors: Sequence[Side], lunch: SessionState, now: datetime,
                    verdict: Verdict) -> None:
    """Reminders before the lunch-and-learn: to each presenting mentor and audience person, and
    one post in the audience channel. Keys: ``lunch_reminder:SESSION:PERSON`` and
    ``lunch_reminder:SESSION:channel``."""
    kind = NudgeKind.LUNCH_REMINDER
    people = {side.person_id: side for side in [*mentors, *state.audience] if side.active}
    reminders(list(people.values()), lunch, state.reminder, now, verdict, kind=kind)
    if state.channel is None or state.poster is None:
        return
    posted = Verdict()
    reminders([state.poster], lunch, state.reminder, now, posted, kind=kind)
    if posted.next_check_at is not None:
        verdict.later(posted.next_check_at)
    channel = dict(state.channel)
    verdict.nudges += [replace(planned, key=f"{kind}:{lunch.id}:channel",
                               payload={**planned.payload, "channel": channel}) for planned in posted.nudges]
