"""The people a matching run considers, as plain data, and the program's fit weights."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any
from bot.i18n import _

# Relative weights of the parts of a fit; a program overrides any of them (0 to 10).
DEFAULT_WEIGHTS: dict[str, int] = {"topics": 6, "hours": 2, "style": 1, "formats": 1, "location": 1,
                                   "languages": 1}
WEIGHT_NAMES = tuple(DEFAULT_WEIGHTS)
WEIGHT_LIMIT = 10


def weights_of(overrides: Mapping[str, Any] | None) -> dict[str, float]:
    """A program's weights (its overrides over the defaults), normalised to sum to 1."""
    raw = {name: float((overrides or {}).get(name, default)) for name, default in DEFAULT_WEIGHTS.items()}
    total = sum(raw.values()) or 1.0
    return {name: value / total for name, value in raw.items()}


@dataclass(frozen=True)
class Candidate:
    """One mentor or mentee as matching sees them.

    ``topics`` are what a mentor teaches or what a mentee wants to learn; ``line`` holds the
    people above them in their manager chain; ``capacity`` is how many more mentees a mentor
    can take (1 for a mentee).
    """

    person_id: int
    name: str
    level: int | None = None
    topics: frozenset[str] = frozenset()
    free_text: str = ""
    style: str | None = None
    formats: frozenset[str] = frozenset()
    location: str | None = None
    timezone: str | None = None
    work_start: time | None = None
    work_end: time | None = None
    languages: frozenset[str] = frozenset()
    line: frozenset[int] = frozenset()
    capacity: int = 1
    load: int = 0

    def missing(self) -> list[str]:
        """What the profile lacks for matching (empty when it is complete)."""
        gaps = [label for label, value in ((_("level"), self.level), (_("time zone"), self.timezone),
                                           (_("working hours"), self.work_start and self.work_end),
                                           (_("languages"), self.languages)) if not value]
        if not self.topics and not self.free_text.strip():
            gaps.append(_("topics"))
        return gaps


@dataclass
class Cohort:
    """Everyone a run considers: unpaired mentees, mentors (with places left or not), and the
    rules of the program.

    ``past`` holds (mentor, mentee) person ids who were paired before and must not be again;
    ``day`` is the date on which shared working hours are counted (daylight saving matters).
    """

    mentors: list[Candidate]
    mentees: list[Candidate]
    day: date
    past: set[tuple[int, int]] = field(default_factory=set)
    allow_same_level: bool = False
    weights: dict[str, float] = field(default_factory=lambda: weights_of(None))

    def complete(self) -> Cohort:
        """The same cohort without people whose profile is incomplete."""
        return Cohort([m for m in self.mentors if not m.missing()], [m for m in self.mentees if not m.missing()],
                      self.day, self.past, self.allow_same_level, self.weights)
