"""One pair in a program, with the session rows the cadence writes for it, for the calendar tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.invites import new_calendar_uid, new_invite_token, session_invite
from storage.db import Database
from storage.models import MentoringSession, Pair, Person, Program, Tenant
from storage.repository import Repository

BRUSSELS = ZoneInfo("Europe/Brussels")
CREATED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
"""When the program, the pair and their session rows were created."""


@dataclass
class Mentoring:
    """One pair (Amara mentors Victor) in a program, and the session rows written for it."""

    db: Database
    tenant_id: int
    program_id: int
    pair_id: int

    async def session(self, starts_at: datetime, uid: str = "", **changes: Any) -> MentoringSession:
        """A session row of the pair, as the cadence engine writes it."""
        values: dict[str, Any] = {
            "tenant_id": self.tenant_id, "program_id": self.program_id, "pair_id": self.pair_id,
            "starts_at": starts_at, "duration_minutes": 45, "mode": "remote", "status": "scheduled",
            "created_at": CREATED, "timezone": "Europe/Brussels", "calendar_uid": uid or new_calendar_uid(),
            "calendar_sequence": 0, "invite_token": new_invite_token(), **changes,
        }
        async with self.db.transaction() as session:
            row = MentoringSession(**values)
            session.add(row)
        return row

    async def reschedule(self, old: MentoringSession, starts_at: datetime, **changes: Any) -> MentoringSession:
        """What a reschedule writes: the old row marked, a new row of the same event."""
        async with self.db.transaction() as session:
            row = await session.get(MentoringSession, old.id)
            assert row is not None
            row.status = "rescheduled"
        return await self.session(starts_at, old.calendar_uid, calendar_sequence=old.calendar_sequence + 1,
                                  rescheduled_from_id=old.id, created_at=CREATED + timedelta(days=1), **changes)

    async def cancel(self, row: MentoringSession) -> None:
        async with self.db.transaction() as session:
            found = await session.get(MentoringSession, row.id)
            assert found is not None
            found.status, found.outcome_at = "canceled", CREATED + timedelta(days=2)

    async def ics(self, row: MentoringSession) -> Calendar:
        """The calendar file of ``row``, parsed back as a calendar app would."""
        async with self.db.transaction() as session:
            found = await session.get(MentoringSession, row.id)
            assert found is not None
            invite = await session_invite(Repository(session, self.tenant_id), found)
        return Calendar.from_ical(invite.data)


async def build_mentoring(db: Database, program_cadence: str = "monthly",
                          pair_cadence: str | None = None) -> Mentoring:
    """Amara mentoring Victor in "Digital Leaders 2027" (``program_cadence``), built in ``db``."""
    async with db.transaction() as session:
        tenant = Tenant(platform="console", external_id="local", name="", created_at=CREATED)
        session.add(tenant)
        await session.flush()
        amara, victor = (Person(tenant_id=tenant.id, platform="console", user_id=name.lower().replace(" ", "-"),
                                display_name=name, created_at=CREATED) for name in ("Amara Diallo", "Victor Hugo"))
        program = Program(tenant_id=tenant.id, name="Digital Leaders 2027", cadence=program_cadence, capacity=3,
                          created_at=CREATED)
        session.add_all([amara, victor, program])
        await session.flush()
        pair = Pair(tenant_id=tenant.id, program_id=program.id, mentor_id=amara.id, mentee_id=victor.id,
                    status="active", cadence=pair_cadence, reasons=[], proposed_at=CREATED)
        session.add(pair)
        await session.flush()
        return Mentoring(db, tenant.id, program.id, pair.id)
