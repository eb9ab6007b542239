"""Time the HR import at scale: a CSV of 10,000 people (names in many scripts, managers, roles,
levels, zones, languages, topics) imported into a program on SQLite and on PostgreSQL, through
the same code as ``mentorbot import``: a dry run, the import, and a re-import that changes nothing.

    .venv/bin/python bench/people_import.py [--rows 10000] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Prints seconds per step and rows per second. The target: 10,000 rows in under 30 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from harness import ROOT, scratch_postgres

sys.path.insert(0, str(ROOT))

from bot.catalog import DEFAULT_TOPICS  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from mentorbot.people_import import run_import  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Program, Tenant  # noqa: E402

FIRST = ("Ana", "Zoë", "Łukasz", "Ζωή", "Иван", "李", "王", "محمد", "Noa", "Siobhán", "José", "Kenji", "Ngozi")
LAST = ("Silva", "Ñúñez", "Kowalski", "Παπαδοπούλου", "Иванов", "华", "芳", "حداد", "Cohen", "Ó Briain", "Tanaka")
ZONES = ("Europe/Brussels", "Europe/London", "America/New_York", "Asia/Singapore", "Europe/Warsaw", "Asia/Tokyo")
NOW = datetime(2027, 1, 11, 9, tzinfo=UTC)


def hr_file(rows: int, seed: int = 1) -> bytes:
    """An HR export: a fifth are managers without a role, the rest mentors and mentees, each
    with a manager among the managers."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "role", "level", "department", "manager email", "languages", "time zone",
                     "location", "topics"])
    managers = max(rows // 5, 1)
    for n in range(rows):
        manager = "" if n < managers else f"person{rng.randrange(managers)}@example.com"
        role = "" if n < managers else rng.choice(("mentor", "mentee"))
        level = rng.choice((3, 4, 5)) if role != "mentor" else rng.choice((1, 2))
        writer.writerow([f"{rng.choice(FIRST)} {rng.choice(LAST)} {n}", f"person{n}@example.com", role, level,
                         rng.choice(("IT", "Sales", "Finance", "HR")), manager,
                         rng.choice(("en", "en;fr", "en;nl", "pl;en")), rng.choice(ZONES),
                         rng.choice(("remote", "in person", "either")),
                         ";".join(rng.sample(DEFAULT_TOPICS, 2))])
    return out.getvalue().encode()


async def run(url: str, label: str, rows: int) -> None:
    db = Database(url)
    try:
        await upgrade(db)
        async with db.transaction() as session:
            tenant = Tenant(platform="console", external_id="local", name="", created_at=NOW)
            session.add(tenant)
            await session.flush()
            session.add(Program(tenant_id=tenant.id, name="Digital Leaders 2027", cadence="monthly", capacity=3,
                                formats=["one-to-one"], topics=list(DEFAULT_TOPICS), created_at=NOW))
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "people.csv"
            path.write_bytes(hr_file(rows))
            for step, dry in (("dry run", True), ("import", False), ("re-import (no change)", False)):
                out = io.StringIO()
                start = time.perf_counter()
                done = await run_import(db, path, "Digital Leaders 2027", dry, out, clock=FakeClock(NOW),
                                        show_progress=False)
                seconds = time.perf_counter() - start
                assert done, out.getvalue()
                print(f"{label:10} {step:22} {rows:>7,} rows  {seconds:6.2f} s  {rows / seconds:8,.0f} rows/s")
    finally:
        await db.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        await run(f"sqlite+aiosqlite:///{scratch}/bench.db", "SQLite", args.rows)
    async with scratch_postgres(args.postgres) as url:
        await run(url, "PostgreSQL", args.rows)


if __name__ == "__main__":
    asyncio.run(main())
