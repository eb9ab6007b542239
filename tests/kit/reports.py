"""A seeded program whose report figures are known by hand, for the report and export tests.

Built on the ``world`` fixture's :class:`~tests.kit.world.World` ("Digital Leaders", admin Ada, the clock on Monday
23 November 2026). Every free text a participant could write holds :data:`SECRET` so that
a test can check none of it reaches a report or a CSV file.

The program (figures worked out in ``test_report_figures.py``):

- pairs: Hana/Victor (from 1 Sep, Q3), Ola/Carla (15 Sep, Q3), Tom/Bert (5 Oct, Q4),
  Uma/Dora (10 Oct, Q4, ended 10 Nov), and Tom/Dora only proposed (with rows that must not
  count); Uma's display name is a spreadsheet formula;
- a circle (Hana, Victor, Carla; created 1 Nov, Q4) with one held session and attendance;
- a research assignment (Ola, Tom; created 1 Jun, Q2: two people, so never shown);
- sessions from June to November: held, canceled, no-show, one moved, two still to come;
- check-ins, goals, baseline skills, pulses, fit answers and evaluations; two open flags on
  Ola/Carla and a resolved one on Tom/Bert;
- another program of the same tenant with a pair, a session and a flag that must not count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.reports.figures import Breakdown, Change, Period, ProgramReport, program_report
from storage.enums import FeedbackKind, FlagKind, GoalStatus, PairStatus, SessionStatus
from storage.models import (
    AssignmentMentor,
    Attendance,
    CheckIn,
    Circle,
    CircleMember,
    Feedback,
    Flag,
    Goal,
    GoalUpdate,
    MentoringSession,
    Pair,
    Person,
    Program,
    ResearchAssignment,
    SkillRating,
)
from storage.repository import Repository
from tests.kit.world import MENTEE, MENTOR, World

SECRET = "SECRET-TEXT"
"""In every free-text field of the seed: no report or export may contain it."""
FORMULA_NAME = '=HYPERLINK("http://x.example")'
SKILLS = ["Video meetings", "AI assistant", "Shared calendars"]


def at(month: int, day: int, hour: int = 10) -> datetime:
    """A moment in 2026 (UTC)."""
    return datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass
class Seed:
    """Ids of what was seeded, by a short name."""

    world: World
    pairs: dict[str, int] = field(default_factory=dict)
    sessions: dict[str, int] = field(default_factory=dict)
    goals: dict[str, int] = field(default_factory=dict)
    circle: int = 0
    assignment: int = 0
    other_program: int = 0

    def person(self, name: str) -> int:
        """A person's id."""
        return self.world.people[name]


class Seeder:
    """Adds rows of the seeded program in one transaction."""

    def __init__(self, repo: Repository, seed: Seed) -> None:
        self.repo, self.seed = repo, seed
        self.now = seed.world.clock.now()

    def _id(self, name: str) -> int:
        return self.seed.person(name)

    async def _add(self, row: Any) -> Any:
        self.repo.add(row)
        await self.repo.flush()
        return row

    async def session(self, name: str, when: datetime, status: str, pair: str | None = None, circle: int | None = None,
                      assignment: int | None = None, program_id: int | None = None) -> int:
        row = await self._add(MentoringSession(
            program_id=program_id or self.seed.world.program_id, pair_id=self.seed.pairs[pair] if pair else None,
            circle_id=circle, assignment_id=assignment, starts_at=when, duration_minutes=45,
            mode="in_person" if circle else "remote", place=f"{SECRET} place" if circle else None,
            status=status, created_at=when, calendar_uid=f"uid-{name}"))
        self.seed.sessions[name] = row.id
        return row.id

    async def checkin(self, session: str, person: str, useful: int | None) -> None:
        await self._add(CheckIn(session_id=self.seed.sessions[session], person_id=self._id(person), usefulness=useful,
                                topics=[f"{SECRET} topic"], private_note=f"{SECRET} private note", created_at=self.now))

    async def goal(self, name: str, pair: str, baseline: int, current: int | None, final: int | None,
                   updates: tuple[int, ...] = (), status: str = GoalStatus.OPEN) -> None:
        row = await self._add(Goal(pair_id=self.seed.pairs[pair], title=f"{SECRET} goal title", baseline_rating=baseline,
                                   baseline_note=f"{SECRET} baseline", target_note=f"{SECRET} target",
                                   current_rating=current, final_rating=final, status=status, created_at=self.now,
                                   updated_at=self.now))
        self.seed.goals[name] = row.id
        for rating in updates:
            self.repo.add(GoalUpdate(goal_id=row.id, rating=rating, note=f"{SECRET} update", created_at=self.now))

    async def skill(self, person: str, skill: str, start: int, end: int | None = None) -> None:
        for stage, rating in (("start", start), ("end", end)):
            if rating is not None:
                self.repo.add(SkillRating(program_id=self.seed.world.program_id, person_id=self._id(person),
                                          skill=skill, stage=stage, rating=rating, rated_at=self.now))

    async def feedback(self, pair: str, person: str, kind: str, period: str, **answers: Any) -> None:
        self.repo.add(Feedback(program_id=self.seed.world.program_id, pair_id=self.seed.pairs[pair],
                               person_id=self._id(person), kind=kind, period=period, answers=answers,
                               created_at=self.now))

    async def flag(self, pair: str, kind: str, resolved: bool = False, program_id: int | None = None) -> None:
        self.repo.add(Flag(program_id=program_id or self.seed.world.program_id, pair_id=self.seed.pairs[pair],
                           kind=kind, key=f"{kind}:{pair}", details={"reason": SECRET}, raised_at=self.now,
                           resolved_at=self.now if resolved else None))


