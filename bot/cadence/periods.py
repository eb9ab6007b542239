"""How long a cadence is, and when the next session of a repeating series falls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dateutil.relativedelta import relativedelta

from bot.cadence.hours import zone_named
from storage.enums import Cadence

# The window in which a pair should meet once. A month is taken as 30 days for windows
# (reminders, flags); a repeating monthly series keeps its day of the month.
WINDOWS = {Cadence.WEEKLY: timedelta(days=7), Cadence.BIWEEKLY: timedelta(days=14), Cadence.MONTHLY: timedelta(days=30)}
STEPS = {Cadence.WEEKLY: relativedelta(weeks=1), Cadence.BIWEEKLY: relativedelta(weeks=2),
         Cadence.MONTHLY: relativedelta(months=1)}


def window(cadence: str) -> timedelta:
    """The length of one cadence period."""
    return WINDOWS[Cadence(cadence)]


def next_occurrence(starts_at: datetime, zone_name: str, cadence: str, index: int = 1) -> datetime:
    """The ``index``-th session after ``starts_at`` in a series repeating at ``cadence``, at the
    same wall-clock time in the zone it was scheduled in (15:00 stays 15:00 across DST)."""
    zone = zone_named(zone_name)
    local = starts_at.astimezone(zone).replace(tzinfo=None)
    step = STEPS[Cadence(cadence)]
    return (local + step * index).replace(tzinfo=zone).astimezone(UTC)
