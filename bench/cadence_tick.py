"""What a cadence tick costs over 10,000 and 100,000 active pairs on PostgreSQL.

    .venv/bin/python bench/cadence_tick.py [--pairs 10000,100000] [--keep] [--no-day]
                                           [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

For each size, a scratch database gets one tenant, three programs (weekly, biweekly,
monthly) with an admin each, and the pairs with a history: most held a session every
period and have the next one on the calendar; some have nothing scheduled (a few of them
ignored the bot's asks), some met recently and nobody said whether it happened, some
cancelled twice, some are new, some have a paused participant. Participants live in
Brussels, New York or Singapore and work 09:00-17:00 (a few 08:00-16:00 or 10:00-18:00).
The clock stands at Wednesday 2027-01-13 10:00 UTC (working hours in Brussels only).

Cases, each timed around ``run_tick`` alone (the database is vacuumed and analyzed
before each, as autovacuum would have done):

* cold: every pair has ``next_check_at`` NULL, as right after the upgrade;
* +5 min: the next tick after the cold one (the tick runs every 5 minutes);
* 24 h spread: ``next_check_at`` spread evenly over the next 24 h, then 5 minutes on;
  about 1/288 of the pairs are due;
* unless ``--no-day``, before that: every tick of the 24 h after the cold one, 5 minutes apart
  (the busiest, the sum, and the distribution of tick times: percentiles, a histogram and the
  slowest tick of each hour), which shows where the pairs' next looks really fall.

Prints pairs due against pairs in all, nudges and flags written, seconds, and where the
time went (each query of storage/cadence.py; "rest" is the rules, the ORM and commits).
The targets at 100,000 pairs: every tick of the day under 2 s, its cost following what is due
(nudges are written up to a day ahead, so the 09:00 openings of working windows do not bring
pairs due); the cold first tick after an upgrade under 60 s. The machine's load average is
printed with the figures: on a shared machine they are only comparable at the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from harness import scratch_postgres
from sqlalchemy.engine import make_url

from bot.clock import FakeClock
from bot.registry import run_tick
from storage import cadence as queries
from storage.db import Database
from storage.migrate import upgrade

NOW = datetime(2027, 1, 13, 10, 0, tzinfo=UTC)  # a Wednesday: 11:00 Brussels, 05:00 New York, 18:00 Singapore
TICK = timedelta(minutes=5)
TARGET = 2.0
COLD_TARGET = 60.0
TARGET_PAIRS = 100_000
ZONES = [("Europe/Brussels", 0.5), ("America/New_York", 0.3), ("Asia/Singapore", 0.2)]
HOURS = [((9, 17), 0.8), ((8, 16), 0.1), ((10, 18), 0.1)]
PROGRAMS = [("Weekly", "weekly", 7), ("Biweekly", "biweekly", 14), ("Monthly", "monthly", 30)]
SCENARIOS = [("on_track", 0.62), ("series_started", 0.02), ("no_outcome", 0.08), ("unscheduled", 0.15),
             ("canceled", 0.05), ("new", 0.05), ("paused", 0.03)]
CHUNK = 5_000
TENANT = 1
QUERIES = ("due_pairs", "programs_by_id", "hours_of_people", "active_participants", "sessions_of_pairs",
           "series_of_pairs", "prompts_of_pairs", "raised_flag_keys", "add_nudges", "add_flags",
           "admins_of", "set_next_checks")

COLUMNS = {
    "tenants": ("id", "platform", "external_id", "name", "created_at"),
    "people": ("id", "tenant_id", "platform", "user_id", "display_name", "address", "platform_timezone",
               "name_confirmed_at", "created_at"),
    "profiles": ("person_id", "tenant_id", "level", "department", "skills_offered", "topics_wanted", "formats",
                 "languages", "style", "location", "timezone", "work_start", "work_end", "updated_at"),
    "programs": ("id", "tenant_id", "name", "cadence", "capacity", "formats", "topics", "baseline_skills",
                 "reminder_hours", "allow_same_level", "match_weights", "status", "created_at", "created_by_id"),
    "program_admins": ("id", "tenant_id", "program_id", "person_id", "added_at"),
    "enrollments": ("id", "tenant_id", "program_id", "person_id", "role", "status", "paused_until", "joined_at",
                    "confidentiality_accepted_at", "onboarded_at"),
    "pairs": ("id", "tenant_id", "program_id", "mentor_id", "mentee_id", "status", "cadence", "fit_score", "reasons",
              "proposed_at", "started_at", "next_check_at"),
    "sessions": ("id", "tenant_id", "program_id", "pair_id", "starts_at", "duration_minutes", "mode", "recurring",
                 "status", "canceled_by_id", "outcome_at", "outcome_by_id", "created_at", "created_by_id", "timezone",
                 "calendar_uid", "calendar_sequence"),
    "nudges": ("id", "tenant_id", "person_id", "pair_id", "session_id", "kind", "key", "payload", "due_at", "status",
               "attempts", "sent_at", "answered_at", "created_at"),
}


# --- the data ------------------------------------------------------------------------------------------------


def _pick(rng: random.Random, weighted: list[tuple[Any, float]]) -> Any:
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted])[0]


def _slot(day: date, zone: ZoneInfo, rng: random.Random) -> datetime:
    """A working-hours start on ``day`` (Monday when it is a weekend) in ``zone``, as UTC."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    start = clock_time(rng.randint(9, 15), rng.choice((0, 30)))
    return datetime.combine(day, start, zone).astimezone(UTC)


