"""The ``mentorbot`` command line: the one place that wires storage, core and adapters."""

from __future__ import annotations

import argparse
import os
import asyncio
import getpass
import logging
import queue
import signal
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from adapters import registry
from adapters.platform import Adapter, CliCommand, PlatformSpec, StartFailed, Wiring
from mentorbot import logs
from mentorbot.settings import BadConfiguration, Configuration, Settings, load_configuration
from mentorbot.single_server import AlreadyServed
from mentorbot.workers import WorkerFailed

if TYPE_CHECKING:
    from adapters.jobs import Job, Outcome
    from scheduler.outbox import Render
    from scheduler.service import Job as CadenceJob

log = logging.getLogger("mentorbot")
SIGNALS = (signal.SIGTERM, signal.SIGINT)
SHUTDOWN_GRACE = 20
"""Seconds ``serve`` gives the jobs under way to finish when it is told to stop."""


def _parser() -> argparse.ArgumentParser:
    served = [platform.label for platform in registry.PLATFORMS if platform.served]
    parser = argparse.ArgumentParser(prog="mentorbot", description=f"A reverse-mentoring bot for {_spoken(served)}.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help=f"migrate, then serve {'/'.join(served)} if configured, else chat in the terminal")
    chat = commands.add_parser("chat", help="chat with the bot in the terminal")
    chat.add_argument("--as", dest="name", default=None, help="who you are (default: your login name)")
    serve = commands.add_parser("serve", help=f"run the HTTP server ({', '.join([*served, '/healthz'])})")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3000)
    commands.add_parser("migrate", help="bring the database schema up to date")
    export = commands.add_parser("export", help="write one organization's data into a folder (a backup, or to move "
                                 "it to another database with restore)")
    export.add_argument("--tenant", required=True, help="the organization: its number, or its Slack or Teams id")
    export.add_argument("--output", required=True, type=Path, help="a new or empty folder")
    restore = commands.add_parser("restore", help="load a folder written by export into an empty database")
    restore.add_argument("folder", type=Path, help="the folder export wrote")
    commands.add_parser("doctor", help="check the configuration against the database, Slack, Teams and PUBLIC_URL "
                        "(changes nothing; exit status 1 when something is wrong)")
    people = commands.add_parser("import", help="bring in people from an HR export (CSV): names, emails, roles, "
                                 "levels, departments, managers...")
    people.add_argument("file", help="the CSV file (UTF-8; commas or semicolons)")
    people.add_argument("--program", default=None, help="the program people with a role join (default: the only one)")
    people.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    simulate = commands.add_parser("simulate", help="run a sample program on a fake clock and print what happens "
                                   "(a scratch database; yours is not touched)")
    simulate.add_argument("--weeks", type=_positive(52), default=12, help="how many weeks to simulate (1-52)")
    simulate.add_argument("--seed", type=int, default=1, help="the random seed: the same seed gives the same run")
    simulate.add_argument("--verbose", action="store_true", help="also print every message the bot sends")
    for platform in registry.PLATFORMS:
        for extra in platform.commands:
            extra.arguments(commands.add_parser(extra.name, help=extra.help))
    return parser


def _spoken(names: Sequence[str]) -> str:
    """``Slack and Teams``; ``Slack, Teams and Zulip``."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _positive(most: int) -> Callable[[str], int]:
    """An argparse type: a whole number from 1 to ``most``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if not 1 <= value <= most:
            raise argparse.ArgumentTypeError(f"{value} is out of range: use 1 to {most}")
        return value
    return parse


def _configure_logging(settings: Settings, chat: bool) -> None:
    logs.configure(settings, chat)


def _default_name() -> str:
    try:
        return getpass.getuser().capitalize()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "Me"


async def _migrate(settings: Settings) -> None:
    from storage.db import Database
    from storage.migrate import upgrade

    db = Database(settings.database_url)
    try:
        await upgrade(db)
    finally:
        await db.close()


