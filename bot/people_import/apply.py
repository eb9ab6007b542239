"""Storing an HR import: the people known in, the plan applied, invitations queued.

Everything happens in the caller's transaction: an import with an error in any row changes
nothing, and one that fails half-way is rolled back whole. Nobody is deleted: a person
imported before and missing from the file is marked as leaving (and is no longer matched).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.cadence.hours import WorkingHours
from bot.cadence.outbox import nudge_row
from bot.people_import.csv_file import Row
from bot.people_import.plan import Entry, Known, Plan, Record, plan_import
from storage.cadence import add_nudges
from storage.enums import EnrollmentStatus, NudgeKind, Role
from storage.models import Enrollment, Person, Profile, Program
from storage.names import is_unlinked, unlinked_user_id
from storage.repository import Repository

Progress = Callable[[int], None]
"""Told how many more rows were handled (a progress bar on the command line): each row counts
once per phase (people, profiles, enrollments), so a whole import counts ``PHASES`` times its rows."""
PHASES = 3
STEP = 500

INVITATION = NudgeKind.INVITATION


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    plan: Plan
    program: Program | None
    dry_run: bool
    invited: int = 0
    unreachable: list[str] = field(default_factory=list)  # names not reachable on the platform yet


async def import_people(repo: Repository, rows: Sequence[Row], *, program: Program | None, now: datetime,
                        platform: str, dry_run: bool = False, progress: Progress | None = None) -> ImportResult:
    """Plan the import of ``rows`` into the tenant (and ``program``, for rows with a role) and,
    unless ``dry_run`` or a row is wrong, apply it."""
    loaded = await _load(repo, program)
    plan = plan_import(rows, loaded.known, with_roles=program is not None)
    result = ImportResult(plan, program, dry_run)
    if plan.errors or dry_run:
        return result
    tick = progress or (lambda count: None)
    people = await _write_people(repo, plan.entries, loaded.people, platform, now, tick)
    await _write_profiles(repo, plan.entries, people, loaded.profiles, now, tick)
    for leaving in plan.leaving:
        loaded.people[leaving.person_id].leaving_at = now
    if program is not None:
        await _enroll(repo, program, plan.entries, people, now, tick)
        result.invited, result.unreachable = await invite(repo, program, [people[e.record.email] for e in plan.entries
                                                                           if e.record.role], now)
    else:
        tick(len(plan.entries))
    await repo.flush()
    return result


def _counted(tick: Progress, count: int, total: int) -> None:
    """Tell ``tick`` every :data:`STEP` rows, and the rest at the last one."""
    if count % STEP == 0:
        tick(STEP)
    elif count == total:
        tick(count % STEP)


@dataclass
class _Loaded:
    """The tenant's people and profiles, read once, and what the plan compares."""

    known: list[Known]
    people: dict[int, Person]
    profiles: dict[int, Profile]


async def load_known(repo: Repository, program: Program | None) -> list[Known]:
    """Everyone of the tenant with the facts an import compares (``role`` in ``program``)."""
    return (await _load(repo, program)).known


async def _load(repo: Repository, program: Program | None) -> _Loaded:
    rows = (await repo.session.execute(
        select(Person, Profile).outerjoin(Profile, Profile.person_id == Person.id)
        .where(Person.tenant_id == repo.tenant_id, Person.erased_at.is_(None)))).all()
    roles: dict[int, str | None] = {}
    if program is not None:
        found = await repo.session.execute(select(Enrollment.person_id, Enrollment.role).where(
            Enrollment.tenant_id == repo.tenant_id, Enrollment.program_id == program.id))
        roles = {person_id: role for person_id, role in found.all()}
    emails = {person.id: person.email for person, _ in rows}
    known = [Known(person.id, person.display_name, person.email, _facts(person, profile, roles.get(person.id), emails),
                   imported=person.imported_at is not None, leaving=person.leaving_at is not None,
                   name_confirmed=person.name_confirmed_at is not None) for person, profile in rows]
    return _Loaded(known, {person.id: person for person, _ in rows},
                   {profile.person_id: profile for _, profile in rows if profile is not None})


def _facts(person: Person, profile: Profile | None, role: str | None, emails: dict[int, str | None]
           ) -> dict[str, object]:
    facts: dict[str, object] = {"name": person.display_name, "role": role}
    if profile is not None:
        facts.update(level=profile.level, department=profile.department,
                     manager=emails.get(profile.manager_person_id) if profile.manager_person_id else None,
                     languages=list(profile.languages) or None, timezone=profile.timezone,
                     location=profile.location, skills=list(profile.skills_offered) or None,
                     wants=list(profile.topics_wanted) or None)
    return facts