def _after(moment: datetime, zone: ZoneInfo, rng: random.Random) -> datetime:
    """A working-hours slot on the local day of ``moment`` or later, strictly after ``moment``."""
    day = moment.astimezone(zone).date()
    while (slot := _slot(day, zone, rng)) <= moment:
        day += timedelta(days=1)
    return slot


@dataclass
class Rows:
    """Rows of one chunk of pairs, by table, and the ids handed out so far."""

    ids: Counter[str]
    tables: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: {name: [] for name in COLUMNS})

    def add(self, table: str, *values: Any) -> int:
        self.ids[table] += 1
        self.tables[table].append((self.ids[table], *values))
        return self.ids[table]


def _person(rows: Rows, zone: str, hours: tuple[int, int]) -> int:
    person_id = rows.ids["people"] + 1
    user = f"U{person_id:08d}"
    rows.add("people", TENANT, "slack", user, f"Person {person_id}",
             json.dumps({"platform": "slack", "tenant": "TBENCH", "user_id": user, "reference": None}), zone,
             NOW - timedelta(days=300), NOW - timedelta(days=300))
    rows.tables["profiles"].append((person_id, TENANT, 5, "Finance", "[]", "[]", '["one-to-one"]', '["en"]', "direct",
                                    "remote", zone, clock_time(hours[0]), clock_time(hours[1]),
                                    NOW - timedelta(days=250)))
    return person_id


def _session(rows: Rows, program: int, pair: int, starts: datetime, status: str, zone: str, *,
             outcome_at: datetime | None = None, by: int | None = None, canceled_by: int | None = None,
             created: datetime | None = None, series: str = "") -> int:
    return rows.add("sessions", TENANT, program, pair, starts, 45, "remote", bool(series), status, canceled_by,
                    outcome_at, by if status != "scheduled" else None, created or starts - timedelta(days=5), by, zone,
                    series, 0)


def _prompt(rows: Rows, person: int, pair: int, session: int | None, kind: str, key: str, sent: datetime,
            answered: datetime | None) -> None:
    payload = {"session_id": session} if session else {"pair_id": pair, "step": key.rsplit("-", 1)[-1]}
    rows.add("nudges", TENANT, person, pair, session, kind, key, json.dumps(payload), sent, "sent", 1, sent, answered,
             sent - timedelta(minutes=5))


