"""How sessions are written for people: times in the reader's zone, places, confirmations."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.answers import InvalidAnswer
from bot.cadence.hours import WorkingHours, zone_named
from bot.calendar import session_invite
from bot.messages import Button, Message, say
from bot.turn import Turn
from storage.models import MentoringSession, Person

FURTHEST = timedelta(days=366)


async def zone_of(turn: Turn) -> str:
    """The caller's time zone name (profile, else platform, else UTC)."""
    return WorkingHours.of(turn.person, await turn.repo.profile(turn.person.id)).zone.key


def when(day: date, clock: time, zone: str, now: datetime) -> datetime:
    """A local date and time in ``zone`` as an aware UTC moment, which must be ahead (and
    within a year)."""
    moment = datetime.combine(day, clock, zone_named(zone))
    if moment <= now:
        raise InvalidAnswer(f"{day.isoformat()} {clock:%H:%M} ({zone}) has already passed: pick a time ahead.")
    if moment - now > FURTHEST:
        raise InvalidAnswer("That is more than a year ahead: pick a date within the next twelve months.")
    return moment


def place_of(where: str | None) -> str | None:
    """``remote`` (or nothing) is a video call; anything else is where the pair meets."""
    text = (where or "").strip()
    return None if text.lower() in ("", "remote", "online", "video") else text[:200]


def describe(session: MentoringSession, zone: str) -> str:
    """``Tue 12 Jan 2027, 15:00 (Europe/Brussels), remote`` in the reader's zone."""
    local = session.starts_at.astimezone(zone_named(zone))
    where = f"at {session.place}" if session.place else "remote"
    repeat = ", repeating" if session.recurring else ""
    return f"{local:%a %d %b %Y, %H:%M} ({zone}), {where}{repeat}"


async def confirmation(turn: Turn, session: MentoringSession, partner: Person, verb: str) -> Message:
    """What the person who scheduled (or moved) a session is told, with the calendar invite."""
    zone = await zone_of(turn)
    invite = await session_invite(turn.repo, session)
    message = say(f"{verb} your session with {partner.display_name}: {describe(session, zone)}. "
                  f"I've told {partner.display_name} and will remind you both before it.",
                  Button.for_command("Reschedule", f'reschedule with="{partner.display_name}"'),
                  Button.for_command("Cancel it", f'cancel-session with="{partner.display_name}"'))
    return Message(message.text, message.blocks, attachments=(invite,))
