"""Everything a command or flow needs to answer one thing a person did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.calendars.provider import Calendars
from bot.clock import Clock
from bot.messages import Inbound
from storage.models import Person, Tenant
from storage.repository import Repository


@dataclass(frozen=True)
class Limits:
    """Bounds on what people may send."""

    max_text: int = 2000
    max_name: int = 120


@dataclass
class Turn:
    """One inbound event being handled, inside one database transaction."""

    repo: Repository
    tenant: Tenant
    person: Person
    inbound: Inbound
    clock: Clock
    limits: Limits
    first_contact: bool = False
    calendars: Calendars | None = None
    """The calendar providers configured (None: no real calendars, .ics invites only)."""
    locale: str = "en"
    """The language the person reads (see :mod:`bot.languages`); the turn's text is written in it."""

    @property
    def now(self) -> datetime:
        """The current time (UTC)."""
        return self.clock.now()

    @property
    def today(self) -> date:
        """Today's date in UTC."""
        return self.now.date()

    def audit(self, action: str, allowed: bool = True, program_id: int | None = None, **details: object) -> None:
        """Record an action by the person speaking."""
        self.repo.audit(self.person.id, action, allowed, self.now, program_id=program_id, **details)
