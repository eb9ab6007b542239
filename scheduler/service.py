"""The cadence scheduler: a handful of APScheduler interval jobs that ask the database what is due.

The database, not the job store, is the source of truth: there are no per-pair jobs. The
``tick`` writes the nudges and flags that are due, ``periodic_nudges`` writes the nudges that
come with the calendar rather than with a session (the admins' weekly digests, the monthly
pulses, the end-of-cycle evaluations), ``deliver`` sends the outbox, ``housekeeping`` prunes
and resumes. Only the leader replica
(see :class:`~scheduler.leader.Leadership`) runs the jobs that write; every replica delivers,
each claiming its own rows.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import health, metrics
from bot.clock import Clock
from bot.delivery import Deliverer
from scheduler.leader import Leadership
from scheduler.outbox import DrainReport, Outbox, Render
from storage.db import Database
from storage.housekeeping import HousekeepingReport, housekeep

log = logging.getLogger(__name__)

Job = Callable[[Database, Clock], Awaitable[object]]
"""A cadence job of the core: ``run_tick``, ``write_periodic_nudges`` (see :mod:`bot.registry`)."""

# Any constant shared by every replica (not the migration lock's key).
CADENCE_LOCK_KEY = 0x6D62_7469_636B
LEADER_ONLY = frozenset({"tick", "periodic_nudges", "housekeeping", "reach_imported", "health", "calendar_sync"})
SHUTDOWN_GRACE_SECONDS = 20.0


class CadenceScheduler:
    """Runs the cadence jobs on the running event loop.

    Each job is also a plain ``run_<job>()`` coroutine, which tests and the simulation call
    directly: those run unconditionally, without the leadership check the scheduled jobs make.
    """

    def __init__(self, db: Database, clock: Clock, outbox: Outbox, *, tick: Job, periodic_nudges: Job,
                 leadership: Leadership | None = None, tick_seconds: int = 300, drain_seconds: int = 30,
                 periodic_seconds: int = 3600, housekeeping_seconds: int = 86_400, reach: Job | None = None,
                 reach_seconds: int = 60, health_seconds: int = 300, limits: health.Limits | None = None,
                 calendar_sync: Job | None = None, calendar_seconds: int = 60) -> None:
        self.db = db
        self.clock = clock
        self.outbox = outbox
        self.leadership = leadership or Leadership(db, CADENCE_LOCK_KEY)
        self._tick = tick
        self._periodic_nudges = periodic_nudges
        self.intervals = {"tick": tick_seconds, "periodic_nudges": periodic_seconds, "deliver": drain_seconds,
                          "housekeeping": housekeeping_seconds, "health": health_seconds}
        self.limits = limits or health.Limits()
        self._reach = reach
        if reach is not None:
            self.intervals["reach_imported"] = reach_seconds
        self._calendar_sync = calendar_sync
        if calendar_sync is not None:
            self.intervals["calendar_sync"] = calendar_seconds
        self._scheduler: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task[object]] = set()

    # --- the jobs --------------------------------------------------------------------------

    async def run_tick(self) -> object:
        """Write the nudges and flags that are due."""
        return await self._tick(self.db, self.clock)

    async def run_periodic_nudges(self) -> object:
        """Write the weekly digests, monthly pulses and end-of-cycle evaluations that are due."""
        return await self._periodic_nudges(self.db, self.clock)

    async def run_reach_imported(self) -> object:
        """Find imported people on their platform by email and invite them (see
        :mod:`bot.people_import.reach`)."""
        return await self._reach(self.db, self.clock) if self._reach is not None else None

    async def run_calendar_sync(self) -> object:
        """Write the events sessions need and read what changed on the calendars (see
        :mod:`bot.pairs.calendar_sync`)."""
        return await self._calendar_sync(self.db, self.clock) if self._calendar_sync is not None else None

    async def run_deliver(self) -> DrainReport:
        """Send the outbox rows that are due."""
        return await self.outbox.drain()

    async def run_health(self) -> int:
        """Tell the admins of each tenant whose undelivered messages pile up (see :mod:`bot.health`)."""
        return await health.check_backlog(self.db, self.clock, self.limits)

    async def run_housekeeping(self) -> HousekeepingReport:
        """Prune old platform event ids and end the pauses that are over."""
        async with self.db.transaction() as session:
            report = await housekeep(session, self.clock.now())
        log.info("housekeeping: %s", report)
        return report

    # --- scheduling ------------------------------------------------------------------------

    @property
    def scheduler(self) -> AsyncIOScheduler | None:
        """The APScheduler instance while started."""
        return self._scheduler

    def start(self) -> None:
        """Schedule the jobs on the running event loop (call it from a coroutine on that loop)."""
        loop = asyncio.get_running_loop()
        scheduler = AsyncIOScheduler(event_loop=loop, timezone=UTC)
        now = datetime.now(UTC)
        for name, seconds in self.intervals.items():
            # coalesce + max_instances=1: runs missed while the process was stalled, or while
            # the previous run was still going, collapse into one; two runs of a job never
            # overlap. misfire_grace_time = the interval: a run late by less than an interval
            # still happens (once); anything older is dropped, and that loses nothing, since
            # each job asks the database what is due rather than acting on its own schedule.
            # next_run_time=now: after downtime, catch up once at start instead of waiting
            # a whole interval (a day for housekeeping).
            scheduler.add_job(self.run_scheduled, "interval", args=[name], id=name, name=name, seconds=seconds,
                              coalesce=True, max_instances=1, misfire_grace_time=seconds,
                              next_run_time=now, replace_existing=True)
        scheduler.start()
        self._scheduler = scheduler
        log.info("cadence scheduler started: %s", ", ".join(f"{n} every {s}s" for n, s in self.intervals.items()))

    async def shutdown(self) -> None:
        """Stop scheduling, let the jobs under way finish (briefly), and give up leadership."""
        scheduler, self._scheduler = self._scheduler, None
        self.outbox.stop()
        if scheduler is not None and scheduler.running:
            scheduler.pause()
            await self._wait_for_jobs()
            scheduler.shutdown(wait=False)
            # AsyncIOScheduler shuts down in a callback on the loop: let it run.
            for _ in range(100):
                if not scheduler.running:
                    break
                await asyncio.sleep(0)
        await self.leadership.release()

    async def _wait_for_jobs(self) -> None:
        running = list(self._running)
        if not running:
            return
        _, late = await asyncio.wait(running, timeout=SHUTDOWN_GRACE_SECONDS)
        for task in late:
            log.warning("cadence job still running at shutdown: canceled (its claimed nudges wait for the lease)")
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    async def run_scheduled(self, name: str) -> None:
        """What the scheduler runs for job ``name``: leader-only jobs first check leadership;
        errors are logged, never raised, so that they never stop the scheduler."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            if name in LEADER_ONLY:
                leading = await self.leadership.is_leader()
                metrics.LEADER.labels("cadence").set(1 if leading else 0)
                if not leading:
                    return
            started = time.perf_counter()
            await self._record(health.job_started(self.db, name, self.clock.now()))
            try:
                result = await getattr(self, f"run_{name}")()
            finally:
                metrics.JOB_SECONDS.labels(name).observe(time.perf_counter() - started)
            if name == "tick":
                for subject in ("pairs", "circles", "assignments"):
                    metrics.DUE.labels(subject).set(getattr(result, "checked", {}).get(subject, 0))
            await self._record(health.job_ran(self.db, name, self.clock.now(), None, self.limits))
        except Exception as failure:  # noqa: BLE001 - a failed run is logged; the next run tries again
            metrics.JOB_FAILURES.labels(name).inc()
            log.exception("cadence job %s failed", name)
            error = f"{type(failure).__name__}: {failure}"
            await self._record(health.job_ran(self.db, name, self.clock.now(), error, self.limits))
        finally:
            if task is not None:
                self._running.discard(task)


    @staticmethod
    async def _record(work: Awaitable[None]) -> None:
        """Keep a job's record; a database that cannot take it is already what failed (logged)."""
        try:
            await work
        except Exception as problem:  # noqa: BLE001 - recording must never stop the scheduler
            log.warning("could not record a cadence job's run: %s", type(problem).__name__)


def worker_id() -> str:
    """A name for this process's outbox claims, unique across replicas and restarts."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def start_cadence(db: Database, clock: Clock, deliverers: Mapping[str, Deliverer], *, render: Render,
                        tick: Job, periodic_nudges: Job, tick_seconds: int = 300, drain_seconds: int = 30,
                        own_platforms_only: bool = False, reach: Job | None = None,
                        limits: health.Limits | None = None, calendar_sync: Job | None = None) -> CadenceScheduler:
    """Build the outbox and the scheduler on ``db`` and start the jobs on the running loop."""
    outbox = Outbox(db, deliverers, render, clock, worker_id(), own_platforms_only=own_platforms_only)
    cadence = CadenceScheduler(db, clock, outbox, tick=tick, periodic_nudges=periodic_nudges, tick_seconds=tick_seconds,
                               drain_seconds=drain_seconds, reach=reach, limits=limits,
                               calendar_sync=calendar_sync)
    cadence.start()
    return cadence
