"""The formats a program can run, registered in one place, and what the core reads from them.

A new format is one package under ``bot/`` whose ``format.py`` builds a
:class:`~bot.program_format.Format`, plus one line in :data:`FORMATS`. The command table,
the flow lookup, the nudge renderer, the cadence tick, the periodic nudges and the admins' flag
views all read the formats from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.cadence.digest import digest_message, write_digests
from bot.cadence.nudges import Context, Renderer, render_with
from bot.cadence.tick import TickReport, run_ticks
from bot.circles.format import FORMAT as CIRCLES
from bot.clock import Clock
from bot.flows.base import Flow
from bot.health import render_notice
from bot.messages import Message
from bot.pairs.format import FORMAT as PAIRS
from bot.people_import.invitation import render_invitation
from bot.program_format import Format
from bot.research.format import FORMAT as RESEARCH
from storage import cadence as cadence_queries
from storage.db import Database
from storage.enums import NudgeKind
from storage.models import Flag, Nudge
from storage.repository import Repository

if TYPE_CHECKING:
    from bot.commands.grammar import CommandSpec

FORMATS: tuple[Format, ...] = (PAIRS, CIRCLES, RESEARCH)
"""Every format, in the order their commands are listed in help."""


def commands() -> tuple[CommandSpec, ...]:
    """Every format's commands."""
    return tuple(spec for fmt in FORMATS for spec in fmt.commands)


def flows() -> dict[str, Flow]:
    """Every format's conversation flows, by name."""
    return {flow.name: flow for fmt in FORMATS for flow in fmt.flows}


def flag_titles() -> dict[str, str]:
    """How each kind of flag is named (in the digest, the reports, the simulation)."""
    titles: dict[str, str] = {}
    for fmt in FORMATS:
        titles.update(fmt.flag_titles)
    return titles


def flag_title(kind: str) -> str:
    """How the flag kind ``kind`` is named."""
    return flag_titles().get(kind, kind.replace("_", " "))


async def describe_flag(repo: Repository, flag: Flag, zone: ZoneInfo, now: datetime) -> Message | None:
    """The flag with the context an admin needs to act, or None when what it is about is gone."""
    for fmt in FORMATS:
        if fmt.flag_view is not None and fmt.owns_flag(flag):
            return await fmt.flag_view(repo, flag, zone, now)
    return None


async def _flag(ctx: Context) -> Message | None:
    flag = await ctx.repo.one_or_none(ctx.repo.scoped(Flag).where(Flag.id == ctx.nudge.payload.get("flag_id")))
    if flag is None or flag.resolved_at is not None:
        return None
    return await describe_flag(ctx.repo, flag, ctx.zone, ctx.now)


async def _digest(ctx: Context) -> Message | None:
    program = await ctx.repo.program(int(ctx.nudge.payload.get("program_id", 0)))
    if program is None or program.status != "active":
        return None
    return await digest_message(ctx.repo, program, ctx.zone, ctx.now, flag_titles())


def renderers() -> Mapping[str, Renderer]:
    """The renderer of every kind of nudge: the core's (flags, digests, invitations, health
    notices) and each format's."""
    found: dict[str, Renderer] = {NudgeKind.FLAG: _flag, NudgeKind.DIGEST: _digest,
                                  NudgeKind.INVITATION: render_invitation, NudgeKind.HEALTH: render_notice}
    for fmt in FORMATS:
        found.update(fmt.nudges)
    return found


async def render_nudge(repo: Repository, nudge: Nudge, now: datetime) -> Message | None:
    """The message for an outbox row, or None when it should no longer go out."""
    return await render_with(renderers(), repo, nudge, now)


async def run_tick(db: Database, clock: Clock) -> TickReport:
    """The cadence tick: every format looks at what of it is due and writes its nudges and flags."""
    return await run_ticks(db, clock, [fmt.tick for fmt in FORMATS if fmt.tick is not None])


async def write_periodic_nudges(db: Database, clock: Clock) -> int:
    """The nudges that come with the calendar rather than with a session (the ``periodic_nudges``
    job, hourly): the admins' weekly digests, then each format's periodic nudges for every
    active program (the pairs' monthly pulses and end-of-cycle evaluations). How many it wrote."""
    written = await write_digests(db, clock)
    now = clock.now()
    async with db.transaction() as session:
        for program in await cadence_queries.active_programs(session):
            for fmt in FORMATS:
                if fmt.periodic_nudges is not None:
                    written += await fmt.periodic_nudges(session, program, now)
    return written
