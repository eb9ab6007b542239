"""The pseudo-locale: every translated string accented, a third longer and bracketed.

Run through a transcript, any English left outside the brackets is a string nobody wrapped for
translation, and any text that no longer fits a platform's limit shows what a long language
would break. Placeholders (``{name}``, ``%(name)s``), commands in backticks, references
(``<person:U1>``) and links are kept as they are.
"""

from __future__ import annotations

import math
import re
from functools import cache

OPEN, CLOSE = "⟦", "⟧"
GROWTH = 0.3
_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áƀçðéƒĝĥíĵķļɱñöþǫŕšţüṽŵẋýžÁƁÇÐÉƑĜĤÍĴĶĻṀÑÖÞǪŔŠŢÜṼŴẊÝŽ",
)
# Kept as they are: placeholders, code in backticks, references and tags, links, entities.
_KEPT = re.compile(r"\{[^{}]*\}|%\([^)]*\)[sdrf]|%[sd]|`[^`]*`|<[^<>]*>|https?://\S+|&\w+;")


def accented(text: str) -> str:
    """``text`` with its letters accented, unbracketed: a date or a number in the pseudo-locale."""
    return text.translate(_ACCENTED)


@cache
def pseudo(text: str) -> str:
    """``text`` in the pseudo-locale (empty stays empty)."""
    if not text.strip():
        return text
    parts, last = [], 0
    for kept in _KEPT.finditer(text):
        parts.append(text[last:kept.start()].translate(_ACCENTED))
        parts.append(kept.group())
        last = kept.end()
    parts.append(text[last:].translate(_ACCENTED))
    padding = "·" * max(1, math.ceil(len(text) * GROWTH) - 2)
    return f"{OPEN}{''.join(parts)}{padding}{CLOSE}"