class _Terminal:
    """Lines typed in the terminal, read by a daemon thread (a thread blocked in ``input()``
    would otherwise hold the process at exit); Ctrl-C ends the read at once, as the end of input."""

    def __init__(self) -> None:
        self._prompts: queue.SimpleQueue[tuple[str, asyncio.Future[str | None]]] = queue.SimpleQueue()
        self._waiting: asyncio.Future[str | None] | None = None
        threading.Thread(target=self._serve, name="terminal", daemon=True).start()

    def _serve(self) -> None:
        while True:
            prompt, answer = self._prompts.get()
            try:
                line: str | None = input(prompt)
            except (EOFError, KeyboardInterrupt):
                line = None
            answer.get_loop().call_soon_threadsafe(_settle, answer, line)

    async def read(self, prompt: str) -> str | None:
        """The next line, or None at the end of input or on Ctrl-C."""
        self._waiting = asyncio.get_running_loop().create_future()
        self._prompts.put((prompt, self._waiting))
        return await self._waiting

    def interrupt(self) -> None:
        """Ctrl-C: the read under way ends now."""
        print()
        if self._waiting is not None:
            _settle(self._waiting, None)


def _settle(future: asyncio.Future[str | None], line: str | None) -> None:
    if not future.done():
        future.set_result(line)


def _cadence_jobs() -> tuple[Render, CadenceJob, CadenceJob]:
    """The core's side of the cadence: how a nudge is rendered, the tick, and the periodic nudges."""
    from bot.registry import render_nudge, run_tick, write_periodic_nudges

    return render_nudge, run_tick, write_periodic_nudges


async def _chat(settings: Settings, name: str) -> None:
    from adapters.console.chat import ConsoleChat
    from adapters.console.delivery import ConsoleDelivery
    from bot.clock import SystemClock
    from bot.engine import MentorBot
    from bot.turn import Limits
    from scheduler.service import CadenceScheduler, start_cadence
    from storage.db import Database

    try:
        import readline  # noqa: F401 - line editing and history for input()
    except ImportError:  # pragma: no cover - not on every platform
        pass
    render, tick, periodic_nudges = _cadence_jobs()
    await _migrate(settings)
    db = Database(settings.database_url)
    cadence: CadenceScheduler | None = None
    try:
        bot = MentorBot(db, limits=Limits(max_text=settings.max_text_length))
        console = ConsoleDelivery(print)
        # Nudges show up in the terminal while chatting. Only console people's nudges are
        # claimed: a chat on a database that also serves Slack or Teams leaves theirs alone.
        cadence = await start_cadence(db, SystemClock(), {console.platform: console}, render=render,
                                      tick=tick, periodic_nudges=periodic_nudges,
                                      tick_seconds=settings.cadence_tick_seconds,
                                      drain_seconds=settings.outbox_drain_seconds, own_platforms_only=True)
        terminal = _Terminal()
        here = asyncio.get_running_loop()
        here.add_signal_handler(signal.SIGINT, terminal.interrupt)
        try:
            await ConsoleChat(bot, name, terminal_locale=_terminal_locale()).run(terminal.read, print)
        finally:
            here.remove_signal_handler(signal.SIGINT)
    finally:
        if cadence is not None:
            await cadence.shutdown()
        await db.close()


async def _import(settings: Settings, file: str, program: str | None, dry_run: bool) -> int:
    from pathlib import Path

    from mentorbot.people_import import ImportRefused, run_import
    from storage.db import Database

    await _migrate(settings)
    db = Database(settings.database_url)
    try:
        done = await run_import(db, Path(file), program, dry_run, sys.stdout, show_progress=sys.stderr.isatty())
    except ImportRefused as refused:
        print(f"mentorbot import: {refused}", file=sys.stderr)
        return 2
    finally:
        await db.close()
    return 0 if done else 1


def _adapters(configuration: Configuration, wiring: Wiring) -> list[Adapter]:
    """The adapters of the platforms the settings configure, in the registry's order."""
    return [platform.build(configuration.of(platform), wiring) for platform in configuration.platforms
            if platform.build is not None and configuration.configured(platform)]


