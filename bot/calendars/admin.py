"""Connecting the organization's calendars, and their status, as the admins see them.

Connecting asks the provider to reach a real calendar (the admin's own, or a participant's) with
the access the organization granted: when it can, the connection is on; when it cannot, the admin
gets what their organization's administrator must do (a consent link, or the Workspace steps) and
a button to check again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from bot.calendars.connection import connection_row, mailbox_of
from bot.calendars.provider import CalendarError, CalendarRefused
from bot.errors import CommandError
from bot.i18n import _
from bot.turn import Turn
from storage.enums import ConnectionStatus
from storage.models import CalendarConnection, Person, PersonCalendar

CHECK_TIMEOUT = 15.0
LABELS = {"microsoft": "Microsoft 365", "google": "Google Workspace"}
SETTINGS = {"microsoft": "GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET (or the Teams bot's MICROSOFT_APP_ID and "
                         "MICROSOFT_APP_PASSWORD)", "google": "GOOGLE_SERVICE_ACCOUNT_FILE"}


@dataclass(frozen=True)
class ConnectOutcome:
    """What came of a connection attempt."""

    connected: bool
    instructions: str = ""
    problem: str = ""


async def connect(turn: Turn, provider_name: str, directory: str) -> ConnectOutcome:
    """Connect (or check again) the organization's ``provider_name`` calendars in ``directory``."""
    provider = turn.calendars.provider(provider_name) if turn.calendars else None
    if provider is None:
        raise CommandError(_("This mentorbot has no {label} access configured: its operator sets {settings} (see "
                             "docs/calendars.md). Until then sessions come with calendar invites (.ics).",
                             label=LABELS[provider_name], settings=SETTINGS[provider_name]))
    mailbox = await _a_mailbox(turn, provider_name)
    if mailbox is None:
        raise CommandError(_("I need someone's work email to check the connection: yours is not known to me. "
                             "Import the participants' emails first (`/mentoring import`)."))
    row = await connection_row(turn.repo)
    if row is None:
        row = turn.repo.add(CalendarConnection(provider=provider_name, directory=directory, created_at=turn.now,
                                               status=ConnectionStatus.PENDING))
    row.provider, row.directory, row.connected_by_id, row.checked_at = provider_name, directory, turn.person.id, turn.now
    redirect = f"{turn.calendars.public_url}/calendars/connected" if turn.calendars and turn.calendars.public_url \
        else None
    try:
        await asyncio.wait_for(provider.check(directory, mailbox), CHECK_TIMEOUT)
    except (CalendarError, TimeoutError) as failure:
        problem = failure.reason if isinstance(failure, CalendarRefused) else _("the service did not answer in time")
        row.status, row.problem = ConnectionStatus.PENDING, problem[:300]
        return ConnectOutcome(False, provider.how_to_connect(directory, redirect), problem)
    row.status, row.problem = ConnectionStatus.CONNECTED, None
    return ConnectOutcome(True)


async def _a_mailbox(turn: Turn, provider_name: str) -> str | None:
    """The admin's own mailbox, else the first participant's with one."""
    mine = mailbox_of(turn.person, provider_name)
    if mine:
        return mine
    someone = await turn.repo.one_or_none(turn.repo.scoped(Person).where(
        Person.email.is_not(None), Person.erased_at.is_(None)).order_by(Person.id).limit(1))
    return someone.email if someone is not None else None


@dataclass(frozen=True)
class CalendarStatus:
    """The connection, its last sync, and the people whose calendars could not be used."""

    connection: CalendarConnection | None
    calendars: int
    problems: Sequence[tuple[str, str]]


async def status(turn: Turn) -> CalendarStatus:
    """What ``calendar status`` shows."""
    row = await connection_row(turn.repo)
    count = await turn.repo.session.scalar(select(func.count()).select_from(PersonCalendar).where(
        PersonCalendar.tenant_id == turn.tenant.id, PersonCalendar.problem.is_(None),
        PersonCalendar.synced_at.is_not(None)))
    rows = (await turn.repo.session.execute(
        select(Person.display_name, PersonCalendar.problem).join(Person, Person.id == PersonCalendar.person_id)
        .where(PersonCalendar.tenant_id == turn.tenant.id, PersonCalendar.problem.is_not(None))
        .order_by(Person.name_key).limit(50))).all()
    return CalendarStatus(row, int(count or 0), [(name, problem or "") for name, problem in rows])
