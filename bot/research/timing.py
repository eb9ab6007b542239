"""Whether a lunch-and-learn's time suits its presenters and its audience (rule 11 of
docs/cadence.md): when it is outside someone's working hours, nothing is stored; the mentor
scheduling it is told what time it is for them and offered the nearest slots inside everyone's
hours (:mod:`bot.cadence.offer`). An audience channel's members are not known one by one: only
the people named are counted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.cadence.hours import hours_of
from bot.cadence.offer import Attendee, command_value, offer_message, offer_slots
from bot.i18n import _
from bot.messages import Message, channel_reference, person_reference
from bot.research.assignments import ref
from bot.research.lunch import MINUTES
from bot.turn import Turn
from storage import research as queries
from storage.models import ResearchAssignment


async def lunch_offer(turn: Turn, assignment: ResearchAssignment, starts_at: datetime, audience: Mapping[str, Any],
                      where: str | None) -> Message | None:
    """None when ``starts_at`` suits the presenters and the people in ``audience``; otherwise the
    offer, whose buttons run ``research schedule`` with a slot, or with the wanted time and ``anyway``."""
    mine = await hours_of(turn.repo, turn.person)
    ids = [*await queries.mentor_ids(turn.repo, assignment.id), *(audience.get("people") or [])]
    others = []
    for person_id in dict.fromkeys(ids):
        person = await turn.repo.person(int(person_id))
        if person is not None and person.erased_at is None and person.id != turn.person.id:
            others.append(Attendee(person.display_name, await hours_of(turn.repo, person)))
    offer = offer_slots(others, mine, starts_at, timedelta(minutes=MINUTES), turn.now)
    if offer is None:
        return None
    tail = (f" {command_value(where)}" if where else "") + f" audience={command_value(audience_text(audience))}"
    return offer_message(offer, mine, f"research schedule {ref(assignment)}", tail,
                         _("the presenters and the audience"))


def audience_text(audience: Mapping[str, Any]) -> str:
    """An audience as ``research schedule`` reads it back: its people and channel by reference (ids, not names)."""
    items = [person_reference(f"#{person_id}") for person_id in audience.get("people") or []]
    channel = audience.get("channel")
    if isinstance(channel, Mapping) and channel.get("user_id"):
        items.append(channel_reference(str(channel["user_id"])))
    return ", ".join(items)
