"""The work that follows an acknowledgement, as data, and who runs it.

A platform's edge (its HTTP routes) checks a request, acknowledges it and hands the rest over
as a :class:`Job`: plain JSON (the person's neutral :class:`~bot.messages.Inbound` and where
the answers go). The platform's :class:`Turns` run its jobs where the core lives: in worker
processes under ``mentorbot serve`` (so that acknowledgements never wait for the
interpreter), or on the same loop in tests (:class:`LocalInbox`).

A deferrable job (something a person typed, delivered by a platform that will not send it
again) that meets an unreachable database is kept, in the spool when there is one, and tried
again in the order it came until the database takes it: nothing a person sends is lost when
the database blinks. Other jobs (commands, buttons, forms) answer at once that nothing was
saved (see :data:`bot.engine.UNAVAILABLE`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from bot import logcontext, metrics
from bot.delivery import Deliverer
from bot.errors import Unavailable

log = logging.getLogger(__name__)

RETRY_FIRST, RETRY_MOST = 1.0, 15.0
"""Seconds between tries of kept jobs while the database is unreachable (doubling up to the most)."""


@dataclass(frozen=True)
class Job:
    """One piece of work for a platform's :class:`Turns`.

    ``kind`` says what to do with ``data`` (JSON); ``key`` names the person it is for, so that
    one person's jobs run in order on one worker; ``deferrable`` jobs wait for the database.
    """

    platform: str
    kind: str
    data: Mapping[str, Any]
    key: str = ""
    deferrable: bool = False
    again: bool = False
    """Sent again after the worker running it died (it may have taken effect already)."""
    request_id: str = field(default_factory=logcontext.current_request_id)
    """The id of the HTTP request it came from: on every log line of its turn."""

    def as_dict(self) -> dict[str, Any]:
        """The job as JSON-able data."""
        return {"platform": self.platform, "kind": self.kind, "data": dict(self.data), "key": self.key,
                "deferrable": self.deferrable, "again": self.again, "request_id": self.request_id}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Job:
        """The job :meth:`as_dict` gave."""
        return cls(str(data["platform"]), str(data["kind"]), dict(data["data"]), str(data.get("key", "")),
                   bool(data.get("deferrable")), bool(data.get("again")),
                   str(data.get("request_id") or logcontext.new_request_id()))

    @property
    def inbound(self) -> Mapping[str, Any]:
        """The neutral inbound event the job carries, as data ({} when it carries none)."""
        inbound = self.data.get("inbound")
        return inbound if isinstance(inbound, Mapping) else {}

    @property
    def event_kind(self) -> str:
        """What the person did (``text``, ``command``, ``button``, ``form``...), or the job's kind."""
        return str(self.inbound.get("kind") or self.kind)


@dataclass(frozen=True)
class Outcome:
    """How a job went: ``done`` (with its JSON result), ``unavailable`` (the database could not
    be reached: nothing was stored) or ``failed`` (a fault, logged where it happened)."""

    status: Literal["done", "unavailable", "failed"]
    result: Any = None


class Turns(Deliverer, Protocol):
    """A platform's side of the work after the acknowledgement, where the core lives: it runs
    the platform's jobs and delivers the messages the bot starts."""

    async def run(self, job: Job) -> Any:
        """Do ``job``; its JSON result. A deferrable job raises :class:`~bot.engine.Unavailable`
        when the database cannot be reached (nothing was answered)."""

    async def close(self) -> None:
        """Release what the turns hold (HTTP sessions)."""


class Inbox(Protocol):
    """Where an edge hands its jobs."""

    async def put(self, job: Job) -> None:
        """Accept ``job`` (kept, if deferrable, before this returns); it runs soon."""

    def submit(self, job: Job) -> asyncio.Future[Outcome]:
        """Run ``job`` now; its outcome when done (an edge waits for it, with a time limit)."""


Runner = Callable[[Job], Awaitable[Outcome]]


async def run_job(turns: Mapping[str, Turns], job: Job) -> Outcome:
    """Run ``job`` with its platform's turns, after a JSON round trip (what runs here runs the
    same in a worker process)."""
    job = Job.from_dict(json.loads(json.dumps(job.as_dict())))
    address = job.inbound.get("address")
    tenant = str(address.get("tenant") or "") if isinstance(address, Mapping) else ""
    with logcontext.turn(platform=job.platform, tenant=tenant, event_id=str(job.inbound.get("event_id") or ""),
                         request_id=job.request_id):
        handler = turns.get(job.platform)
        if handler is None:
            log.error("no platform %s to run a %s job", job.platform, job.kind)
            return Outcome("failed")
        started = time.perf_counter()
        try:
            return Outcome("done", await handler.run(job))
        except Unavailable:
            return Outcome("unavailable")
        except Exception:
            log.exception("a %s %s job failed", job.platform, job.kind)
            return Outcome("failed")
        finally:
            metrics.TURN_SECONDS.labels(job.platform).observe(time.perf_counter() - started)


