"""A program with pairs, built directly in the database (the ``world`` fixture's).

People are console users (the console chat reaches them), with a profile giving their
time zone and working hours, enrolled and paired as matching would leave them. The fake
clock of the tests starts at :data:`START`, a Monday morning in November 2026.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from adapters.console.chat import user_id_for
from bot.clock import FakeClock
from storage.db import Database
from storage.enums import EnrollmentStatus, NudgeStatus, PairStatus, Role
from storage.models import (
    Circle,
    Enrollment,
    Nudge,
    Pair,
    Person,
    Profile,
    Program,
    ProgramAdmin,
    ResearchAssignment,
)
from storage.repository import Repository, tenant_for
from sqlalchemy import func, select

TICK = timedelta(minutes=5)
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""Where the tests' fake clock starts: Monday 23 November 2026, 09:00 UTC."""
MENTOR, MENTEE = Role.MENTOR, Role.MENTEE


@dataclass
class World:
    """Who is in the test program, by display name."""

    db: Database
    clock: FakeClock
    tenant_id: int = 0
    program_id: int = 0
    people: dict[str, int] = field(default_factory=dict)
    pairs: dict[str, int] = field(default_factory=dict)

    async def person(self, name: str, zone: str = "Europe/Brussels", hours: tuple[int, int] = (9, 17),
                     role: str | None = None, admin: bool = False) -> int:
        """Someone in the program (a participant when ``role`` is given, an admin when ``admin``)."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            repo = Repository(session, self.tenant_id)
            person = repo.add(Person(platform="console", user_id=user_id_for(name), display_name=name,
                                     address={"platform": "console", "tenant": "local", "user_id": user_id_for(name),
                                              "reference": None}, created_at=now))
            await repo.flush()
            repo.add(Profile(person_id=person.id, timezone=zone, work_start=time(hours[0]), work_end=time(hours[1]),
                             updated_at=now))
            if role:
                repo.add(Enrollment(program_id=self.program_id, person_id=person.id, role=role,
                                    status=EnrollmentStatus.ACTIVE, joined_at=now, onboarded_at=now))
            if admin:
                repo.add(ProgramAdmin(program_id=self.program_id, person_id=person.id, added_at=now))
            self.people[name] = person.id
        return person.id

    async def pair(self, mentor: str, mentee: str, cadence: str | None = None,
                   started: datetime | None = None) -> int:
        """An active pair of two participants."""
        async with self.db.transaction() as session:
            repo = Repository(session, self.tenant_id)
            pair = repo.add(Pair(program_id=self.program_id, mentor_id=self.people[mentor],
                                 mentee_id=self.people[mentee], status=PairStatus.ACTIVE, cadence=cadence,
                                 proposed_at=started or self.clock.now(), started_at=started or self.clock.now()))
            await repo.flush()
            self.pairs[f"{mentor}/{mentee}"] = pair.id
        return pair.id

    async def nudges(self, status: str | None = None) -> list[Nudge]:
        """Every outbox row, oldest first."""
        async with self.db.transaction() as session:
            query = select(Nudge).order_by(Nudge.id)
            if status:
                query = query.where(Nudge.status == status)
            return list((await session.execute(query)).scalars())

    async def pending_for(self, name: str) -> list[str]:
        """Keys of the pending rows for ``name``."""
        return [n.key for n in await self.nudges(NudgeStatus.PENDING) if n.person_id == self.people[name]]

    async def tick_until(self, moment: datetime, send: bool = False) -> None:
        """Run the cadence tick as the server does, up to ``moment`` (where the clock ends): at
        every moment a pair, circle or research assignment is due for a look (at least five
        minutes apart, the tick's period), and at ``moment`` itself. With ``send``, the outbox
        sends what is due after each tick too (to nobody: a deliverer that only says yes)."""
        from bot.registry import render_nudge, run_tick
        from scheduler.outbox import Outbox
        from tests.kit.outbox import Recorder

        outbox = Outbox(self.db, {"console": Recorder()}, render_nudge, self.clock, "world") if send else None
        while True:
            await run_tick(self.db, self.clock)
            if outbox is not None:
                await outbox.drain()
            async with self.db.transaction() as session:
                looks = [await session.scalar(select(func.min(model.next_check_at)).where(
                    model.status.in_(("active", "scheduled", "written", "assigned"))))
                    for model in (Pair, Circle, ResearchAssignment)]
                if send:
                    looks.append(await session.scalar(select(func.min(Nudge.due_at)).where(
                        Nudge.status == NudgeStatus.PENDING)))
            upcoming = [look for look in looks if look is not None]
            following = max(min(upcoming, default=moment), self.clock.now() + TICK)
            if following >= moment:
                break
            self.clock.set(following)
        self.clock.set(moment)
        await run_tick(self.db, self.clock)
        if outbox is not None:
            await outbox.drain()

    def name_of(self, person_id: int) -> str:
        """The display name of a person id."""
        return next(name for name, pid in self.people.items() if pid == person_id)


async def build_world(db: Database, clock: FakeClock) -> World:
    """A weekly program "Digital Leaders" with an admin, Ada (Brussels), in ``db``."""
    now = clock.now()
    async with db.transaction() as session:
        tenant = await tenant_for(session, "console", "local", now)
        repo = Repository(session, tenant.id)
        program = repo.add(Program(name="Digital Leaders", cadence="weekly", capacity=3, formats=["one-to-one"],
                                   topics=[], baseline_skills=[], reminder_hours=24, allow_same_level=False,
                                   match_weights={}, status="active", created_at=now))
        await repo.flush()
        built = World(db, clock, tenant.id, program.id)
    await built.person("Ada", admin=True)
    return built

