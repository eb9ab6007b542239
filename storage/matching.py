"""Queries a matching run needs: the program's people, its pairs, past pairs, manager chains."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, or_, select

from storage.enums import EnrollmentStatus, PairStatus
from storage.models import Enrollment, Pair, Person, Profile
from storage.repository import Repository

# Pairs that hold a place: running ones and proposals not yet published.
HOLDING = (PairStatus.ACTIVE, PairStatus.PAUSED, PairStatus.PROPOSED)


PARTICIPANT_COLUMNS = (
    Person.id, Person.display_name, Person.platform_timezone, Enrollment.role,
    Profile.person_id.label("profile_id"), Profile.level, Profile.skills_offered, Profile.topics_wanted,
    Profile.topics_free_text, Profile.style, Profile.formats, Profile.location, Profile.timezone, Profile.work_start,
    Profile.work_end, Profile.languages,
)


async def participants(repo: Repository, program_id: int, today: date) -> Sequence[Any]:
    """The program's onboarded, active (not paused) participants with a role: one row each with
    what matching reads of the person, their role and their profile (``profile_id`` None when
    they have none). Plain columns, not ORM objects: a run may read ten thousand."""
    rows = await repo.session.execute(
        select(*PARTICIPANT_COLUMNS)
        .join(Enrollment, Enrollment.person_id == Person.id)
        .outerjoin(Profile, Profile.person_id == Person.id)
        .where(Person.tenant_id == repo.tenant_id, Enrollment.tenant_id == repo.tenant_id,
               Enrollment.program_id == program_id, Enrollment.status == EnrollmentStatus.ACTIVE,
               Enrollment.onboarded_at.is_not(None), Enrollment.role.is_not(None), Person.erased_at.is_(None),
               Person.leaving_at.is_(None),
               or_(Enrollment.paused_until.is_(None), Enrollment.paused_until <= today))
        .order_by(Person.id)
    )
    return rows.all()


async def active_on_side(repo: Repository, program_id: int, role: str) -> Sequence[tuple[Person, Profile | None]]:
    """The program's active participants on one side (mentors or mentees), with their profiles,
    by name: who a circle or a research assignment may draw on."""
    rows = await repo.session.execute(
        select(Person, Profile)
        .join(Enrollment, Enrollment.person_id == Person.id)
        .outerjoin(Profile, Profile.person_id == Person.id)
        .where(Enrollment.tenant_id == repo.tenant_id, Enrollment.program_id == program_id,
               Enrollment.role == role, Enrollment.status == EnrollmentStatus.ACTIVE, Person.erased_at.is_(None),
               Person.leaving_at.is_(None))
        .order_by(Person.display_name, Person.id))
    return [(person, profile) for person, profile in rows.all()]


async def holding_pairs(repo: Repository, program_id: int) -> Sequence[Pair]:
    """The program's running pairs and proposals."""
    return await repo.all(repo.scoped(Pair).where(Pair.program_id == program_id, Pair.status.in_(HOLDING))
                          .order_by(Pair.id))


async def proposals(repo: Repository, program_id: int) -> Sequence[Pair]:
    """The program's proposed pairs, best fit first."""
    return await repo.all(repo.scoped(Pair).where(Pair.program_id == program_id,
                                                  Pair.status == PairStatus.PROPOSED)
                          .order_by(Pair.fit_score.desc(), Pair.id))


async def past_pairs(repo: Repository) -> set[tuple[int, int]]:
    """(mentor, mentee) of every pair that was ever published in the tenant."""
    rows = await repo.session.execute(
        select(Pair.mentor_id, Pair.mentee_id).where(Pair.tenant_id == repo.tenant_id, Pair.started_at.is_not(None)))
    return {(mentor, mentee) for mentor, mentee in rows}


async def managers(repo: Repository) -> dict[int, tuple[int | None, str | None]]:
    """Person id -> (their manager's person id when known, the manager's name as typed)."""
    rows = await repo.session.execute(
        select(Profile.person_id, Profile.manager_person_id, Profile.manager).where(Profile.tenant_id == repo.tenant_id))
    return {person: (manager_id, name) for person, manager_id, name in rows}


async def drop_proposals(repo: Repository, program_id: int, mentee_ids: Sequence[int] | None = None) -> None:
    """Forget proposals (of some mentees, or all of the program): they were never published."""
    query = delete(Pair).where(Pair.tenant_id == repo.tenant_id, Pair.program_id == program_id,
                               Pair.status == PairStatus.PROPOSED)
    if mentee_ids is not None:
        query = query.where(Pair.mentee_id.in_(list(mentee_ids)))
    await repo.session.execute(query)
