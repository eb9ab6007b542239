"""The queries behind program reports and the CSV export: counts, sums and ratings, no free text.

Every query filters on the repository's tenant and one program, and leaves out pairs that
were only proposed (``started_at`` is None). Sums come back with their counts, so that the
caller can add groups together before dividing. The report queries never select a free-text
column (goal titles, notes, topics, the text answers of feedback): feedback scores are read
out of the JSON answers in SQL, key by key, and only where the value is a JSON number.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, case, cast, false, func, or_, select, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select

from storage.enums import CircleRole, CircleStatus, MemberStatus, PairStatus, SessionStatus
from storage.models import (
    AssignmentMentor,
    Attendance,
    CheckIn,
    Circle,
    CircleMember,
    Feedback,
    Flag,
    Goal,
    GoalUpdate,
    MentoringSession,
    Pair,
    Person,
    ResearchAssignment,
    SkillRating,
)
from storage.repository import Repository

TAKEN_PLACE = (SessionStatus.HELD, SessionStatus.CANCELED, SessionStatus.NO_SHOW)
"""Sessions that have taken place (or were meant to and did not); moved ones count at their new time."""


# --- shared pieces --------------------------------------------------------------------------


def _dialect(repo: Repository) -> str:
    return repo.session.bind.dialect.name if repo.session.bind else "sqlite"


def _started_pairs(repo: Repository, program_id: int) -> Select[Any]:
    """Ids of the program's pairs that were published (not mere proposals)."""
    return select(Pair.id).where(Pair.tenant_id == repo.tenant_id, Pair.program_id == program_id,
                                 Pair.started_at.is_not(None), Pair.status != PairStatus.PROPOSED)


def _program_sessions(repo: Repository, program_id: int) -> tuple[ColumnElement[bool], ...]:
    """The program's sessions, without any of a proposed pair."""
    return (MentoringSession.tenant_id == repo.tenant_id, MentoringSession.program_id == program_id,
            or_(MentoringSession.pair_id.is_(None), MentoringSession.pair_id.in_(_started_pairs(repo, program_id))))


def _by_mentor(person: Any) -> ColumnElement[Any]:
    """True when ``person`` is the pair's mentor, False when its mentee, NULL outside a pair.

    Constants rather than 'mentor'/'mentee' parameters: PostgreSQL refuses to GROUP BY an
    expression whose bound parameters are numbered differently in SELECT and GROUP BY."""
    return case((person == Pair.mentor_id, true()), (person == Pair.mentee_id, false())).label("by_mentor")


def _json_number(repo: Repository, column: Any, key: str) -> ColumnElement[Any]:
    """``column[key]`` as a float where it is a JSON number, else NULL (text is never read)."""
    if _dialect(repo) == "postgresql":
        is_number = func.json_typeof(column[key]) == "number"
    else:
        is_number = func.json_type(column, f'$."{key}"').in_(("integer", "real"))
    return case((is_number, column[key].as_float()))


def _total(expression: Any) -> ColumnElement[Any]:
    return func.coalesce(func.sum(expression), 0)


# --- people and units -----------------------------------------------------------------------


async def pairs(repo: Repository, program_id: int) -> Sequence[Any]:
    """The program's published pairs (running, paused or ended): ``id, mentor_id, mentee_id,
    status, cadence, fit_score, started_at, ended_at``."""
    rows = await repo.session.execute(
        select(Pair.id, Pair.mentor_id, Pair.mentee_id, Pair.status, Pair.cadence, Pair.fit_score,
               Pair.started_at, Pair.ended_at)
        .where(Pair.id.in_(_started_pairs(repo, program_id))).order_by(Pair.id))
    return rows.all()


async def circle_members(repo: Repository, program_id: int) -> Sequence[Any]:
    """``id, created_at, person_id, senior`` of every circle past its proposal and its hosts and
    members (person_id None: nobody; ``senior``: a member rather than a host). People only
    proposed, never confirmed, count nowhere."""
    member = and_(CircleMember.circle_id == Circle.id, CircleMember.status != MemberStatus.PROPOSED)
    rows = await repo.session.execute(
        select(Circle.id, Circle.created_at, CircleMember.person_id,
               (CircleMember.role == CircleRole.MEMBER).label("senior"))
        .outerjoin(CircleMember, member)
        .where(Circle.tenant_id == repo.tenant_id, Circle.program_id == program_id,
               Circle.status != CircleStatus.PROPOSED))
    return rows.all()


async def assignment_mentors(repo: Repository, program_id: int) -> Sequence[Any]:
    """``id, created_at, person_id, senior`` of every research assignment and its mentors
    (``senior`` is always false: the senior leaders of a lunch-and-learn are its attendees)."""
    rows = await repo.session.execute(
        select(ResearchAssignment.id, ResearchAssignment.created_at, AssignmentMentor.person_id,
               false().label("senior"))
        .outerjoin(AssignmentMentor, AssignmentMentor.assignment_id == ResearchAssignment.id)
        .where(ResearchAssignment.tenant_id == repo.tenant_id, ResearchAssignment.program_id == program_id))
    return rows.all()