async def build_seed(world: World) -> Seed:
    """The seeded program described in the module docstring."""
    seed = Seed(world)
    for name in ("Hana", "Ola", "Tom", "Uma"):
        await world.person(name, role=MENTOR)
    for name in ("Victor", "Carla", "Bert", "Dora"):
        await world.person(name, role=MENTEE)
    seed.pairs["HV"] = await world.pair("Hana", "Victor", started=at(9, 1))
    seed.pairs["OC"] = await world.pair("Ola", "Carla", started=at(9, 15))
    seed.pairs["TB"] = await world.pair("Tom", "Bert", started=at(10, 5))
    seed.pairs["UD"] = await world.pair("Uma", "Dora", started=at(10, 10))
    seed.pairs["TD"] = await world.pair("Tom", "Dora", started=at(11, 20))
    async with world.db.transaction() as session:
        repo = Repository(session, world.tenant_id)
        seeder = Seeder(repo, seed)
        await _shape(repo, seed)
        await _sessions(seeder)
        await _ratings(seeder)
        await _feedback(seeder)
        await _other_program(repo, seeder)
    return seed


async def _shape(repo: Repository, seed: Seed) -> None:
    """Program settings, the ended and proposed pairs, the circle and the assignment."""
    world = seed.world
    program = await repo.program(world.program_id)
    assert program is not None
    program.formats, program.baseline_skills = ["one-to-one", "group", "research"], SKILLS
    ended = await repo.one_or_none(repo.scoped(Pair).where(Pair.id == seed.pairs["UD"]))
    proposed = await repo.one_or_none(repo.scoped(Pair).where(Pair.id == seed.pairs["TD"]))
    assert ended is not None and proposed is not None
    ended.status, ended.ended_at, ended.end_reason = PairStatus.ENDED, at(11, 10), f"{SECRET} reason"
    ended.reasons = [f"{SECRET} match reason"]
    proposed.status, proposed.started_at = PairStatus.PROPOSED, None
    uma = await repo.one_or_none(repo.scoped(Person).where(Person.id == seed.person("Uma")))
    assert uma is not None
    uma.display_name = FORMULA_NAME
    circle = repo.add(Circle(program_id=world.program_id, title="Prompting circle", size=6, status="active",
                             created_at=at(11, 1)))
    assignment = repo.add(ResearchAssignment(program_id=world.program_id, topic="Agents", status="done",
                                             writeup=f"{SECRET} writeup", created_at=at(6, 1)))
    await repo.flush()
    seed.circle, seed.assignment = circle.id, assignment.id
    for name, role in (("Hana", "host"), ("Victor", "member"), ("Carla", "member")):
        repo.add(CircleMember(circle_id=circle.id, person_id=seed.person(name), role=role, status="active"))
    for name in ("Ola", "Tom"):
        repo.add(AssignmentMentor(assignment_id=assignment.id, person_id=seed.person(name)))


HELD, CANCELED, NO_SHOW = SessionStatus.HELD, SessionStatus.CANCELED, SessionStatus.NO_SHOW


