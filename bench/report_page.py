"""The report page with its three charts, and the CSV files, for a program of 10,000 pairs and a
year of weekly sessions on PostgreSQL.

    .venv/bin/python bench/report_page.py [--pairs 10000] [--rounds 3] [--keep] [--reuse URL]
                                          [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

A scratch database gets one tenant and one weekly program with an admin, the pairs (each
mentor has three mentees) started a year ago over four quarters, a session a week for each (85%
held, the rest canceled or no-show, a few in person), both sides' check-ins on most held
sessions, two goals per pair updated monthly, monthly pulses from both sides, the fit question,
the baseline skills rated at the start (and at the end for half) and a few open flags. Then,
over HTTP on 127.0.0.1, as a browser does: the page, then its three charts at once; then the
four CSV files. Prints seconds for each (the best and the median of the rounds, after a first view that warms
up), the CPU seconds the bot's process and the database's backends spent on the page and its
charts (what a busy machine does not stretch), the load average (which stretches wall seconds),
and how many times the figures were computed (once per view is the rule).
Target: the page with its charts under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import asyncpg
from harness import cpu_seconds, scratch_postgres
from sqlalchemy.engine import make_url

from bot.reports import links
from bot.reports.charts import CHART_NAMES
from bot.reports.export import FILE_NAMES
from mentorbot.report_routes import REPORT_CLOCK, VIEWS
from mentorbot.server import build_app
from storage.db import Database
from storage.migrate import upgrade

NOW = datetime(2027, 11, 24, 10, 0, tzinfo=UTC)
YEAR = timedelta(days=365)
TENANT, PROGRAM, ADMIN = 1, 1, 1
TARGET = 1.0
SKILLS = ("Shared calendars", "Video meetings", "Collaboration tools", "An AI assistant")
COLUMNS = {
    "tenants": ("id", "platform", "external_id", "name", "created_at"),
    "people": ("id", "tenant_id", "platform", "user_id", "display_name", "address", "created_at"),
    "programs": ("id", "tenant_id", "name", "cadence", "capacity", "formats", "topics", "baseline_skills",
                 "reminder_hours", "allow_same_level", "match_weights", "status", "created_at"),
    "program_admins": ("id", "tenant_id", "program_id", "person_id", "added_at"),
    "enrollments": ("id", "tenant_id", "program_id", "person_id", "role", "status", "joined_at", "onboarded_at"),
    "pairs": ("id", "tenant_id", "program_id", "mentor_id", "mentee_id", "status", "fit_score", "reasons",
              "proposed_at", "started_at"),
    "sessions": ("id", "tenant_id", "program_id", "pair_id", "starts_at", "duration_minutes", "mode", "recurring",
                 "status", "outcome_at", "created_at", "timezone", "calendar_uid", "calendar_sequence"),
    "checkins": ("id", "tenant_id", "session_id", "person_id", "usefulness", "topics", "private_note", "created_at"),
    "goals": ("id", "tenant_id", "pair_id", "title", "baseline_rating", "current_rating", "status", "created_at",
              "updated_at"),
    "goal_updates": ("id", "tenant_id", "goal_id", "rating", "created_at"),
    "feedback": ("id", "tenant_id", "program_id", "pair_id", "person_id", "kind", "period", "answers", "created_at"),
    "skill_ratings": ("id", "tenant_id", "program_id", "person_id", "skill", "stage", "rating", "rated_at"),
    "flags": ("id", "tenant_id", "program_id", "pair_id", "kind", "key", "details", "raised_at"),
}
CHUNK = 1_000


class Rows:
    """Rows by table, with the ids handed out so far."""

    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self.tables: dict[str, list[tuple[Any, ...]]] = {name: [] for name in COLUMNS}

    def add(self, table: str, *values: Any) -> int:
        self.ids[table] += 1
        self.tables[table].append((self.ids[table], TENANT, *values))
        return self.ids[table]

    async def copy(self, conn: asyncpg.Connection) -> None:
        for table, records in self.tables.items():
            if records:
                await conn.copy_records_to_table(table, records=records, columns=list(COLUMNS[table]))
                records.clear()


def _person(rows: Rows, role: str | None) -> int:
    number = rows.ids["people"] + 1
    user = f"U{number:08d}"
    person = rows.add("people", "slack", user, f"Person {number}",
                      json.dumps({"platform": "slack", "tenant": "TBENCH", "user_id": user, "reference": None}),
                      NOW - YEAR - timedelta(days=30))
    if role:
        rows.add("enrollments", PROGRAM, person, role, "active", NOW - YEAR - timedelta(days=20),
                 NOW - YEAR - timedelta(days=15))
    return person


def _pair(rows: Rows, rng: random.Random, mentor: int) -> None:
    mentee = _person(rows, "mentee")
    started = NOW - YEAR + timedelta(days=rng.uniform(0, 80))
    pair = rows.add("pairs", PROGRAM, mentor, mentee, "active", rng.uniform(0.4, 0.95), '["shared topics"]',
                    started - timedelta(days=3), started)
    goals = [rows.add("goals", pair, f"Goal {n}", rng.randint(1, 3), None, "open", started, started)
             for n in (1, 2)]
    week = timedelta(days=7)
    starts, n, pulsed = started + week, 0, set()
    while starts < NOW - timedelta(days=1):
        n += 1
        roll = rng.random()
        status = "held" if roll < 0.85 else ("canceled" if roll < 0.95 else "no_show")
        mode = "in_person" if rng.random() < 0.15 else "remote"
        session = rows.add("sessions", PROGRAM, pair, starts, 45, mode, True, status, starts + timedelta(hours=2),
                           starts - timedelta(days=7), "Europe/Brussels", f"uid-{pair}-{n}", 0)
        if status == "held":
            for person in (mentor, mentee):
                if rng.random() < 0.7:
                    rows.add("checkins", session, person, rng.randint(2, 5), '["AI"]', None,
                             starts + timedelta(hours=3))
        if f"{starts:%Y-%m}" not in pulsed:
            pulsed.add(f"{starts:%Y-%m}")
            for goal in goals:
                rows.add("goal_updates", goal, rng.randint(2, 5), starts + timedelta(hours=3))
            for person in (mentor, mentee):
                if rng.random() < 0.6:
                    rows.add("feedback", PROGRAM, pair, person, "pulse", f"{starts:%Y-%m}",
                             json.dumps({"how": rng.randint(1, 5)}), starts + timedelta(days=1))
        starts += week
    for person in (mentor, mentee):
        rows.add("feedback", PROGRAM, pair, person, "fit", "first", json.dumps({"fit": rng.randint(2, 5)}),
                 started + timedelta(days=20))
    for skill in SKILLS:
        rows.add("skill_ratings", PROGRAM, mentee, skill, "start", rng.randint(1, 3), started)
        if rng.random() < 0.5:
            rows.add("skill_ratings", PROGRAM, mentee, skill, "end", rng.randint(2, 5), NOW - timedelta(days=5))
    if rng.random() < 0.03:
        rows.add("flags", PROGRAM, pair, "canceled_twice", f"canceled_twice:{pair}:1", "{}", NOW - timedelta(days=3))


async def populate(url: str, pairs: int, seed: int = 1) -> Counter[str]:
    """The program and its year; row counts per table."""
    rng = random.Random(seed)
    conn = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        rows = Rows()
        rows.ids["tenants"] = 0
        rows.tables["tenants"].append((TENANT, "slack", "TBENCH", "Bench Corp", NOW - YEAR - timedelta(days=60)))
        rows.ids["tenants"] = 1
        await conn.copy_records_to_table("tenants", records=rows.tables.pop("tenants"),
                                         columns=list(COLUMNS["tenants"]))
        admin = _person(rows, None)
        rows.add("programs", "Digital Leaders", "weekly", 3, '["one-to-one"]', "[]", json.dumps(list(SKILLS)), 24,
                 False, "{}", "active", NOW - YEAR - timedelta(days=40))
        rows.add("program_admins", PROGRAM, admin, NOW - YEAR - timedelta(days=40))
        mentor = 0
        for n in range(pairs):
            if n % 3 == 0:
                mentor = _person(rows, "mentor")
            _pair(rows, rng, mentor)
            if (n + 1) % CHUNK == 0:
                await rows.copy(conn)
        await rows.copy(conn)
        for table in COLUMNS:
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        await conn.execute("VACUUM ANALYZE")
        return Counter({table: await conn.fetchval(f"SELECT count(*) FROM {table}") for table in COLUMNS})
    finally:
        await conn.close()


class FixedClock:
    def now(self) -> datetime:
        return NOW


async def measure(url: str, rounds: int) -> dict[str, list[float]]:
    """Seconds of each request kind, per round; the figures computed per view."""
    db = Database(url, pool_size=10)  # every connection stays open: its backend's CPU is counted
    cpu: list[float] = []
    db_cpu: list[float] = []
    app = build_app(db)
    app[REPORT_CLOCK] = FixedClock()
    runner = aiohttp.web.AppRunner(app, access_log=None)
    await runner.setup()
    await aiohttp.web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    timings: dict[str, list[float]] = {"page": [], "charts": [], "page + charts": [], "csv files": []}
    try:
        async with aiohttp.ClientSession() as client:
            for round_ in range(-1, rounds):  # round -1 warms up (matplotlib's import, the caches): not counted
                async with db.transaction() as session:
                    token = await links.sign(session, links.Grant(TENANT, PROGRAM, ADMIN, NOW + timedelta(hours=1)),
                                             NOW - timedelta(seconds=round_))
                before = app[VIEWS].computed
                started, cpu_started, db_started = time.perf_counter(), time.process_time(), await _db_cpu(url)
                await _get(client, base + links.path(token))
                paged = time.perf_counter()
                await asyncio.gather(*(_get(client, base + links.path(token, f"charts/{name}"))
                                       for name in CHART_NAMES))
                done = time.perf_counter()
                cpu.append(time.process_time() - cpu_started)
                db_cpu.append(_spent(db_started, await _db_cpu(url)))
                for name in FILE_NAMES:
                    await _get(client, base + links.path(token, f"export/{name}"))
                exported = time.perf_counter()
                if round_ < 0:
                    cpu.clear()
                    db_cpu.clear()
                    continue
                timings["page"].append(paged - started)
                timings["charts"].append(done - paged)
                timings["page + charts"].append(done - started)
                timings["csv files"].append(exported - done)
                timings.setdefault("figures computed", []).append(app[VIEWS].computed - before)
    finally:
        await runner.cleanup()
        await db.close()
    timings["CPU s: bot"] = cpu
    timings["CPU s: PostgreSQL"] = db_cpu
    return timings


async def _db_cpu(url: str) -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend connected to the bench's database
    (what the machine's load does not stretch); the bot's pool keeps its connections open."""
    conn = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        pids = [row[0] for row in await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                                   "AND pid <> pg_backend_pid()")]
    finally:
        await conn.close()
    found = {}
    for pid in pids:
        try:
            found[pid] = cpu_seconds(pid)
        except OSError:
            pass
    return found