async def attendees(repo: Repository, program_id: int) -> Sequence[Any]:
    """People who came to a circle meeting or a lunch-and-learn: ``circle_id, assignment_id,
    person_id``, once each."""
    s = MentoringSession
    rows = await repo.session.execute(
        select(s.circle_id, s.assignment_id, Attendance.person_id).distinct()
        .join(s, s.id == Attendance.session_id)
        .where(Attendance.tenant_id == repo.tenant_id, Attendance.attended.is_(True),
               s.status != SessionStatus.RESCHEDULED, *_program_sessions(repo, program_id)))
    return rows.all()


# --- sessions -------------------------------------------------------------------------------


async def sessions_by_mode(repo: Repository, program_id: int) -> Sequence[Any]:
    """Sessions that took place, by venue, unit and status: ``mode, pair_id, circle_id,
    assignment_id, status, sessions``."""
    s = MentoringSession
    rows = await repo.session.execute(
        select(s.mode, s.pair_id, s.circle_id, s.assignment_id, s.status, func.count().label("sessions"))
        .where(*_program_sessions(repo, program_id), s.status.in_(TAKEN_PLACE))
        .group_by(s.mode, s.pair_id, s.circle_id, s.assignment_id, s.status))
    return rows.all()


async def sessions_by_period(repo: Repository, program_id: int, bounds: Sequence[datetime]
                             ) -> dict[tuple[int, str], int]:
    """Sessions that took place in each period ``[bounds[i], bounds[i+1])``, by status:
    ``{(i, status): sessions}``."""
    s = MentoringSession
    whens = [(s.starts_at < end, index) for index, end in enumerate(bounds[1:])]
    # The period is worked out in a subquery and grouped on outside it: the CASE carries
    # bound parameters, which PostgreSQL will not match between SELECT and GROUP BY.
    inner = (select(case(*whens).label("period"), s.status)
             .where(*_program_sessions(repo, program_id), s.status.in_(TAKEN_PLACE),
                    s.starts_at >= bounds[0], s.starts_at < bounds[-1])
             .subquery())
    rows = await repo.session.execute(
        select(inner.c.period, inner.c.status, func.count()).group_by(inner.c.period, inner.c.status))
    return {(period, status): count for period, status, count in rows.all()}


# --- ratings --------------------------------------------------------------------------------


async def checkins_by_person(repo: Repository, program_id: int) -> Sequence[Any]:
    """Check-in usefulness by pair, circle or assignment and person, in one pass over the
    check-ins: ``pair_id, circle_id, assignment_id, person_id, by_mentor, total, ratings``
    (``by_mentor`` NULL outside a pair; worked out after the grouping, on one row per person
    and unit rather than on every check-in)."""
    s = MentoringSession
    grouped = (select(s.pair_id, s.circle_id, s.assignment_id, CheckIn.person_id,
                      _total(CheckIn.usefulness).label("total"), func.count(CheckIn.usefulness).label("ratings"))
               .join(s, s.id == CheckIn.session_id)
               .where(CheckIn.tenant_id == repo.tenant_id, CheckIn.usefulness.is_not(None),
                      *_program_sessions(repo, program_id))
               .group_by(s.pair_id, s.circle_id, s.assignment_id, CheckIn.person_id)
               .subquery())
    rows = await repo.session.execute(
        select(grouped.c.pair_id, grouped.c.circle_id, grouped.c.assignment_id, grouped.c.person_id,
               _by_mentor(grouped.c.person_id), grouped.c.total, grouped.c.ratings)
        .outerjoin(Pair, Pair.id == grouped.c.pair_id))
    return rows.all()


async def attendance(repo: Repository, program_id: int) -> Sequence[Any]:
    """Attendance of group and research sessions by circle or assignment: ``circle_id,
    assignment_id, came, answered, rating_total, ratings`` (``answered``: attended known).

    ``came`` and ``answered`` count the members expected (a circle's members, a lunch-and-learn's
    audience), never its hosts or presenters, whose attendance is recorded as a matter of course."""
    s = MentoringSession
    expected = and_(Attendance.attended.is_not(None), CircleMember.id.is_(None) | (CircleMember.role != CircleRole.HOST),
                    AssignmentMentor.id.is_(None))
    rows = await repo.session.execute(
        select(s.circle_id, s.assignment_id,
               _total(case((and_(expected, Attendance.attended.is_(True)), 1), else_=0)).label("came"),
               _total(case((expected, 1), else_=0)).label("answered"),
               _total(Attendance.rating).label("rating_total"), func.count(Attendance.rating).label("ratings"))
        .join(s, s.id == Attendance.session_id)
        .outerjoin(CircleMember, and_(CircleMember.circle_id == s.circle_id,
                                      CircleMember.person_id == Attendance.person_id))
        .outerjoin(AssignmentMentor, and_(AssignmentMentor.assignment_id == s.assignment_id,
                                          AssignmentMentor.person_id == Attendance.person_id))
        .where(Attendance.tenant_id == repo.tenant_id, s.status != SessionStatus.RESCHEDULED,
               *_program_sessions(repo, program_id))
        .group_by(s.circle_id, s.assignment_id))
    return rows.all()


