"""Times that suit everyone (rule 11 of docs/cadence.md): scheduling at a time outside someone's
working hours is not stored at once; the person is told what time it is for the others, in their
zones, and offered the slots nearest to the time they wanted inside everyone's hours, one tap
each, with a button to insist.

:func:`offer_slots` is pure (working hours and optional busy intervals in, an :class:`Offer` out):
a calendar connection passes the busy intervals it read. :func:`offer_message` writes the offer
for the person scheduling, with the commands each button runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.cadence.hours import WorkingHours
from bot.cadence.slots import Interval, fits_everyone, nearest_slots
from bot.messages import Button, ButtonStyle, Message, say

SHOWN_ZONES = 4
"""How many distinct local times (zones) an offer names before it says "and N more"."""


@dataclass(frozen=True)
class Attendee:
    """Someone a meeting's time must suit: a name for the message and their working hours."""

    name: str
    hours: WorkingHours


@dataclass(frozen=True)
class Offer:
    """A wanted time that does not suit everyone: who it misses, and the nearest slots that suit all."""

    wanted: datetime
    length: timedelta
    outside: tuple[Attendee, ...]
    busy: bool
    slots: tuple[datetime, ...]


def offer_slots(others: Sequence[Attendee], mine: WorkingHours, wanted: datetime, length: timedelta, now: datetime,
                *, busy: Iterable[Interval] = (), count: int = 3) -> Offer | None:
    """None when ``wanted`` (for ``length``) lies inside the working hours of every one of
    ``others`` and clear of ``busy``; else who it misses and the ``count`` starts nearest to it,
    never before ``now``, inside everyone's hours (``mine`` too: the person scheduling) and free."""
    busy = list(busy)
    outside = tuple(a for a in others if not fits_everyone([a.hours], wanted, length))
    clash = any(start < wanted + length and wanted < end for start, end in busy)
    if not outside and not clash:
        return None
    people = [mine, *(a.hours for a in others)]
    return Offer(wanted, length, outside, clash, tuple(nearest_slots(people, wanted, now, length, count=count,
                                                                      busy=busy)))


def offer_message(offer: Offer, mine: WorkingHours, command: str, tail: str, who: str) -> Message:
    """The offer as the person scheduling reads it (times in their zone): what the time is for the
    others, the slots as buttons running ``COMMAND DATE TIME TAIL``, and *Schedule anyway*
    running it with the wanted time and ``anyway``. ``who`` names everyone concerned ("you and
    Zoe", "everyone in the circle ...")."""
    def run(start: datetime) -> str:
        return f"{command} {mine.local(start):%Y-%m-%d %H:%M}{tail}"

    wanted = f"{mine.local(offer.wanted):%a %d %b %Y, %H:%M} ({mine.zone.key})"
    lines = []
    if offer.outside:
        lines.append(f"{wanted} is outside working hours for {_local_times(offer.outside, offer.wanted)}.")
    if offer.busy:
        lines.append(f"{wanted} clashes with something already in the calendar.")
    buttons = [Button.for_command(f"{mine.local(start):%a %d %b, %H:%M}", run(start),
                                  ButtonStyle.PRIMARY if n == 0 else ButtonStyle.DEFAULT)
               for n, start in enumerate(offer.slots)]
    if buttons:
        lines.append(f"Nothing is scheduled yet. The nearest times inside the working hours of {who} "
                     f"({mine.zone.key} times):")
    else:
        lines.append(f"Nothing is scheduled yet: {who} share no working hours in the next two weeks, so no "
                     "time suits everyone.")
    buttons.append(Button.for_command("Schedule anyway", run(offer.wanted) + " anyway", ButtonStyle.DANGER))
    return say("\n".join(lines), *buttons)


def _local_times(people: Sequence[Attendee], moment: datetime) -> str:
    """``Zoe (22:30 Europe/London, works 09:00-17:00)``, grouped by zone and hours for a crowd."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for person in people:
        hours = person.hours
        key = (f"{hours.local(moment):%H:%M}" + ("" if hours.local(moment).weekday() < 5 else f" on a {hours.local(moment):%A}"),
               hours.zone.key, f"{hours.start:%H:%M}-{hours.end:%H:%M}")
        groups.setdefault(key, []).append(person.name)
    parts = []
    for (local, zone, works), names in list(groups.items())[:SHOWN_ZONES]:
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        parts.append(f"{shown} ({local} {zone}, working {works})")
    more = len(groups) - SHOWN_ZONES
    return "; ".join(parts) + (f"; and people in {more} more zones" if more > 0 else "")


def command_value(text: str) -> str:
    """``text`` as one value of a command: quoted when it has spaces (a double quote inside becomes a single one)."""
    cleaned = text.replace('"', "'").replace("\u201c", "'").replace("\u201d", "'")
    return f'"{cleaned}"' if any(ch.isspace() for ch in cleaned) or not cleaned else cleaned
