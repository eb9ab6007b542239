"""A program's figures, computed from the database: what every report shows.

The chat report, the CSV export's summary, the charts and the report page all read a
:class:`ProgramReport`; nothing in it is free text a participant wrote or a private note,
only counts, averages and the program's own labels. A breakdown row covering fewer than
:data:`MIN_GROUP` people is kept with ``shown=False`` and its figures blanked, so that no
report can single out one or two people.

Definitions (the README repeats them):
- *held*, *canceled*: sessions by status; no-shows count with the canceled ones as *missed*,
  and a moved session counts once, at its new time.
- *completion rate*: held / (held + canceled + no-show) over sessions that have taken place.
- *format*: one-to-one (a pair's session), group (a circle's), research (a lunch-and-learn).
- *cohort*: the quarter a pair started (``2026-Q4``); circles and lunch-and-learns count in
  the quarter they were created.
- goal and skill figures compare the mentee's starting self-rating (1 to 5) with the latest
  one (a check-in's progress, or the end-of-cycle re-rating).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

MIN_GROUP = 3
"""Breakdowns of fewer people than this are not shown."""


@dataclass(frozen=True)
class Period:
    """Sessions of one week or one month."""

    label: str  # "2026-11" for a month, "2026-W48" for a week
    start: date
    held: int
    canceled: int  # canceled or no-show


@dataclass(frozen=True)
class Breakdown:
    """One row of a breakdown by format or by cohort."""

    label: str
    people: int
    shown: bool  # False when fewer than MIN_GROUP people: the figures below are then None
    held: int | None = None
    canceled: int | None = None
    completion: float | None = None  # 0..1
    usefulness: float | None = None  # mean of check-ins, 1..5
    goal_change: float | None = None  # mean latest minus starting rating
    attendance: float | None = None  # share of invited members who came (group and research)


@dataclass(frozen=True)
class Change:
    """A skill (or all goals together): the mean starting self-rating and the mean latest one."""

    label: str
    people: int
    start: float
    now: float


@dataclass(frozen=True)
class Scores:
    """Mean feedback scores of one side (mentors or mentees), 1..5; None where nobody answered."""

    role: str
    answers: int
    pulse: float | None = None  # monthly "how is it going"
    usefulness: float | None = None  # check-ins
    fit: float | None = None  # pairing fit after the first session
    gains: dict[str, float] = field(default_factory=dict)  # end-of-cycle: what they gained, by key


@dataclass(frozen=True)
class ProgramReport:
    """Everything the reports show about one program at one moment."""

    program: str
    generated_at: datetime
    active_pairs: int
    participants: int
    this_month: Period
    months: list[Period]  # the last six months, oldest first, this month last
    weeks: list[Period]  # the last twelve weeks, oldest first, this week last
    completion: float | None
    at_risk: int  # pairs with an open flag
    risks: dict[str, int]  # open flags by kind
    goals: Change | None  # every goal: start vs latest (None: fewer than MIN_GROUP mentees)
    skills: list[Change]  # baseline skills with at least MIN_GROUP people rated
    scores: list[Scores]  # mentors and mentees
    formats: list[Breakdown]
    cohorts: list[Breakdown]
