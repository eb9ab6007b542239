"""Dates, times, numbers and lists written for the current locale (Babel).

English keeps the house style the bot always had (``Tue 12 Jan 2027, 15:00``); the other
languages follow their CLDR conventions (``mar. 12 janv. 2027, 15:00``). Times are 24-hour
everywhere, as every one of these languages writes them at work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Literal

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.dates import format_datetime as _babel_datetime
from babel.lists import format_list
from babel.numbers import format_decimal

from bot.i18n.locales import DEFAULT, NAMES, PSEUDO
from bot.i18n.pseudo import accented
from bot.i18n.translate import current_locale, use_locale

# English as the bot always wrote it (strftime's C names: "Sep", not CLDR's "Sept").
_ENGLISH = {
    "yMMMEd": "%a %d %b %Y",
    "MMMEd": "%a %d %b",
    "yMMMd": "%d %b %Y",
    "yMMMM": "%B %Y",
    "MMMM": "%B",
    "yMMM": "%b %Y",
    "yMMMMEEEEd": "%A %-d %B %Y",
    "EEE": "%a",
}


def babel_locale(code: str | None = None) -> Locale:
    """The Babel locale for a language code (the pseudo-locale writes English)."""
    code = code or current_locale()
    return Locale.parse("en_GB" if code in (DEFAULT, PSEUDO) else code)


def _date_like(value: date | datetime, skeleton: str) -> str:
    code = current_locale()
    if code == PSEUDO:
        with use_locale(DEFAULT):
            return accented(_date_like(value, skeleton))
    if code == DEFAULT:
        return value.strftime(_ENGLISH[skeleton])
    if skeleton == "EEE":
        return _babel_datetime(value if isinstance(value, datetime) else datetime.combine(value, time()), "EEE",
                               locale=babel_locale(code))
    if skeleton == "MMMM":
        return _babel_datetime(value if isinstance(value, datetime) else datetime.combine(value, time()), "LLLL",
                               locale=babel_locale(code))
    return format_skeleton(skeleton, value, locale=babel_locale(code))


def day(value: date | datetime) -> str:
    """``Tue 12 Jan 2027``: a day with its weekday."""
    return _date_like(value, "yMMMEd")


def day_in_year(value: date | datetime) -> str:
    """``Tue 12 Jan``: a day with its weekday, this year."""
    return _date_like(value, "MMMEd")


def long_day(value: date | datetime) -> str:
    """``Tuesday 12 January 2027`` (``mardi 12 janvier 2027``)."""
    code = current_locale()
    if code in (DEFAULT, PSEUDO):
        return _date_like(value, "yMMMMEEEEd")
    return format_date(value, "full", locale=babel_locale(code))


def date_only(value: date | datetime) -> str:
    """``12 Jan 2027``."""
    return _date_like(value, "yMMMd")


def month(value: date | datetime) -> str:
    """``January 2027``."""
    return _date_like(value, "yMMMM")


def month_name(value: date | datetime) -> str:
    """``January``."""
    return _date_like(value, "MMMM")


def short_month(value: date | datetime) -> str:
    """``Jan 2027``."""
    return _date_like(value, "yMMM")


def weekday(value: date | datetime) -> str:
    """``Tue``."""
    return _date_like(value, "EEE")


def weekday_names() -> dict[int, set[str]]:
    """Each weekday (0 is Monday) by its names, wide and abbreviated, in the reader's language and
    in English: what a typed answer may call it."""
    from babel.dates import get_day_names

    names: dict[int, set[str]] = {day: set() for day in range(7)}
    for locale in {babel_locale(), babel_locale(DEFAULT)}:
        for width in ("wide", "abbreviated"):
            for day, name in get_day_names(width, "format", locale=locale).items():
                names[day].add(name)
    return names


def clock(value: time | datetime) -> str:
    """``15:00``."""
    return f"{value:%H:%M}"


def weekday_time(value: datetime, with_day: bool = False) -> str:
    """``Tue 15:00``; with the day, ``Tue 12 Jan 15:00``."""
    return f"{day_in_year(value) if with_day else weekday(value)} {clock(value)}"


def moment(value: datetime) -> str:
    """``Tue 12 Jan 2027, 15:00``: a day and a time (already in the reader's zone)."""
    return f"{day(value)}, {clock(value)}"


def moment_in_year(value: datetime) -> str:
    """``Tue 12 Jan, 15:00``."""
    return f"{day_in_year(value)}, {clock(value)}"


def long_moment(value: datetime) -> str:
    """``Tuesday 12 January 2027, 15:00`` (``mardi 12 janvier 2027, 15:00``)."""
    return f"{long_day(value)}, {clock(value)}"


def number(value: float | int) -> str:
    """``12,345`` (``12 345``, ``12.345``)."""
    return format_decimal(value, locale=babel_locale())


def listed(items: Sequence[str], style: Literal["standard", "or"] = "standard") -> str:
    """``a, b and c`` in the current language (``a, b et c``); ``or`` with ``style="or"``."""
    if not items:
        return ""
    code = current_locale()
    if code in (DEFAULT, PSEUDO):
        if len(items) == 1:
            return items[0]
        word = "or" if style == "or" else "and"
        return f"{', '.join(items[:-1])} {accented(word) if code == PSEUDO else word} {items[-1]}"
    return format_list(list(items), style=style, locale=babel_locale(code))


def language_name(code: str) -> str:
    """A language named as the reader writes it inside a sentence (``polonais`` in French,
    ``Polnisch`` in German); the name in its own words when Babel does not know the code."""
    if code == PSEUDO or current_locale() == PSEUDO:
        return NAMES.get(code, code)
    try:
        name = Locale.parse(code).get_display_name(babel_locale())
    except (ValueError, TypeError):
        name = None
    return name or NAMES.get(code, code)
