"""Turning what a person typed or picked into clean values, or a hint to try again.

Each parser takes the raw answer (a string, or a list for multi-selects) and returns a
JSON-friendly value, or raises :class:`InvalidAnswer` with a message that says what was
expected.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.i18n import N_, _
from bot.i18n import formats
from bot.messages import FormValue, Option


YES = N_("yes, y, ok, okay, sure")
"""The words that mean yes (a translation lists its language's, separated by commas)."""
NO = N_("no, n, not now")
"""The words that mean no."""


def words_for(listed: str) -> set[str]:
    """The words of ``listed`` (``YES`` or ``NO``) in English and in the reader's language, lower case."""
    return {word.strip().lower() for word in f"{listed},{_(listed)}".split(",") if word.strip()}


class InvalidAnswer(ValueError):
    """An answer that cannot be used; ``str(error)`` tells the person what to do."""


def as_text(raw: FormValue | None) -> str:
    """A raw answer as one trimmed string; anything but text (or a list of it) is refused."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        return ", ".join(raw).strip()
    raise InvalidAnswer(_("I could not read that answer: please type it again."))


def check_length(text: str, limit: int) -> str:
    """Refuse text over ``limit`` characters, saying what the limit is."""
    if len(text) > limit:
        raise InvalidAnswer(
            _("That is {count:,} characters; the limit here is {limit:,}. Please shorten it.", count=len(text), limit=limit)
        )
    return text


def parse_text(raw: FormValue | None, limit: int, optional: bool = False) -> str | None:
    """Free text up to ``limit`` characters; empty is allowed only when ``optional``."""
    text = check_length(as_text(raw), limit)
    if not text:
        if optional:
            return None
        raise InvalidAnswer(_("This one needs an answer."))
    return text


def _pick(token: str, options: Sequence[Option]) -> str | None:
    lowered = token.strip().lower()
    for option in options:
        if lowered in (option.value.lower(), option.label.lower()):
            return option.value
    return None


def _listing(options: Sequence[Option]) -> str:
    return ", ".join(option.label for option in options)


def parse_choice(raw: FormValue | None, options: Sequence[Option]) -> str:
    """One of ``options``, given by value or label (case-insensitive)."""
    picked = _pick(as_text(raw), options)
    if picked is None:
        raise InvalidAnswer(_("Please pick one of: {options}.", options=_listing(options)))
    return picked


def parse_choices(
    raw: FormValue | None, options: Sequence[Option], optional: bool = False
) -> list[str]:
    """Several of ``options``: a list, or one string separated by commas."""
    tokens = raw if isinstance(raw, list) and all(isinstance(t, str) for t in raw) else as_text(raw).split(",")
    tokens = [str(token) for token in tokens if str(token).strip()]
    if not tokens:
        if optional:
            return []
        raise InvalidAnswer(_("Please pick at least one of: {options}.", options=_listing(options)))
    picked: list[str] = []
    for token in tokens:
        value = _pick(token, options)
        if value is None:
            raise InvalidAnswer(_("'{token}' is not on the list: {options}.", token=token.strip(), options=_listing(options)))
        if value not in picked:
            picked.append(value)
    return picked


def parse_int(raw: FormValue | None, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``."""
    text = as_text(raw)
    try:
        number = int(text)
    except ValueError:
        raise InvalidAnswer(_("Please answer with a whole number from {low} to {high}.", low=low, high=high)) from None
    if not low <= number <= high:
        raise InvalidAnswer(_("{number} is out of range: use a number from {low} to {high}.", number=number, low=low, high=high))
    return number


TODAY = N_("today")
TOMORROW = N_("tomorrow")


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold().rstrip("."))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def named_day(text: str, today: date) -> date | None:
    """The day ``text`` names in the reader's language or in English: today, tomorrow, or a
    weekday (``mardi``, ``wtorek``, ``Tue``: the next one after today); None otherwise."""
    key = _folded(text)
    if not key:
        return None
    if key in {_folded(TODAY), _folded(_(TODAY))}:
        return today
    if key in {_folded(TOMORROW), _folded(_(TOMORROW))}:
        return today + timedelta(days=1)
    for weekday, names in formats.weekday_names().items():
        if key in {_folded(name) for name in names}:
            return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    return None


