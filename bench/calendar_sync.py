"""One run of the ``calendar_sync`` job over 10,000 sessions' calendars, half on Microsoft 365
(the fake Graph) and half on Google Workspace (the fake Google Calendar), with the fakes enforcing
the services' limits: Graph four concurrent requests per mailbox, 429 with ``Retry-After``;
Google 403 ``rateLimitExceeded`` per user and 429 under load; and on top, every n-th call of each
answered as throttled (``--throttle-every``). The providers retry as in production (real waits,
back-off with jitter). The fakes run in a process of their own, as the real services are
elsewhere: the bot's process pays only for its own side of each call.

Each session is a pair's next one, on its executive's calendar. A first run creates the 10,000
events and reads every calendar once (its time is printed too). Then a known set of changes is
made in the fakes, as assistants and attendees would: sessions moved, deleted, declined by the
mentor, unrelated events added; and the bot "loses" the answer to some creates (it must find the
same event again, not make a second). The measured run is the next job run.

Prints the wall time of that run (target: under 2 minutes), the changes missed (target 0), the
sessions changed that should not have been, and the duplicate events (target 0).

    .venv/bin/python bench/calendar_sync.py [--sessions 10000] [--throttle-every 50] [--retry-after 1]
                                            [--database-url postgresql+asyncpg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from multiprocessing.connection import Connection
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, update  # noqa: E402

from bot.calendars.events import event_key  # noqa: E402
from bot.calendars.provider import Calendars  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.pairs.calendar_sync import POLL, sync_calendars  # noqa: E402
from calendars.google import GoogleProvider, ServiceAccount  # noqa: E402
from calendars.graph import GraphProvider  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.enums import CalendarPush, ConnectionStatus, NudgeKind, PairStatus, SessionStatus  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    CalendarConnection,
    MentoringSession,
    Nudge,
    Pair,
    Person,
    Profile,
    Program,
    Tenant,
)
from tests.kit.fakes.google_calendar import FakeGoogle, service_account_info  # noqa: E402
from tests.kit.fakes.graph import CLIENT_ID, CLIENT_SECRET, FakeGraph  # noqa: E402
from tests.kit.fakes.tls import client_context  # noqa: E402

NOW = datetime(2027, 1, 11, 8, 0, tzinfo=UTC)  # a Monday
TARGET = 120.0
SHARES = {"moved": 0.05, "deleted": 0.03, "declined": 0.03, "lost answer": 0.02, "unrelated event": 0.10}
ORGS = (("microsoft", "TBENCHMS", "contoso-bench-tenant", "ms.example"),
        ("google", "TBENCHGO", "google.example", "google.example"))


@dataclass
class Planted:
    """A session of the bench and what was done to its event in the fake."""

    session_id: int
    pair_id: int
    provider: str
    owner: str
    mentor: str
    starts_at: datetime
    event_id: str = ""
    change: str = "none"
    moved_to: datetime | None = None


@dataclass
class Population:
    sessions: list[Planted] = field(default_factory=list)


async def populate(db: Database, count: int, rng: random.Random) -> Population:
    """Two organizations (one per provider), each with a program, its pairs and each pair's next
    session waiting to go on the executive's calendar."""
    found = Population()
    async with db.transaction() as session:
        next_id = Counter[str]()

        def ids(table: str) -> int:
            next_id[table] += 1
            return next_id[table]
        for index, (provider, external, directory, domain) in enumerate(ORGS):
            tenant_id = ids("tenant")
            await session.execute(insert(Tenant), [{"id": tenant_id, "platform": "slack", "external_id": external,
                                                    "name": f"Bench {provider}", "created_at": NOW}])
            program_id = ids("program")
            await session.execute(insert(Program), [{
                "id": program_id, "tenant_id": tenant_id, "name": "Digital Leaders", "cadence": "biweekly",
                "capacity": count, "formats": ["one-to-one"], "topics": [], "baseline_skills": [],
                "reminder_hours": 24, "allow_same_level": False, "match_weights": {}, "status": "active",
                "created_at": NOW}])
            await session.execute(insert(CalendarConnection), [{
                "tenant_id": tenant_id, "provider": provider, "directory": directory,
                "status": ConnectionStatus.CONNECTED, "created_at": NOW, "checked_at": NOW}])
            people, profiles, pairs, rows = [], [], [], []
            share = count // len(ORGS) + (1 if index < count % len(ORGS) else 0)
            for n in range(share):
                mentee_id, mentor_id = ids("person"), ids("person")
                for person_id, who, zone in ((mentee_id, f"exec{n}", "America/New_York"),
                                             (mentor_id, f"mentor{n}", "Europe/Brussels")):
                    people.append({"id": person_id, "tenant_id": tenant_id, "platform": "slack",
                                   "user_id": f"U{person_id:08d}", "display_name": f"{who.title()} {provider}",
                                   "email": f"{who}@{domain}", "created_at": NOW,
                                   "address": {"platform": "slack", "tenant": external, "user_id": f"U{person_id:08d}",
                                               "reference": None}})
                    profiles.append({"person_id": person_id, "tenant_id": tenant_id, "timezone": zone,
                                     "work_start": clock_time(9), "work_end": clock_time(17), "updated_at": NOW})
                pair_id = ids("pair")
                pairs.append({"id": pair_id, "tenant_id": tenant_id, "program_id": program_id, "mentor_id": mentor_id,
                              "mentee_id": mentee_id, "status": PairStatus.ACTIVE, "proposed_at": NOW,
                              "started_at": NOW, "reasons": []})
                starts = NOW + timedelta(days=rng.randint(2, 28), hours=rng.choice((6, 7, 8)))  # 14:00-16:00 UTC
                uid = uuid.uuid4().hex
                session_id = ids("session")
                rows.append({"id": session_id, "tenant_id": tenant_id, "program_id": program_id, "pair_id": pair_id,
                             "starts_at": starts, "duration_minutes": 45, "mode": "remote", "recurring": False,
                             "status": SessionStatus.SCHEDULED, "created_at": NOW, "created_by_id": mentee_id,
                             "timezone": "America/New_York", "calendar_uid": uid, "calendar_event_key": event_key(uid),
                             "calendar_push": CalendarPush.CREATE, "calendar_owner_id": mentee_id})
                found.sessions.append(Planted(session_id, pair_id, provider, f"exec{n}@{domain}",
                                              f"mentor{n}@{domain}", starts))
            for model, values in ((Person, people), (Profile, profiles), (Pair, pairs), (MentoringSession, rows)):
                for start in range(0, len(values), 2000):
                    await session.execute(insert(model), values[start:start + 2000])
    return found