async def goal_progress(repo: Repository, program_id: int) -> Sequence[Any]:
    """Goals with a latest rating (the end-of-cycle one, else the last check-in's), by pair:
    ``pair_id, goals, start_total, now_total``."""
    latest = func.coalesce(Goal.final_rating, Goal.current_rating)
    rows = await repo.session.execute(
        select(Goal.pair_id, func.count().label("goals"), _total(Goal.baseline_rating).label("start_total"),
               _total(latest).label("now_total"))
        .where(Goal.tenant_id == repo.tenant_id, Goal.pair_id.in_(_started_pairs(repo, program_id)),
               latest.is_not(None))
        .group_by(Goal.pair_id))
    return rows.all()


async def skill_changes(repo: Repository, program_id: int) -> Sequence[Any]:
    """Per baseline skill, the people rated at the start and at the end of the cycle:
    ``skill, people, start_total, end_total``."""
    start, end = aliased(SkillRating), aliased(SkillRating)
    rows = await repo.session.execute(
        select(start.skill, func.count().label("people"), _total(start.rating).label("start_total"),
               _total(end.rating).label("end_total"))
        .join(end, (end.tenant_id == start.tenant_id) & (end.program_id == start.program_id)
              & (end.person_id == start.person_id) & (end.skill == start.skill))
        .where(start.tenant_id == repo.tenant_id, start.program_id == program_id,
               start.stage == "start", end.stage == "end")
        .group_by(start.skill))
    return rows.all()


async def feedback_scores(repo: Repository, program_id: int, keys_by_kind: Mapping[str, Sequence[str]]
                          ) -> Sequence[Any]:
    """Feedback by side and kind: ``by_mentor, kind, answers`` (rows with a score: a row is
    made empty when a form opens), then for each key of ``keys_by_kind`` ``KEY_total``,
    ``KEY_count`` and ``KEY_people`` (who gave it) where it is a number.

    A row's answers are read only for the keys of its kind, and the people are counted from a
    first grouping by person (rather than one DISTINCT per key over every answer)."""
    keys = [key for kind_keys in keys_by_kind.values() for key in kind_keys]
    numbers = {key: case(*((Feedback.kind == kind, _json_number(repo, Feedback.answers, key))
                           for kind, kind_keys in keys_by_kind.items() if key in kind_keys)) for key in keys}
    scored = or_(*(number.is_not(None) for number in numbers.values()))
    per_person = (
        select(_by_mentor(Feedback.person_id), Feedback.kind, func.count(case((scored, 1))).label("answers"),
               *(column for key, number in numbers.items()
                 for column in (func.sum(number).label(f"{key}_total"), func.count(number).label(f"{key}_count"))))
        .join(Pair, Pair.id == Feedback.pair_id)
        .where(Feedback.tenant_id == repo.tenant_id, Feedback.program_id == program_id,
               Feedback.pair_id.in_(_started_pairs(repo, program_id)))
        .group_by(_by_mentor(Feedback.person_id), Feedback.kind, Feedback.person_id)
        .subquery())
    # Sums of counts are exact numbers (numeric) on PostgreSQL: whole numbers here.
    columns: list[Any] = [per_person.c.by_mentor, per_person.c.kind,
                          cast(_total(per_person.c.answers), Integer).label("answers")]
    for key in keys:
        count = per_person.c[f"{key}_count"]
        columns += [_total(per_person.c[f"{key}_total"]).label(f"{key}_total"),
                    cast(_total(count), Integer).label(f"{key}_count"),
                    func.count(case((count > 0, 1))).label(f"{key}_people")]
    rows = await repo.session.execute(select(*columns).group_by(per_person.c.by_mentor, per_person.c.kind))
    return rows.all()


# --- flags ----------------------------------------------------------------------------------


async def open_flags(repo: Repository, program_id: int) -> tuple[int, dict[str, int]]:
    """Pairs with an open flag, and open flags by kind."""
    where = (Flag.tenant_id == repo.tenant_id, Flag.program_id == program_id, Flag.resolved_at.is_(None))
    pairs_at_risk = await repo.session.scalar(select(func.count(Flag.pair_id.distinct())).where(*where))
    rows = await repo.session.execute(select(Flag.kind, func.count()).where(*where).group_by(Flag.kind))
    return int(pairs_at_risk or 0), {kind: count for kind, count in rows.all()}