async def _sessions(s: Seeder) -> None:
    """Sessions of every pair, the circle and the assignment."""
    for name, when, status, pair in (
        ("HV1", at(9, 8), HELD, "HV"), ("HV2", at(10, 6), HELD, "HV"), ("HV3", at(11, 3), HELD, "HV"),
        ("HV4", at(11, 17), SessionStatus.RESCHEDULED, "HV"), ("HV5", at(11, 19), HELD, "HV"),
        ("HV6", at(11, 30), SessionStatus.SCHEDULED, "HV"),
        ("OC1", at(9, 20), HELD, "OC"), ("OC2", at(10, 18), CANCELED, "OC"), ("OC3", at(11, 8), NO_SHOW, "OC"),
        ("OC4", at(11, 15), CANCELED, "OC"),
        ("TB1", at(10, 12), HELD, "TB"), ("TB2", at(11, 9), HELD, "TB"),
        ("UD1", at(10, 20), HELD, "UD"), ("UD2", at(11, 4), CANCELED, "UD"),
        ("TD1", at(11, 10), HELD, "TD"),  # a proposed pair's: never counted
    ):
        await s.session(name, when, status, pair=pair)
    group = await s.session("C1", at(11, 12), HELD, circle=s.seed.circle)
    await s.session("C2", at(11, 26), SessionStatus.SCHEDULED, circle=s.seed.circle)
    await s.session("A1", at(6, 15), HELD, assignment=s.seed.assignment)
    for name, attended, rating in (("Hana", True, 5), ("Victor", True, 4), ("Carla", False, None)):
        s.repo.add(Attendance(session_id=group, person_id=s.seed.person(name), attended=attended, rating=rating,
                              will_try=f"{SECRET} will try", recorded_at=s.now))
    for session, person, useful in (
        ("HV1", "Hana", 4), ("HV1", "Victor", 5), ("HV2", "Hana", 3), ("HV2", "Victor", 4), ("HV3", "Hana", 5),
        ("HV3", "Victor", 5), ("HV5", "Victor", 4), ("OC1", "Ola", 2), ("OC1", "Carla", 3), ("TB1", "Tom", 4),
        ("TB1", "Bert", None), ("TB2", "Tom", 5), ("TB2", "Bert", 4), ("UD1", "Uma", 3), ("UD1", "Dora", 4),
        ("TD1", "Dora", 1),
    ):
        await s.checkin(session, person, useful)


async def _ratings(s: Seeder) -> None:
    """Goals (with their history) and baseline skills."""
    await s.goal("G1", "HV", 2, 3, 4, updates=(3, 4))
    await s.goal("G2", "HV", 1, 2, None, updates=(2,))
    await s.goal("G3", "HV", 3, None, None)
    await s.goal("G4", "OC", 2, 4, None, updates=(4,))
    await s.goal("G5", "TB", 3, 3, None, updates=(3,), status=GoalStatus.DROPPED)
    await s.goal("G6", "UD", 1, 2, 3, updates=(2, 3), status=GoalStatus.DONE)
    await s.goal("G7", "TD", 1, 5, None)  # a proposed pair's: never counted
    video, ai, calendars = SKILLS
    for person, start, end in (("Victor", 2, 4), ("Carla", 1, 3), ("Dora", 3, 4), ("Bert", 2, None)):
        await s.skill(person, video, start, end)
    for person, start, end in (("Victor", 1, 3), ("Carla", 2, 2)):
        await s.skill(person, ai, start, end)
    for person in ("Victor", "Carla", "Bert", "Dora"):
        await s.skill(person, calendars, 3)


