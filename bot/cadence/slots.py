"""Slots that suit everyone: moments when all of a group of people are at work (each in their
own zone and hours) and free, for a meeting of a given length.

Pure functions: working hours and busy intervals in, aware UTC moments out. Scheduling asks for
the earliest slots after a moment, or the ones nearest to a time someone wanted; a calendar
connection adds the busy intervals it read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from bot.cadence.hours import SATURDAY, WorkingHours

Interval = tuple[datetime, datetime]

# Slots start on the half hour of the first person's clock (the executive's, when scheduling).
STEP = timedelta(minutes=30)
# How far ahead slots are looked for: two working weeks, so that a pair whose hours meet only
# on some weekdays across the date line still gets an answer.
HORIZON = timedelta(days=14)


def working_windows(hours: WorkingHours, start: datetime, until: datetime) -> list[Interval]:
    """The person's working windows that overlap ``start``..``until``, clipped to it."""
    first = start.astimezone(hours.zone).date() - timedelta(days=1)
    last = until.astimezone(hours.zone).date() + timedelta(days=1)
    windows: list[Interval] = []
    day = first
    while day <= last:
        if day.weekday() < SATURDAY:
            opens, closes = hours.window(day)
            opens, closes = max(opens, start), min(closes, until)
            if opens < closes:
                windows.append((opens, closes))
        day += timedelta(days=1)
    return windows


def intersect(left: Sequence[Interval], right: Sequence[Interval]) -> list[Interval]:
    """The moments inside both sorted lists of intervals."""
    both: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        opens, closes = max(left[i][0], right[j][0]), min(left[i][1], right[j][1])
        if opens < closes:
            both.append((opens, closes))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return both


def subtract(free: Sequence[Interval], busy: Iterable[Interval]) -> list[Interval]:
    """``free`` without the ``busy`` intervals (any order, overlapping or not)."""
    remaining = list(free)
    for busy_start, busy_end in sorted(busy):
        kept: list[Interval] = []
        for opens, closes in remaining:
            if busy_end <= opens or closes <= busy_start:
                kept.append((opens, closes))
                continue
            if opens < busy_start:
                kept.append((opens, busy_start))
            if busy_end < closes:
                kept.append((busy_end, closes))
        remaining = kept
    return remaining


def shared_windows(people: Sequence[WorkingHours], start: datetime, until: datetime,
                   busy: Iterable[Interval] = ()) -> list[Interval]:
    """When every one of ``people`` is at work between ``start`` and ``until``, less ``busy``."""
    if not people:
        return []
    windows = working_windows(people[0], start, until)
    for other in people[1:]:
        windows = intersect(windows, working_windows(other, start, until))
    return subtract(windows, busy)


def _aligned(moment: datetime, hours: WorkingHours) -> datetime:
    """The first half hour of ``hours``' clock at or after ``moment``."""
    local = moment.astimezone(hours.zone)
    floor = local.replace(minute=local.minute - local.minute % 30, second=0, microsecond=0)
    aligned = floor.astimezone(UTC)
    return aligned if aligned >= moment else aligned + STEP


def _starts(windows: Sequence[Interval], length: timedelta, hours: WorkingHours) -> Iterable[datetime]:
    """Every half-hour start inside ``windows`` that leaves room for ``length``."""
    for opens, closes in windows:
        moment = _aligned(opens, hours)
        while moment + length <= closes:
            yield moment
            moment += STEP


def earliest_slots(people: Sequence[WorkingHours], after: datetime, length: timedelta, *, count: int = 3,
                   busy: Iterable[Interval] = (), horizon: timedelta = HORIZON) -> list[datetime]:
    """The ``count`` earliest starts after ``after`` when everyone works (and is free) for
    ``length``, at most one a day so that the choice is real; empty when they share no time."""
    windows = shared_windows(people, after, after + horizon, busy)
    picked: list[datetime] = []
    days: set[object] = set()
    for moment in _starts(windows, length, people[0]):
        day = moment.astimezone(people[0].zone).date()
        if day in days:
            continue
        days.add(day)
        picked.append(moment)
        if len(picked) == count:
            break
    return picked


def nearest_slots(people: Sequence[WorkingHours], wanted: datetime, now: datetime, length: timedelta, *,
                  count: int = 3, busy: Iterable[Interval] = (), horizon: timedelta = HORIZON) -> list[datetime]:
    """The ``count`` starts nearest to ``wanted`` (before or after it, never before ``now``) when
    everyone works and is free for ``length``, in time order; empty when they share no time."""
    start = max(now, wanted - horizon / 2)
    windows = shared_windows(people, start, wanted + horizon, list(busy))
    starts = list(_starts(windows, length, people[0]))
    return sorted(sorted(starts, key=lambda moment: (abs(moment - wanted), moment))[:count])


def fits_everyone(people: Sequence[WorkingHours], start: datetime, length: timedelta) -> bool:
    """True when the whole of ``start``..``start + length`` is inside everyone's working hours."""
    return shared_windows(people, start, start + length) == [(start, start + length)]


def share_no_hours(people: Sequence[WorkingHours], now: datetime) -> bool:
    """True when ``people`` are never all at work at once in the coming two weeks."""
    return not shared_windows(people, now, now + HORIZON)
