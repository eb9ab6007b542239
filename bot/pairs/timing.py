"""Whether a session's time suits the partner (rule 11 of docs/cadence.md): when it is outside
their working hours, nothing is stored; the person scheduling is told what time it is for the
partner and offered the nearest slots inside both people's hours (:mod:`bot.cadence.offer`), and,
with a calendar connection, clear of both calendars."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.cadence.hours import hours_of
from bot.cadence.slots import HORIZON
from bot.calendars.slots import busy_of
from bot.cadence.offer import Attendee, command_value, offer_message, offer_slots
from bot.i18n import _
from bot.messages import Message
from bot.pairs.sessions import DEFAULT_MINUTES, with_pair
from bot.turn import Turn
from storage.models import Pair, Person


async def partner_offer(turn: Turn, pair: Pair, partner: Person, starts_at: datetime, *, verb: str,
                        where: str | None = None, repeat: bool = False, session_id: int | None = None,
                        minutes: int = DEFAULT_MINUTES) -> Message | None:
    """None when ``starts_at`` suits the partner; otherwise the offer, whose buttons run ``verb``
    (``schedule`` or ``reschedule``) with a slot, or with the wanted time and ``anyway``."""
    mine = await hours_of(turn.repo, turn.person)
    theirs = Attendee(partner.display_name, await hours_of(turn.repo, partner))
    length = timedelta(minutes=minutes)
    # With a calendar connection, a time that clashes with either calendar gets the offer too.
    busy, _unread, _connected = await busy_of(turn.repo, turn.calendars, [turn.person, partner], starts_at - HORIZON / 2,
                               starts_at + HORIZON, turn.now)
    offer = offer_slots([theirs], mine, starts_at, length, turn.now, busy=busy)
    if offer is None:
        return None
    tail = (f" {command_value(where)}" if where else "") + (" repeat" if repeat else "") + f" {with_pair(pair.id)}"
    tail += f" session={session_id}" if session_id is not None else ""
    return offer_message(offer, mine, verb, tail, _("you and {name}", name=partner.display_name))
