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
from bot.i18n import _, formats, ngettext
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

    wanted = f"{formats.moment(mine.local(offer.wanted))} ({mine.zone.key})"
    lines = []
    if offer.outside:
        lines.append(_("{wanted} is outside working hours for {people}.", wanted=wanted,
                          people=_local_times(offer.outside, offer.wanted)))
    if offer.busy:
        lines.append(_("{wanted} clashes with something already in the calendar.", wanted=wanted))
    buttons = [Button.for_command(formats.moment_in_year(mine.local(start)), run(start),
                                  ButtonStyle.PRIMARY if n == 0 else ButtonStyle.DEFAULT)
               for n, start in enumerate(offer.slots)]
    if buttons:
        lines.append(_("Nothing is scheduled yet. The nearest times inside the working hours of {who} "
                       "({zone} times):", who=who, zone=mine.zone.key))
    else:
        lines.append(_("Nothing is scheduled yet: {who} share no working hours in the next two weeks, so no "
                       "time suits everyone.", who=who))
    buttons.append(Button.for_command(_("Schedule anyway"), run(offer.wanted) + " anyway", ButtonStyle.DANGER))
    return say("\n".join(lines), *buttons)


def _local_times(people: Sequence[Attendee], moment: datetime) -> str:
    """``Zoe (22:30 Europe/London, works 09:00-17:00)``, grouped by zone and hours for a crowd."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for person in people:
        hours = person.hours
        there = hours.local(moment)
        key = (formats.clock(there) if there.weekday() < 5 else _("{time} on {weekday}", time=formats.clock(there),
                                                                  weekday=formats.weekday(there)),
               hours.zone.key, f"{hours.start:%H:%M}-{hours.end:%H:%M}")
        groups.setdefault(key, []).append(person.name)
    parts = []
    for (local, zone, works), names in list(groups.items())[:SHOWN_ZONES]:
        shown = ", ".join(names) if len(names) <= 3 else _("{names} and {n} more", names=", ".join(names[:3]),
                                                               n=len(names) - 3)
        parts.append(_("{names} ({time} {zone}, working {hours})", names=shown, time=local, zone=zone, hours=works))
    more = len(groups) - SHOWN_ZONES
    return "; ".join(parts) + ("; " + ngettext("and people in {n} more zone", "and people in {n} more zones", more)
                               if more > 0 else "")


def command_value(text: str) -> str:
    """``text`` as one value of a command: quoted when it has spaces (a double quote inside becomes a single one)."""
    cleaned = text.replace('"', "'").replace("\u201c", "'").replace("\u201d", "'")
    return f'"{cleaned}"' if any(ch.isspace() for ch in cleaned) or not cleaned else cleaned
