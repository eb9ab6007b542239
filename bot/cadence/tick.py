"""The cadence tick: find the pairs due for a look, apply the rules, write what is due.

Only pairs whose ``next_check_at`` has come are read, so a tick costs what is due, not
what exists. Each batch is one transaction; nudges and flags are inserted by unique key,
so a tick run twice (or by two replicas at once) writes each of them once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cadence import rules
from bot.cadence.batch import Admins, TickReport, in_batches, nudge_row, raise_flag_row
from bot.cadence.hours import WorkingHours
from bot.cadence.series import continue_series
from bot.clock import Clock
from bot.formats.circle_tick import tick_circles
from bot.formats.research_tick import tick_assignments
from storage import cadence as queries
from storage.db import Database
from storage.models import MentoringSession, Pair, Program

log = logging.getLogger(__name__)

BATCH = 500
# How far back sessions and prompts are read: enough for every rule at a monthly cadence.
HISTORY = timedelta(days=120)
PROMPT_HISTORY = timedelta(days=90)


async def run_tick(db: Database, clock: Clock, batch: int = BATCH) -> TickReport:
    """Look at every pair, circle and research assignment that is due and write its due nudges
    and flags."""
    report = TickReport()
    now = clock.now()
    await in_batches(db, lambda session: _tick_batch(session, now, batch, report), batch)
    await tick_circles(db, now, report)
    await tick_assignments(db, now, report)
    if report.nudges_written or report.flags_raised:
        log.info("tick: %d pairs, %d circles and %d assignments looked at, %d nudges and %d flags written",
                 report.pairs_checked, report.circles_checked, report.assignments_checked,
                 report.nudges_written, report.flags_raised)
    return report


async def _tick_batch(session: AsyncSession, now: datetime, batch: int, report: TickReport) -> int:
    pairs = await queries.due_pairs(session, now, batch)
    if not pairs:
        return 0
    ids = [p.id for p in pairs]
    programs = await queries.programs_by_id(session, {p.program_id for p in pairs})
    people = await queries.hours_of_people(session, {x for p in pairs for x in (p.mentor_id, p.mentee_id)})
    active = await queries.active_participants(session, pairs)
    sessions = await _sessions_by_pair(session, ids, now)
    added = await _continue_series(session, pairs, programs, now)
    for row in added:
        sessions[row.pair_id or 0].append(_session_state(row))
    report.sessions_added += len(added)
    prompts: dict[int, list[rules.Prompt]] = defaultdict(list)
    for sent in await queries.prompts_of_pairs(session, ids, now - PROMPT_HISTORY):
        prompts[sent.pair_id].append(rules.Prompt(sent.person_id, sent.sent_at, sent.answered_at))
    raised = await queries.raised_flag_keys(session, ids)
    admins = Admins(session)
    nudges: list[dict[str, Any]] = []
    checks: dict[int, datetime | None] = {}
    for pair in pairs:
        program = programs[pair.program_id]
        verdict = rules.evaluate(_state(pair, program, people, active, sessions[pair.id], prompts[pair.id]), now)
        nudges += [_nudge_row(pair, planned, now) for planned in verdict.nudges]
        for flag in verdict.flags:
            if flag.key not in raised:
                report.flags_raised += await _raise(session, pair, flag, now, await admins.of(pair.program_id), nudges)
        checks[pair.id] = verdict.next_check_at
    report.nudges_written += await queries.add_nudges(session, nudges)
    await queries.set_next_checks(session, checks)
    report.pairs_checked += len(pairs)
    return len(pairs)


def _session_state(row: Any) -> rules.SessionState:
    """A session (a row of columns, or a whole one) as the rules see it."""
    return rules.SessionState(row.id, row.starts_at, timedelta(minutes=row.duration_minutes), row.status,
                              row.created_at, row.outcome_at, row.canceled_by_id)


async def _sessions_by_pair(session: AsyncSession, pair_ids: Sequence[int],
                            now: datetime) -> dict[int, list[rules.SessionState]]:
    found: dict[int, list[rules.SessionState]] = defaultdict(list)
    for row in await queries.sessions_of_pairs(session, pair_ids, now - HISTORY):
        found[row.pair_id].append(_session_state(row))
    for pair_id, held in (await queries.latest_held(session, pair_ids)).items():
        if all(s.id != held.id for s in found[pair_id]):
            found[pair_id].insert(0, _session_state(held))
    return found


async def _continue_series(session: AsyncSession, pairs: Sequence[Pair], programs: dict[int, Program],
                           now: datetime) -> list[MentoringSession]:
    """Once an occurrence of a pair's repeating series has begun, the next one goes on the calendar."""
    by_pair = {pair.id: pair for pair in pairs}

    def cadence_of(row: MentoringSession) -> str:
        pair = by_pair[row.pair_id or 0]
        return pair.cadence or programs[pair.program_id].cadence

    rows = await queries.series_of_pairs(session, list(by_pair), now - HISTORY)
    return await continue_series(session, rows, cadence_of, now)


def _state(pair: Pair, program: Program, people: dict[int, Any], active: set[tuple[int, int]],
           sessions: list[rules.SessionState], prompts: list[rules.Prompt]) -> rules.PairState:
    def side(person_id: int, role: str) -> rules.Side:
        person = people[person_id]
        hours = WorkingHours.given(person.timezone, person.platform_timezone, person.work_start, person.work_end)
        return rules.Side(person_id, role, hours, (pair.program_id, person_id) in active and person.erased_at is None)

    began = pair.started_at or pair.proposed_at
    return rules.PairState(
        pair_id=pair.id,
        cadence=pair.cadence or program.cadence,
        reminder=timedelta(hours=program.reminder_hours),
        active_since=max(began, pair.resumed_at) if pair.resumed_at else began,
        mentor=side(pair.mentor_id, "mentor"),
        mentee=side(pair.mentee_id, "mentee"),
        sessions=sessions,
        prompts=prompts,
    )


def _nudge_row(pair: Pair, planned: rules.PlannedNudge, now: datetime) -> dict[str, Any]:
    return nudge_row(pair.tenant_id, planned, now, pair_id=pair.id)


async def _raise(session: AsyncSession, pair: Pair, flag: rules.PlannedFlag, now: datetime,
                 admins: list[tuple[int, WorkingHours]], nudges: list[dict[str, Any]]) -> int:
    """Raise a pair's flag once; a new one goes to every admin of the program."""
    row = {"tenant_id": pair.tenant_id, "program_id": pair.program_id, "pair_id": pair.id,
           "person_id": flag.person_id, "kind": flag.kind, "key": flag.key, "details": flag.details}
    return await raise_flag_row(session, row, now, admins, nudges)
