"""Reaching imported people: their platform finds them by email, then they are invited.

The ``reach_imported`` job (every minute, on the leader) takes a few imported people not yet
reached who are invited to a program, asks their platform's directory who they are, links
them (their user id and address) and queues their invitation, due in their working hours and
paced like every other message. Someone the directory does not know is asked about again a
day later.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select

from bot.clock import Clock
from bot.directory import Directory, DirectoryUnavailable
from bot.messages import Address
from bot.people_import.apply import invite
from storage.db import Database
from storage.enums import EnrollmentStatus
from storage.models import Enrollment, Person, Program, Tenant
from storage.names import UNLINKED_PREFIX
from storage.repository import Repository

log = logging.getLogger(__name__)

BATCH = 40
"""People looked up per organisation and run (Slack's users.lookupByEmail allows about 50 a minute)."""
ASK_AGAIN_AFTER = timedelta(days=1)


@dataclass
class ReachReport:
    """What one run did."""

    linked: int = 0
    not_found: int = 0
    invited: int = 0
    unavailable: int = 0


async def reach_imported(db: Database, clock: Clock, directories: Mapping[str, Directory],
                         batch: int = BATCH) -> ReachReport:
    """Look up, link and invite up to ``batch`` imported people per organisation."""
    report = ReachReport()
    async with db.transaction() as session:
        tenants = list((await session.execute(select(Tenant).where(Tenant.platform.in_(list(directories))))).scalars())
    for tenant in tenants:
        async with db.transaction() as session:
            await _reach_tenant(Repository(session, tenant.id), tenant, directories[tenant.platform], clock,
                                batch, report)
    return report


async def _reach_tenant(repo: Repository, tenant: Tenant, directory: Directory, clock: Clock, batch: int,
                        report: ReachReport) -> None:
    now = clock.now()
    waiting = await repo.all(
        repo.scoped(Person).where(
            Person.user_id.startswith(UNLINKED_PREFIX), Person.email.is_not(None), Person.erased_at.is_(None),
            Person.leaving_at.is_(None),
            or_(Person.looked_up_at.is_(None), Person.looked_up_at <= now - ASK_AGAIN_AFTER),
            Person.id.in_(select(Enrollment.person_id).where(
                Enrollment.tenant_id == tenant.id, Enrollment.status == EnrollmentStatus.ONBOARDING,
                Enrollment.onboarded_at.is_(None))))
        .order_by(Person.id).limit(batch))
    for person in waiting:
        try:
            found = await directory.find_by_email(tenant.external_id, person.email or "")
        except DirectoryUnavailable as problem:
            log.warning("the %s directory cannot answer now (%s); trying again later", tenant.platform, problem)
            report.unavailable += 1
            return
        person.looked_up_at = now
        taken = found is not None and await repo.one_or_none(repo.scoped(Person).where(
            Person.platform == tenant.platform, Person.user_id == found.user_id)) is not None
        if found is None or taken:
            report.not_found += 1
            continue
        person.user_id = found.user_id
        person.address = Address(tenant.platform, tenant.external_id, found.user_id).as_dict()
        person.platform_timezone = found.timezone or person.platform_timezone
        report.linked += 1
        await repo.flush()
        report.invited += await _invite_everywhere(repo, person, now)


async def _invite_everywhere(repo: Repository, person: Person, now: object) -> int:
    programs = await repo.all(repo.scoped(Program).join(Enrollment, Enrollment.program_id == Program.id).where(
        Enrollment.person_id == person.id, Enrollment.status == EnrollmentStatus.ONBOARDING,
        Program.status == "active"))
    invited = 0
    for program in programs:
        count, _ = await invite(repo, program, [person], now)  # type: ignore[arg-type]
        invited += count
    return invited
