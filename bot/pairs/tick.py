"""The pairs' part of the cadence tick: find the pairs due for a look, apply
:mod:`bot.pairs.rules`, write what is due.

Only pairs whose ``next_check_at`` has come are read, so a tick costs what is due, not what
exists; each batch is one transaction across tenants (see :mod:`bot.cadence.tick`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cadence.hours import WorkingHours
from bot.cadence.rules import Prompt, SessionState, Side
from bot.cadence.series import continue_series
from bot.cadence.tick import TickBatch, TickReport, in_batches
from bot.pairs import rules
from storage import cadence as queries
from storage.db import Database
from storage.models import MentoringSession, Program

BATCH = 2000
# How far back sessions and prompts are read: enough for every rule at a monthly cadence.
HISTORY = timedelta(days=120)
PROMPT_HISTORY = timedelta(days=90)


async def tick_pairs(db: Database, now: datetime, report: TickReport, batch: int = BATCH) -> None:
    """Look at every pair that is due and write its due nudges and flags."""
    await in_batches(db, lambda session: _tick_batch(session, now, batch, report), batch)


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
        sessions[row.pair_id or 0].append(SessionState.of(row))
    report.sessions_added += len(added)
    prompts: dict[int, list[Prompt]] = defaultdict(list)
    for sent in await queries.prompts_of_pairs(session, ids, now - PROMPT_HISTORY):
        prompts[sent.pair_id].append(Prompt(sent.person_id, sent.sent_at, sent.answered_at, sent.key))
    writes = TickBatch(session, now, await queries.raised_flag_keys(session, ids))
    for pair in pairs:
        state = _state(pair, programs[pair.program_id], people, active, sessions[pair.id], prompts[pair.id])
        await writes.record(pair.id, rules.evaluate(state, now), tenant_id=pair.tenant_id,
                            program_id=pair.program_id, pair_id=pair.id)
    return await writes.finish(report, "pairs", queries.set_next_checks)


async def _sessions_by_pair(session: AsyncSession, pair_ids: Sequence[int],
                            now: datetime) -> dict[int, list[SessionState]]:
    found: dict[int, list[SessionState]] = defaultdict(list)
    for row in await queries.sessions_of_pairs(session, pair_ids, now - HISTORY):
        found[row.pair_id].append(SessionState.of(row))
    return found


async def _continue_series(session: AsyncSession, pairs: Sequence[Any], programs: dict[int, Program],
                           now: datetime) -> list[MentoringSession]:
    """Once an occurrence of a pair's repeating series has begun, the next one goes on the calendar."""
    by_pair = {pair.id: pair for pair in pairs}

    def cadence_of(row: MentoringSession) -> str:
        pair = by_pair[row.pair_id or 0]
        return pair.cadence or programs[pair.program_id].cadence

    rows = await queries.series_of_pairs(session, list(by_pair), now - HISTORY, now)
    return await continue_series(session, rows, cadence_of, now)


def _state(pair: Any, program: Program, people: dict[int, Any], active: set[tuple[int, int]],
           sessions: list[SessionState], prompts: list[Prompt]) -> rules.PairState:
    def side(person_id: int, role: str) -> Side:
        person = people[person_id]
        hours = WorkingHours.of_row(person)
        return Side(person_id, role, hours, (pair.program_id, person_id) in active and person.erased_at is None)

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
