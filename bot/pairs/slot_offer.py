"""The slot offer: ``schedule`` (or ``reschedule``) without a time offers the three earliest times
of the session's length when both people work and, with a calendar connection, are free; one tap
each, more on request, or the form for another time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.cadence.hours import zone_named
from bot.cadence.when_and_where import zone_of
from bot.calendars.slots import suggested_slots
from bot.i18n import _, formats
from bot.messages import Button, ButtonStyle, Message, say
from bot.pairs.sessions import DEFAULT_MINUTES, with_pair
from bot.turn import Turn
from storage.models import Pair, Person

LEAD = timedelta(hours=2)
"""The earliest slot offered starts this long from now (time to prepare)."""


async def earliest_offer(turn: Turn, pair: Pair, partner: Person, verb: str = "schedule",
                      after: date | None = None, minutes: int = DEFAULT_MINUTES) -> Message:
    """Three earliest slots for the pair as buttons (``verb``: ``schedule`` or ``reschedule``)."""
    zone = await zone_of(turn)
    mentee = turn.person if turn.person.id == pair.mentee_id else partner
    mentor = partner if mentee is turn.person else turn.person
    start = turn.now + LEAD
    if after is not None:
        start = max(start, datetime.combine(after, time(0), zone_named(zone)))
    offer = await suggested_slots(turn.repo, turn.calendars, [mentee, mentor], start, timedelta(minutes=minutes),
                                  turn.now)
    name = partner.display_name
    other_time = Button.for_command(_("Another time"), f"{verb} form {with_pair(pair.id)}")
    if not offer.starts:
        return say(_("You and {name} share no free working time in the next two weeks. Pick another time:", name=name),
                   other_time)
    unread = " " + _("(I could not read the calendar of {names}.)", names=formats.listed(offer.unread)) \
        if offer.unread else ""
    local = [slot.astimezone(zone_named(zone)) for slot in offer.starts]
    buttons = [Button.for_command(formats.weekday_time(moment, with_day=True), f"{verb} {moment:%Y-%m-%d %H:%M} {with_pair(pair.id)}",
                                  ButtonStyle.PRIMARY if index == 0 else ButtonStyle.DEFAULT)
               for index, moment in enumerate(local)]
    following = (local[-1].date() + timedelta(days=1)).isoformat()
    buttons += [Button.for_command(_("More times"), f"{verb} after={following} {with_pair(pair.id)}"), other_time]
    if offer.from_calendars:
        text = _("When do you meet {name}? The earliest times when you are both at work and free in your "
                 "calendars, in your time zone ({zone}):", name=name, zone=zone)
    else:
        text = _("When do you meet {name}? The earliest times when you are both at work, in your time zone "
                 "({zone}):", name=name, zone=zone)
    return say(text + unread, *buttons)
