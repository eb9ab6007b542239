"""Working hours: nudges reach people on weekdays, inside the hours their profile gives,
in their own time zone (never at night, never on a weekend)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.models import Person, Profile
from storage.repository import Repository

DEFAULT_START = time(9, 0)
DEFAULT_END = time(17, 0)
SATURDAY = 5
# How long before the end of a working day a "before" nudge (a reminder) is placed when its
# ideal moment falls outside working hours: late enough to be fresh, early enough to be read.
END_OF_DAY_MARGIN = timedelta(hours=1)


def zone_named(name: str | None) -> ZoneInfo:
    """The zone called ``name``; UTC when it is missing or unknown."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@lru_cache(maxsize=512)
def _cached_zone(name: str | None) -> ZoneInfo:
    return zone_named(name)


@dataclass(frozen=True)
class WorkingHours:
    """A person's working day: weekdays from ``start`` to ``end`` in ``zone``."""

    zone: ZoneInfo
    start: time = DEFAULT_START
    end: time = DEFAULT_END

    @classmethod
    def of(cls, person: Person, profile: Profile | None) -> WorkingHours:
        """The hours a profile gives, with the platform's zone and 09:00-17:00 as defaults."""
        if profile is None:
            return cls.given(None, person.platform_timezone, None, None)
        return cls.given(profile.timezone, person.platform_timezone, profile.work_start, profile.work_end)

    @classmethod
    def given(cls, zone: str | None, platform_zone: str | None, start: time | None, end: time | None) -> WorkingHours:
        """The hours from the profile's values (any of them missing), with the same defaults."""
        start, end = start or DEFAULT_START, end or DEFAULT_END
        if end <= start:
            start, end = DEFAULT_START, DEFAULT_END
        return cls(_cached_zone(zone or platform_zone), start, end)

    @classmethod
    def of_row(cls, row: Any) -> WorkingHours:
        """The hours from a row of a person's hours columns (``timezone``, ``platform_timezone``,
        ``work_start``, ``work_end``: see :func:`storage.cadence.hours_of_people`)."""
        return cls.given(row.timezone, row.platform_timezone, row.work_start, row.work_end)

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The working window of a local day, as aware UTC instants (DST-safe)."""
        opens = datetime.combine(day, self.start, self.zone).astimezone(UTC)
        closes = datetime.combine(day, self.end, self.zone).astimezone(UTC)
        return opens, closes

    def is_working(self, moment: datetime) -> bool:
        """True when ``moment`` falls inside working hours."""
        day = moment.astimezone(self.zone).date()
        opens, closes = self.window(day)
        return day.weekday() < SATURDAY and opens <= moment < closes

    def next_working(self, moment: datetime) -> datetime:
        """``moment`` itself if inside working hours, else the start of the next working window."""
        day = moment.astimezone(self.zone).date()
        for offset in range(8):
            current = day + timedelta(days=offset)
            if current.weekday() >= SATURDAY:
                continue
            opens, closes = self.window(current)
            if moment < closes:
                return max(moment, opens)
        raise AssertionError("a week always has a working day")  # pragma: no cover

    def last_working_before(self, moment: datetime) -> datetime:
        """``moment`` itself if inside working hours, else late in the previous working window
        (an hour before it closes, or when it opens for a short day)."""
        if self.is_working(moment):
            return moment
        day = moment.astimezone(self.zone).date()
        for offset in range(8):
            current = day - timedelta(days=offset)
            if current.weekday() >= SATURDAY:
                continue
            opens, closes = self.window(current)
            if closes <= moment:
                return max(opens, closes - END_OF_DAY_MARGIN)
        raise AssertionError("a week always has a working day")  # pragma: no cover

    def local(self, moment: datetime) -> datetime:
        """``moment`` on the person's wall clock."""
        return moment.astimezone(self.zone)


async def hours_of(repo: Repository, person: Person) -> WorkingHours:
    """A person's working hours, from their profile (see :meth:`WorkingHours.of`)."""
    return WorkingHours.of(person, await repo.profile(person.id))
