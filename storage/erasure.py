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

from sqlalchemy import delete, or_, select, update

from storage.enums import EnrollmentStatus, NudgeStatus
from storage.models import (
    Attendance,
    AuditEntry,
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
    tenant, pid = repo.tenant_id, person.id
    await repo.end_conversations(pid)
    session = repo.session
    await session.execute(delete(Profile).where(Profile.tenant_id == tenant, Profile.person_id == pid))
    await session.execute(delete(ProgramAdmin).where(ProgramAdmin.tenant_id == tenant, ProgramAdmin.person_id == pid))
    await session.execute(
        update(Enrollment)
        .where(Enrollment.tenant_id == tenant, Enrollment.person_id == pid, Enrollment.status != EnrollmentStatus.LEFT)
        .values(status=EnrollmentStatus.LEFT, left_at=now)
    )
    await repo.end_pairs_of(pid, "a participant erased their data", now)
    their_pairs = select(Pair.id).where(Pair.tenant_id == tenant, or_(Pair.mentor_id == pid, Pair.mentee_id == pid))
    await session.execute(
        update(CheckIn).where(CheckIn.tenant_id == tenant, CheckIn.person_id == pid).values(private_note=None, topics=[])
    )
    goal_ids = select(Goal.id).where(Goal.tenant_id == tenant, Goal.pair_id.in_(their_pairs))
    await session.execute(
        update(Goal).where(Goal.id.in_(goal_ids)).values(title=ERASED, baseline_note=None, target_note=None)
    )
    await session.execute(update(GoalUpdate).where(GoalUpdate.goal_id.in_(goal_ids)).values(note=None))
    await session.execute(
        update(Attendance).where(Attendance.tenant_id == tenant, Attendance.person_id == pid).values(will_try=None)
    )
    for feedback in await repo.all(repo.scoped(Feedback).where(Feedback.person_id == pid)):
        feedback.answers = {k: v for k, v in feedback.answers.items() if isinstance(v, (int, float, bool))}
    await session.execute(
        update(Nudge)
        .where(Nudge.tenant_id == tenant, Nudge.person_id == pid, Nudge.status.in_([NudgeStatus.PENDING, NudgeStatus.CLAIMED]))
        .values(status=NudgeStatus.EXPIRED)
    )
    await session.execute(update(Nudge).where(Nudge.tenant_id == tenant, Nudge.person_id == pid).values(payload={}))
    await session.execute(update(Pair).where(Pair.id.in_(their_pairs)).values(reasons=[]))
    await session.execute(
        update(Flag)
        .where(Flag.tenant_id == tenant, or_(Flag.person_id == pid, Flag.pair_id.in_(their_pairs)))
        .values(details={})
    )
    await session.execute(
        update(Profile)
        .where(Profile.tenant_id == tenant, Profile.manager_person_id == pid)
        .values(manager=None, manager_person_id=None)
    )
    await _scrub_audit(repo, person)
    person.display_name = f"Former participant {pid}"
    person.user_id = f"erased-{uuid.uuid4().hex}"
    person.address = None
    person.erased_at = now


async def _scrub_audit(repo: Repository, person: Person) -> None:
    """Take the person's name and id out of what others typed into audited commands."""
    names = {person.display_name.lower(), person.user_id.lower()}
    for entry in await repo.all(repo.scoped(AuditEntry).where(AuditEntry.action.in_(["admin add", "admin remove"]))):
        args = dict(entry.details.get("args", {}))
        if str(args.get("name", "")).lower() in names:
            entry.details = {**entry.details, "args": {**args, "name": ERASED}}