def _platforms_line(configuration: Configuration) -> str:
    """``Slack: on, Teams: off``: each platform served over HTTP, and whether it is configured."""
    return ", ".join(f"{platform.label}: {_state(configuration, platform)}"
                     for platform in configuration.platforms if platform.served)


def _state(configuration: Configuration, platform: PlatformSpec[Any]) -> str:
    """``on``, ``on (Socket Mode)`` or ``off``."""
    if not configuration.configured(platform):
        return "off"
    mode = configuration.of(platform).mode
    return f"on ({mode})" if mode else "on"


async def _serve(configuration: Configuration, host: str, port: int) -> None:
    async with _serving(configuration, host, port) as stop:
        await stop.wait()
        log.info("shutting down")


@asynccontextmanager
async def _serving(configuration: Configuration, host: str, port: int) -> AsyncIterator[asyncio.Event]:
    """The HTTP server with every configured platform's routes, handing the work after each
    acknowledgement to the worker processes (where the core and the cadence run), until the
    context ends; yields the event SIGTERM and SIGINT set."""
    from aiohttp import web

    from adapters.jobs import Dispatcher
    from mentorbot.server import build_app
    from mentorbot.spool import Spool
    from storage.db import Database

    from mentorbot.single_server import hold_sqlite

    settings = configuration.settings
    sqlite_lock = hold_sqlite(settings.database_url)
    workers = _Workers(configuration)
    metrics_dir = _share_metrics(workers.count)
    from mentorbot.metrics_route import watch_database

    db = Database(settings.database_url)  # this process's: health checks, invites, reports, Slack installations
    watch_database(db)
    await workers.start()
    spool = Spool(settings.spool_file)
    inbox = Dispatcher(workers.run, spool)
    inbox.start()
    adapters = _adapters(configuration, Wiring(db.engine, inbox, public_url=settings.public_url))
    runner = web.AppRunner(build_app(db, adapters, metrics_token=settings.metrics_bearer()))
    here = asyncio.get_running_loop()
    stop = asyncio.Event()
    try:
        await runner.setup()  # over Socket Mode, connects to Slack: StartFailed if Slack refuses the token
        await web.TCPSite(runner, host, port).start()
        log.info("serving on http://%s:%s (%s; %s)", host, port, _platforms_line(configuration), workers.described)
        for signum in SIGNALS:
            here.add_signal_handler(signum, stop.set)
        yield stop
    finally:
        await runner.cleanup()
        try:  # the jobs under way, for a while: kept messages wait in the spool for the next start
            await asyncio.wait_for(inbox.close(), SHUTDOWN_GRACE)
        except TimeoutError:
            log.warning("stopping with %d job(s) unfinished after %d s", inbox.under_way, SHUTDOWN_GRACE)
        for adapter in adapters:
            await adapter.close()
        await workers.stop()
        spool.close()
        await db.close()
        for signum in SIGNALS:
            here.remove_signal_handler(signum)
        if metrics_dir is not None:
            metrics_dir.cleanup()
        if sqlite_lock is not None:
            sqlite_lock.close()


def _share_metrics(workers: int) -> tempfile.TemporaryDirectory[str] | None:
    """With worker processes, a folder where every process of this replica keeps its metrics
    (see :mod:`bot.metrics`), removed at the end; None when the work stays in this process."""
    if not workers:
        return None
    from bot import metrics

    folder = tempfile.TemporaryDirectory(prefix="mentorbot-metrics-")
    metrics.share_between_processes(folder.name)
    return folder