async def _write_people(repo: Repository, entries: Sequence[Entry], existing: dict[int, Person], platform: str,
                        now: datetime, tick: Progress) -> dict[str, Person]:
    """Every row's person, created or updated, by email."""
    people: dict[str, Person] = {}
    for count, entry in enumerate(entries, 1):
        record = entry.record
        person = existing[entry.known.person_id] if entry.known else None
        _counted(tick, count, len(entries))
        if person is not None and entry.kind == "unchanged":
            people[record.email] = person  # nothing to write (the file still lists them)
            continue
        if person is None:
            person = repo.add(Person(platform=platform, user_id=unlinked_user_id(record.email), created_at=now))
            person.display_name = record.name
        elif person.name_confirmed_at is None and person.display_name != record.name:
            person.display_name = record.name
        person.email, person.imported_at, person.leaving_at = record.email, now, None
        people[record.email] = person
    await repo.flush()
    return people


async def _write_profiles(repo: Repository, entries: Sequence[Entry], people: dict[str, Person],
                          profiles: dict[int, Profile], now: datetime, tick: Progress) -> None:
    """Each row's facts on the person's profile (empty cells leave the profile as it is)."""
    managers = {email: person.id for email, person in people.items()}
    missing = {r.manager for r in (e.record for e in entries) if r.manager and r.manager not in managers}
    if missing:
        for person in await repo.all(repo.scoped(Person).where(Person.email.in_(list(missing)))):
            managers[person.email or ""] = person.id
    names = {person.id: person.display_name for person in people.values()}
    for count, entry in enumerate(entries, 1):
        _counted(tick, count, len(entries))
        if entry.kind == "unchanged":
            continue
        person = people[entry.record.email]
        profile = profiles.get(person.id)
        if profile is None:
            profile = repo.add(Profile(person_id=person.id, skills_offered=[], topics_wanted=[], formats=[],
                                       languages=[], updated_at=now))
        _set_profile(profile, entry.record, managers, names, now)


def _set_profile(profile: Profile, record: Record, managers: dict[str, int], names: dict[int, str],
                 now: datetime) -> None:
    values: dict[str, Any] = {"level": record.level, "department": record.department, "timezone": record.timezone,
                              "location": record.location, "languages": list(record.languages) or None}
    if record.topics:
        values["skills_offered" if record.role == Role.MENTOR else "topics_wanted"] = list(record.topics)
    if record.manager:
        manager_id = managers.get(record.manager)
        values["manager_person_id"] = manager_id
        values["manager"] = names.get(manager_id or 0) or record.manager
    for name, value in values.items():
        if value is not None:
            setattr(profile, name, value)
    profile.updated_at = now


async def _enroll(repo: Repository, program: Program, entries: Sequence[Entry], people: dict[str, Person],
                  now: datetime, tick: Progress) -> None:
    """Rows with a role join the program (onboarding, to be confirmed by the person); a role
    changed in HR data changes only the role of someone still onboarding."""
    enrollments = {e.person_id: e for e in await repo.all(repo.scoped(Enrollment).where(
        Enrollment.program_id == program.id))}
    for count, entry in enumerate(entries, 1):
        _counted(tick, count, len(entries))
        record = entry.record
        if not record.role:
            continue
        person = people[record.email]
        enrollment = enrollments.get(person.id)
        if enrollment is None:
            repo.add(Enrollment(program_id=program.id, person_id=person.id, role=record.role,
                                status=EnrollmentStatus.ONBOARDING, joined_at=now))
        elif enrollment.status == EnrollmentStatus.ONBOARDING:
            enrollment.role = record.role
    await repo.flush()


async def invite(repo: Repository, program: Program, people: Sequence[Person], now: datetime
                 ) -> tuple[int, list[str]]:
    """Queue an invitation for each of ``people`` still onboarding who can be reached now, due in
    their working hours and paced like every other message; the names of those who cannot be
    reached yet (imported, and not found on the platform so far)."""
    onboarding = set((await repo.session.execute(select(Enrollment.person_id).where(
        Enrollment.tenant_id == repo.tenant_id, Enrollment.program_id == program.id,
        Enrollment.status == EnrollmentStatus.ONBOARDING, Enrollment.onboarded_at.is_(None)))).scalars())
    reachable: list[Person] = []
    unreachable: list[Person] = []
    for person in people:
        if person.id in onboarding:
            (unreachable if is_unlinked(person.user_id) or not person.address else reachable).append(person)
    profiles: dict[int, Profile] = {}
    for start in range(0, len(reachable), 5000):
        ids = [p.id for p in reachable[start:start + 5000]]
        profiles.update({p.person_id: p for p in await repo.all(repo.scoped(Profile).where(Profile.person_id.in_(ids)))})
    rows = []
    for person in reachable:
        due = WorkingHours.of(person, profiles.get(person.id)).next_working(now)
        rows.append(nudge_row(repo.tenant_id, person.id, INVITATION, invitation_key(program.id, person.id), due, now,
                              payload={"program_id": program.id}))
    invited = 0
    for start in range(0, len(rows), 1000):
        invited += await add_nudges(repo.session, rows[start:start + 1000])
    return invited, [person.display_name for person in unreachable]


def invitation_key(program_id: int, person_id: int) -> str:
    """One invitation per person and program, ever."""
    return f"invitation:{program_id}:{person_id}"
