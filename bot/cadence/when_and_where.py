"""How sessions are written for people: times in the reader's zone, places, confirmations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.i18n import _
from bot.i18n import formats
from bot.cadence.hours import hours_of, zone_named
from bot.calendars.events import on_both_calendars
from bot.invites import session_invite
from bot.messages import Button, Message, say
from bot.parsing import InvalidAnswer
from bot.turn import Turn
from storage.enums import SessionMode
from storage.models import MentoringSession, Person

FURTHEST = timedelta(days=366)


async def zone_of(turn: Turn) -> str:
    """The caller's time zone name (profile, else platform, else UTC)."""
    return (await hours_of(turn.repo, turn.person)).zone.key


async def local_today(turn: Turn) -> date:
    """Today's date where the person speaking is (in :func:`zone_of` their zone)."""
    return turn.now.astimezone(zone_named(await zone_of(turn))).date()


def when(day: date, clock: time, zone: str, now: datetime) -> datetime:
    """A local date and time in ``zone`` as an aware UTC moment, which must be ahead (and
    within a year)."""
    moment = datetime.combine(day, clock, zone_named(zone))
    if moment.astimezone(UTC).astimezone(moment.tzinfo).replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise InvalidAnswer(_("{day} {clock} does not exist in {zone}: the clocks go forward that night. Pick "
                              "another time.", day=day.isoformat(), clock=clock.strftime("%H:%M"), zone=zone))
    if moment <= now:
        raise InvalidAnswer(_("{day} {clock} ({zone}) has already passed: pick a time ahead.", day=day.isoformat(),
                                clock=clock.strftime("%H:%M"), zone=zone))
    if moment - now > FURTHEST:
        raise InvalidAnswer(_("That is more than a year ahead: pick a date within the next twelve months."))
    return moment


REMOTE_WORDS = ("", "remote", "online", "video", "video call")
IN_PERSON_WORDS = ("in person", "in-person", "onsite", "on site", "on-site", "face to face")


@dataclass(frozen=True)
class Venue:
    """Where a session takes place: remote (a video call) or in person, at a place if known."""

    mode: SessionMode
    place: str | None = None

    @classmethod
    def of(cls, session: MentoringSession) -> Venue:
        """The venue a session was given."""
        return cls(SessionMode(session.mode), session.place)


def venue_of(where: str | None) -> Venue:
    """``remote`` (or nothing) is a video call; ``in person`` is in person at a place still to be
    agreed; anything else is the place where people meet, in person."""
    text = " ".join((where or "").split())
    if text.lower() in REMOTE_WORDS:
        return Venue(SessionMode.REMOTE)
    if text.lower() in IN_PERSON_WORDS:
        return Venue(SessionMode.IN_PERSON)
    return Venue(SessionMode.IN_PERSON, text[:200])


def where_text(session: MentoringSession) -> str:
    """``remote``, ``in person`` or ``at Room 4.12``."""
    if session.place:
        return _("at {place}", place=session.place)
    return _("in person") if session.mode == SessionMode.IN_PERSON else _("remote")


def describe(session: MentoringSession, zone: str) -> str:
    """``Tue 12 Jan 2027, 15:00 (Europe/Brussels), remote`` in the reader's zone."""
    local = session.starts_at.astimezone(zone_named(zone))
    where = where_text(session)
    repeat = _(", repeating") if session.recurring else ""
    return _("{when} ({zone}), {where}{repeat}", when=formats.moment(local), zone=zone, where=where, repeat=repeat)


async def confirmation(turn: Turn, session: MentoringSession, partner: Person, verb: str) -> Message:
    """What the person who scheduled (or moved) a session is told, with the calendar invite."""
    zone = await zone_of(turn)
    buttons = (Button.for_command(_("Reschedule"), f"reschedule with=#{session.pair_id}"),
               Button.for_command(_("Cancel it"), f"cancel-session with=#{session.pair_id}"))
    told = _("I've told {partner} and will remind you both before it.", partner=partner.display_name)
    if await on_both_calendars(turn.repo, session):
        return say(_("{verb} your session with {partner}: {session}. It is on your calendar and {partner}'s "
                     "(no invite file needed). {told}", verb=verb, partner=partner.display_name,
                     session=describe(session, zone), told=told), *buttons)
    invite = await session_invite(turn.repo, session)
    message = say(_("{verb} your session with {partner}: {session}. {told}", verb=verb, partner=partner.display_name,
                    session=describe(session, zone), told=told), *buttons)
    return Message(message.text, message.blocks, attachments=(invite,))
