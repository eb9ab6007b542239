"""``/mentoring export``: a program's pairs, sessions, goal progress and feedback scores as CSV files.

Ratings, counts and outcomes only: no goal title or note, no private note, no topic, no
text answer. Display names are the one thing people typed that goes in, so every text cell
is guarded against formula injection (a spreadsheet would run ``=HYPERLINK(...)``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
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
    """One of the program's CSV files (KeyError for a name not in :data:`FILE_NAMES`)."""
    if name == PAIRS:
        return _csv(PAIR_COLUMNS, await _pairs(repo, program))
    if name == SESSIONS:
        return _csv(SESSION_COLUMNS, await _sessions(repo, program))
    if name == GOALS:
        return _csv(GOAL_COLUMNS, await _goals(repo, program))
    if name == FEEDBACK:
        return _feedback_csv(await _scores(repo, program))
    raise KeyError(name)


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
    """The file: ``rows`` as they are (the builders below pass every value that needs it
    through :func:`cell`: names and times; the rest are numbers and the bot's own words, and
    None is written blank)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
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


async def _sessions(repo: Repository, program: Program) -> list[tuple[Any, ...]]:
    return [(r.id, r.pair_id, r.circle_id, r.assignment_id, _format(r), cell(r.starts_at), r.duration_minutes,
             r.mode, r.status) for r in await queries.export_sessions(repo, program.id)]


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


Scored = tuple[list[tuple[tuple[Any, ...], dict[str, int | float]]], Sequence[Any]]


async def _scores(repo: Repository, program: Program) -> Scored:
    """``((pair_id, role, kind, period), scores)`` of every answer with a score, and the check-ins'
    usefulness rows (which come after them in the file)."""
    answers = [((r.pair_id, _role(r.by_mentor), r.kind, r.period), numbers)
               for r in await queries.export_feedback(repo, program.id) if (numbers := _numbers(r.answers))]
    return answers, await queries.export_checkins(repo, program.id)


def _feedback_csv(scored: Scored) -> bytes:
    answers, checkins = scored
    found = {key for _, scores in answers for key in scores} | ({"usefulness"} if checkins else set())
    keys = [key for key in SCORE_ORDER if key in found] + sorted(found - set(SCORE_ORDER))
    rows: list[tuple[Any, ...]] = [(*first, *(scores.get(key) for key in keys)) for first, scores in answers]
    # A check-in row has one score, usefulness: blanks before it, then its value.
    blanks = (None,) * keys.index("usefulness") if checkins else ()
    after = (None,) * (len(keys) - len(blanks) - 1)
    rows += [(r.pair_id, _role(r.by_mentor), CHECKIN, str(r.session_id), *blanks, r.usefulness, *after)
             for r in checkins]
    return _csv((*FEEDBACK_COLUMNS, *keys), rows)