def _pair(rows: Rows, rng: random.Random, scenarios: Counter[str]) -> None:
    """One pair, its two participants and its history."""
    index = rows.ids["pairs"]
    program = 1 + index % len(PROGRAMS)
    _, cadence, days = PROGRAMS[program - 1]
    override = None
    if rng.random() < 0.1:
        override, days = rng.choice([(c, d) for _, c, d in PROGRAMS])
    period = timedelta(days=days)
    scenario = _pick(rng, SCENARIOS)
    scenarios[scenario] += 1
    mentor = _person(rows, _pick(rng, ZONES), _pick(rng, HOURS))
    mentee_zone = _pick(rng, ZONES)
    mentee = _person(rows, mentee_zone, _pick(rng, HOURS))
    zone = ZoneInfo(mentee_zone)
    started = (NOW - timedelta(days=rng.uniform(0.5, 14) if scenario == "new" else rng.uniform(40, 200))).replace(
        second=0, microsecond=0)
    joined = started - timedelta(days=20)
    for person, role in ((mentor, "mentor"), (mentee, "mentee")):
        paused = scenario == "paused" and role == ("mentee" if index % 2 else "mentor")
        rows.add("enrollments", TENANT, program, person, role, "paused" if paused else "active",
                 (NOW + timedelta(days=20)).date() if paused else None, joined, joined, joined)
    pair = rows.add("pairs", TENANT, program, mentor, mentee, "active", override, 0.8, "[]",
                    started - timedelta(days=3), started, None)
    if scenario == "new":
        return
    # Held every period up to a cut-off that depends on the scenario.
    cutoff = {"on_track": NOW - timedelta(hours=3), "paused": NOW - timedelta(hours=3),
              "series_started": NOW - timedelta(hours=3) - period,
              "no_outcome": NOW - timedelta(days=4),
              "unscheduled": NOW - timedelta(days=rng.uniform(1, 3 * days)),
              "canceled": NOW - 3 * period}[scenario]
    series = f"bench-{pair}@mentorbot" if scenario == "series_started" or (
        scenario == "on_track" and rng.random() < 0.15) else ""
    hour = clock_time(rng.randint(9, 15), rng.choice((0, 30)))
    held: list[tuple[int, datetime]] = []
    moment = started + period
    while True:
        local = moment.astimezone(zone).date()
        starts = datetime.combine(local, hour, zone).astimezone(UTC) if series else _slot(local, zone, rng)
        if starts + timedelta(minutes=45) >= cutoff:
            break
        outcome = starts + timedelta(hours=rng.uniform(1, 30))
        session = _session(rows, program, pair, starts, "held", mentee_zone, outcome_at=outcome, by=mentee,
                           series=series)
        held.append((session, starts))
        if starts > NOW - timedelta(days=90):
            for person in (mentee, mentor):
                sent = starts + timedelta(minutes=60)
                _prompt(rows, person, pair, session, "outcome", f"outcome:{session}:{person}", sent,
                        sent + timedelta(hours=rng.uniform(0.2, 20)))
        moment += period
    last = held[-1][1] if held else started
    if scenario in ("on_track", "paused"):
        upcoming = (moment if series else NOW + timedelta(days=rng.uniform(0.05, days)))
        starts = _after(upcoming, zone, rng) if not series else datetime.combine(
            upcoming.astimezone(zone).date(), hour, zone).astimezone(UTC)
        if starts <= NOW:
            starts = _after(NOW, zone, rng)
        _session(rows, program, pair, starts, "scheduled", mentee_zone, by=mentee, series=series,
                 created=min(NOW - timedelta(hours=1), last + timedelta(days=1)))
    elif scenario == "series_started":  # this week's occurrence began within the last two hours
        starts = NOW - timedelta(minutes=rng.uniform(0, 120))
        _session(rows, program, pair, starts, "scheduled", mentee_zone, by=mentee, series=series,
                 created=last + timedelta(hours=1))
    elif scenario == "no_outcome":  # met lately; nobody said yet whether it happened
        starts = NOW - timedelta(hours=rng.uniform(1, 96))
        _session(rows, program, pair, starts, "scheduled", mentee_zone, by=mentee, created=starts - timedelta(days=6))
    elif scenario == "unscheduled":  # asked to schedule once or twice since the last session
        anchor = last
        ignored = rng.random() < 0.5
        stamp = f"{pair}:{anchor:%Y%m%dT%H%M}:0"
        asks = [(mentee, anchor + timedelta(days=1), "mentee-first"),
                (mentee, anchor + timedelta(days=3), "mentee-again"),
                (mentor, anchor + timedelta(days=3), "mentor-first")]
        for person, sent, step in asks:
            if sent < NOW - timedelta(hours=1):
                _prompt(rows, person, pair, None, "schedule", f"schedule:{stamp}:{step}", sent,
                        None if ignored else sent + timedelta(hours=3))
    elif scenario == "canceled":  # the last two called off
        moment = last + period
        for n in range(2):
            starts = _slot((moment + n * period).astimezone(zone).date(), zone, rng)
            if starts >= NOW:
                starts = NOW - timedelta(days=1 + n)
            who = rng.choice((mentor, mentee))
            _session(rows, program, pair, starts, "canceled", mentee_zone, outcome_at=starts - timedelta(hours=20),
                     by=who, canceled_by=who)
        if rng.random() < 0.5:
            _session(rows, program, pair, _after(NOW + timedelta(days=rng.uniform(1, days)), zone, rng), "scheduled",
                     mentee_zone, by=mentee, created=NOW - timedelta(days=1))


