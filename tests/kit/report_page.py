"""A program whose report page is checked over HTTP and in a browser: "Digital Leaders" with four
pairs that met weekly for six weeks, every free text in it holding :data:`SECRET`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from bot.clock import FakeClock
from bot.reports import links
from storage.db import Database
from storage.enums import FeedbackKind, SessionStatus
from storage.models import CheckIn, Feedback, Goal, GoalUpdate, MentoringSession, Program, SkillRating
from storage.repository import Repository
from tests.kit.world import MENTEE, MENTOR, World, build_world

SECRET = "SENTINEL-private-7f3a"
"""Written into every free-text field of the seeded program; no report may show it."""
SKILLS = ["Shared calendars", "Video meetings"]
PAIRS = [("Hana", "Victor"), ("Iris", "Wanda"), ("Jon", "Xavier"), ("Kemal", "Yusuf")]


@dataclass
class Seeded:
    """The seeded program and who runs it."""

    world: World

    @property
    def admin(self) -> int:
        """Ada, the program's admin."""
        return self.world.people["Ada"]

    async def token(self, now: datetime, lifetime: timedelta = links.DEFAULT_LIFETIME,
                    person: int | None = None) -> str:
        """A report link's token, signed at ``now``."""
        grant = links.Grant(self.world.tenant_id, self.world.program_id, person or self.admin, now + lifetime)
        async with self.world.db.transaction() as session:
            return await links.sign(session, grant, now)


async def seed_program(db: Database, now: datetime) -> Seeded:
    """"Digital Leaders" with Ada as admin and four pairs that met weekly for six weeks (every
    third session canceled), with check-ins, goals, skill ratings and a pulse, all with private text."""
    world = await build_world(db, FakeClock(now))
    for mentor, mentee in PAIRS:
        await world.person(mentor, role=MENTOR)
        await world.person(mentee, role=MENTEE)
        await world.pair(mentor, mentee, started=now - timedelta(weeks=7))
    async with db.transaction() as session:
        await session.execute(update(Program).where(Program.id == world.program_id).values(baseline_skills=SKILLS))
        repo = Repository(session, world.tenant_id)
        for n, (mentor, mentee) in enumerate(PAIRS):
            await _pair_history(repo, world, world.pairs[f"{mentor}/{mentee}"], world.people[mentee], n, now)
    return Seeded(world)


async def _pair_history(repo: Repository, world: World, pair_id: int, mentee_id: int, n: int, now: datetime) -> None:
    for week in range(1, 7):
        status = SessionStatus.CANCELED if (week + n) % 3 == 0 else SessionStatus.HELD
        session = repo.add(MentoringSession(program_id=world.program_id, pair_id=pair_id, mode="remote",
                                            place=SECRET, starts_at=now - timedelta(weeks=week), status=status,
                                            created_at=now - timedelta(weeks=8)))
        await repo.flush()
        if status == SessionStatus.HELD:
            repo.add(CheckIn(session_id=session.id, person_id=mentee_id, usefulness=4, topics=[SECRET],
                             private_note=SECRET, created_at=now))
    goal = repo.add(Goal(pair_id=pair_id, title=SECRET, baseline_rating=2, baseline_note=SECRET, target_note=SECRET,
                         current_rating=4, created_at=now, updated_at=now))
    await repo.flush()
    repo.add(GoalUpdate(goal_id=goal.id, rating=4, note=SECRET, created_at=now))
    for skill in SKILLS:
        for stage, rating in (("start", 2), ("end", 3 + n % 2)):
            repo.add(SkillRating(program_id=world.program_id, person_id=mentee_id, skill=skill, stage=stage,
                                 rating=rating, rated_at=now))
    repo.add(Feedback(program_id=world.program_id, pair_id=pair_id, person_id=mentee_id, kind=FeedbackKind.PULSE,
                      period=f"{now:%Y-%m}", answers={"how": 4, "learned": SECRET, "taught": SECRET}, created_at=now))
