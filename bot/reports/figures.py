"""A program's figures, computed from the database: what every report shows.

The chat report, the CSV export's summary, the charts and the report page all read a
:class:`ProgramReport`; nothing in it is free text a participant wrote or a private note,
only counts, averages and the program's own labels. A breakdown row covering fewer than
:data:`MIN_GROUP` people is kept with ``shown=False`` and its figures blanked, so that no
report can single out one or two people.

Definitions (docs/reports.md repeats them):
- *held*, *canceled*: sessions by status; no-shows count with the canceled ones as *missed*,
  and a moved session counts once, at its new time.
- *completion rate*: held / (held + canceled + no-show) over sessions that have taken place.
- *format*: one-to-one (a pair's session), group (a circle's), research (a lunch-and-learn).
- *cohort*: the quarter a pair started (``2026-Q4``); circles and lunch-and-learns count in
  the quarter they were created.
- goal and skill figures compare the mentee's starting self-rating (1 to 5) with the latest
  one (a check-in's progress, or the end-of-cycle re-rating).
- *rating* of a format or cohort: the mean of the check-ins' usefulness and of the ratings
  people gave circle meetings and lunch-and-learns; *attendance*: of the members (or
  audience) whose attendance is known, the share who came.
- *goal change* of a format or cohort: the mean change (latest minus start) of the goals of
  the senior leaders taking part in it: a pair's mentee, a circle's members, the people who
  came to a lunch-and-learn. Someone in two formats counts in both.
- *by venue*: sessions that took place remote or in person, and the people they involved.
- *participants*: people active in the program (not paused, not left); *pairs at risk*:
  pairs with at least one open flag. Pairs only proposed by matching count nowhere.
- a feedback score (or a skill, or the goals figure) rests on at least :data:`MIN_GROUP`
  people; with fewer it is left out (None), like a small breakdown row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import N_
from bot.cadence.digest import week_of
from storage import reports as queries
from storage.enums import EnrollmentStatus, FeedbackKind, PairStatus, ProgramFormat, Role, SessionMode, SessionStatus
from storage.db import Database
from storage.models import Program
from storage.repository import Repository

MIN_GROUP = 3
SINCE_THE_START = N_("every session since the program started")
"""What the breakdowns (formats, cohorts, venues) and the completion rate cover, said beside them:
the month's counts cover one month, these the whole program."""
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
    usefulness: float | None = None  # rating: check-ins' usefulness and session ratings, 1..5
    goal_change: float | None = None  # mean latest minus starting rating of its senior leaders' goals
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
    venues: list[Breakdown] = field(default_factory=list)  # remote / in person: sessions and people


# --- computing a report ---------------------------------------------------------------------

MONTHS, WEEKS = 6, 12
FORMAT_OF = {"pair": ProgramFormat.ONE_TO_ONE, "circle": ProgramFormat.GROUP, "assignment": ProgramFormat.RESEARCH}
SCORE_KEYS: dict[str, tuple[str, ...]] = {FeedbackKind.PULSE: ("how",), FeedbackKind.FIT: ("fit",),
              FeedbackKind.EVALUATION: ("fluency", "strategic", "business", "access")}
"""The numeric answers of each kind of feedback (every other answer is free text)."""
ROLES = (Role.MENTOR, Role.MENTEE)
VENUES = (SessionMode.REMOTE, SessionMode.IN_PERSON)
FORMAT_NAMES: dict[str, str] = {ProgramFormat.ONE_TO_ONE: N_("One-to-one pairs"), ProgramFormat.GROUP: N_("Group circles"),
                                ProgramFormat.RESEARCH: N_("Research lunch-and-learns")}
GAIN_NAMES = {"fluency": N_("digital fluency"), "strategic": N_("strategic thinking"), "business": N_("business sense"),
              "access": N_("access to leaders")}
SIDE_NAMES = {Role.MENTOR: N_("Mentors"), Role.MENTEE: N_("Mentees")}
VENUE_NAMES: dict[str, str] = {SessionMode.REMOTE: N_("Remote"), SessionMode.IN_PERSON: N_("In person")}
"""How the reports name the formats and venues of the breakdowns."""

UnitKey = tuple[str, int]  # ("pair" | "circle" | "assignment", id)