class _Workers:
    """Where the core runs: ``WORKER_PROCESSES`` processes, or (0) a thread of this process."""

    def __init__(self, configuration: Configuration) -> None:
        self.configuration = configuration
        self.count = configuration.settings.workers()
        self._pool: Any = None
        self._thread: Any = None
        self._core: Any = None

    @property
    def described(self) -> str:
        return f"{self.count} worker process(es)" if self.count else "the core in a thread"

    async def start(self) -> None:
        from adapters.jobs import local_runner
        from mentorbot.core import start_core
        from mentorbot.worker import WorkerLoop
        from mentorbot.workers import WorkerPool, migrate_apart

        await migrate_apart()  # in a process of its own: Alembic stays out of this one's memory
        if self.count:
            self._pool = WorkerPool(self.count)
            await self._pool.start()
            self.run = self._pool
            return
        self._thread = WorkerLoop()
        self._thread.start()
        self._core = await self._thread(start_core(self.configuration, _cadence_jobs()))
        local = local_runner(self._core.turns)
        thread = self._thread

        async def run(job: Job) -> Outcome:
            return await thread(local(job))

        self.run = run

    async def stop(self) -> None:
        if self._pool is not None:
            await self._pool.stop()
        if self._thread is not None:
            await self._thread(self._core.close())
            self._thread.stop()


def _platform_command(configuration: Configuration, name: str) -> tuple[PlatformSpec[Any], CliCommand[Any]] | None:
    """The platform command called ``name`` (Teams' ``teams-package``), with its platform; None if none is."""
    for platform in configuration.platforms:
        for command in platform.commands:
            if command.name == name:
                return platform, command
    return None


def _configuration_errors(problem: ValidationError) -> str:
    """What is wrong with the settings, one line each, without the values given (they may be secrets)."""
    lines = []
    for error in problem.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error["loc"]).upper()
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"  {where}: {message}" if where and not message.startswith(where) else f"  {message}")
    return "\n".join(lines)


def _terminal_locale() -> str:
    """The terminal's language (``fr_BE.UTF-8``), which the console reports as a platform reports a
    person's locale: a default until they choose one."""
    return next((os.environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(name)), "")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mentorbot`` console script."""
    args = _parser().parse_args(argv)
    try:
        configuration = load_configuration()
    except BadConfiguration as bad:
        details = "\n".join(_configuration_errors(problem) for problem in bad.problems)
        print(f"mentorbot: bad configuration:\n{details}", file=sys.stderr)
        return 2
    settings = configuration.settings
    command = args.command or "run"
    extra = _platform_command(configuration, command)
    if extra is not None:
        platform, platform_command = extra
        args.public_url = settings.public_url
        return platform_command.run(configuration.of(platform), args)
    if command == "simulate":
        from mentorbot.simulate import simulate

        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        asyncio.run(simulate(args.weeks, args.seed, print, verbose=args.verbose))
        return 0
    if command == "doctor":
        from mentorbot.doctor import run_doctor

        logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
        return asyncio.run(run_doctor(configuration, print))
    incomplete = configuration.problems()
    if incomplete:
        lines = "\n".join(f"  {problem}" for problem in incomplete)
        print(f"mentorbot: bad configuration:\n{lines}", file=sys.stderr)
        return 2
    if command == "run":
        command = "serve" if configuration.any_configured() else "chat"
        args.name, args.host, args.port = None, "127.0.0.1", 3000
    _configure_logging(settings, chat=command == "chat")
    try:
        if command == "migrate":
            asyncio.run(_migrate(settings))
            print("Database is up to date.")
        elif command == "chat":
            asyncio.run(_chat(settings, args.name or _default_name()))
        elif command == "import":
            return asyncio.run(_import(settings, args.file, args.program, args.dry_run))
        elif command in ("export", "restore"):
            from mentorbot.portability import run_export, run_restore

            def complain(line: str) -> None:
                print(line, file=sys.stderr)

            if command == "export":
                return asyncio.run(run_export(settings.database_url, args.tenant, args.output, print, complain))
            return asyncio.run(run_restore(settings.database_url, args.folder, print, complain))
        elif command == "serve":
            asyncio.run(_serve(configuration, args.host, args.port))
    except KeyboardInterrupt:
        return 130
    except (WorkerFailed, StartFailed, AlreadyServed) as failed:
        print(f"mentorbot: {failed}", file=sys.stderr)
        return 1
    except (OSError, SQLAlchemyError) as problem:
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(getattr(problem, "orig", None) or problem).splitlines()[0]
        print(f"mentorbot: cannot use the database at {where}: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