# --- the export's rows ----------------------------------------------------------------------


async def export_pairs(repo: Repository, program_id: int) -> Sequence[Any]:
    """Published pairs with their people's names and session counts: ``id, mentor, mentee,
    status, cadence, fit_score, started_at, ended_at, held, canceled, no_show``."""
    mentor, mentee, s = aliased(Person), aliased(Person), MentoringSession

    def count(status: str) -> Any:
        return _total(cast(s.status == status, Integer)).label(status)

    rows = await repo.session.execute(
        select(Pair.id, mentor.display_name.label("mentor"), mentee.display_name.label("mentee"), Pair.status,
               Pair.cadence, Pair.fit_score, Pair.started_at, Pair.ended_at,
               count(SessionStatus.HELD), count(SessionStatus.CANCELED), count(SessionStatus.NO_SHOW))
        .join(mentor, mentor.id == Pair.mentor_id).join(mentee, mentee.id == Pair.mentee_id)
        .outerjoin(s, (s.pair_id == Pair.id) & (s.tenant_id == repo.tenant_id))
        .where(Pair.id.in_(_started_pairs(repo, program_id)))
        .group_by(Pair.id, mentor.display_name, mentee.display_name).order_by(Pair.id))
    return rows.all()


async def export_sessions(repo: Repository, program_id: int) -> AsyncIterator[Sequence[Any]]:
    """Every session of the program (the place, which people type, is left out), in batches
    read as they come (a year of a large program is hundreds of thousands of rows)."""
    s = MentoringSession
    query = (select(s.id, s.pair_id, s.circle_id, s.assignment_id, s.starts_at, s.duration_minutes, s.mode, s.status)
             .where(*_program_sessions(repo, program_id)).order_by(s.starts_at, s.id))
    async for batch in _batches(repo, query):
        yield batch


async def export_goals(repo: Repository, program_id: int) -> Sequence[Any]:
    """Goals' ratings (never their titles or notes): ``id, pair_id, status, baseline_rating,
    current_rating, final_rating, updates``."""
    updates = (select(func.count()).where(GoalUpdate.tenant_id == repo.tenant_id, GoalUpdate.goal_id == Goal.id)
               .correlate(Goal).scalar_subquery())
    rows = await repo.session.execute(
        select(Goal.id, Goal.pair_id, Goal.status, Goal.baseline_rating, Goal.current_rating, Goal.final_rating,
               updates.label("updates"))
        .where(Goal.tenant_id == repo.tenant_id, Goal.pair_id.in_(_started_pairs(repo, program_id)))
        .order_by(Goal.pair_id, Goal.id))
    return rows.all()


async def export_feedback(repo: Repository, program_id: int) -> Sequence[Any]:
    """Feedback rows of published pairs: ``pair_id, by_mentor, kind, period, answers`` (the
    caller keeps the numbers only)."""
    rows = await repo.session.execute(
        select(Feedback.pair_id, _by_mentor(Feedback.person_id), Feedback.kind, Feedback.period, Feedback.answers)
        .join(Pair, Pair.id == Feedback.pair_id)
        .where(Feedback.tenant_id == repo.tenant_id, Feedback.program_id == program_id,
               Feedback.pair_id.in_(_started_pairs(repo, program_id)))
        .order_by(Feedback.pair_id, Feedback.kind, Feedback.period, Feedback.id))
    return rows.all()


async def export_checkins(repo: Repository, program_id: int) -> AsyncIterator[Sequence[Any]]:
    """Usefulness ratings of pair sessions' check-ins: ``pair_id, by_mentor, session_id,
    usefulness``, in batches read as they come."""
    s = MentoringSession
    query = (select(s.pair_id, _by_mentor(CheckIn.person_id), s.id.label("session_id"), CheckIn.usefulness)
             .join(s, s.id == CheckIn.session_id).join(Pair, Pair.id == s.pair_id)
             .where(CheckIn.tenant_id == repo.tenant_id, CheckIn.usefulness.is_not(None),
                    *_program_sessions(repo, program_id))
             .order_by(s.pair_id, s.starts_at, CheckIn.id))
    async for batch in _batches(repo, query):
        yield batch


BATCH = 5000


async def _batches(repo: Repository, query: Any) -> AsyncIterator[Sequence[Any]]:
    """The rows of ``query``, ``BATCH`` at a time, from a server-side cursor."""
    result = await repo.session.stream(query.execution_options(yield_per=BATCH))
    async for batch in result.partitions(BATCH):
        yield batch