async def _copy(conn: asyncpg.Connection, rows: Rows) -> None:
    for table, records in rows.tables.items():
        if records:
            await conn.copy_records_to_table(table, records=records, columns=list(COLUMNS[table]))
            records.clear()


async def populate(url: str, pairs: int, seed: int = 1) -> Counter[str]:
    """The tenant, programs, admins and ``pairs`` pairs with their history; sequences moved past the ids used."""
    rng = random.Random(seed)
    started = time.perf_counter()
    conn = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    scenarios: Counter[str] = Counter()
    try:
        rows = Rows(Counter())
        rows.add("tenants", "slack", "TBENCH", "Bench Corp", NOW - timedelta(days=400))
        for name, cadence, _ in PROGRAMS:
            admin = _person(rows, "Europe/Brussels", (9, 17))
            program = rows.add("programs", TENANT, name, cadence, 10 * pairs, '["one-to-one"]', "[]", "[]", 24, False,
                               "{}", "active", NOW - timedelta(days=300), admin)
            rows.add("program_admins", TENANT, program, admin, NOW - timedelta(days=300))
        await _copy(conn, rows)
        for n in range(pairs):
            _pair(rows, rng, scenarios)
            if (n + 1) % CHUNK == 0:
                await _copy(conn, rows)
        await _copy(conn, rows)
        scenarios["copied in s"] = round(time.perf_counter() - started)
        for table in COLUMNS:
            if table != "profiles":
                await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT max(id) FROM {table}))")
        await _vacuum(conn)
        scenarios["sessions"] = await conn.fetchval("SELECT count(*) FROM sessions")
        scenarios["nudges"] = await conn.fetchval("SELECT count(*) FROM nudges")
    finally:
        await conn.close()
    return scenarios


async def _vacuum(conn: asyncpg.Connection) -> None:
    await conn.execute("VACUUM ANALYZE")


# --- the measurements ----------------------------------------------------------------------------------------


