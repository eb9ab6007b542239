"""Queries on goals, skill ratings, check-ins and feedback (always within one tenant)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import GoalStatus, PairStatus, SessionStatus
from storage.models import CheckIn, Feedback, Goal, MentoringSession, Pair, SkillRating
from storage.repository import Repository, insert_ignoring_conflicts


async def goals_of(repo: Repository, pair_id: int, include_dropped: bool = False) -> Sequence[Goal]:
    """A pair's goals, oldest first."""
    query = repo.scoped(Goal).where(Goal.pair_id == pair_id)
    if not include_dropped:
        query = query.where(Goal.status != GoalStatus.DROPPED)
    return await repo.all(query.order_by(Goal.id))


async def skill_ratings(repo: Repository, program_id: int, person_id: int, stage: str) -> dict[str, int]:
    """A person's ratings of the program's baseline skills at ``stage``, by skill."""
    rows = await repo.all(repo.scoped(SkillRating).where(
        SkillRating.program_id == program_id, SkillRating.person_id == person_id, SkillRating.stage == stage))
    return {row.skill: row.rating for row in rows}


async def rate_skill(repo: Repository, program_id: int, person_id: int, skill: str, stage: str, rating: int,
                     now: datetime) -> None:
    """Record (or correct) a rating of a baseline skill at ``stage``."""
    found = await repo.one_or_none(repo.scoped(SkillRating).where(
        SkillRating.program_id == program_id, SkillRating.person_id == person_id, SkillRating.skill == skill,
        SkillRating.stage == stage))
    if found is None:
        repo.add(SkillRating(program_id=program_id, person_id=person_id, skill=skill, stage=stage, rating=rating,
                             rated_at=now))
    else:
        found.rating, found.rated_at = rating, now


async def checkin_of(repo: Repository, session_id: int, person_id: int) -> CheckIn | None:
    """A person's check-in after a session."""
    return await repo.one_or_none(repo.scoped(CheckIn).where(CheckIn.session_id == session_id,
                                                             CheckIn.person_id == person_id))


async def feedback_of(repo: Repository, pair_id: int, person_id: int, kind: str, period: str) -> Feedback | None:
    """A person's answer of ``kind`` for ``period`` about a pair."""
    return await repo.one_or_none(repo.scoped(Feedback).where(
        Feedback.pair_id == pair_id, Feedback.person_id == person_id, Feedback.kind == kind,
        Feedback.period == period))


async def feedback_row(repo: Repository, pair: Pair, person_id: int, kind: str, period: str,
                       now: datetime) -> Feedback:
    """The person's answer of ``kind`` for ``period`` about ``pair``, created empty if needed
    (two taps at once: one insert wins)."""
    found = await feedback_of(repo, pair.id, person_id, kind, period)
    if found is None:
        await repo.session.execute(insert_ignoring_conflicts(
            repo.session, Feedback, tenant_id=repo.tenant_id, program_id=pair.program_id, pair_id=pair.id,
            person_id=person_id, kind=kind, period=period, answers={}, created_at=now))
        found = await feedback_of(repo, pair.id, person_id, kind, period)
    assert found is not None
    return found


async def held_count(repo: Repository, pair_id: int) -> int:
    """How many sessions of a pair were held."""
    query = select(func.count()).select_from(MentoringSession).where(
        MentoringSession.tenant_id == repo.tenant_id, MentoringSession.pair_id == pair_id,
        MentoringSession.status == SessionStatus.HELD)
    return int(await repo.session.scalar(query) or 0)


async def latest_held_without_checkin(repo: Repository, pair_ids: Sequence[int],
                                      person_id: int) -> MentoringSession | None:
    """The newest held session of these pairs the person has not checked in on."""
    answered = select(CheckIn.session_id).where(CheckIn.tenant_id == repo.tenant_id, CheckIn.person_id == person_id)
    return await repo.one_or_none(repo.scoped(MentoringSession).where(
        MentoringSession.pair_id.in_(pair_ids), MentoringSession.status == SessionStatus.HELD,
        MentoringSession.id.not_in(answered)).order_by(MentoringSession.starts_at.desc()).limit(1))


async def running_pairs(session: AsyncSession, program_id: int) -> Sequence[Pair]:
    """A program's active pairs (for the periodic questions)."""
    rows = await session.scalars(select(Pair).where(Pair.program_id == program_id, Pair.status == PairStatus.ACTIVE))
    return list(rows)
