"""Whether the cadence keeps its promises (docs/cadence.md, "The promises") over a long run with
many pairs across time zones, daylight-saving changes and downtime.

    .venv/bin/python bench/cadence_truth.py [--pairs 40] [--weeks 12] [--seed 1] [--postgres URL]

A weekly program (a third of the pairs biweekly) starts on Monday 1 March 2027 with pairs whose
people live in 16 zones (Auckland to Honolulu, working hours from 07:00-15:00 to 10:00-19:00), two
admins (Brussels and Auckland), and executives who behave as `mentorbot simulate`'s personas do
(they answer through the console chat, taking the first time the bot offers). Three executives
pause for three weeks in week 4. The run crosses the United States' change (14 March), Europe's
(28 March) and Auckland's, Sydney's and Santiago's (4 April). The server is down every Tuesday
from 20:00 to Wednesday 08:00 UTC, and from Friday 17:00 to Monday 11:00 UTC in week 6: nothing
runs then, as after a crash. Otherwise the cadence jobs run as the server runs them (the tick
and the outbox whenever something is due, at most every 10 minutes here where the server ticks
every 5, the periodic nudges hourly, housekeeping daily).

Then it checks, from what was stored and sent:

* messages inside the recipient's working hours (their zone and hours), out of all sent (100%);
* cycles in which the executive was asked first: the mentor asked only once the mentee had a
  full working day after their ask went out, and the mentee's two asks on different days (100%);
* the delay from a session's end to "did it happen?", in the recipient's working time (median
  and max; target under 1 h);
* flags raised within one working day (of the program's first admin) of their rule becoming
  true, by an independent reading of the rules (100%), and false flags: raised while their rule
  did not hold (0).

By default the run is on SQLite in a scratch file; ``--postgres URL`` runs it in a scratch
PostgreSQL database instead.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from harness import ROOT, scratch_postgres

sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from adapters.console.chat import user_id_for  # noqa: E402
from bot.cadence.hours import WorkingHours  # noqa: E402
from bot.cadence.periods import window  # noqa: E402
from bot.cadence.slots import subtract, working_windows  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.engine import MentorBot  # noqa: E402
from bot.registry import render_nudge, run_tick, write_periodic_nudges  # noqa: E402
from mentorbot.simulate import PERSONAS, Participants  # noqa: E402
from scheduler.outbox import Outbox  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.enums import EnrollmentStatus, FlagKind, NudgeKind, NudgeStatus, PairStatus, SessionStatus  # noqa: E402
from storage.housekeeping import housekeep  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Enrollment,
    Flag,
    MentoringSession,
    Nudge,
    Pair,
    Person,
    Profile,
    Program,
    ProgramAdmin,
)
from storage.repository import Repository, tenant_for  # noqa: E402

START = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)  # a Monday
ZONES = ["Pacific/Auckland", "Australia/Sydney", "Asia/Tokyo", "Asia/Shanghai", "Asia/Kolkata", "Asia/Dubai",
         "Africa/Johannesburg", "Europe/Warsaw", "Europe/Brussels", "Europe/London", "America/Sao_Paulo",
         "America/Santiago", "America/New_York", "America/Chicago", "America/Los_Angeles", "Pacific/Honolulu"]
HOURS = [(9, 17), (8, 16), (10, 18), (7, 15), (10, 19)]
MIX = [("steady", 0.4), ("slow", 0.3), ("canceler", 0.2), ("silent", 0.1)]
ADMINS = [("Ada Admin", "Europe/Brussels"), ("Aroha Admin", "Pacific/Auckland")]
TICK = timedelta(minutes=10)  # the server ticks every 5 minutes; 10 keeps a long run short
LONGEST_STEP = timedelta(hours=1)
HOUSEKEEPING_AT = 2  # UTC hour of the daily housekeeping
PAUSE_WEEK, PAUSE_WEEKS, PAUSERS = 4, 3, 3
FLAG_KINDS = (FlagKind.SILENT, FlagKind.CANCELED_TWICE, FlagKind.IGNORED_PROMPTS)
IGNORE_GRACE = timedelta(days=2)


def down(moment: datetime) -> bool:
    """True while the server is down: Tuesday 20:00 to Wednesday 08:00 UTC every week, and from
    Friday 17:00 to Monday 11:00 UTC in week 6."""
    weekly = (moment.weekday() == 1 and moment.hour >= 20) or (moment.weekday() == 2 and moment.hour < 8)
    long_start = START + timedelta(weeks=5, days=4, hours=17)
    return weekly or long_start <= moment < long_start + timedelta(days=2, hours=18)


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Run:
    """What the run set up and saw besides the database: people's hours, resumes, step counts."""

    hours: dict[int, WorkingHours] = field(default_factory=dict)
    names: dict[str, int] = field(default_factory=dict)
    resumed: dict[int, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    steps: int = 0
    down_steps: int = 0


async def seed(db: Database, participants: Participants, pairs: int, rng: random.Random, run: Run) -> None:
    """The program, its admins and ``pairs`` pairs of people across :data:`ZONES`."""
    async with db.transaction() as session:
        tenant = await tenant_for(session, "console", "local", START)
        repo = Repository(session, tenant.id)
        program = repo.add(Program(name="Truth 2027", cadence="weekly", capacity=3, formats=["one-to-one"], topics=[],
                                   baseline_skills=[], reminder_hours=24, allow_same_level=False, match_weights={},
                                   status="active", created_at=START))
        await repo.flush()
        for name, zone in ADMINS:
            admin = await _person(repo, name, zone, (9, 17), run)
            repo.add(ProgramAdmin(program_id=program.id, person_id=admin.id, added_at=START))
        for n in range(pairs):
            persona = rng.choices([p for p, _ in MIX], [w for _, w in MIX])[0]
            mentor_zone, mentee_zone = rng.choice(ZONES), rng.choice(ZONES)
            mentor = await _person(repo, f"Mentor {n + 1:03d}", mentor_zone, rng.choice(HOURS), run, program.id,
                                   "mentor")
            mentee = await _person(repo, f"Mentee {n + 1:03d}", mentee_zone, rng.choice(HOURS), run, program.id,
                                   "mentee")
            repo.add(Pair(program_id=program.id, mentor_id=mentor.id, mentee_id=mentee.id, status=PairStatus.ACTIVE,
                          cadence="biweekly" if n % 3 == 2 else None, proposed_at=START, started_at=START,
                          reasons=[persona]))
            participants.personas[mentee.display_name] = PERSONAS[persona]
            participants.personas[mentor.display_name] = PERSONAS["steady" if persona == "canceler" else persona]
            participants.zones |= {mentor.display_name: ZoneInfo(mentor_zone), mentee.display_name: ZoneInfo(mentee_zone)}
            participants.chat(mentor.display_name), participants.chat(mentee.display_name)


async def _person(repo: Repository, name: str, zone: str, hours: tuple[int, int], run: Run,
                  program_id: int | None = None, role: str | None = None) -> Person:
    user_id = user_id_for(name)
    person = repo.add(Person(platform="console", user_id=user_id, display_name=name, name_confirmed_at=START,
                             address={"platform": "console", "tenant": "local", "user_id": user_id, "reference": None},
                             created_at=START))
    await repo.flush()
    repo.add(Profile(person_id=person.id, timezone=zone, work_start=clock_time(hours[0]), work_end=clock_time(hours[1]),
                     updated_at=START))
    if program_id is not None:
        repo.add(Enrollment(program_id=program_id, person_id=person.id, role=role, status=EnrollmentStatus.ACTIVE,
                            joined_at=START, onboarded_at=START, confidentiality_accepted_at=START))
    run.hours[person.id] = WorkingHours.given(zone, None, clock_time(hours[0]), clock_time(hours[1]))
    run.names[name] = person.id
    return person


async def next_step(db: Database, now: datetime) -> datetime:
    """When something can next happen (a look or a nudge due), between :data:`TICK` and
    :data:`LONGEST_STEP` ahead."""
    async with db.transaction() as session:
        looks = [await session.scalar(select(func.min(Pair.next_check_at)).where(Pair.status == PairStatus.ACTIVE)),
                 await session.scalar(select(func.min(Nudge.due_at)).where(Nudge.status == NudgeStatus.PENDING))]
    soonest = min((t for t in looks if t is not None), default=now + LONGEST_STEP)
    return min(max(soonest, now + TICK), now + LONGEST_STEP)


async def run_program(db: Database, weeks: int, pairs: int, seed_value: int) -> Run:
    """Run the program for ``weeks`` weeks on a fake clock; what the run saw."""
    clock, rng, run = FakeClock(START), random.Random(seed_value), Run()
    with tempfile.TemporaryDirectory(prefix="cadence-truth-") as scratch:
        participants = Participants(MentorBot(db, clock), clock, rng, Path(scratch), lambda _line: None, False)
        await seed(db, participants, pairs, rng, run)
        outbox = Outbox(db, {"console": participants}, render_nudge, clock, "truth")
        mentees = [name for name in participants.personas if name.startswith("Mentee")]
        pausers = rng.sample(mentees, PAUSERS)
        end, last_periodic, last_housekeeping = START + timedelta(weeks=weeks), None, START.date()
        pause_at = START + timedelta(weeks=PAUSE_WEEK - 1, days=1, hours=12)
        while clock.now() < end:
            now = clock.now()
            run.steps += 1
            if down(now):
                run.down_steps += 1
                clock.set(now + TICK)
                continue
            if now >= pause_at and pausers:
                until = (now + timedelta(weeks=PAUSE_WEEKS)).date()
                for name in pausers:
                    await participants.chat(name).say(f"/mentoring pause {until.isoformat()}")
                pausers = []
            if now.hour >= HOUSEKEEPING_AT and now.date() > last_housekeeping:
                await _housekeeping(db, now, run)
                last_housekeeping = now.date()
            await run_tick(db, clock)
            if last_periodic is None or now - last_periodic >= timedelta(hours=1):
                await write_periodic_nudges(db, clock)
                last_periodic = now
            await outbox.drain()
            await participants.answer_all()
            clock.set(await next_step(db, now))
    return run


async def _housekeeping(db: Database, now: datetime, run: Run) -> None:
    """The daily housekeeping job; the people whose pause it ended are noted (their pairs' clocks restart)."""
    async with db.transaction() as session:
        paused = set(await session.scalars(select(Enrollment.person_id).where(
            Enrollment.status == EnrollmentStatus.PAUSED)))
        await housekeep(session, now)
        still = set(await session.scalars(select(Enrollment.person_id).where(
            Enrollment.status == EnrollmentStatus.PAUSED)))
    for person_id in paused - still:
        run.resumed[person_id].append(now)


# --- the checks ------------------------------------------------------------------------------


def outages(until: datetime) -> list[tuple[datetime, datetime]]:
    """The moments the server is down (see :func:`down`), as intervals up to ``until``."""
    found, moment = [], START
    while moment < until:
        if down(moment):
            begin = moment
            while down(moment) and moment < until:
                moment += timedelta(minutes=10)
            found.append((begin, moment))
        moment += timedelta(minutes=10)
    return found


def working_time(hours: WorkingHours, start: datetime, end: datetime,
                 without: Sequence[tuple[datetime, datetime]] = ()) -> timedelta:
    """How much of ``start``..``end`` falls inside ``hours`` (less the intervals ``without``)."""
    if end <= start:
        return timedelta(0)
    windows = subtract(working_windows(hours, start, end), without)
    return sum((closes - opens for opens, closes in windows), timedelta(0))


@dataclass
class Loaded:
    """Everything the checks read, once."""

    nudges: list[Nudge]
    sessions: list[MentoringSession]
    flags: list[Flag]
    pairs: dict[int, Pair]
    cadences: dict[int, str]
    paused: dict[int, list[tuple[datetime, datetime]]]


async def load(db: Database, run: Run, end: datetime) -> Loaded:
    async with db.transaction() as session:
        nudges = list(await session.scalars(select(Nudge).order_by(Nudge.id)))
        sessions = list(await session.scalars(select(MentoringSession).where(MentoringSession.pair_id.is_not(None))))
        flags = list(await session.scalars(select(Flag).order_by(Flag.id)))
        pairs = {p.id: p for p in await session.scalars(select(Pair))}
        program = await session.scalar(select(Program))
    assert program is not None
    cadences = {pair_id: pair.cadence or program.cadence for pair_id, pair in pairs.items()}
    paused: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for person_id, resumes in run.resumed.items():
        for resumed in resumes:  # the pause began when the person typed it, at pause_at
            paused[person_id].append((START + timedelta(weeks=PAUSE_WEEK - 1, days=1, hours=12), resumed))
    return Loaded(nudges, sessions, flags, pairs, cadences, paused)


def in_hours(loaded: Loaded, run: Run) -> tuple[int, int, list[str]]:
    sent = [n for n in loaded.nudges if n.status == NudgeStatus.SENT and n.sent_at is not None]
    outside = [n for n in sent if not run.hours[n.person_id].is_working(n.sent_at or START)]
    examples = [f"{n.kind} to person {n.person_id} at {run.hours[n.person_id].local(n.sent_at or START):%a %H:%M} "
                f"{run.hours[n.person_id].zone.key}" for n in outside[:3]]
    return len(sent) - len(outside), len(sent), examples


def executive_first(loaded: Loaded, run: Run) -> tuple[int, int, int]:
    """Cycles with a mentor's ask sent: how many had the mentee's ask a full working day before,
    how many in all, and cycles whose mentee got both asks on one day."""
    cycles: dict[str, dict[str, Nudge]] = defaultdict(dict)
    for nudge in loaded.nudges:
        if nudge.kind == NudgeKind.SCHEDULE and nudge.status == NudgeStatus.SENT:
            stamp, step = nudge.key.rsplit(":", 1)
            cycles[stamp][step] = nudge
    good = total = same_day = 0
    for asks in cycles.values():
        first, again, mentor = asks.get("mentee-first"), asks.get("mentee-again"), asks.get("mentor-first")
        if first is not None and again is not None:
            hours = run.hours[first.person_id]
            same_day += hours.local(first.sent_at or START).date() == hours.local(again.sent_at or START).date()
        if mentor is None:
            continue
        total += 1
        if first is not None and first.sent_at and mentor.sent_at \
                and run.hours[first.person_id].after_working_day(first.sent_at) <= mentor.sent_at:
            good += 1
    return good, total, same_day


def outcome_delays(loaded: Loaded, run: Run, without: Sequence[tuple[datetime, datetime]] = ()
                   ) -> list[tuple[timedelta, str]]:
    """For each "did it happen?" sent: the recipient's working time from the session's end to the
    question (less the working time the server was down, when ``without`` lists the outages, and
    the time either partner was paused: a paused pair is asked nothing), with what it was."""
    ends = {s.id: s.starts_at + timedelta(minutes=s.duration_minutes) for s in loaded.sessions}
    found = []
    for n in loaded.nudges:
        if n.kind != NudgeKind.OUTCOME or n.status != NudgeStatus.SENT or n.sent_at is None or n.session_id not in ends:
            continue
        pair = loaded.pairs[n.pair_id or 0]
        paused = [span for person in (pair.mentor_id, pair.mentee_id) for span in loaded.paused.get(person, [])]
        hours = run.hours[n.person_id]
        delay = working_time(hours, ends[n.session_id], n.sent_at, sorted([*without, *paused]) if without else ())
        found.append((delay, f"pair #{pair.id}, ended {hours.local(ends[n.session_id]):%a %d %b %H:%M}, asked "
                             f"{hours.local(n.sent_at):%a %d %b %H:%M} {hours.zone.key}"))
    return sorted(found)


def _active(loaded: Loaded, pair: Pair, moment: datetime) -> bool:
    return not any(start <= moment < end for person in (pair.mentor_id, pair.mentee_id)
                   for start, end in loaded.paused.get(person, []))


def rule_since(loaded: Loaded, run: Run, flag: Flag) -> datetime | None:
    """When ``flag``'s rule became true, read from the stored facts as known at the moment the
    flag was raised (None: it did not hold then)."""
    pair = loaded.pairs[flag.pair_id or 0]
    at = flag.raised_at
    if not _active(loaded, pair, at):
        return None
    known = [s for s in loaded.sessions if s.pair_id == pair.id and s.outcome_at is not None and s.outcome_at <= at
             and s.status in (SessionStatus.HELD, SessionStatus.CANCELED, SessionStatus.NO_SHOW)]
    held = [s for s in known if s.status == SessionStatus.HELD]
    if flag.kind == FlagKind.SILENT:
        resumes = [r for person in (pair.mentor_id, pair.mentee_id) for r in run.resumed.get(person, []) if r <= at]
        # A session that took place may have been held until someone says otherwise.
        maybe_held = [s.starts_at for s in loaded.sessions if s.pair_id == pair.id and s.created_at <= at
                      and s.starts_at <= at and (s.outcome_at is None or s.outcome_at > at)]
        since = max([pair.started_at or START, *resumes, *(s.starts_at for s in held), *maybe_held])
        true_at = since + 2 * window(loaded.cadences[pair.id])
        return true_at if true_at <= at else None
    if flag.kind == FlagKind.CANCELED_TWICE:
        ended = sorted(known, key=lambda s: s.starts_at)[-2:]
        if len(ended) < 2 or any(s.status == SessionStatus.HELD for s in ended):
            return None
        return max(s.outcome_at or at for s in ended)
    if flag.kind == FlagKind.IGNORED_PROMPTS:
        resumes = [r for person in (pair.mentor_id, pair.mentee_id) for r in run.resumed.get(person, []) if r <= at]
        back = max([*(s.outcome_at or s.starts_at for s in held), *resumes], default=None)
        prompts = sorted((n for n in loaded.nudges if n.pair_id == pair.id and n.person_id == flag.person_id
                          and n.kind in (NudgeKind.SCHEDULE, NudgeKind.OUTCOME) and n.sent_at is not None
                          and n.sent_at <= at and (back is None or n.sent_at >= back)), key=lambda n: n.sent_at or at)
        last = prompts[-2:]
        if len(last) < 2 or any(n.answered_at is not None and n.answered_at <= at for n in last):
            return None
        true_at = (last[-1].sent_at or at) + IGNORE_GRACE
        return true_at if true_at <= at else None
    return None


def flag_truth(loaded: Loaded, run: Run, without: Sequence[tuple[datetime, datetime]]
               ) -> tuple[int, int, list[str], list[str]]:
    """Flags raised within one working day (the first admin's, while the server was up) of their
    rule becoming true, flags checked, and the late and false ones described."""
    admin = run.hours[run.names[ADMINS[0][0]]]
    on_time, checked, late, false = 0, 0, [], []
    for flag in loaded.flags:
        if flag.kind not in FLAG_KINDS or flag.pair_id is None:
            continue
        checked += 1
        since = rule_since(loaded, run, flag)
        if since is None:
            false.append(f"{flag.kind} #{flag.pair_id} at {flag.raised_at:%a %d %b %H:%M}")
            continue
        if working_time(admin, since, flag.raised_at, without) <= admin.day_length:
            on_time += 1
        else:
            late.append(f"{flag.kind} #{flag.pair_id}: true {since:%a %d %b %H:%M}, raised {flag.raised_at:%a %d %b %H:%M}")
    return on_time, checked, late, false


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def minutes(delay: timedelta) -> str:
    return f"{delay.total_seconds() / 60:.0f} min"


async def report(db: Database, run: Run, weeks: int, pairs: int, seconds: float) -> None:
    loaded = await load(db, run, START + timedelta(weeks=weeks))
    good, sent, outside = in_hours(loaded, run)
    first, cycles, same_day = executive_first(loaded, run)
    down_times = outages(START + timedelta(weeks=weeks))
    delays = sorted(outcome_delays(loaded, run))
    delays_up = sorted(outcome_delays(loaded, run, down_times))
    on_time, checked, late, false = flag_truth(loaded, run, down_times)
    held = sum(1 for s in loaded.sessions if s.status == SessionStatus.HELD)
    print(f"{pairs} pairs in {len(ZONES)} zones, {weeks} weeks from {START:%a %d %b %Y} (daylight-saving changes on "
          f"14 March, 28 March and 4 April); the server down {run.down_steps * TICK.total_seconds() / 3600:.0f} h "
          f"in all; {held} sessions held; simulated in {seconds:.0f} s")
    print(f"messages inside the recipient's working hours: {good} of {sent} ({percent(good, sent)}; target 100%)"
          + (f"; outside: {'; '.join(outside)}" if outside else ""))
    print(f"executive asked first: {first} of {cycles} cycles with a mentor's ask ({percent(first, cycles)}; "
          f"target 100%); cycles whose mentee got both asks on one day: {same_day}")
    if delays:
        late_questions = [what for delay, what in delays_up if delay >= timedelta(hours=1)]
        print(f"\"did it happen?\" after the end, in the recipient's working time while the server was up and the pair "
              f"not paused: median {minutes(delays_up[len(delays_up) // 2][0])}, max {minutes(delays_up[-1][0])} over "
              f"{len(delays_up)} questions, {len(late_questions)} at an hour or more (target under 60 min)"
              + (f": {'; '.join(late_questions[:3])}" if late_questions else "")
              + f"; counting outages and pauses too: median {minutes(delays[len(delays) // 2][0])}, "
              f"max {minutes(delays[-1][0])}")
    print(f"flags raised within one working day of their rule becoming true: {on_time} of {checked} "
          f"({percent(on_time, checked)}; target 100%)" + (f"; late: {'; '.join(late[:3])}" if late else ""))
    print(f"false flags (raised while their rule did not hold): {len(false)} (target 0)"
          + (f": {'; '.join(false[:3])}" if false else ""))


@asynccontextmanager
async def database(postgres: str | None) -> AsyncIterator[Database]:
    if postgres:
        async with scratch_postgres(postgres) as url:
            db = Database(url)
            yield db
            await db.close()
        return
    with tempfile.TemporaryDirectory(prefix="cadence-truth-db-") as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'truth.db'}")
        yield db
        await db.close()


async def main_async(args: argparse.Namespace) -> None:
    async with database(args.postgres) as db:
        await upgrade(db)
        started = time.perf_counter()
        run = await run_program(db, args.weeks, args.pairs, args.seed)
        await report(db, run, args.weeks, args.pairs, time.perf_counter() - started)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=40)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", help="run in a scratch PostgreSQL database (a server URL)")
    asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
