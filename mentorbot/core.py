"""Where the core runs under ``mentorbot serve``: its database, the bot, each configured
platform's turns (the jobs their edges hand over, and the delivery of what the bot starts),
and, in one place only, the cadence scheduler delivering through those turns."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from adapters.jobs import Turns
from adapters.platform import TurnsWiring
from mentorbot.settings import Configuration

if TYPE_CHECKING:
    from bot.health import Limits
    from bot.calendars.provider import Calendars
    from scheduler.outbox import Render
    from scheduler.service import CadenceScheduler, Job
    from storage.db import Database

    CadenceJobs = tuple[Render, Job, Job]

log = logging.getLogger(__name__)


@dataclass
class Core:
    """The running core of one worker."""

    db: Database
    turns: dict[str, Turns]
    cadence: CadenceScheduler | None = None
    calendars: Calendars | None = None
    closed: bool = field(default=False)

    async def close(self) -> None:
        """Stop the cadence, close the platforms' sessions and the database."""
        if self.closed:
            return
        self.closed = True
        if self.cadence is not None:
            await self.cadence.shutdown()
        for turns in self.turns.values():
            await turns.close()
        if self.calendars is not None:
            from calendars.settings import close_calendars

            await close_calendars(self.calendars)
        await self.db.close()


async def start_core(configuration: Configuration, cadence: CadenceJobs | None) -> Core:
    """The core on this loop, with the configured platforms' turns; with ``cadence`` (how a
    nudge is rendered, the tick, the periodic nudges), the cadence scheduler too."""
    from bot.clock import SystemClock
    from bot.engine import MentorBot
    from bot.turn import Limits
    from calendars.settings import build_calendars
    from scheduler.service import start_cadence
    from storage.db import Database

    from mentorbot.metrics_route import watch_database

    settings = configuration.settings
    db = Database(settings.database_url)
    watch_database(db)
    calendars = build_calendars(configuration.calendars, settings.public_url)
    bot = MentorBot(db, limits=Limits(max_text=settings.max_text_length), calendars=calendars)
    wiring = TurnsWiring(bot, db.engine, settings.public_url)
    turns = {platform.name: platform.turns(configuration.of(platform), wiring) for platform in configuration.platforms
             if platform.turns is not None and configuration.configured(platform)}
    core = Core(db, turns, calendars=calendars)
    if cadence is not None:
        render, tick, periodic_nudges = cadence
        core.cadence = await start_cadence(
            db, SystemClock(), dict(turns), render=render, tick=tick, periodic_nudges=periodic_nudges,
            tick_seconds=settings.cadence_tick_seconds, drain_seconds=settings.outbox_drain_seconds,
            reach=_reach_job(turns), limits=alert_limits(configuration), calendar_sync=_calendar_job(calendars))
    return core


def _calendar_job(calendars: Calendars) -> Job | None:
    """The ``calendar_sync`` job, when a calendar provider is configured."""
    from functools import partial

    from bot.pairs.calendar_sync import sync_calendars

    return partial(sync_calendars, calendars=calendars) if calendars.providers else None


def _reach_job(turns: dict[str, Turns]) -> Job | None:
    """The job that finds imported people in their platform's directory (Slack's, by email) and
    invites them; None when no configured platform has a directory."""
    from functools import partial

    from bot.people_import.reach import reach_imported

    directories = {name: directory for name, each in turns.items()
                   if (directory := getattr(each, "directory", None)) is not None}
    return partial(reach_imported, directories=directories) if directories else None


def alert_limits(configuration: Configuration) -> Limits:
    """When the program admins hear of trouble: ``ALERT_BACKLOG``, ``ALERT_OLDEST_DUE_MINUTES``,
    ``ALERT_JOB_FAILURES``."""
    from datetime import timedelta

    from bot.health import Limits

    settings = configuration.settings
    return Limits(backlog=settings.alert_backlog, oldest_due=timedelta(minutes=settings.alert_oldest_due_minutes),
                  job_failures=settings.alert_job_failures)