@dataclass
class Breakdown:
    """Seconds spent in each query of storage/cadence.py while installed."""

    seconds: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)

    def _timed(self, name: str, query: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await query(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - started
                self.calls[name] += 1
        return timed

    @contextmanager
    def installed(self) -> Iterator[Breakdown]:
        originals = {name: getattr(queries, name) for name in QUERIES}
        for name, query in originals.items():
            setattr(queries, name, self._timed(name, query))
        try:
            yield self
        finally:
            for name, query in originals.items():
                setattr(queries, name, query)

    def describe(self, total: float) -> str:
        parts = [f"{name} {self.seconds[name]:.2f}" + (f" ({self.calls[name]}x)" if name in ("add_flags", "admins_of")
                                                        else "")
                 for name in QUERIES if self.calls[name]]
        rest = total - sum(self.seconds.values())
        return ", ".join([*parts, f"rest {rest:.2f}"])


@dataclass
class Result:
    pairs: int
    case: str
    due: int
    nudges: int
    flags: int
    sessions: int
    seconds: float
    breakdown: str


async def _due(db: Database, now: datetime) -> int:
    async with db.engine.connect() as conn:
        result = await conn.exec_driver_sql(
            "SELECT count(*) FROM pairs WHERE status = 'active' AND (next_check_at IS NULL OR next_check_at <= $1)",
            (now,))
        return int(result.scalar_one())


async def _tick(db: Database, clock: FakeClock, pairs: int, case: str) -> Result:
    due = await _due(db, clock.now())
    with Breakdown().installed() as breakdown:
        started = time.perf_counter()
        report = await run_tick(db, clock)
        seconds = time.perf_counter() - started
    if report.pairs_checked != due:
        print(f"  note: {due} pairs were due but the tick looked at {report.pairs_checked}")
    return Result(pairs, case, report.pairs_checked, report.nudges_written, report.flags_raised,
                  report.sessions_added, seconds, breakdown.describe(seconds))


async def _sql(url: str, statement: str, *args: Any) -> Any:
    conn = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        return await conn.fetch(statement, *args)
    finally:
        await conn.close()


async def _day(db: Database, clock: FakeClock, pairs: int) -> list[Result]:
    """Every tick of the following 24 h, 5 minutes apart: the busiest one and the sum."""
    ticks: list[tuple[datetime, Result]] = []
    end = clock.now() + timedelta(days=1)
    while clock.now() < end:
        clock.advance(TICK)
        ticks.append((clock.now(), await _tick(db, clock, pairs, "")))
    at, busiest = max(ticks, key=lambda tick: tick[1].seconds)
    busiest.case = f"day: busiest tick ({at:%m-%d %H:%M})"
    _distribution([result.seconds for _, result in ticks], ticks)
    slow = [(moment, result) for moment, result in ticks if result.seconds >= TARGET]
    over = len(slow)
    print(f"  ticks of the day over {TARGET:.0f} s: "
          + (", ".join(f"{moment:%m-%d %H:%M} ({result.due:,} due, {result.seconds:.1f} s)" for moment, result in slow)
             or "none"))
    total = Result(pairs, f"day: {len(ticks)} ticks, sum ({over} over {TARGET:.0f} s)",
                   *(sum(getattr(result, name) for _, result in ticks)
                     for name in ("due", "nudges", "flags", "sessions", "seconds")), "")
    return [busiest, total]


BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0)


def _distribution(seconds: list[float], ticks: list[tuple[datetime, Result]]) -> None:
    """How the day's tick times spread: percentiles, a histogram, and the slowest tick of each hour."""
    ordered = sorted(seconds)

    def percentile(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    print(f"  tick times over the day ({len(ordered)} ticks): p50 {percentile(0.5):.3f} s, p90 {percentile(0.9):.3f} s, "
          f"p99 {percentile(0.99):.3f} s, max {ordered[-1]:.3f} s")
    edges = [0.0, *BUCKETS, float("inf")]
    counts = [sum(1 for s in ordered if low <= s < high) for low, high in zip(edges, edges[1:], strict=False)]
    labels = [f"<{BUCKETS[0]}"] + [f"{low}-{high}" for low, high in zip(BUCKETS, BUCKETS[1:], strict=False)] \
        + [f">={BUCKETS[-1]}"]
    print("  histogram (s: ticks): " + ", ".join(f"{label}: {n}" for label, n in zip(labels, counts, strict=True)))
    hours: dict[int, tuple[float, int]] = {}
    for moment, result in ticks:
        slowest, due = hours.get(moment.hour, (0.0, 0))
        if result.seconds > slowest:
            hours[moment.hour] = (result.seconds, result.due)
    print("  slowest tick per hour (UTC hour: s / pairs due): "
          + ", ".join(f"{hour:02d}: {s:.2f}/{due}" for hour, (s, due) in sorted(hours.items())))


async def measure(url: str, pairs: int, day: bool) -> list[Result]:
    """Set up ``pairs`` pairs on ``url`` and time the ticks."""
    db = Database(url)
    await upgrade(db)
    started = time.perf_counter()
    made = await populate(url, pairs)
    print(f"{pairs:,} pairs: set up in {time.perf_counter() - started:.0f} s "
          f"({made['copied in s']} s making and copying rows, the rest VACUUM ANALYZE; "
          f"{made['sessions']:,} sessions, {made['nudges']:,} sent prompts; "
          + ", ".join(f"{name} {made[name]:,}" for name, _ in SCENARIOS) + ")")
    clock = FakeClock(NOW)
    await db.ping()
    results = [await _tick(db, clock, pairs, "cold: every next_check_at NULL")]
    herd = await _sql(url, "SELECT next_check_at, count(*) AS n FROM pairs GROUP BY 1 ORDER BY 2 DESC LIMIT 3")
    print("  after the cold tick, most common next_check_at: "
          + ", ".join(f"{row['next_check_at']:%m-%d %H:%M} ({row['n']:,} pairs)" for row in herd))
    await _sql(url, "VACUUM ANALYZE")
    clock.advance(TICK)
    results.append(await _tick(db, clock, pairs, "steady: next tick, +5 min"))
    if day:
        results += await _day(db, clock, pairs)
    # Steady state: looks spread evenly over the coming day, one tick later.
    await _sql(url, "UPDATE pairs SET next_check_at = $1::timestamptz + (id * 7919 % 86400) * interval '1 second'",
               clock.now())
    await _sql(url, "VACUUM ANALYZE")
    clock.advance(TICK)
    results.append(await _tick(db, clock, pairs, "steady: spread over 24 h, +5 min"))
    await db.close()
    return results


def _print(results: list[Result]) -> None:
    print()
    print(f"{'N':>8}  {'case':34} {'pairs due':>17} {'nudges':>7} {'flags':>6} {'series+':>7} {'seconds':>8}"
          f" {'ms/due pair':>11}")
    for r in results:
        per = f"{r.seconds / r.due * 1000:.2f}" if r.due else "-"
        print(f"{r.pairs:>8,}  {r.case:34} {f'{r.due:,} / {r.pairs:,}':>17} {r.nudges:>7,} {r.flags:>6,} "
              f"{r.sessions:>7,} {r.seconds:>8.3f} {per:>11}")
    print()
    print("where the time went (seconds; 'rest' = rules, ORM objects, flushes and commits):")
    for r in results:
        if r.breakdown:
            print(f"{r.pairs:>8,}  {r.case:34} {r.breakdown}")
    steady = [r for r in results if r.pairs == TARGET_PAIRS and (r.case.startswith("steady") or "busiest" in r.case)]
    if steady:
        worst = max(r.seconds for r in steady)
        verdict = "holds" if worst < TARGET else "does NOT hold"
        print(f"\ntarget: every tick after the first at {TARGET_PAIRS:,} pairs under {TARGET:.0f} s: {verdict} "
              f"({', '.join(f'{r.seconds:.3f} s for {r.due:,} pairs due' for r in steady)})")
    cold = [r for r in results if r.pairs == TARGET_PAIRS and r.case.startswith("cold")]
    if cold:
        verdict = "holds" if cold[0].seconds < COLD_TARGET else "does NOT hold"
        print(f"target: the cold first tick at {TARGET_PAIRS:,} pairs under {COLD_TARGET:.0f} s: {verdict} "
              f"({cold[0].seconds:.1f} s)")
    print(f"load average while measuring (1, 5, 15 min): {', '.join(f'{n:.1f}' for n in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs")


async def run(args: argparse.Namespace) -> None:
    results: list[Result] = []
    for pairs in args.pairs:
        async with scratch_postgres(args.postgres, keep=args.keep) as url:
            results += await measure(url, pairs, args.day)
    _print(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=lambda text: [int(n) for n in text.split(",")], default=[10_000, 100_000],
                        help="comma-separated sizes (default 10000,100000)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases (their names are printed)")
    parser.add_argument("--no-day", dest="day", action="store_false",
                        help="skip every tick of the 24 h after the cold one (their distribution is printed)")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