def _spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


async def _get(client: aiohttp.ClientSession, url: str) -> bytes:
    async with client.get(url) as response:
        assert response.status == 200, (url, response.status)
        return await response.read()


async def run(args: argparse.Namespace) -> None:
    if args.reuse:  # a database an earlier run kept (--keep): measured again, as it is
        timings = await measure(args.reuse, args.rounds)
    else:
        async with scratch_postgres(args.postgres, keep=args.keep) as url:
            db = Database(url)
            await upgrade(db)
            await db.close()
            started = time.perf_counter()
            counts = await populate(url, args.pairs)
            print(f"{args.pairs:,} pairs, a year of weekly sessions, filled in {time.perf_counter() - started:.0f} s: "
                  + ", ".join(f"{table} {count:,}" for table, count in counts.items() if count > 1))
            timings = await measure(url, args.rounds)
    print(f"{'request':<18}{'best s':>9}{'median s':>10}")
    for name, values in timings.items():
        if name == "figures computed":
            continue
        print(f"{name:<18}{min(values):>9.3f}{statistics.median(values):>10.3f}")
    print(f"figures computed per view: {sorted(set(timings['figures computed']))}")
    print(f"load average while measuring: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs): wall seconds stretch when other work shares the machine")
    best = statistics.median(timings["page + charts"])
    print(f"target: the page with its charts under {TARGET:.0f} s on PostgreSQL: median {best:.3f} s "
          f"({'met' if best < TARGET else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", metavar="URL", help="measure a database kept by an earlier run (--keep)")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
