"""The bot's own health, told to the program admins before their people notice.

Three things go wrong in a way people feel: a message that can never be delivered (the bot was
removed from a workspace, a person was deactivated, the app was uninstalled in Teams, the bot
is not in a channel), messages piling up undelivered, and a cadence job that keeps failing.
Each writes a ``health`` nudge to the admins (:func:`tell_admins`): one message per kind of
trouble per admin per day, in their working hours, saying what failed and what to do. The
outbox's unique keys are what keeps it to one a day. ``/mentoring status`` shows the whole
picture (:func:`status_message`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cadence.hours import WorkingHours
from bot.cadence.nudges import Context
from bot.cadence.outbox import nudge_row
from bot.clock import Clock
from bot.i18n import N_, _, ngettext
from bot.messages import Message, say, say_fields
from bot.metrics import reason_label
from storage import cadence as cadence_queries
from storage import health as queries
from storage.db import Database
from storage.enums import NudgeKind, NudgeStatus
from storage.models import Enrollment, JobRun, Nudge, Person, Program
from storage.repository import Repository

log = logging.getLogger(__name__)

UNREACHABLE, BACKLOG, JOB_FAILING = "unreachable", "backlog", "job_failing"
DAY = timedelta(days=1)
UNREACHABLE_WINDOW = timedelta(days=7)
"""How far back ``/mentoring status`` looks for people the bot could not reach."""


@dataclass(frozen=True)
class Limits:
    """When the admins hear of trouble: more than ``backlog`` messages due and not sent, the oldest
    due one waiting more than ``oldest_due``, or a job failing ``job_failures`` times in a row."""

    backlog: int = 500
    oldest_due: timedelta = timedelta(minutes=30)
    job_failures: int = 3


@dataclass(frozen=True)
class Reason:
    """Why a message could not be delivered, and what an admin can do about it."""

    what: str
    todo: str


_REMOVED = Reason(N_("the bot's access to the workspace is gone (the app was removed, or its token revoked)"),
                  N_("reinstall the app in the workspace, then run `mentorbot doctor` on the server"))
_DEACTIVATED = Reason(N_("their account is deactivated or no longer exists"),
                      N_("nothing to do if they left; otherwise ask your workspace admin to reactivate them"))
_TEAMS_GONE = Reason(N_("Teams refused: the app was uninstalled, or the person blocked or removed it"),
                     N_("ask them to add the app again in Teams (or reinstall it for them)"))
_CREDENTIALS = Reason(N_("the platform refused the bot's credentials"),
                      N_("check the app id and password (or token) on the server with `mentorbot doctor`"))
REASONS: dict[str, Reason] = {
    "not_in_channel": Reason(N_("the bot is not a member of the channel it posts to"),
                             N_("invite the bot to the channel (in Slack: `/invite @mentorbot`)")),
    "channel_not_found": Reason(N_("the channel no longer exists, or the bot cannot see it"),
                                N_("choose another channel for the lunch-and-learn, or invite the bot to it")),
    "is_archived": Reason(N_("the channel is archived"), N_("unarchive it, or choose another channel")),
    "account_inactive": _REMOVED, "token_revoked": _REMOVED, "invalid_auth": _REMOVED, "not_authed": _REMOVED,
    "workspace_not_installed": _REMOVED, "team_access_not_granted": _REMOVED,
    "user_not_found": _DEACTIVATED, "users_not_found": _DEACTIVATED, "user_disabled": _DEACTIVATED,
    "cannot_dm_bot": Reason(N_("the person's account cannot receive direct messages from apps"),
                            N_("ask your workspace admin to allow it")),
    "http_403": _TEAMS_GONE, "http_404": _TEAMS_GONE,
    "http_401": _CREDENTIALS, "no_token": _CREDENTIALS,
    "no_address": Reason(N_("they were never seen on Slack or Teams (imported from HR, not found there yet)"),
                         N_("check their email address in the HR list, or ask them to message the bot once")),
    "no_deliverer_for_platform": Reason(N_("their platform is not configured on this server"),
                                        N_("set that platform's settings on the server (`mentorbot doctor` checks them)")),
    "rate_limited": Reason(N_("the platform kept refusing messages sent too fast"),
                           N_("nothing: sending resumes by itself (lower SLACK_DELIVERY_BUDGET_PER_MINUTE if it lasts)")),
}
UNKNOWN = Reason(N_("the platform refused the message"), N_("the server's log says why; `mentorbot doctor` checks the setup"))
JOB_CONSEQUENCES = {
    "tick": N_("reminders, check-in questions and flags are not being written"),
    "deliver": N_("messages are not going out"),
    "periodic_nudges": N_("digests, pulses and evaluations are not being written"),
    "housekeeping": N_("paused people are not being resumed"),
    "reach_imported": N_("imported people are not being found and invited"),
    "health": N_("the bot cannot check its own health"),
}


def explain(error: str | None) -> Reason:
    """Why a delivery failed, from the error the outbox recorded, in words an admin can act on."""
    return REASONS.get(reason_label(error), UNKNOWN)


# --- telling the admins -----------------------------------------------------------------


async def tell_admins(session: AsyncSession, tenant_id: int, notice: str, details: dict[str, object], now: datetime,
                      program_ids: Iterable[int] | None = None) -> int:
    """Queue a ``health`` message about ``notice`` for the admins of ``program_ids`` (default:
    every active program of the tenant): at most one per admin, kind and day, in their working
    hours. How many were new."""
    if program_ids is None:
        program_ids = (await session.scalars(select(Program.id).where(
            Program.tenant_id == tenant_id, Program.status == "active").order_by(Program.id))).all()
    rows, seen = [], set()
    for program_id in program_ids:
        for admin, profile in await cadence_queries.admins_of(session, program_id):
            if admin.id in seen or admin.tenant_id != tenant_id:
                continue
            seen.add(admin.id)
            hours = WorkingHours.of(admin, profile)
            due = hours.next_working(now)
            rows.append(nudge_row(tenant_id, admin.id, NudgeKind.HEALTH,
                                  f"health:{notice}:{hours.local(due).date().isoformat()}:{admin.id}", due, now,
                                  payload={"notice": notice, **details}))
    return await cadence_queries.add_nudges(session, rows)


async def delivery_failed(session: AsyncSession, nudge: Nudge, error: str, now: datetime) -> int:
    """A message failed for good: tell the admins of the recipient's programs (of every active
    program of the tenant when they are in none). Health messages themselves tell nobody."""
    if nudge.kind == NudgeKind.HEALTH:
        return 0
    programs = (await session.scalars(select(Enrollment.program_id).join(Program, Program.id == Enrollment.program_id)
                                      .where(Enrollment.person_id == nudge.person_id, Program.status == "active"))).all()
    told = await tell_admins(session, nudge.tenant_id, UNREACHABLE,
                             {"person_id": nudge.person_id, "reason": reason_label(error)}, now, programs or None)
    if told:
        log.info("told %d admin(s) that a message to person %s could not be delivered", told, nudge.person_id)
    return told


async def check_backlog(db: Database, clock: Clock, limits: Limits) -> int:
    """The ``health`` job: tell the admins of each tenant whose undelivered messages pile up."""
    now, told = clock.now(), 0
    async with db.transaction() as session:
        for tenant_id, backlog in (await queries.backlogs(session, now)).items():
            waited = now - backlog.oldest_due_at if backlog.oldest_due_at else timedelta(0)
            if backlog.due <= limits.backlog and waited <= limits.oldest_due:
                continue
            log.warning("tenant %s: %d message(s) due and not sent, the oldest for %d min", tenant_id, backlog.due,
                        waited.total_seconds() // 60)
            told += await tell_admins(session, tenant_id, BACKLOG,
                                      {"due": backlog.due, "minutes": int(waited.total_seconds() // 60)}, now)
    return told


async def job_ran(db: Database, name: str, now: datetime, error: str | None, limits: Limits) -> None:
    """Record how a run of cadence job ``name`` ended; when it has failed ``limits.job_failures``
    times in a row, tell the admins of every active program."""
    async with db.transaction() as session:
        in_a_row = await queries.job_ended(session, name, now, error)
        if error is None or in_a_row != limits.job_failures:
            return
        log.error("cadence job %s failed %d times in a row: telling the program admins", name, in_a_row)
        tenants = (await session.scalars(select(Program.tenant_id).where(Program.status == "active").distinct())).all()
        for tenant_id in tenants:
            await tell_admins(session, tenant_id, JOB_FAILING, {"job": name, "failures": in_a_row}, now)


async def job_started(db: Database, name: str, now: datetime) -> None:
    """Record that a run of cadence job ``name`` started."""
    async with db.transaction() as session:
        await queries.job_started(session, name, now)


# --- what the admins read ---------------------------------------------------------------


async def render_notice(ctx: Context) -> Message | None:
    """The ``health`` message: what failed and what to do."""
    payload = ctx.nudge.payload
    notice = payload.get("notice")
    status = _("`/mentoring status` shows the bot's health.")
    if notice == UNREACHABLE:
        person = await ctx.repo.person(int(payload.get("person_id") or 0))
        who = person.display_name if person is not None and person.erased_at is None else _("someone")
        reason = REASONS.get(str(payload.get("reason")), UNKNOWN)
        return say(_("I could not deliver a message to {who}: {what}. What to do: {todo}. "
                     "`/mentoring status` lists everyone I cannot reach.", who=who, what=_(reason.what),
                     todo=_(reason.todo)))
    if notice == BACKLOG:
        return say(_("Messages are not going out: {due} are waiting, the oldest for {minutes} minutes. What to "
                     "do: tell whoever runs the bot's server; `mentorbot doctor` there checks the database, Slack "
                     "and Teams. {status}", due=payload.get("due"), minutes=payload.get("minutes"), status=status))
    if notice == JOB_FAILING:
        job = str(payload.get("job"))
        consequence = _(JOB_CONSEQUENCES.get(job, N_("part of the program's cadence is not running")))
        return say(_("The bot's {job} job failed {failures} times in a row, so {consequence}. What to do: tell "
                     "whoever runs the bot's server (its log says why; `mentorbot doctor` checks the setup). "
                     "{status}", job=job.replace("_", " "), failures=payload.get("failures"),
                     consequence=consequence, status=status))
    return None


async def status_message(repo: Repository, now: datetime) -> Message:
    """``/mentoring status``: the last tick, the backlog, the last day's failures and the people
    the bot cannot reach, with why."""
    session = repo.session
    runs = await queries.job_runs(session)
    backlog = (await queries.backlogs(session, now)).get(repo.tenant_id)
    failures = await queries.failures_since(session, repo.tenant_id, now - DAY)
    fields = [(_("Last tick"), _last_run(runs.get("tick"), now)),
              (_("Last delivery run"), _last_run(runs.get("deliver"), now)),
              (_("Messages waiting"), _backlog(backlog, now)),
              (_("Failed in the last 24 hours"), _failures(failures))]
    lines = [_("- {name}: {what}. What to do: {todo}.", name=await _name(repo, person_id), what=_(reason.what),
               todo=_(reason.todo))
             for person_id, reason in await unreachable_people(repo, now)]
    if lines:
        fields.append((_("People I cannot reach"), "\n" + "\n".join(lines[:20])
                       + ("\n" + _("…and {n} more", n=len(lines) - 20) if len(lines) > 20 else "")))
    else:
        fields.append((_("People I cannot reach"), _("none")))
    return say_fields(_("The bot's health:"), fields)


async def unreachable_people(repo: Repository, now: datetime) -> list[tuple[int, Reason]]:
    """People a message failed for in the last week and nothing reached since, with the last reason."""
    session = repo.session
    failures = await queries.failures_since(session, repo.tenant_id, now - UNREACHABLE_WINDOW)
    latest: dict[int, queries.Failure] = {}
    for failure in failures:
        latest.setdefault(failure.person_id, failure)
    if not latest:
        return []
    rows = await session.execute(
        select(Nudge.person_id, func.max(Nudge.sent_at))
        .where(Nudge.tenant_id == repo.tenant_id, Nudge.person_id.in_(list(latest)), Nudge.status == NudgeStatus.SENT)
        .group_by(Nudge.person_id))
    reached = {person_id: sent for person_id, sent in rows.all()}
    return [(person_id, explain(failure.error)) for person_id, failure in latest.items()
            if not ((sent := reached.get(person_id)) is not None and sent > failure.failed_at)]


async def _name(repo: Repository, person_id: int) -> str:
    person: Person | None = await repo.person(person_id)
    return person.display_name if person is not None else _("person {id}", id=person_id)


def _ago(moment: datetime, now: datetime) -> str:
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return _("just now")
    if minutes < 120:
        return _("{n} min ago", n=minutes)
    hours = minutes // 60
    return _("{n} h ago", n=hours) if hours < 48 else ngettext("{n} day ago", "{n} days ago", hours // 24)


def _last_run(run: JobRun | None, now: datetime) -> str:
    if run is None or run.last_started_at is None:
        return _("never (is the server running?)")
    if run.failures_in_a_row and run.last_failed_at is not None:
        error = (run.last_error or "").splitlines()[0][:120] if run.last_error else _("see the server's log")
        return ngettext("failed {n} time in a row, last {ago} ({error})", "failed {n} times in a row, last {ago} ({error})",
                        run.failures_in_a_row, ago=_ago(run.last_failed_at, now), error=error)
    return _("{ago}, fine", ago=_ago(run.last_succeeded_at or run.last_started_at, now))


def _backlog(backlog: queries.Backlog | None, now: datetime) -> str:
    if backlog is None or not backlog.due:
        return _("none due")
    if backlog.oldest_due_at:
        return _("{n} due, the oldest due {ago}", n=backlog.due, ago=_ago(backlog.oldest_due_at, now))
    return _("{n} due", n=backlog.due)


def _failures(failures: Iterable[queries.Failure]) -> str:
    counts: dict[str, int] = {}
    for failure in failures:
        label = reason_label(failure.error)
        counts[label] = counts.get(label, 0) + 1
    if not counts:
        return _("none")
    return f"{sum(counts.values())} ({', '.join(f'{label}: {n}' for label, n in sorted(counts.items()))})"
