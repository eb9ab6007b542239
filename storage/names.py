"""How names are compared: the same on every database.

A name's *key* is what lookups compare: Unicode-normalised, accents dropped, case folded
and spaces collapsed, computed in Python (SQLite's ``lower()`` only knows ASCII) and stored
in an indexed column beside the name, so that ``Zoë Ñúñez``, ``ZOE NUNEZ`` and ``zoe nunez``
find the same person on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import unicodedata

# Accents are the combining marks of the Latin, Greek and Cyrillic alphabets (U+0300-U+036F):
# dropping them makes "é" match "e" and "Ά" match "α", while the marks that are letters'
# vowels or signs in other scripts (Devanagari, Arabic, Hebrew...) are kept.
_ACCENTS = range(0x0300, 0x0370)


def name_key(name: str) -> str:
    """The form of ``name`` that lookups compare (``"  Zoë  Ñúñez "`` -> ``"zoe nunez"``)."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if ord(ch) not in _ACCENTS)
    return " ".join(unicodedata.normalize("NFC", bare.casefold()).split())


def email_key(email: str) -> str:
    """An email address as stored and compared: trimmed and in lower case."""
    return email.strip().casefold()


UNLINKED_PREFIX = "email:"
"""The user id of a person imported from HR data whose platform account is not known yet
(``email:ana@example.com``); it becomes their platform id once they are reached."""


def unlinked_user_id(email: str) -> str:
    """The placeholder user id of an imported person not yet reached on the platform."""
    return UNLINKED_PREFIX + email_key(email)


def is_unlinked(user_id: str) -> bool:
    """True for the placeholder id of an imported person not yet reached."""
    return user_id.startswith(UNLINKED_PREFIX)