class Fakes:
    """The two fakes, served by a process of their own; what the bench asks of them goes through a pipe."""

    def __init__(self, public_key: str, throttle_every: int, retry_after: int) -> None:
        client_context()  # the test certificate is made here, so that the forked server presents the same one
        self._pipe, child = multiprocessing.get_context("fork").Pipe()
        self._process = multiprocessing.get_context("fork").Process(
            target=_serve_fakes, args=(child, self._pipe, public_key, throttle_every, retry_after), daemon=True)
        self._process.start()
        child.close()
        self.urls: dict[str, str] = self._pipe.recv()

    def ask(self, provider: str, method: str, *args: Any) -> Any:
        """Call ``method`` of the ``provider``'s fake, in its process; what it returned."""
        self._pipe.send((provider, method, args))
        answer = self._pipe.recv()
        if isinstance(answer, Exception):
            raise answer
        return answer

    def close(self) -> None:
        self._pipe.send(None)
        self._process.join(timeout=10)


def _serve_fakes(pipe: Connection, bench_end: Connection, public_key: str, throttle_every: int,
                 retry_after: int) -> None:
    bench_end.close()  # so that the pipe ends (and this process with it) when the bench does
    asyncio.run(_fakes_loop(pipe, public_key, throttle_every, retry_after))


