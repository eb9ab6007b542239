"""The neutral calendar provider: what the core asks of Microsoft 365 or Google Workspace.

One module per provider implements :class:`CalendarProvider` over HTTP (``calendars/graph.py``,
``calendars/google.py``); the core sees only these types. A mailbox is how the provider finds
a person's calendar: an Entra object id or an email address.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

Interval = tuple[datetime, datetime]


class CalendarError(Exception):
    """A calendar call that failed."""


class CalendarUnavailable(CalendarError):
    """The service answered 5xx, timed out or kept rate-limiting after the retries: try later."""


class CalendarRefused(CalendarError):
    """The service refused for good: consent revoked, a mailbox deleted or unknown, a calendar
    not shared. ``reason`` says which, in words an admin can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CursorExpired(CalendarError):
    """The stored cursor (delta link, sync token) is no longer valid: read everything again."""


@dataclass(frozen=True)
class EventDraft:
    """An event to put on the organiser's calendar (or to change it to)."""

    subject: str
    body: str
    starts_at: datetime
    ends_at: datetime
    zone: str
    attendees: Sequence[str]
    online: bool = True
    location: str = ""
    recurrence: str | None = None
    """An RRULE (``FREQ=WEEKLY;INTERVAL=2``) when the event is a series."""


@dataclass(frozen=True)
class CalendarEvent:
    """An event as the provider returns it when changes are read."""

    event_id: str
    status: str = "confirmed"
    """``confirmed`` or ``canceled`` (deleted from the calendar, or canceled by its organiser)."""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    responses: Mapping[str, str] = field(default_factory=dict)
    """Attendee mailbox (lower-cased email) -> ``accepted``, ``declined``, ``tentative`` or ``none``."""
    series_id: str | None = None
    original_start: datetime | None = None
    """For an occurrence of a series moved or canceled on its own: the series and where it was."""
    busy: bool = True


@dataclass(frozen=True)
class Changes:
    """What changed since a cursor, and the cursor to use next time."""

    events: Sequence[CalendarEvent]
    cursor: str


@dataclass(frozen=True)
class Subscription:
    """A push subscription (Graph) or watch channel (Google): its id and when it expires."""

    subscription_id: str
    expires_at: datetime
    resource: str = ""


class CalendarProvider(Protocol):
    """One calendar service, for one organization (an Entra tenant or a Workspace domain)."""

    name: str

    async def check(self, directory: str, mailbox: str) -> None:
        """Raise unless the bot may read and write ``mailbox``'s calendar in ``directory``."""

    async def free_busy(self, directory: str, mailboxes: Sequence[str], start: datetime,
                        end: datetime) -> dict[str, list[Interval] | CalendarError]:
        """Each mailbox's busy intervals between ``start`` and ``end`` (or why it could not be read)."""

    async def create_event(self, directory: str, mailbox: str, draft: EventDraft, key: str) -> str:
        """Put ``draft`` on ``mailbox``'s calendar, inviting its attendees; its event id. ``key``
        makes a retried create give the same event, never a second one."""

    async def update_event(self, directory: str, mailbox: str, event_id: str, draft: EventDraft) -> None:
        """Change the event to ``draft`` (attendees are told)."""

    async def cancel_event(self, directory: str, mailbox: str, event_id: str, note: str) -> None:
        """Cancel the event (attendees are told); an event already gone is not an error."""

    async def cancel_occurrence(self, directory: str, mailbox: str, series_id: str, original_start: datetime,
                                note: str) -> None:
        """Cancel the one occurrence of the series ``series_id`` that starts (or started, before
        being moved) at ``original_start``; the rest of the series stays. Gone already is fine."""

    async def events_between(self, directory: str, mailbox: str, start: datetime,
                             end: datetime) -> list[CalendarEvent]:
        """The events on ``mailbox``'s calendar overlapping ``start``..``end``."""

    async def changes(self, directory: str, mailbox: str, cursor: str | None, start: datetime,
                      end: datetime) -> Changes:
        """What changed on ``mailbox``'s calendar since ``cursor`` (everything between ``start``
        and ``end`` when None); :class:`CursorExpired` when the cursor is no longer valid."""

    async def subscribe(self, directory: str, mailbox: str, notify_url: str, secret: str,
                        until: datetime) -> Subscription:
        """Ask to be told of changes to ``mailbox``'s calendar at ``notify_url``, presenting ``secret``."""

    async def renew(self, directory: str, subscription: Subscription, until: datetime) -> Subscription:
        """Extend a subscription; :class:`CalendarRefused` when it is gone (subscribe again)."""

    async def unsubscribe(self, directory: str, subscription: Subscription) -> None:
        """Stop a subscription (gone already is fine)."""

    def how_to_connect(self, directory: str, redirect_url: str | None) -> str:
        """What the organization's administrator does to grant the bot access (a consent link,
        or the steps in their admin console), in words."""


@dataclass
class Calendars:
    """The calendar providers the composition root configured, by name."""

    providers: Mapping[str, CalendarProvider] = field(default_factory=dict)
    public_url: str | None = None
    """The bot's public address: push notifications are asked for when it is https."""
    push_base: str | None = None
    """Where the services post notifications, when not ``public_url`` (a test server, an internal proxy)."""

    def provider(self, name: str) -> CalendarProvider | None:
        """The provider called ``name``, if configured."""
        return self.providers.get(name)

    @property
    def push_url(self) -> str | None:
        """The base of the push routes, when the bot can be reached over https."""
        if self.push_base:
            return self.push_base.rstrip("/")
        if self.public_url and self.public_url.startswith("https://"):
            return self.public_url.rstrip("/")
        return None