async def _feedback(s: Seeder) -> None:
    """Pulses, fit answers, evaluations, and flags."""
    text = {"learned": f"{SECRET} learned", "taught": f"{SECRET} taught"}
    for pair, person, period, how in (
        ("HV", "Hana", "2026-10", 4), ("HV", "Victor", "2026-10", 5), ("OC", "Ola", "2026-10", 2),
        ("OC", "Carla", "2026-10", 3), ("TB", "Tom", "2026-10", 4), ("TB", "Bert", "2026-10", 4),
        ("HV", "Hana", "2026-11", 5), ("HV", "Victor", "2026-11", 4),
    ):
        await s.feedback(pair, person, FeedbackKind.PULSE, period, how=how, **text)
    await s.feedback("UD", "Uma", FeedbackKind.PULSE, "2026-11")  # opened, not answered yet
    for pair, person, fit in (("HV", "Hana", 4), ("HV", "Victor", 5), ("OC", "Ola", 2), ("TB", "Tom", 5),
                              ("UD", "Uma", 4), ("UD", "Dora", 3)):
        await s.feedback(pair, person, FeedbackKind.FIT, "first", fit=fit, why=f"{SECRET} why")
    await s.feedback("OC", "Carla", FeedbackKind.FIT, "first", fit=1, why=f"{SECRET} why", rematch=True)
    gained = f"{SECRET} gained"
    await s.feedback("UD", "Dora", FeedbackKind.EVALUATION, "end", fluency=4, gained=gained)
    await s.feedback("UD", "Uma", FeedbackKind.EVALUATION, "end", strategic=4, business=3, access=5, gained=gained)
    await s.feedback("HV", "Victor", FeedbackKind.EVALUATION, "end", fluency=5, gained=gained)
    await s.feedback("HV", "Hana", FeedbackKind.EVALUATION, "end", strategic=5, business=4, access=4, gained=gained)
    await s.feedback("OC", "Carla", FeedbackKind.EVALUATION, "end", fluency=3, gained=gained)
    await s.feedback("OC", "Ola", FeedbackKind.EVALUATION, "end", strategic=3, gained=gained)
    await s.feedback("TD", "Dora", FeedbackKind.FIT, "first", fit=1)  # a proposed pair's: never counted
    await s.flag("OC", FlagKind.CANCELED_TWICE)
    await s.flag("OC", FlagKind.POOR_FIT)
    await s.flag("TB", FlagKind.SILENT, resolved=True)


async def _other_program(repo: Repository, s: Seeder) -> None:
    """A second program of the tenant: none of it may show in Digital Leaders' figures."""
    other = repo.add(Program(name="Other", cadence="monthly", capacity=2, formats=["one-to-one"], topics=[],
                             baseline_skills=[], status="active", created_at=s.now))
    await repo.flush()
    s.seed.other_program = other.id
    pair = repo.add(Pair(program_id=other.id, mentor_id=s.seed.person("Hana"), mentee_id=s.seed.person("Bert"),
                         status=PairStatus.ACTIVE, proposed_at=at(9, 1), started_at=at(9, 1)))
    await repo.flush()
    s.seed.pairs["other"] = pair.id
    for day in (2, 9, 16):
        await s.session(f"other{day}", at(11, day), HELD, pair="other", program_id=other.id)
    await s.flag("other", FlagKind.SILENT, program_id=other.id)
    repo.add(Goal(pair_id=pair.id, title="x", baseline_rating=1, current_rating=5, status="open", created_at=s.now,
                  updated_at=s.now))


async def report_of(world: World) -> ProgramReport:
    """The report of ``world``'s program, as of its clock."""
    async with world.db.transaction() as session:
        repo = Repository(session, world.tenant_id)
        program = await repo.program(world.program_id)
        assert isinstance(program, Program)
        return await program_report(repo, program, world.clock.now())


def sample_report(empty: bool = False, program: str = "Digital Leaders 2027") -> ProgramReport:
    """A report built by hand: twelve weeks of sessions, three skills, goals, two formats shown
    and one hidden; with ``empty``, a program where nothing has happened yet."""
    weeks = [Period(f"2026-W{37 + n}", date(2026, 9, 7) + timedelta(weeks=n),
                    0 if empty else (3 * n) % 7, 0 if empty else n % 3) for n in range(12)]
    months = [Period(f"2026-{m:02}", date(2026, m, 1), 0 if empty else 9, 0 if empty else 2) for m in range(6, 12)]
    return ProgramReport(
        program=program, generated_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        active_pairs=0 if empty else 6, participants=0 if empty else 13, this_month=months[-1], months=months,
        weeks=weeks, completion=None if empty else 0.78, at_risk=0 if empty else 1,
        risks={} if empty else {"canceled_twice": 1},
        goals=None if empty else Change("All goals", 6, 2.2, 3.4),
        skills=[] if empty else [Change("Shared calendars", 6, 2.0, 3.5), Change("Video meetings", 5, 3.1, 3.9),
                                 Change("An AI assistant", 3, 1.5, 3.0)],
        scores=[],
        formats=[] if empty else [Breakdown("one-to-one", 12, True, 30, 6, 0.83, 4.1, 1.2),
                                  Breakdown("group", 5, True, 8, 3, 0.72), Breakdown("research", 2, False)],
        cohorts=[] if empty else [Breakdown("2026-Q4", 13, True, 38, 9, 0.81)],
    )