async def _fakes_loop(pipe: Connection, public_key: str, throttle_every: int, retry_after: int) -> None:
    loop = asyncio.get_running_loop()
    async with FakeGraph() as graph, FakeGoogle(public_key) as google:
        fakes: dict[str, Any] = {"microsoft": graph, "google": google}
        for fake in fakes.values():
            fake.throttle_every, fake.retry_after = throttle_every, str(retry_after)
        pipe.send({"graph_api": graph.api_url, "graph_login": graph.login_url, "google_api": google.api_url,
                   "google_token": google.token_url})
        while (command := await loop.run_in_executor(None, pipe.recv)) is not None:
            provider, method, args = command
            try:
                pipe.send(_fake_command(fakes[provider], method, args))
            except Exception as failure:  # noqa: BLE001 - handed back to the bench, which raises it
                pipe.send(failure)


def _fake_command(fake: Any, method: str, args: tuple[Any, ...]) -> Any:
    if method == "stats":
        return len(fake.calls), fake.limited
    if method == "duplicates":
        return sum(max(0, len(fake.bot_events(mailbox)) - 1) for mailbox in args[0])
    return getattr(fake, method)(*args)


def plant_changes(population: Population, fakes: Fakes, rng: random.Random) -> Counter[str]:
    """The known changes, on disjoint sessions: made in the fakes (and, for the lost answers, in
    what the bot knows)."""
    shuffled = list(population.sessions)
    rng.shuffle(shuffled)
    planted: Counter[str] = Counter()
    position = 0
    for change, share in SHARES.items():
        take = int(len(shuffled) * share)
        for item in shuffled[position:position + take]:
            item.change = change
            if change == "moved":
                item.moved_to = item.starts_at + timedelta(days=1, hours=2)
                fakes.ask(item.provider, "move", item.owner, item.event_id, item.moved_to, 45)
            elif change == "deleted":
                fakes.ask(item.provider, "delete", item.owner, item.event_id)
            elif change == "declined":
                fakes.ask(item.provider, "respond", item.owner, item.event_id, item.mentor, "declined")
            elif change == "unrelated event":
                fakes.ask(item.provider, "add_busy", item.owner, item.starts_at + timedelta(days=40),
                          item.starts_at + timedelta(days=40, hours=1))
            planted[change] += 1
        position += take
    return planted


async def lose_answers(db: Database, population: Population) -> None:
    """As if the answers to these creates never came back: the bot asks again."""
    lost = [item.session_id for item in population.sessions if item.change == "lost answer"]
    async with db.transaction() as session:
        for start in range(0, len(lost), 500):
            await session.execute(update(MentoringSession).where(MentoringSession.id.in_(lost[start:start + 500]))
                                  .values(calendar_event_id=None, calendar_push=CalendarPush.CREATE))


async def check(db: Database, population: Population, fakes: Fakes) -> tuple[Counter[str], Counter[str], int]:
    """(changes missed, sessions changed wrongly, duplicate events), each by kind."""
    async with db.transaction() as session:
        rows = {row.id: row for row in await session.scalars(select(MentoringSession))}
        declined = {n.session_id for n in await session.scalars(select(Nudge).where(
            Nudge.kind == NudgeKind.CALENDAR_DECLINED))}
    by_pair: dict[int, list[MentoringSession]] = {}
    for row in rows.values():
        by_pair.setdefault(row.pair_id or 0, []).append(row)
    missed: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for item in population.sessions:
        row = rows[item.session_id]
        scheduled = [r for r in by_pair[item.pair_id] if r.status == SessionStatus.SCHEDULED]
        if item.change == "moved":
            ok = [r.starts_at.astimezone(UTC) for r in scheduled] == [item.moved_to] and row.status == "rescheduled"
        elif item.change == "deleted":
            ok = row.status == SessionStatus.CANCELED and not scheduled
        elif item.change == "declined":
            ok = item.session_id in declined and row.status == SessionStatus.SCHEDULED
        elif item.change == "lost answer":
            ok = row.calendar_event_id == item.event_id and row.calendar_push is None
        else:
            ok = row.status == SessionStatus.SCHEDULED and row.starts_at.astimezone(UTC) == item.starts_at \
                and item.session_id not in declined
            if not ok:
                wrong[item.change] += 1
            continue
        if not ok:
            missed[item.change] += 1
    duplicates = sum(fakes.ask(provider, "duplicates", [item.owner for item in population.sessions
                                                        if item.provider == provider]) for provider, *_ in ORGS)
    return missed, wrong, duplicates