class Spool(Protocol):
    """A durable list of deferrable jobs, kept until they went through."""

    def add(self, job: Job) -> int:
        """Keep ``job``; its entry id."""

    def remove(self, entry: int) -> None:
        """Forget an entry that went through."""

    def pending(self) -> list[tuple[int, Job]]:
        """The entries kept, oldest first (left from a crash, or waiting for the database)."""


@dataclass
class Dispatcher:
    """An :class:`Inbox` over a :class:`Runner`, keeping deferrable jobs through database outages."""

    runner: Runner
    spool: Spool | None = None
    retry_first: float = RETRY_FIRST
    _held: list[tuple[int | None, Job]] = field(default_factory=list)
    _tasks: set[asyncio.Future[Any]] = field(default_factory=set)
    _retrying: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Take up the jobs a previous run left in the spool, oldest first."""
        left = self.spool.pending() if self.spool else []
        if left:
            log.warning("taking up %d message(s) kept from before the restart", len(left))
            self._held.extend(left)
            self._retry_soon()

    async def put(self, job: Job) -> None:
        """Accept ``job``: kept in the spool first if deferrable; behind kept jobs while the
        database is unreachable, so that one person's messages keep their order."""
        # In a thread: a write that waits for the disk (a WAL checkpoint) holds up this job's
        # acknowledgement, not every other request's.
        metrics.INBOUND.labels(job.platform, job.event_kind).inc()
        entry = await asyncio.to_thread(self.spool.add, job) if self.spool is not None and job.deferrable else None
        if job.deferrable and self._held:
            self._held.append((entry, job))
            return
        self._track(asyncio.ensure_future(self._first_try(entry, job)))

    def submit(self, job: Job) -> asyncio.Future[Outcome]:
        """Run ``job`` now; its outcome."""
        metrics.INBOUND.labels(job.platform, job.event_kind).inc()
        future = asyncio.ensure_future(self.runner(job))
        self._track(future)
        return future

    async def drain(self) -> None:
        """Wait until the jobs under way are done (kept jobs wait for the database)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Finish the jobs under way; stop trying kept ones (the spool keeps them)."""
        await self.drain()
        if self._retrying is not None:
            self._retrying.cancel()

    @property
    def held(self) -> int:
        """How many jobs wait for the database."""
        return len(self._held)

    @property
    def under_way(self) -> int:
        """How many jobs are running."""
        return len(self._tasks)

    def _track(self, task: asyncio.Future[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _first_try(self, entry: int | None, job: Job) -> None:
        outcome = await self.runner(job)
        if outcome.status == "unavailable" and job.deferrable:
            log.warning("kept a %s message until the database is back (%d waiting)", job.platform, len(self._held) + 1)
            self._held.append((entry, job))
            self._retry_soon()
        elif entry is not None and self.spool is not None:
            await asyncio.to_thread(self.spool.remove, entry)

    def _retry_soon(self) -> None:
        if self._retrying is None or self._retrying.done():
            self._retrying = asyncio.ensure_future(self._retry())

    async def _retry(self) -> None:
        """Try the oldest kept job until it goes through, then the next ones, in order."""
        delay = self.retry_first
        while self._held:
            entry, job = self._held[0]
            outcome = await self.runner(job)
            if outcome.status == "unavailable":
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MOST)
                continue
            delay = self.retry_first
            self._held.pop(0)
            if entry is not None and self.spool is not None:
                await asyncio.to_thread(self.spool.remove, entry)
        log.info("every kept message went through")


def local_runner(turns: Mapping[str, Turns]) -> Runner:
    """A runner on the current loop."""
    async def run(job: Job) -> Outcome:
        return await run_job(turns, job)
    return run


class LocalInbox(Dispatcher):
    """Jobs run on the current loop, with these ``turns`` (tests, one process)."""

    def __init__(self, turns: Mapping[str, Turns], spool: Spool | None = None) -> None:
        super().__init__(local_runner(turns), spool)
