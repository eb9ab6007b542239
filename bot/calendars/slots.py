"""Slots that suit both people: the earliest moments inside everyone's working hours, and, with a
calendar connection, when everyone's calendar is free (Graph ``getSchedule``, Google ``freeBusy``).

One function for every offer: without a connection, or when a calendar cannot be read in time,
the slots come from working hours alone and the offer says so.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.cadence.hours import hours_of
from bot.cadence.slots import HORIZON, earliest_slots
from bot.calendars.connection import connected, mailbox_of, note_problem
from bot.calendars.provider import CalendarError, Calendars, Interval
from storage.models import Person
from storage.repository import Repository

log = logging.getLogger(__name__)

FREE_BUSY_TIMEOUT = 5.0
"""Seconds a person waits for the calendars before the offer falls back to working hours."""


@dataclass(frozen=True)
class SlotOffer:
    """The slots found, and whether the calendars were read for them."""

    starts: list[datetime]
    from_calendars: bool
    unread: tuple[str, ...] = ()
    """Names of the people whose calendar could not be read."""


async def busy_of(repo: Repository, calendars: Calendars | None, people: Sequence[Person], start: datetime,
                  end: datetime, now: datetime) -> tuple[list[Interval], bool, tuple[str, ...]]:
    """Everyone's busy intervals between ``start`` and ``end``; True when the calendars answered
    (for everyone whose calendar is known), and the names of those whose calendar could not be read."""
    link = await connected(repo, calendars)
    if link is None:
        return [], False, ()
    mailboxes = {person.id: mailbox_of(person, link.provider.name) for person in people}
    asked = [m for m in mailboxes.values() if m]
    if not asked:
        return [], False, tuple(p.display_name for p in people)
    try:
        answers = await asyncio.wait_for(link.provider.free_busy(link.directory, asked, start, end), FREE_BUSY_TIMEOUT)
    except (CalendarError, TimeoutError) as failure:
        log.info("free/busy unavailable (%s): slots from working hours", type(failure).__name__)
        return [], False, ()
    busy: list[Interval] = []
    unread = []
    for person in people:
        mailbox = mailboxes[person.id]
        answer = answers.get(mailbox or "") if mailbox else None
        if isinstance(answer, list):
            busy += answer
            await note_problem(repo, person, link.provider.name, None, now)
        else:
            unread.append(person.display_name)
            if isinstance(answer, CalendarError):
                await note_problem(repo, person, link.provider.name, str(answer), now)
    return busy, len(unread) < len(people), tuple(unread)


async def suggested_slots(repo: Repository, calendars: Calendars | None, people: Sequence[Person], after: datetime,
                          length: timedelta, now: datetime, count: int = 3) -> SlotOffer:
    """The ``count`` earliest starts after ``after`` when all of ``people`` work (the first
    person's clock sets the half hours: put the executive first) and, with a connection, are free."""
    hours = [await hours_of(repo, person) for person in people]
    busy, read, unread = await busy_of(repo, calendars, people, after, after + HORIZON, now)
    return SlotOffer(earliest_slots(hours, after, length, count=count, busy=busy), read, unread)
