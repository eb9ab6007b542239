"""``/mentoring export``: a program's pairs, sessions, goal progress and feedback scores as CSV files.

Ratings, counts and outcomes only: no goal title or note, no private note, no topic, no
text answer. Display names are the one thing people typed that goes in, so every text cell
is guarded against formula injection (a spreadsheet would run ``=HYPERLINK(...)``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.reports.figures import SCORE_KEYS
from storage import reports as queries
from storage.enums import ProgramFormat, Role
from storage.models import Program
from storage.repository import Repository

PAIRS, SESSIONS, GOALS, FEEDBACK = "pairs.csv", "sessions.csv", "goal_progress.csv", "feedback_scores.csv"
FILE_NAMES = (PAIRS, SESSIONS, GOALS, FEEDBACK)
MEDIA_TYPE = "text/csv"
CHECKIN = "checkin"
"""The ``kind`` of a check-in's usefulness row in ``feedback_scores.csv`` (its period: the session id)."""

PAIR_COLUMNS = ("pair_id", "mentor", "mentee", "status", "cadence", "fit_score", "started_at", "ended_at",
                "sessions_held", "sessions_canceled", "sessions_no_show")
SESSION_COLUMNS = ("session_id", "pair_id", "circle_id", "assignment_id", "format", "starts_at", "duration_minutes",
                   "mode", "status")
GOAL_COLUMNS = ("goal_id", "pair_id", "status", "baseline_rating", "latest_rating", "final_rating", "updates")
FEEDBACK_COLUMNS = ("pair_id", "role", "kind", "period")
SCORE_ORDER = (*(key for keys in SCORE_KEYS.values() for key in keys), "usefulness")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


async def csv_files(repo: Repository, program: Program) -> dict[str, bytes]:
    """The program's four CSV files (UTF-8, a header row each), by file name."""
    return {name: await csv_file(repo, program, name) for name in FILE_NAMES}


async def csv_file(repo: Repository, program: Program, name: str) -> bytes:
    """One of the program's CSV files, whole (KeyError for a name not in :data:`FILE_NAMES`)."""
    return b"".join([chunk async for chunk in csv_chunks(repo, program, name)])


async def csv_chunks(repo: Repository, program: Program, name: str) -> AsyncIterator[bytes]:
    """One of the program's CSV files in pieces, made as the rows are read: the header first
    (KeyError, before any piece, for a name not in :data:`FILE_NAMES`)."""
    if name not in FILE_NAMES:
        raise KeyError(name)
    if name == PAIRS:
        yield _csv(PAIR_COLUMNS, await _pairs(repo, program))
    elif name == GOALS:
        yield _csv(GOAL_COLUMNS, await _goals(repo, program))
    elif name == SESSIONS:
        yield _csv(SESSION_COLUMNS, [])
        async for batch in queries.export_sessions(repo, program.id):
            yield _csv((), _sessions(batch))
    else:
        async for chunk in _feedback_chunks(repo, program):
            yield chunk


def cell(value: Any) -> Any:
    """A value as a CSV cell: blank for None, ISO 8601 UTC for a time, text that a spreadsheet
    would read as a formula prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The header ``columns`` (none: a piece after the first), then ``rows`` as they are (the
    builders below pass every value that needs it through :func:`cell`: names and times; the
    rest are numbers and the bot's own words, and None is written blank)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if columns:
        writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


async def _pairs(repo: Repository, program: Program) -> list[tuple[Any, ...]]:
    return [(r.id, cell(r.mentor), cell(r.mentee), r.status, r.cadence or program.cadence,
             None if r.fit_score is None else round(r.fit_score, 3), cell(r.started_at), cell(r.ended_at), r.held,
             r.canceled, r.no_show) for r in await queries.export_pairs(repo, program.id)]


def _format(row: Any) -> str:
    if row.pair_id is not None:
        return ProgramFormat.ONE_TO_ONE
    return ProgramFormat.GROUP if row.circle_id is not None else ProgramFormat.RESEARCH


def _sessions(batch: Sequence[Any]) -> list[tuple[Any, ...]]:
    return [(r.id, r.pair_id, r.circle_id, r.assignment_id, _format(r), cell(r.starts_at), r.duration_minutes,
             r.mode, r.status) for r in batch]


async def _goals(repo: Repository, program: Program) -> list[tuple[Any, ...]]:
    return [(r.id, r.pair_id, r.status, r.baseline_rating, r.current_rating, r.final_rating, r.updates)
            for r in await queries.export_goals(repo, program.id)]


def _role(by_mentor: Any) -> str:
    return "" if by_mentor is None else Role.MENTOR if by_mentor else Role.MENTEE


def _numbers(answers: Any) -> dict[str, int | float]:
    """The numeric answers (scores); text answers, and yes/no ones, are left out."""
    if not isinstance(answers, dict):
        return {}
    return {str(key): value for key, value in answers.items()
            if isinstance(value, int | float) and not isinstance(value, bool)}


async def _feedback_chunks(repo: Repository, program: Program) -> AsyncIterator[bytes]:
    """``feedback_scores.csv``: every answer with a score, ``(pair_id, role, kind, period)`` then its
    scores, then each check-in's usefulness (its kind ``checkin``, its period the session)."""
    answers = [((r.pair_id, _role(r.by_mentor), r.kind, r.period), numbers)
               for r in await queries.export_feedback(repo, program.id) if (numbers := _numbers(r.answers))]
    found = {key for _, scores in answers for key in scores} | {"usefulness"}
    keys = [key for key in SCORE_ORDER if key in found] + sorted(found - set(SCORE_ORDER))
    yield _csv((*FEEDBACK_COLUMNS, *keys), [(*first, *(scores.get(key) for key in keys)) for first, scores in answers])
    # A check-in row has one score, usefulness: blanks before it and after it.
    blanks = (None,) * keys.index("usefulness")
    after = (None,) * (len(keys) - len(blanks) - 1)
    async for batch in queries.export_checkins(repo, program.id):
        yield _csv((), [(r.pair_id, _role(r.by_mentor), CHECKIN, str(r.session_id), *blanks, r.usefulness, *after)
                        for r in batch])