@dataclass
class Tally:
    """Sums of one pair, circle or assignment, added up into breakdown rows."""

    held: int = 0
    missed: int = 0  # canceled or no-show
    useful_total: float = 0
    useful_count: int = 0
    came: int = 0
    answered: int = 0

    def add(self, other: Tally) -> None:
        """Add ``other``'s sums to this one's."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Unit:
    """A pair, a circle or a research assignment: its format, cohort, people and sums.

    ``seniors`` are the senior leaders taking part (a pair's mentee, a circle's members, a
    lunch-and-learn's attendees): the goals counted for the unit are theirs."""

    format: str
    cohort: str
    people: set[int] = field(default_factory=set)
    seniors: set[int] = field(default_factory=set)
    tally: Tally = field(default_factory=Tally)


@dataclass
class GoalSums:
    """One senior leader's goals with a latest rating: how many, and their summed change."""

    goals: int = 0
    change: float = 0


async def program_report(repo: Repository, program: Program, now: datetime,
                         db: Database | None = None) -> ProgramReport:
    """Every figure the reports show about ``program`` at ``now``.

    With ``db`` (PostgreSQL), the queries that read every session, check-in and feedback
    answer of the program run at once, each on a connection of its own: the report page of a
    large program waits for the longest of them rather than their sum."""
    now = now.astimezone(UTC)
    month_starts, week_starts = _month_starts(now), _week_starts(now)
    by_mode, checkins, feedback, by_month, by_week = await _at_once(repo, db, [
        lambda r: queries.sessions_by_mode(r, program.id),
        lambda r: queries.checkins_by_person(r, program.id),
        lambda r: queries.feedback_scores(r, program.id, SCORE_KEYS),
        lambda r: queries.sessions_by_period(r, program.id, month_starts),
        lambda r: queries.sessions_by_period(r, program.id, week_starts),
    ])
    pairs = await queries.pairs(repo, program.id)
    units = await _units(repo, program.id, pairs)
    _add_sessions(by_mode, units)
    await _add_ratings(repo, program.id, units, checkins)
    person_goals, goals = await _goals(repo, program.id, {p.id: p.mentee_id for p in pairs})
    months = _periods(by_month, month_starts, lambda d: f"{d:%Y-%m}")
    weeks = _periods(by_week, week_starts, lambda d: week_of(d, ZoneInfo("UTC"))[0])
    at_risk, risks = await queries.open_flags(repo, program.id)
    total = Tally()
    for unit in units.values():
        total.add(unit.tally)
    enrolled = await repo.count_enrollments(program.id)
    return ProgramReport(
        program=program.name, generated_at=now,
        active_pairs=sum(1 for p in pairs if p.status == PairStatus.ACTIVE),
        participants=enrolled.get(EnrollmentStatus.ACTIVE, 0),
        this_month=months[-1], months=months, weeks=weeks, completion=_completion(total),
        at_risk=at_risk, risks=risks, goals=goals,
        skills=await _skills(repo, program), scores=_scores(feedback, checkins),
        formats=_breakdown(units, person_goals, lambda u: u.format, order=[f.value for f in ProgramFormat]),
        cohorts=_breakdown(units, person_goals, lambda u: u.cohort),
        venues=_venues(by_mode, units),
    )


async def _at_once(repo: Repository, db: Database | None,
                   reads: Sequence[Callable[[Repository], Awaitable[Any]]]) -> list[Any]:
    """Each read's result: at once on connections of their own (PostgreSQL, with ``db``), else
    one after the other in ``repo``'s transaction."""
    if db is None or db.dialect != "postgresql":
        return [await read(repo) for read in reads]

    async def alone(read: Callable[[Repository], Awaitable[Any]]) -> Any:
        async with db.transaction() as session:
            return await read(Repository(session, repo.tenant_id))

    return list(await asyncio.gather(*(alone(read) for read in reads)))


def quarter(moment: datetime) -> str:
    """The cohort of a start date: its quarter (``2026-Q4``)."""
    moment = moment.astimezone(UTC)
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def _mean(total: float, count: int) -> float | None:
    return total / count if count else None


def _completion(tally: Tally) -> float | None:
    return _mean(tally.held, tally.held + tally.missed)


# --- units and their sums -------------------------------------------------------------------


async def _units(repo: Repository, program_id: int, pairs: Sequence[Any]) -> dict[UnitKey, Unit]:
    units = {("pair", p.id): Unit(FORMAT_OF["pair"], quarter(p.started_at), {p.mentor_id, p.mentee_id},
                                  {p.mentee_id}) for p in pairs}
    for kind, rows in (("circle", await queries.circle_members(repo, program_id)),
                       ("assignment", await queries.assignment_mentors(repo, program_id))):
        for row in rows:
            unit = units.setdefault((kind, row.id), Unit(FORMAT_OF[kind], quarter(row.created_at)))
            if row.person_id is not None:
                unit.people.add(row.person_id)
                if row.senior:
                    unit.seniors.add(row.person_id)
    for row in await queries.attendees(repo, program_id):
        attended = _unit_of(units, row)
        if attended is not None:
            attended.people.add(row.person_id)
            attended.seniors.add(row.person_id)
    return units


def _unit_of(units: dict[UnitKey, Unit], row: Any) -> Unit | None:
    """The unit a row with ``pair_id``/``circle_id``/``assignment_id`` columns (some of them)
    belongs to; called for every row of every session count."""
    if (pair := getattr(row, "pair_id", None)) is not None:
        return units.get(("pair", pair))
    if (circle := getattr(row, "circle_id", None)) is not None:
        return units.get(("circle", circle))
    if (assignment := getattr(row, "assignment_id", None)) is not None:
        return units.get(("assignment", assignment))
    return None


def _add_sessions(by_mode: Sequence[Any], units: dict[UnitKey, Unit]) -> None:
    """Add the sessions that took place (counted by venue too, see :func:`_venues`) to the units."""
    for row in by_mode:
        unit = _unit_of(units, row)
        if unit is None:
            continue
        if row.status == SessionStatus.HELD:
            unit.tally.held += row.sessions
        else:
            unit.tally.missed += row.sessions


async def _add_ratings(repo: Repository, program_id: int, units: dict[UnitKey, Unit],
                       checkins: Sequence[Any]) -> None:
    """Add check-in (by unit and person) and attendance ratings to the units."""
    for row in checkins:
        unit = _unit_of(units, row)
        if unit is not None:
            unit.tally.useful_total += row.total
            unit.tally.useful_count += row.ratings
    for row in await queries.attendance(repo, program_id):
        unit = _unit_of(units, row)
        if unit is not None:
            unit.tally.came += row.came
            unit.tally.answered += row.answered
            unit.tally.useful_total += row.rating_total
            unit.tally.useful_count += row.ratings


async def _goals(repo: Repository, program_id: int, mentee_of: dict[int, int]) -> tuple[dict[int, GoalSums], Change | None]:
    """Each mentee's goal sums, and every goal's start and latest rating together (None with
    fewer than :data:`MIN_GROUP` mentees)."""
    sums: dict[int, GoalSums] = {}
    goals, start, latest = 0, 0.0, 0.0
    for row in await queries.goal_progress(repo, program_id):
        mentee = mentee_of.get(row.pair_id)
        if mentee is None:
            continue
        mine = sums.setdefault(mentee, GoalSums())
        mine.goals += row.goals
        mine.change += row.now_total - row.start_total
        goals, start, latest = goals + row.goals, start + row.start_total, latest + row.now_total
    if len(sums) < MIN_GROUP:
        return sums, None
    return sums, Change("goals", len(sums), start / goals, latest / goals)


# --- periods, skills, scores ----------------------------------------------------------------


def _month_starts(now: datetime) -> list[datetime]:
    """The first instants of the last :data:`MONTHS` months and of the next one."""
    index = now.year * 12 + now.month - 1
    return [datetime(i // 12, i % 12 + 1, 1, tzinfo=UTC) for i in range(index - MONTHS + 1, index + 2)]


def _week_starts(now: datetime) -> list[datetime]:
    """The Mondays (UTC) of the last :data:`WEEKS` weeks and of the next one."""
    monday = week_of(now, ZoneInfo("UTC"))[1].astimezone(UTC)
    return [monday + timedelta(weeks=back) for back in range(1 - WEEKS, 2)]


def _periods(counts: dict[tuple[int, str], int], bounds: list[datetime], label: Callable[[datetime], str]
             ) -> list[Period]:
    """The periods between ``bounds``, from the sessions counted in each (by status)."""
    periods = []
    for index, start in enumerate(bounds[:-1]):
        held = counts.get((index, SessionStatus.HELD), 0)
        missed = counts.get((index, SessionStatus.CANCELED), 0) + counts.get((index, SessionStatus.NO_SHOW), 0)
        periods.append(Period(label(start), start.date(), held, missed))
    return periods


async def _skills(repo: Repository, program: Program) -> list[Change]:
    order = {skill: index for index, skill in enumerate(program.baseline_skills)}
    changes = [Change(row.skill, row.people, row.start_total / row.people, row.end_total / row.people)
               for row in await queries.skill_changes(repo, program.id) if row.people >= MIN_GROUP]
    return sorted(changes, key=lambda c: (order.get(c.label, len(order)), c.label))


def _scores(feedback: Sequence[Any], checkins: Sequence[Any]) -> list[Scores]:
    return [_side(role, [r for r in feedback if _is(r, role)], _usefulness([r for r in checkins if _is(r, role)]))
            for role in ROLES]


@dataclass(frozen=True)
class Usefulness:
    """One side's check-in ratings of pair sessions: their sum, how many, from how many people."""

    total: int
    ratings: int
    people: int


def _usefulness(rows: Sequence[Any]) -> Usefulness | None:
    """One side's check-in ratings, from the rows by unit and person."""
    if not rows:
        return None
    return Usefulness(sum(row.total for row in rows), sum(row.ratings for row in rows),
                      len({row.person_id for row in rows}))


def _is(row: Any, role: Role) -> bool:
    """Whether a row of :func:`storage.reports` grouped by side is ``role``'s (SQLite gives 1/0)."""
    return row.by_mentor is not None and bool(row.by_mentor) == (role == Role.MENTOR)


def _side(role: Role, feedback: Sequence[Any], useful: Usefulness | None) -> Scores:
    by_kind = {row.kind: row for row in feedback}

    def score(kind: str, key: str) -> float | None:
        row = by_kind.get(kind)
        if row is None or getattr(row, f"{key}_people") < MIN_GROUP:
            return None
        return _mean(getattr(row, f"{key}_total"), getattr(row, f"{key}_count"))

    gains = {key: value for key in SCORE_KEYS[FeedbackKind.EVALUATION]
             if (value := score(FeedbackKind.EVALUATION, key)) is not None}
    return Scores(
        role=role, answers=sum(row.answers for row in feedback) + (useful.ratings if useful else 0),
        pulse=score(FeedbackKind.PULSE, "how"), fit=score(FeedbackKind.FIT, "fit"), gains=gains,
        usefulness=_mean(useful.total, useful.ratings) if useful and useful.people >= MIN_GROUP else None)


# --- breakdowns -----------------------------------------------------------------------------


def _breakdown(units: dict[UnitKey, Unit], goals: dict[int, GoalSums], label_of: Callable[[Unit], str],
               order: Sequence[str] = ()) -> list[Breakdown]:
    groups: dict[str, Unit] = {}
    for unit in units.values():
        group = groups.setdefault(label_of(unit), Unit(unit.format, unit.cohort))
        group.people |= unit.people
        group.seniors |= unit.seniors
        group.tally.add(unit.tally)
    rank = {label: index for index, label in enumerate(order)}
    labels = sorted(groups, key=lambda label: (rank.get(label, len(rank)), label))
    return [_row(label, groups[label], goals) for label in labels]


def _row(label: str, group: Unit, goals: dict[int, GoalSums]) -> Breakdown:
    people, tally = len(group.people), group.tally
    if people < MIN_GROUP:
        return Breakdown(label, people, shown=False)
    theirs = [goals[person] for person in group.seniors if person in goals]
    return Breakdown(label, people, shown=True, held=tally.held, canceled=tally.missed,
                     completion=_completion(tally), usefulness=_mean(tally.useful_total, tally.useful_count),
                     goal_change=_mean(sum(g.change for g in theirs), sum(g.goals for g in theirs)),
                     attendance=_mean(tally.came, tally.answered))


def _venues(by_mode: Sequence[Any], units: dict[UnitKey, Unit]) -> list[Breakdown]:
    """Sessions that took place remote and in person, with the people of the units they were of."""
    groups: dict[str, Unit] = {}
    for row in by_mode:
        unit = _unit_of(units, row)
        if unit is None:
            continue
        group = groups.get(row.mode)
        if group is None:
            group = groups[row.mode] = Unit("", "")
        group.people |= unit.people
        if row.status == SessionStatus.HELD:
            group.tally.held += row.sessions
        else:
            group.tally.missed += row.sessions
    order = {str(mode): index for index, mode in enumerate(VENUES)}
    return [_row(mode, groups[mode], {}) for mode in sorted(groups, key=lambda m: (order.get(m, len(order)), m))]
