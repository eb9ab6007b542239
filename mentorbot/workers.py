"""Worker processes: where the core runs under ``mentorbot serve``, so that the process that
acknowledges Slack and Teams never waits for the interpreter.

The serving process starts ``WORKER_PROCESSES`` of them (``python -m mentorbot.workers``),
each connected by a socket pair carrying one JSON line per message: a job out
(``{"id", "job"}``), its outcome back (``{"id", "status", "result"}``). One person's jobs always
go to the same worker, so they keep their order. A worker that dies is started again and
given the jobs it had not finished; a worker whose serving process went away finishes its
jobs and exits. The first worker also runs the cadence.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import signal
import socket
import sys
import zlib
from dataclasses import dataclass, field, replace
from typing import Any

from adapters.jobs import Job, Outcome, run_job
from bot import metrics

log = logging.getLogger(__name__)

class WorkerFailed(Exception):
    """A worker process stopped while starting (it logged why)."""


LINE_LIMIT = 32 * 1024 * 1024
"""The longest message between the processes (a job carries at most a request body's worth)."""
READY = "ready"
NICENESS = 10
"""How much lower the workers' CPU priority is than the serving process's: when both want the
CPU, acknowledgements go first (about 9 to 1) and the conversations take what is left."""
RESTART_PAUSE = 5
"""Seconds between tries to start again a worker that would not start."""


@dataclass
class WorkerProcess:
    """One worker process, from the serving process's side."""

    index: int
    cadence: bool
    process: asyncio.subprocess.Process | None = None
    _writer: asyncio.StreamWriter | None = None
    _reading: asyncio.Task[None] | None = None
    _inflight: dict[int, tuple[Job, asyncio.Future[Outcome]]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    _unsent: set[int] = field(default_factory=set)
    _stopping: bool = False
    _ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        """Start the process and wait until its core is up."""
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-m", "mentorbot.workers", "--index", str(self.index), "--fd",
                   str(theirs.fileno()), *(["--cadence"] if self.cadence else [])]
        self.process = await asyncio.create_subprocess_exec(*command, pass_fds=[theirs.fileno()])
        theirs.close()
        reader, self._writer = await asyncio.open_connection(sock=ours, limit=LINE_LIMIT)
        self._ready.clear()
        self._reading = asyncio.ensure_future(self._read(reader))
        ready, exited = asyncio.ensure_future(self._ready.wait()), asyncio.ensure_future(self.process.wait())
        await asyncio.wait([ready, exited], timeout=120, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if not self._ready.is_set():
            self._stopping = True
            if not exited.done():
                self.process.kill()
            raise WorkerFailed(f"worker {self.index} did not start (exit status {await self.process.wait()})")
        exited.cancel()

    async def run(self, job: Job) -> Outcome:
        """Run ``job`` in the process; its outcome."""
        number = next(self._ids)
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._inflight[number] = (job, future)
        await self._send(number, job)
        return await future

    async def stop(self) -> None:
        """Let the process finish its jobs and exit (killed after 30 s)."""
        self._stopping = True
        if self._writer is not None:
            self._writer.close()
        if self.process is not None:
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                log.warning("worker %d did not stop in time: killed", self.index)
                self.process.kill()
                await self.process.wait()
        if self._reading is not None:
            await asyncio.gather(self._reading, return_exceptions=True)
        for _, future in self._inflight.values():
            if not future.done():
                future.set_result(Outcome("failed"))

    async def _send(self, number: int, job: Job) -> None:
        if self._writer is None or self._writer.is_closing():
            self._unsent.add(number)  # the process is being started again: sent once it is up
            return
        try:
            self._writer.write(json.dumps({"id": number, "job": job.as_dict()}).encode() + b"\n")
            await self._writer.drain()
        except OSError:
            self._unsent.add(number)  # the process died: sent again once it is up

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while line := await reader.readline():
                message = json.loads(line)
                if message.get(READY):
                    self._ready.set()
                    continue
                _, future = self._inflight.pop(message["id"], (None, None))
                if future is not None and not future.done():
                    future.set_result(Outcome(message["status"], message.get("result")))
        except (OSError, ValueError) as lost:  # a killed worker resets the connection
            log.warning("lost the connection to worker %d: %s", self.index, type(lost).__name__)
        self._writer = None
        if not self._stopping:
            asyncio.ensure_future(self._restart())

    async def _restart(self) -> None:
        assert self.process is not None
        code = await self.process.wait()
        metrics.process_gone(self.process.pid)
        self._unsent.update(self._inflight)
        log.error("worker %d stopped (exit status %s): starting it again with its %d unfinished job(s)",
                  self.index, code, len(self._unsent))
        while not self._stopping:
            try:
                await self.start()
                break
            except (WorkerFailed, OSError) as failed:
                log.error("%s: trying again in %d s", failed, RESTART_PAUSE)
                self._stopping = False
                await asyncio.sleep(RESTART_PAUSE)
        unsent, self._unsent = sorted(self._unsent), set()
        for number in unsent:
            if number in self._inflight:
                job, future = self._inflight[number]
                self._inflight[number] = (job := replace(job, again=True)), future
                await self._send(number, job)


class WorkerPool:
    """``count`` worker processes; a :class:`~adapters.jobs.Runner` for the serving process."""

    def __init__(self, count: int) -> None:
        self.workers = [WorkerProcess(index, cadence=index == 0) for index in range(count)]

    async def start(self) -> None:
        """Start every worker."""
        await asyncio.gather(*(worker.start() for worker in self.workers))

    async def __call__(self, job: Job) -> Outcome:
        """Run ``job`` on the worker of its person."""
        return await self.workers[zlib.crc32(job.key.encode()) % len(self.workers)].run(job)

    async def stop(self) -> None:
        """Stop every worker once its jobs are done."""
        await asyncio.gather(*(worker.stop() for worker in self.workers))

    @property
    def pids(self) -> list[int]:
        """The workers' process ids."""
        return [worker.process.pid for worker in self.workers if worker.process is not None]


# --- inside a worker process ------------------------------------------------------------


async def migrate_apart() -> None:
    """``mentorbot migrate`` in a process of its own, so that neither the serving process nor the
    workers hold Alembic; :class:`WorkerFailed` if it fails (it says why)."""
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "mentorbot.cli", "migrate",
                                                   stdout=asyncio.subprocess.DEVNULL)
    if await process.wait() != 0:
        raise WorkerFailed("the database could not be brought up to date")


async def _serve_jobs(fd: int, first: bool) -> None:
    from mentorbot.cli import _cadence_jobs
    from mentorbot.core import start_core
    from mentorbot.settings import load_configuration

    core = await start_core(load_configuration(), _cadence_jobs() if first else None)
    reader, writer = await asyncio.open_connection(sock=socket.socket(fileno=fd), limit=LINE_LIMIT)
    tasks: set[asyncio.Task[None]] = set()

    async def answer(message: dict[str, Any]) -> None:
        outcome = await run_job(core.turns, Job.from_dict(message["job"]))
        writer.write(json.dumps({"id": message["id"], "status": outcome.status,
                                 "result": outcome.result}).encode() + b"\n")
        await writer.drain()

    try:
        writer.write(json.dumps({READY: True}).encode() + b"\n")
        await writer.drain()
        while line := await reader.readline():
            task = asyncio.ensure_future(answer(json.loads(line)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
    finally:
        await asyncio.gather(*tasks, return_exceptions=True)
        await core.close()
        writer.close()


def main(argv: list[str] | None = None) -> int:
    """``python -m mentorbot.workers --index N --fd FD [--cadence]``: started by ``mentorbot serve``
    (the first worker also runs the cadence)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from mentorbot.cli import _configure_logging
    from mentorbot.settings import load_configuration

    parser = argparse.ArgumentParser(prog="mentorbot-worker")
    parser.add_argument("--index", type=int, required=True)
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--cadence", action="store_true")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the serving process stops us
    settings = load_configuration().settings
    _configure_logging(settings, chat=False)
    os.nice(NICENESS)
    try:
        asyncio.run(_serve_jobs(args.fd, args.cadence))
    except (OSError, SQLAlchemyError) as problem:
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(getattr(problem, "orig", None) or problem).splitlines()[0]
        print(f"mentorbot: cannot use the database at {where}: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
