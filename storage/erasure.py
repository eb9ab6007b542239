"""Erasing a person's data (``/mentoring forget-me``) while keeping anonymous aggregates.

What goes: name, platform id and address, the profile, flow state, every free text they
wrote (private notes, goal texts, feedback comments), the content of messages to them,
match reasons and flag details about their pairs, their name in others' profiles and in
the audit log, and their admin rights. What stays, without a name: their role and the
outcomes and ratings that program reports count.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, cast, delete, func, or_, select, update

from storage.enums import EnrollmentStatus, NudgeStatus
from storage.models import (
    Attendance,
    AuditEntry,
    ConversationState,
    CheckIn,
    Enrollment,
    Feedback,
    Flag,
    Goal,
    GoalUpdate,
    Nudge,
    Pair,
    Person,
    Profile,
    ProgramAdmin,
)
from storage.repository import Repository

ERASED = "(erased)"


async def erase_person(repo: Repository, person: Person, now: datetime) -> None:
    """Anonymize ``person`` and everything they wrote; keep numbers for aggregates."""
    await repo.end_conversations(person.id)
    await _withdraw(repo, person.id, now)
    await _scrub_what_they_wrote(repo, person.id)
    await _scrub_mentions(repo, person)
    person.display_name = f"Former participant {person.id}"
    person.user_id = f"erased-{uuid.uuid4().hex}"
    person.address = None
    person.platform_timezone = None
    person.erased_at = now


def _their_pairs(tenant: int, pid: int) -> Select[int]:
    return select(Pair.id).where(Pair.tenant_id == tenant, or_(Pair.mentor_id == pid, Pair.mentee_id == pid))


async def _withdraw(repo: Repository, pid: int, now: datetime) -> None:
    """Out of every program, pair and admin list; the profile and pending messages gone."""
    tenant, session = repo.tenant_id, repo.session
    await session.execute(delete(Profile).where(Profile.tenant_id == tenant, Profile.person_id == pid))
    await session.execute(delete(ProgramAdmin).where(ProgramAdmin.tenant_id == tenant, ProgramAdmin.person_id == pid))
    await session.execute(
        update(Enrollment)
        .where(Enrollment.tenant_id == tenant, Enrollment.person_id == pid, Enrollment.status != EnrollmentStatus.LEFT)
        .values(status=EnrollmentStatus.LEFT, left_at=now)
    )
    await repo.end_pairs_of(pid, "a participant erased their data", now)
    await session.execute(
        update(Nudge)
        .where(Nudge.tenant_id == tenant, Nudge.person_id == pid,
               Nudge.status.in_([NudgeStatus.PENDING, NudgeStatus.CLAIMED]))
        .values(status=NudgeStatus.EXPIRED)
    )


async def _scrub_what_they_wrote(repo: Repository, pid: int) -> None:
    """Free text by them or about their pairs goes; numbers stay."""
    tenant, session = repo.tenant_id, repo.session
    pairs = _their_pairs(tenant, pid)
    await session.execute(
        update(CheckIn).where(CheckIn.tenant_id == tenant, CheckIn.person_id == pid).values(private_note=None, topics=[])
    )
    goals = select(Goal.id).where(Goal.tenant_id == tenant, Goal.pair_id.in_(pairs))
    await session.execute(
        update(Goal)
        .where(Goal.tenant_id == tenant, Goal.id.in_(goals))
        .values(title=ERASED, baseline_note=None, target_note=None)
    )
    await session.execute(
        update(GoalUpdate).where(GoalUpdate.tenant_id == tenant, GoalUpdate.goal_id.in_(goals)).values(note=None)
    )
    await session.execute(
        update(Attendance).where(Attendance.tenant_id == tenant, Attendance.person_id == pid).values(will_try=None)
    )
    for feedback in await repo.all(repo.scoped(Feedback).where(Feedback.person_id == pid)):
        feedback.answers = {k: v for k, v in feedback.answers.items() if isinstance(v, (int, float, bool))}
    await session.execute(update(Nudge).where(Nudge.tenant_id == tenant, Nudge.person_id == pid).values(payload={}))
    await session.execute(update(Pair).where(Pair.tenant_id == tenant, Pair.id.in_(pairs)).values(reasons=[]))
    await session.execute(
        update(Flag)
        .where(Flag.tenant_id == tenant, or_(Flag.person_id == pid, Flag.pair_id.in_(pairs)))
        .values(details={})
    )


async def _scrub_mentions(repo: Repository, person: Person) -> None:
    """Their name where others wrote it: as a manager in profiles and onboarding answers,
    and in what admins typed into audited commands."""
    names = {person.display_name.strip().lower(), person.user_id.lower()}
    await repo.session.execute(
        update(Profile)
        .where(
            Profile.tenant_id == repo.tenant_id,
            or_(Profile.manager_person_id == person.id, func.lower(Profile.manager).in_(names)),
        )
        .values(manager=None, manager_person_id=None)
    )
    for state in await repo.all(repo.scoped(ConversationState)):
        answers = state.data.get("answers", {})
        if str(answers.get("manager") or "").strip().lower() in names:
            state.data = {**state.data, "answers": {**answers, "manager": None}}
    details = func.lower(cast(AuditEntry.details, String))
    mentioning = or_(*(details.contains(name, autoescape=True) for name in names))
    for entry in await repo.all(repo.scoped(AuditEntry).where(mentioning)):
        cleaned = _without_names(entry.details, names)
        if cleaned != entry.details:
            entry.details = cleaned


def _without_names(details: dict[str, Any], names: set[str]) -> dict[str, Any]:
    """Audit details with argument values and typed text naming the person replaced."""
    args = {k: ERASED if str(v).strip().lower() in names else v for k, v in details.get("args", {}).items()}
    text = details.get("text")
    if isinstance(text, str) and any(name in text.lower() for name in names):
        text = ERASED
    cleaned = {**details, "args": args} if "args" in details else dict(details)
    if "text" in details:
        cleaned["text"] = text
    return cleaned
