"""The languages the bot speaks, and which one a person reads.

A person reads the language they chose in their profile; until they choose, the one their
platform reports (Slack's user locale, Teams' ``activity.locale``) when the bot speaks it;
otherwise their program's language; otherwise English. Channels and groups (a circle, a
lunch-and-learn audience) read the program's language.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

DEFAULT = "en"
SUPPORTED = ("en", "fr", "nl", "de", "it", "pl", "es")
"""Every language with a catalog, in the order they are offered."""

PSEUDO = "qps"
"""The pseudo-locale: English, accented and a third longer, bracketed (see :mod:`bot.i18n.pseudo`).
It finds untranslated strings and text that would not fit; it is never offered to people."""

NAMES = {
    "en": "English",
    "fr": "Français",
    "nl": "Nederlands",
    "de": "Deutsch",
    "it": "Italiano",
    "pl": "Polski",
    "es": "Español",
    PSEUDO: "Pseudo",
}
"""Each language in its own words, as people pick it."""

# What people and platforms call the languages, besides their codes and own names.
_ALIASES = {
    "english": "en", "anglais": "en", "engels": "en", "englisch": "en", "inglese": "en", "angielski": "en",
    "ingles": "en",
    "french": "fr", "francais": "fr", "frans": "fr", "franzosisch": "fr", "francese": "fr", "francuski": "fr",
    "frances": "fr",
    "dutch": "nl", "flemish": "nl", "vlaams": "nl", "neerlandais": "nl", "niederlandisch": "nl", "olandese": "nl",
    "niderlandzki": "nl", "holandes": "nl", "nederlands": "nl",
    "german": "de", "allemand": "de", "duits": "de", "tedesco": "de", "niemiecki": "de", "aleman": "de",
    "italian": "it", "italien": "it", "italiaans": "it", "italienisch": "it", "wloski": "it", "italiano": "it",
    "polish": "pl", "polonais": "pl", "pools": "pl", "polnisch": "pl", "polacco": "pl", "polski": "pl",
    "polaco": "pl",
    "spanish": "es", "espagnol": "es", "spaans": "es", "spanisch": "es", "spagnolo": "es", "hiszpanski": "es",
    "espanol": "es", "castellano": "es",
}


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ł", "l")


def normalize(tag: str | None, pseudo: bool = True) -> str | None:
    """The supported language ``tag`` names (``fr-BE``, ``fr_FR``, ``FR``, ``French``,
    ``Français`` are all ``fr``), or None when the bot does not speak it."""
    if not tag or not isinstance(tag, str):
        return None
    folded = _folded(tag)
    if pseudo and folded == PSEUDO:
        return PSEUDO
    if folded in _ALIASES:
        return _ALIASES[folded]
    for code in SUPPORTED:
        if _folded(NAMES[code]) == folded:
            return code
    language = folded.replace("_", "-").split("-")[0]
    return language if language in SUPPORTED else None


def resolve(candidates: Iterable[str | None]) -> str:
    """The first of ``candidates`` the bot speaks (see :func:`normalize`), else English: an
    unknown locale is passed over without an error."""
    for candidate in candidates:
        code = normalize(candidate)
        if code:
            return code
    return DEFAULT


def name_of(code: str) -> str:
    """A language in its own words (``Polski``), the code itself when unknown."""
    return NAMES.get(code, code)


def available() -> str:
    """The languages people may choose, listed for a refusal: ``en (English), fr (Français), ...``."""
    return ", ".join(f"{code} ({NAMES[code]})" for code in SUPPORTED)
