"""Whether a circle meeting's time suits its hosts and members (rule 11 of docs/cadence.md): when
it is outside someone's working hours, nothing is stored; the person scheduling is told what time
it is for them and offered the nearest slots inside everyone's hours (:mod:`bot.cadence.offer`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.cadence.hours import hours_of
from bot.cadence.offer import Attendee, command_value, offer_message, offer_slots
from bot.circles.circles import CircleView, taking_part
from bot.circles.meetings import DURATION_MINUTES
from bot.i18n import _
from bot.messages import Message
from bot.turn import Turn


async def circle_offer(turn: Turn, view: CircleView, starts_at: datetime, *, verb: str, where: str | None = None,
                       repeat: bool = False, meeting_id: int | None = None,
                       minutes: int = DURATION_MINUTES) -> Message | None:
    """None when ``starts_at`` suits everyone taking part; otherwise the offer, whose buttons run
    ``circle VERB`` (``schedule`` or ``reschedule``) with a slot, or with the wanted time and ``anyway``."""
    mine = await hours_of(turn.repo, turn.person)
    others = [Attendee(person.display_name, await hours_of(turn.repo, person))
              for _member, person in await taking_part(turn.repo, view) if person.id != turn.person.id]
    offer = offer_slots(others, mine, starts_at, timedelta(minutes=minutes), turn.now)
    if offer is None:
        return None
    tail = (f" {command_value(where)}" if where else "") + (" repeat" if repeat else "") + f" circle={view.ref}"
    tail += f" meeting={meeting_id}" if meeting_id is not None else ""
    return offer_message(offer, mine, f"circle {verb}", tail, _("everyone in the circle {name}", name=view.name))
