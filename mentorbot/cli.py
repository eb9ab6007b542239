"""The ``mentorbot`` command line: the one place that wires storage, core and adapters."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from pydantic import SecretStr, ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from mentorbot.settings import Settings

if TYPE_CHECKING:
    from bot.engine import MentorBot
    from mentorbot.server import Routed
    from mentorbot.worker import WorkerLoop
    from storage.db import Database

log = logging.getLogger("mentorbot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mentorbot", description="A reverse-mentoring bot for Slack and Teams.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="migrate, then serve Slack/Teams if configured, else chat in the terminal")
    chat = commands.add_parser("chat", help="chat with the bot in the terminal")
    chat.add_argument("--as", dest="name", default=None, help="who you are (default: your login name)")
    serve = commands.add_parser("serve", help="run the HTTP server (Slack, Teams, /healthz)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3000)
    commands.add_parser("migrate", help="bring the database schema up to date")
    simulate = commands.add_parser("simulate", help="run a sample program on a fake clock and print what happens "
                                   "(a scratch database; yours is not touched)")
    simulate.add_argument("--weeks", type=_positive(52), default=12, help="how many weeks to simulate (1-52)")
    simulate.add_argument("--seed", type=int, default=1, help="the random seed: the same seed gives the same run")
    simulate.add_argument("--verbose", action="store_true", help="also print every message the bot sends")
    package = commands.add_parser("teams-package", help="write the Teams app package (a zip) to upload in Teams")
    package.add_argument("--output", type=Path, default=Path("mentorbot-teams.zip"),
                         help="the zip to write, or a directory to write mentorbot-teams.zip into "
                              "(default: ./mentorbot-teams.zip)")
    return parser


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
    # In the terminal chat, log lines would interleave with the conversation: use a file.
    filename = settings.log_file or ("mentorbot.log" if chat else None)
    logging.basicConfig(
        level=settings.log_level,
        filename=filename,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # aiosqlite logs every call at DEBUG: hundreds of KB at start-up, nothing an operator needs.
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.getLogger().level))


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


async def _read_line(prompt: str) -> str | None:
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None


async def _chat(settings: Settings, name: str) -> None:
    from adapters.console.chat import ConsoleChat
    from adapters.console.delivery import ConsoleDelivery
    from bot.clock import SystemClock
    from bot.engine import MentorBot
    from bot.registry import render_nudge, run_tick, write_periodic_nudges
    from bot.turn import Limits
    from scheduler.service import CadenceScheduler, start_cadence
    from storage.db import Database

    try:
        import readline  # noqa: F401 - line editing and history for input()
    except ImportError:  # pragma: no cover - not on every platform
        pass
    await _migrate(settings)
    db = Database(settings.database_url)
    cadence: CadenceScheduler | None = None
    try:
        bot = MentorBot(db, limits=Limits(max_text=settings.max_text_length))
        console = ConsoleDelivery(print)
        # Nudges show up in the terminal while chatting. Only console people's nudges are
        # claimed: a chat on a database that also serves Slack or Teams leaves theirs alone.
        cadence = await start_cadence(db, SystemClock(), {console.platform: console}, render=render_nudge,
                                      tick=run_tick, periodic_nudges=write_periodic_nudges,
                                      tick_seconds=settings.cadence_tick_seconds,
                                      drain_seconds=settings.outbox_drain_seconds, own_platforms_only=True)
        await ConsoleChat(bot, name).run(_read_line, print)
    finally:
        if cadence is not None:
            await cadence.shutdown()
        await db.close()


def _adapters(settings: Settings, bot: MentorBot, db: Database, worker: WorkerLoop) -> list[Routed]:
    """The platform adapters the settings configure."""
    adapters: list[Routed] = []
    if settings.slack_configured:
        from adapters.slack.app import SlackAdapter, SlackConfig

        assert settings.slack_signing_secret is not None
        config = SlackConfig(
            signing_secret=settings.slack_signing_secret.get_secret_value(),
            api_url=settings.slack_api_url,
            bot_token=_secret(settings.slack_bot_token),
            client_id=settings.slack_client_id,
            client_secret=_secret(settings.slack_client_secret),
            budget_per_minute=settings.slack_delivery_budget_per_minute,
            public_url=settings.public_url,
        )
        adapters.append(SlackAdapter(bot, config, db.engine, offload=worker))
    if settings.teams_configured:
        from adapters.teams.app import TeamsAdapter, TeamsConfig

        teams = TeamsConfig(
            app_id=settings.microsoft_app_id or "",
            app_password=_secret(settings.microsoft_app_password) or "",
            app_type=settings.microsoft_app_type,
            app_tenant_id=settings.microsoft_app_tenant_id or "",
            allow_unauthenticated=settings.teams_allow_unauthenticated,
            public_url=settings.public_url,
        )
        adapters.append(TeamsAdapter(bot, teams, offload=worker))
    return adapters


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


async def _serve(settings: Settings, host: str, port: int) -> None:
    from aiohttp import web

    from bot.clock import SystemClock
    from bot.delivery import Deliverer
    from bot.engine import MentorBot
    from bot.registry import render_nudge, run_tick, write_periodic_nudges
    from bot.turn import Limits
    from mentorbot.server import build_app
    from mentorbot.worker import WorkerLoop
    from scheduler.outbox import loop_deliverer
    from scheduler.service import CadenceScheduler, start_cadence
    from storage.db import Database

    await _migrate(settings)
    # Two engines: one for this loop (health checks, Slack installations), one for the
    # worker loop where conversations run; database connections belong to one loop.
    db, work_db = Database(settings.database_url), Database(settings.database_url)
    worker = WorkerLoop()
    worker.start()
    bot = MentorBot(work_db, limits=Limits(max_text=settings.max_text_length))
    adapters = _adapters(settings, bot, db, worker)
    runner = web.AppRunner(build_app(db, adapters))
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("serving on http://%s:%s (Slack: %s, Teams: %s)", host, port,
             "on" if settings.slack_configured else "off", "on" if settings.teams_configured else "off")
    # The cadence runs on the worker loop, beside work_db; each adapter delivers on this
    # loop, where its HTTP sessions (and Slack's installation store) live.
    here = asyncio.get_running_loop()
    deliverers: dict[str, Deliverer] = {}
    for adapter in adapters:
        if callable(getattr(adapter, "deliver", None)):
            deliverer = cast(Deliverer, adapter)
            deliverers[deliverer.platform] = loop_deliverer(deliverer, here)
    cadence: CadenceScheduler | None = None
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        here.add_signal_handler(signum, stop.set)
    try:
        cadence = await worker(start_cadence(
            work_db, SystemClock(), deliverers, render=render_nudge, tick=run_tick, periodic_nudges=write_periodic_nudges,
            tick_seconds=settings.cadence_tick_seconds, drain_seconds=settings.outbox_drain_seconds))
        await stop.wait()
        log.info("shutting down")
    finally:
        if cadence is not None:
            await worker(cadence.shutdown())
        await runner.cleanup()
        for adapter in adapters:
            await adapter.close()
        await worker(work_db.close())
        worker.stop()
        await db.close()


def _teams_package(settings: Settings, output: Path) -> int:
    """Write the Teams app package for the Azure bot MICROSOFT_APP_ID; the exit status."""
    from adapters.teams.package import write_package

    if not settings.microsoft_app_id:
        print("mentorbot: MICROSOFT_APP_ID is not set: set it to your Azure bot's Microsoft App ID "
              "(a GUID; see the README, Install in Microsoft Teams).", file=sys.stderr)
        return 2
    try:
        path = write_package(settings.microsoft_app_id, output)
    except ValueError as problem:
        print(f"mentorbot: {problem}", file=sys.stderr)
        return 2
    except OSError as problem:
        print(f"mentorbot: cannot write {output}: {problem.strerror or problem}", file=sys.stderr)
        return 1
    print(f"Wrote {path}. Upload it in the Teams admin center (Teams apps > Manage apps > Upload new app) "
          "or in Teams (Apps > Manage your apps > Upload an app).")
    return 0


def _configuration_errors(problem: ValidationError) -> str:
    """What is wrong with the settings, one line each, without the values given (they may be secrets)."""
    lines = []
    for error in problem.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error["loc"]).upper()
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"  {where}: {message}" if where and not message.startswith(where) else f"  {message}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mentorbot`` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as problem:
        print(f"mentorbot: bad configuration:\n{_configuration_errors(problem)}", file=sys.stderr)
        return 2
    command = args.command or "run"
    if command == "teams-package":
        return _teams_package(settings, args.output)
    if command == "simulate":
        from mentorbot.simulate import simulate

        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        asyncio.run(simulate(args.weeks, args.seed, print, verbose=args.verbose))
        return 0
    incomplete = settings.teams_registration_problem()
    if incomplete:
        print(f"mentorbot: bad configuration:\n  {incomplete}", file=sys.stderr)
        return 2
    if command == "run":
        command = "serve" if settings.slack_configured or settings.teams_configured else "chat"
        args.name, args.host, args.port = None, "127.0.0.1", 3000
    _configure_logging(settings, chat=command == "chat")
    try:
        if command == "migrate":
            asyncio.run(_migrate(settings))
            print("Database is up to date.")
        elif command == "chat":
            asyncio.run(_chat(settings, args.name or _default_name()))
        elif command == "serve":
            asyncio.run(_serve(settings, args.host, args.port))
    except KeyboardInterrupt:
        return 130
    except (OSError, SQLAlchemyError) as problem:
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(getattr(problem, "orig", None) or problem).splitlines()[0]
        print(f"mentorbot: cannot use the database at {where}: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
