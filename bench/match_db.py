"""Time ``/mentoring match`` from the database: 10,000 onboarded mentees and 3,000 mentors (with
profiles, enrollments and reporting lines) in a program, then the admin's match command through
the bot's one entry point, as a person would run it: loading the cohort, scoring, solving,
storing the proposals and answering.

    .venv/bin/python bench/match_db.py [--mentees 10000] [--mentors 3000] [--postgres URL]

Prints the seconds of the whole command (and the CPU seconds of this process, which a busy machine
inflates less), on SQLite and on PostgreSQL. The target: under 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime

from harness import ROOT, scratch_postgres

sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bot.clock import FakeClock  # noqa: E402
from bot.engine import MentorBot  # noqa: E402
from bot.matching.synthetic import cohort  # noqa: E402
from bot.messages import Address, Inbound  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Enrollment, Pair, Person, Profile, Program, ProgramAdmin, Tenant  # noqa: E402
from storage.names import name_key  # noqa: E402

NOW = datetime(2027, 1, 13, 9, tzinfo=UTC)
BATCH = 2000


async def populate(db: Database, mentees: int, mentors: int) -> None:
    """The program, its admin and a synthetic cohort, written in multi-row inserts."""
    people = cohort(mentees, mentors, capacity=4, seed=1)
    async with db.transaction() as session:
        tenant = Tenant(platform="console", external_id="local", name="", created_at=NOW)
        session.add(tenant)
        await session.flush()
        program = Program(tenant_id=tenant.id, name="Digital Leaders 2027", cadence="monthly", capacity=4,
                          formats=["one-to-one"], topics=[], created_at=NOW)
        admin = Person(tenant_id=tenant.id, platform="console", user_id="Ada", display_name="Ada", created_at=NOW)
        session.add_all([program, admin])
        await session.flush()
        session.add(ProgramAdmin(tenant_id=tenant.id, program_id=program.id, person_id=admin.id, added_at=NOW))
        everyone = [(c, "mentee") for c in people.mentees] + [(c, "mentor") for c in people.mentors]
        for start in range(0, len(everyone), BATCH):
            chunk = everyone[start:start + BATCH]
            ids = list((await session.execute(insert(Person).returning(Person.id), [
                {"tenant_id": tenant.id, "platform": "console", "user_id": c.name, "display_name": c.name,
                 "name_key": name_key(c.name), "created_at": NOW} for c, _ in chunk])).scalars())
            await session.execute(insert(Profile), [{
                "tenant_id": tenant.id, "person_id": pid, "level": c.level, "department": "IT",
                "skills_offered": sorted(c.topics) if role == "mentor" else [],
                "topics_wanted": sorted(c.topics) if role == "mentee" else [], "topics_free_text": c.free_text,
                "style": c.style, "formats": sorted(c.formats), "location": c.location, "timezone": c.timezone,
                "work_start": c.work_start, "work_end": c.work_end, "languages": sorted(c.languages),
                "updated_at": NOW} for pid, (c, role) in zip(ids, chunk, strict=True)])
            await session.execute(insert(Enrollment), [{
                "tenant_id": tenant.id, "program_id": program.id, "person_id": pid, "role": role,
                "status": "active", "joined_at": NOW, "onboarded_at": NOW, "confidentiality_accepted_at": NOW}
                for pid, (_, role) in zip(ids, chunk, strict=True)])


async def run(url: str, label: str, mentees: int, mentors: int) -> None:
    db = Database(url)
    try:
        await upgrade(db)
        start = time.perf_counter()
        await populate(db, mentees, mentors)
        filled = time.perf_counter() - start
        bot = MentorBot(db, FakeClock(NOW))
        start, cpu = time.perf_counter(), time.process_time()
        [reply] = await bot.handle(Inbound.typed(Address("console", "local", "Ada"), "/mentoring match", "Ada"))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        async with db.transaction() as session:
            proposed = await session.scalar(select(func.count()).select_from(Pair))
        assert proposed, reply.text
        print(f"{label:10} {mentees:>6,} mentees {mentors:>5,} mentors  match: {seconds:6.2f} s end to end "
              f"({cpu:.2f} s of this process's CPU), {proposed:,} pairs proposed  (filling the database took "
              f"{filled:.1f} s)")
        print("           " + reply.text.splitlines()[0])
    finally:
        await db.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=3_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        await run(f"sqlite+aiosqlite:///{scratch}/bench.db", "SQLite", args.mentees, args.mentors)
    async with scratch_postgres(args.postgres) as url:
        await run(url, "PostgreSQL", args.mentees, args.mentors)


if __name__ == "__main__":
    asyncio.run(main())
