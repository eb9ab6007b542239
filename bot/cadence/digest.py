"""The weekly digest for program admins: how the week went and what needs them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select

from bot.i18n import _
from bot.i18n import formats
from bot.cadence.flags import open_flags
from bot.cadence.hours import WorkingHours
from bot.cadence.outbox import nudge_row
from bot.clock import Clock
from bot.messages import Button, Message, say_fields
from storage import cadence as queries
from storage.db import Database
from storage.enums import NudgeKind, PairStatus, SessionStatus
from storage.models import MentoringSession, Pair, Program
from storage.repository import Repository

WEEK = timedelta(days=7)


def week_of(moment: datetime, zone: ZoneInfo) -> tuple[str, datetime]:
    """The ISO week of ``moment`` where the admin is (``2027-W02``), and when it began."""
    local = moment.astimezone(zone)
    year, week, weekday = local.isocalendar()
    monday = (local - timedelta(days=weekday - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    start = datetime.combine(monday.date(), monday.time(), zone)
    return f"{year}-W{week:02d}", start


async def write_digests(db: Database, clock: Clock) -> int:
    """Queue this week's digest for every admin of every active program, once per week, at the
    start of their working week (or now, if that has passed)."""
    now, written = clock.now(), 0
    async with db.transaction() as session:
        for program in await queries.active_programs(session):
            rows = []
            for admin, profile in await queries.admins_of(session, program.id):
                hours = WorkingHours.of(admin, profile)
                week, monday = week_of(now, hours.zone)
                if hours.next_working(monday) > now:
                    continue
                rows.append(nudge_row(program.tenant_id, admin.id, NudgeKind.DIGEST,
                                      f"digest:{program.id}:{admin.id}:{week}", hours.next_working(now), now,
                                      payload={"program_id": program.id, "week": week}))
            written += await queries.add_nudges(session, rows)
    return written


async def digest_message(repo: Repository, program: Program, zone: ZoneInfo, now: datetime,
                         titles: Mapping[str, str]) -> Message:
    """The digest of ``program`` for the seven days before ``now``; ``titles`` name each kind of
    flag (see :func:`bot.registry.flag_titles`)."""
    health = await repo.program_health(program.id, now - WEEK, now)
    flags = await open_flags(repo, program.id)
    kinds = {kind: sum(1 for f in flags if f.kind == kind) for kind in titles}
    unscheduled = await _without_next_session(repo, program.id, now)
    waiting = await _awaiting_outcome(repo, program.id, now)
    fields = [
        (_("Active pairs"), str(health["active_pairs"])),
        (_("Sessions held"), str(health["held"])),
        (_("Canceled or missed"), str(health["canceled"])),
        (_("Pairs with nothing on the calendar"), str(unscheduled)),
        (_("Sessions whose outcome nobody reported"), str(waiting)),
        (_("Open flags"), ", ".join(f"{n} {_(titles[k])}" for k, n in kinds.items() if n) or _("none")),
    ]
    lead = _("*Weekly digest: {program}* (the seven days to {day})", program=program.name,
             day=formats.day_in_year(now.astimezone(zone)))
    buttons = [Button.for_command(_("Open flags"), f'flagged program="{program.name}"')] if flags else []
    return say_fields(lead, fields, *buttons)


async def _without_next_session(repo: Repository, program_id: int, now: datetime) -> int:
    upcoming = exists().where(MentoringSession.pair_id == Pair.id, MentoringSession.status == SessionStatus.SCHEDULED,
                              MentoringSession.starts_at > now)
    query = select(func.count()).select_from(Pair).where(
        Pair.tenant_id == repo.tenant_id, Pair.program_id == program_id, Pair.status == PairStatus.ACTIVE, ~upcoming)
    return int(await repo.session.scalar(query) or 0)


async def _awaiting_outcome(repo: Repository, program_id: int, now: datetime) -> int:
    query = select(func.count()).select_from(MentoringSession).where(
        MentoringSession.tenant_id == repo.tenant_id, MentoringSession.program_id == program_id,
        MentoringSession.status == SessionStatus.SCHEDULED, MentoringSession.starts_at <= now)
    return int(await repo.session.scalar(query) or 0)
