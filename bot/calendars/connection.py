"""The organization's calendar connection and each person's calendar, as the core reads them.

Without a connection everything works as before (the .ics invites); with one, the provider the
composition root configured under its name does the calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.calendars.provider import CalendarProvider, Calendars
from storage.enums import ConnectionStatus
from storage.models import CalendarConnection, Person, PersonCalendar
from storage.repository import Repository

PROBLEM_LIMIT = 300


@dataclass(frozen=True)
class Connected:
    """A usable connection: the provider and the organization's directory in it."""

    provider: CalendarProvider
    directory: str
    connection_id: int


async def connection_row(repo: Repository) -> CalendarConnection | None:
    """The tenant's connection, in whatever state."""
    return await repo.one_or_none(repo.scoped(CalendarConnection))


async def connected(repo: Repository, calendars: Calendars | None) -> Connected | None:
    """The tenant's connection when it is connected and its provider configured; else None."""
    if calendars is None:
        return None
    row = await connection_row(repo)
    if row is None or row.status != ConnectionStatus.CONNECTED:
        return None
    provider = calendars.provider(row.provider)
    return Connected(provider, row.directory, row.id) if provider is not None else None


def mailbox_of(person: Person, provider: str) -> str | None:
    """How ``provider`` finds the person's calendar: their email (Teams people without one by
    their Entra object id, for Microsoft)."""
    if person.email:
        return person.email
    if provider == "microsoft" and person.platform == "teams" and person.user_id and ":" not in person.user_id:
        return person.user_id
    return None


async def calendar_of(repo: Repository, person: Person, provider: str) -> PersonCalendar | None:
    """The person's calendar row, created when the person has a mailbox (None when they have none)."""
    row = await repo.one_or_none(repo.scoped(PersonCalendar).where(PersonCalendar.person_id == person.id))
    mailbox = mailbox_of(person, provider)
    if row is None and mailbox is not None:
        row = repo.add(PersonCalendar(person_id=person.id, provider=provider, mailbox=mailbox, failures=0))
        await repo.flush()
    elif row is not None and mailbox is not None and (row.mailbox != mailbox or row.provider != provider):
        row.mailbox, row.provider, row.cursor = mailbox, provider, None
    return row


async def note_problem(repo: Repository, person: Person, provider: str, problem: str | None, now: datetime) -> None:
    """Record why the person's calendar could not be used (None: it can be again), for ``calendar status``."""
    row = await calendar_of(repo, person, provider)
    if row is None:
        return
    if problem is None:
        row.problem, row.problem_at, row.failures = None, None, 0
    elif row.problem != problem[:PROBLEM_LIMIT]:
        row.problem, row.problem_at = problem[:PROBLEM_LIMIT], now