async def main(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="mentorbot-bench-"))
    db = Database(args.database_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    await upgrade(db)
    clock = FakeClock(NOW)
    started = time.perf_counter()
    population = await populate(db, args.sessions, rng)
    print(f"{args.sessions} sessions, {len(population.sessions) - args.sessions // 2} on Microsoft 365 and "
          f"{args.sessions // 2} on Google Workspace, stored in {time.perf_counter() - started:.1f} s "
          f"({db.dialect})")
    info, public = service_account_info()
    fakes = Fakes(public, args.throttle_every, args.retry_after)
    try:
        for provider, _, directory, _ in ORGS:
            fakes.ask(provider, "add_tenant", directory, *{mailbox for item in population.sessions
                                                           if item.provider == provider
                                                           for mailbox in (item.owner, item.mentor)})
        urls = fakes.urls
        microsoft = GraphProvider(urls["graph_api"], urls["graph_login"], CLIENT_ID, CLIENT_SECRET,
                                  verify=client_context())
        google_provider = GoogleProvider(urls["google_api"], urls["google_token"], ServiceAccount(info))
        calendars = Calendars({"microsoft": microsoft, "google": google_provider})

        started, cpu = time.perf_counter(), time.process_time()
        first = await sync_calendars(db, clock, calendars)
        print(f"first run: {first.pushed.get('created', 0)} events created, {first.calendars} calendars read in "
              f"full, {time.perf_counter() - started:.1f} s ({time.process_time() - cpu:.1f} s of CPU)", flush=True)
        async with db.transaction() as session:
            ids = dict((await session.execute(select(MentoringSession.id, MentoringSession.calendar_event_id))).all())
        for item in population.sessions:
            item.event_id = ids[item.session_id] or ""

        planted = plant_changes(population, fakes, rng)
        await lose_answers(db, population)
        before = {provider: fakes.ask(provider, "stats") for provider, *_ in ORGS}
        clock.advance(POLL + timedelta(minutes=1))
        load = os.getloadavg()[0]
        started, cpu = time.perf_counter(), time.process_time()
        report = await sync_calendars(db, clock, calendars)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        after = {provider: fakes.ask(provider, "stats") for provider, *_ in ORGS}
        missed, wrong, duplicates = await check(db, population, fakes)
        await microsoft.close()
        await google_provider.close()
    finally:
        fakes.close()
    await db.close()
    print("changes made in the calendars: " + ", ".join(f"{n} {kind}" for kind, n in planted.items()))
    for provider, (calls, limited) in after.items():
        print(f"  {provider}: {calls - before[provider][0]} calls in the measured run, "
              f"{limited - before[provider][1]} answered as throttled")
    print(f"measured run: {report.calendars} calendars read, {report.moved} moved, {report.canceled} canceled, "
          f"{report.declined} declined, {report.clashes} clashes, {report.failed} not read, pushed {report.pushed}")
    print(f"wall time {wall:.1f} s (target: under {TARGET:.0f} s); the bot's process used {cpu:.1f} s of CPU "
          f"(the machine's load average was {load:.1f} on {os.cpu_count()} CPUs)")
    print(f"changes missed: {sum(missed.values())} {dict(missed) or ''}".rstrip())
    print(f"sessions changed that should not have been: {sum(wrong.values())} {dict(wrong) or ''}".rstrip())
    print(f"duplicate events: {duplicates}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--throttle-every", type=int, default=50)
    parser.add_argument("--retry-after", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    asyncio.run(main(parser.parse_args()))
