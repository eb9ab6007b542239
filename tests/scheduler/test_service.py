"""The cadence scheduler: its jobs, how they are scheduled, and that a failing job harms nothing."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock, FakeClock
from scheduler.leader import Leadership
from scheduler.outbox import DrainReport
from scheduler.service import CadenceScheduler, start_cadence
from storage.db import Database
from storage.enums import NudgeStatus
from storage.housekeeping import HousekeepingReport
from tests.kit.outbox import Recorder, add_nudge, add_person, add_tenant, outbox, render, statuses

WAIT = 30  # seconds: a bound on waiting for jobs APScheduler starts at once, never time passing


class Calls:
    """A stand-in for the lead's ``run_tick`` / ``write_periodic_nudges``: records its calls."""

    def __init__(self, result: object = None, error: Exception | None = None) -> None:
        self.calls: list[tuple[Database, Clock]] = []
        self.called = asyncio.Event()
        self.result, self.error = result, error

    async def __call__(self, db: Database, clock: Clock) -> object:
        self.calls.append((db, clock))
        self.called.set()
        if self.error is not None:
            raise self.error
        return self.result


class NotLeader:
    """Leadership held by another replica."""

    async def is_leader(self) -> bool:
        return False

    async def release(self) -> None:
        pass


class Watched(CadenceScheduler):
    """The scheduler, saying when its deliver and housekeeping jobs have run."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.delivered = asyncio.Event()
        self.housekept = asyncio.Event()

    async def run_deliver(self) -> DrainReport:
        try:
            return await super().run_deliver()
        finally:
            self.delivered.set()

    async def run_housekeeping(self) -> HousekeepingReport:
        try:
            return await super().run_housekeeping()
        finally:
            self.housekept.set()


def _leadership(db: Database) -> Leadership:
    return Leadership(db, random.randint(1, 2**62))


async def _one_due_nudge(db: Database) -> None:
    tenant = await add_tenant(db)
    await add_nudge(db, tenant, await add_person(db, tenant, "amara-diallo"), "reminder:1")


async def test_it_starts_in_the_running_loop_runs_every_job_at_once_and_shuts_down(db: Database,
                                                                                  clock: FakeClock) -> None:
    await _one_due_nudge(db)
    tick, periodic, deliverer = Calls(), Calls(), Recorder()
    cadence = Watched(db, clock, outbox(db, deliverer, clock), tick=tick, periodic_nudges=periodic,
                      leadership=_leadership(db), tick_seconds=120, drain_seconds=15)

    cadence.start()
    scheduler = cadence.scheduler
    assert scheduler is not None and scheduler.running
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"tick", "periodic_nudges", "deliver", "housekeeping", "health"}
    for name, seconds in {"tick": 120, "periodic_nudges": 3600, "deliver": 15, "housekeeping": 86_400,
                          "health": 300}.items():
        job = jobs[name]
        assert isinstance(job.trigger, IntervalTrigger)
        assert job.trigger.interval == timedelta(seconds=seconds)
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, seconds)
    await asyncio.wait_for(asyncio.gather(tick.called.wait(), periodic.called.wait(), cadence.delivered.wait(),
                                          cadence.housekept.wait()), WAIT)
    await cadence.shutdown()

    assert not scheduler.running and cadence.scheduler is None
    assert tick.calls == [(db, clock)] and periodic.calls == [(db, clock)]
    assert deliverer.sent == [("amara-diallo", "nudge reminder:1")]


async def test_a_failing_job_is_logged_and_the_others_go_on(db: Database, clock: FakeClock,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    await _one_due_nudge(db)
    tick, periodic = Calls(error=RuntimeError("tick broke")), Calls()
    cadence = Watched(db, clock, outbox(db, Recorder(), clock), tick=tick, periodic_nudges=periodic,
                      leadership=_leadership(db))

    with caplog.at_level(logging.ERROR, logger="scheduler.service"):
        cadence.start()
        await asyncio.wait_for(asyncio.gather(tick.called.wait(), periodic.called.wait(), cadence.delivered.wait()),
                               WAIT)
        scheduler = cadence.scheduler
        assert scheduler is not None and scheduler.running
        await cadence.run_scheduled("tick")
        await cadence.shutdown()

    failures = [r for r in caplog.records if r.getMessage() == "cadence job tick failed"]
    assert len(failures) == 2 and "tick broke" in str(failures[0].exc_info[1] if failures[0].exc_info else "")
    assert await statuses(db) == {"reminder:1": NudgeStatus.SENT}


async def test_the_run_methods_call_what_they_should(db: Database, clock: FakeClock) -> None:
    await _one_due_nudge(db)
    tick, periodic = Calls(result="tick report"), Calls(result=3)
    cadence = CadenceScheduler(db, clock, outbox(db, Recorder(), clock), tick=tick, periodic_nudges=periodic,
                               leadership=_leadership(db))

    assert await cadence.run_tick() == "tick report" and tick.calls == [(db, clock)]
    assert await cadence.run_periodic_nudges() == 3 and periodic.calls == [(db, clock)]
    assert (await cadence.run_deliver()).sent == 1
    assert await cadence.run_housekeeping() == HousekeepingReport(0, 0, 0)


async def test_only_the_leader_writes_but_every_replica_delivers(db: Database, clock: FakeClock) -> None:
    await _one_due_nudge(db)
    tick, periodic, deliverer = Calls(), Calls(), Recorder()
    cadence = Watched(db, clock, outbox(db, deliverer, clock), tick=tick, periodic_nudges=periodic,
                      leadership=NotLeader())  # type: ignore[arg-type]

    for name in ("tick", "periodic_nudges", "housekeeping", "deliver"):
        await cadence.run_scheduled(name)

    assert tick.calls == [] and periodic.calls == [] and not cadence.housekept.is_set()
    assert len(deliverer.sent) == 1


async def test_start_cadence_builds_and_starts_it(db: Database, clock: FakeClock) -> None:
    tick, periodic = Calls(), Calls()
    cadence = await start_cadence(db, clock, {"console": Recorder()}, render=render, tick=tick, periodic_nudges=periodic,
                                  tick_seconds=60, drain_seconds=5)
    try:
        assert cadence.scheduler is not None and cadence.scheduler.running
        assert cadence.intervals["tick"] == 60 and cadence.intervals["deliver"] == 5
        await asyncio.wait_for(tick.called.wait(), WAIT)
    finally:
        await cadence.shutdown()


async def test_the_real_cadence_jobs_run_on_an_empty_database(db: Database, clock: FakeClock) -> None:
    from bot.cadence.digest import write_digests
    from bot.registry import render_nudge, run_tick
    from scheduler.outbox import Outbox

    cadence = CadenceScheduler(db, clock, Outbox(db, {"console": Recorder()}, render_nudge, clock, "smoke"),
                               tick=run_tick, periodic_nudges=write_digests, leadership=_leadership(db))

    await cadence.run_tick()
    assert await cadence.run_periodic_nudges() == 0
    assert await cadence.run_deliver() == DrainReport()
    assert await cadence.run_housekeeping() == HousekeepingReport(0, 0, 0)