def parse_date(raw: FormValue | None, not_before: date | None = None) -> date:
    """A calendar date written YYYY-MM-DD, optionally no earlier than ``not_before``; with
    ``not_before`` (today, in a form), also a day's name in the reader's language (``demain``,
    ``wtorek``: see :func:`named_day`)."""
    text = as_text(raw)
    named = named_day(text, not_before) if not_before else None
    if named is not None:
        return named
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidAnswer(
            _("'{text}' is not a date I can read: write it as YYYY-MM-DD, for example 2027-01-15.", text=text)
        ) from None
    if not_before and day < not_before:
        raise InvalidAnswer(_("{day} is in the past: pick a date from {not_before} on.", day=day.isoformat(), not_before=not_before.isoformat()))
    return day


_CLOCK = re.compile(r"^(\d{1,2})(?::?(\d{2}))?$")


def parse_clock(text: str) -> time:
    """A time of day such as ``9``, ``09:30`` or ``1730``."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise InvalidAnswer(_("'{text}' is not a time: write it as HH:MM, for example 09:30.", text=text.strip()))
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour == 24 and minute == 0:
        return time(23, 59)
    if hour > 23 or minute > 59:
        raise InvalidAnswer(_("'{text}' is not a time of day: hours go to 23, minutes to 59.", text=text.strip()))
    return time(hour, minute)


def parse_hours(raw: FormValue | None) -> tuple[str, str]:
    """Working hours such as ``09:00-17:30``, as a pair of HH:MM strings."""
    text = as_text(raw).replace("–", "-").replace(" to ", "-")
    parts = [part for part in text.split("-") if part.strip()]
    if len(parts) != 2:
        raise InvalidAnswer(_("Give your working hours as start-end, for example 09:00-17:30."))
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start >= end:
        raise InvalidAnswer(
            _("Your day should end after it starts ({start} to {end}); for example 09:00-17:30.", start=start.strftime("%H:%M"),
              end=end.strftime("%H:%M"))
        )
    if (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute) < 60:
        raise InvalidAnswer(_("That leaves less than an hour a day: give at least one hour, for example 09:00-17:30."))
    return f"{start:%H:%M}", f"{end:%H:%M}"


# City names are taken from these areas only (so "Eastern" is not US/Eastern or
# Canada/Eastern at random). Zones written as offsets are refused: the Etc/GMT+N zones'
# sign is the opposite of what people mean by "GMT+N", and offsets ignore daylight saving.
AREAS = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/", "Pacific/")
OFFSET = re.compile(r"^(etc/)?(utc|gmt)?\s*[+-]\s*\d", re.IGNORECASE)


# Abbreviations are refused like offsets, with the places people usually mean: "EST" is a
# fixed UTC-5 in the zone database, while New York is UTC-4 in July; "CET" likewise.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "EST": ("America/New_York", "America/Toronto"), "EDT": ("America/New_York", "America/Toronto"),
    "CST": ("America/Chicago", "America/Mexico_City", "Asia/Shanghai"), "CDT": ("America/Chicago",),
    "MST": ("America/Denver", "America/Phoenix"), "MDT": ("America/Denver",),
    "PST": ("America/Los_Angeles", "America/Vancouver"), "PDT": ("America/Los_Angeles",),
    "AKST": ("America/Anchorage",), "HST": ("Pacific/Honolulu",),
    "GMT": ("Europe/London", "UTC"), "BST": ("Europe/London",), "WET": ("Europe/Lisbon",),
    "WEST": ("Europe/Lisbon",), "IST": ("Asia/Kolkata", "Europe/Dublin"),
    "CET": ("Europe/Brussels", "Europe/Paris", "Europe/Warsaw"), "CEST": ("Europe/Brussels", "Europe/Paris"),
    "MET": ("Europe/Brussels",), "EET": ("Europe/Athens", "Europe/Helsinki"), "EEST": ("Europe/Athens",),
    "MSK": ("Europe/Moscow",), "PKT": ("Asia/Karachi",), "SGT": ("Asia/Singapore",), "HKT": ("Asia/Hong_Kong",),
    "JST": ("Asia/Tokyo",), "KST": ("Asia/Seoul",), "AEST": ("Australia/Sydney",), "AEDT": ("Australia/Sydney",),
    "ACST": ("Australia/Adelaide",), "AWST": ("Australia/Perth",), "NZST": ("Pacific/Auckland",),
    "NZDT": ("Pacific/Auckland",), "BRT": ("America/Sao_Paulo",), "ART": ("America/Argentina/Buenos_Aires",),
    "SAST": ("Africa/Johannesburg",), "WAT": ("Africa/Lagos",), "EAT": ("Africa/Nairobi",),
    "CAT": ("Africa/Maputo",),
}
# The zone database's own abbreviation-like and POSIX-style names, refused for the same reason.
_LEGACY = re.compile(r"^([A-Z]{3,4}\d?([A-Z]{3,4})?|Etc/.*|SystemV/.*)$")


@cache
def _zones() -> dict[str, str]:
    """Every IANA zone but the offsets, by its lower-case form, plus city names."""
    every = sorted(name for name in available_timezones()
                   if not OFFSET.match(name) and (name == "UTC" or not _LEGACY.match(name)))
    zones = {name.lower(): name for name in every}
    for name in (name for name in every if name.startswith(AREAS)):
        city = name.rsplit("/", 1)[-1].lower()
        zones.setdefault(city, name)
        zones.setdefault(city.replace("_", " "), name)
    return zones


def suggest_timezones(text: str, limit: int = 3) -> list[str]:
    """Zone names close to ``text``, best first."""
    zones = _zones()
    key = text.strip().lower().replace(" ", "_")
    close = difflib.get_close_matches(key, zones.keys(), n=limit * 3, cutoff=0.6)
    suggestions: list[str] = []
    for candidate in close:
        zone = zones[candidate]
        if zone not in suggestions:
            suggestions.append(zone)
    return suggestions[:limit]


def parse_timezone(raw: FormValue | None) -> str:
    """An IANA time zone (``Europe/Brussels``); a city name alone is accepted too."""
    text = as_text(raw)
    if not text:
        raise InvalidAnswer(_("Please give your time zone, for example Europe/Brussels."))
    places = ABBREVIATIONS.get(text.upper())
    if places:
        raise InvalidAnswer(
            _("'{text}' is an abbreviation, and abbreviations hide daylight saving (and some mean " "several places): give the place instead. Did you mean {items}?", text=text, items=' or '.join(places))
        )
    if OFFSET.match(text):
        raise InvalidAnswer(
            _("'{text}' is an offset, and offsets change with daylight saving: give the place instead, " "for example Europe/Brussels or Asia/Karachi.", text=text)
        )
    zones = _zones()
    found = zones.get(text.lower()) or zones.get(text.lower().replace(" ", "_"))
    if found:
        try:
            ZoneInfo(found)
        except ZoneInfoNotFoundError:  # pragma: no cover - tzdata is a dependency
            found = None
    if found:
        return found
    suggestions = suggest_timezones(text)
    if suggestions:
        raise InvalidAnswer(
            _("I don't know the time zone '{text}'. Did you mean {items}?", text=text, items=' or '.join(suggestions))
        )
    raise InvalidAnswer(
        _("I don't know the time zone '{text}'. Use an IANA name such as Europe/Brussels or " "America/New_York.", text=text)
    )
