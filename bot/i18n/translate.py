"""Translated text for the person being answered.

The core never formats a user-facing sentence without a locale: the engine sets the
speaker's for a turn, the outbox sets each recipient's when it renders a nudge, and channels
get their program's. :func:`gettext` (``_``) and :func:`ngettext` read that current locale.

Placeholders are named, in braces: ``_("Welcome back, {name}.", name=person.display_name)``.
A translation whose placeholders do not fit falls back to English rather than failing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

from bot.i18n.catalogs import translations
from bot.i18n.locales import DEFAULT, PSEUDO
from bot.i18n.pseudo import pseudo

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
_current: ContextVar[str] = ContextVar("mentorbot_locale", default=DEFAULT)


def current_locale() -> str:
    """The locale of whoever is being written to now."""
    return _current.get()


@contextmanager
def use_locale(code: str) -> Iterator[str]:
    """Write in ``code`` inside the block."""
    token = _current.set(code or DEFAULT)
    try:
        yield code
    finally:
        _current.reset(token)


def switch_locale(code: str) -> None:
    """Write in ``code`` from now on, until the enclosing :func:`use_locale` ends (a person who
    just chose their language reads the rest of the turn in it)."""
    _current.set(code or DEFAULT)


def _formatted(text: str, source: str, values: dict[str, object], /) -> str:
    if not values:
        return text
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError) as problem:
        if text == source:
            raise
        log.warning("a %s translation of %r does not fit its placeholders (%s): English used", current_locale(),
                    source[:60], problem)
        return source.format(**values)


def gettext(message: str, /, **values: object) -> str:
    """``message`` in the current locale, its ``{placeholders}`` filled from ``values``."""
    code = _current.get()
    if code == DEFAULT:
        text = message
    elif code == PSEUDO:
        text = pseudo(message)
    else:
        text = translations(code).gettext(message)
    return _formatted(text, message, values)


_ = gettext


def ngettext(singular: str, plural: str, n: int, /, **values: object) -> str:
    """The form of a sentence for ``n`` in the current locale (Polish has three); ``{n}`` is
    filled with ``n``."""
    code = _current.get()
    if code == PSEUDO:
        text = pseudo(singular if n == 1 else plural)
    elif code == DEFAULT:
        text = singular if n == 1 else plural
    else:
        text = translations(code).ngettext(singular, plural, n)
    return _formatted(text, singular if n == 1 else plural, {"n": n, **values})


def pgettext(context: str, message: str, /, **values: object) -> str:
    """``message`` in the current locale, told apart from the same English word elsewhere by
    ``context`` (a *session* as a meeting, say, and as a word in a command)."""
    code = _current.get()
    if code == DEFAULT:
        text = message
    elif code == PSEUDO:
        text = pseudo(message)
    else:
        text = translations(code).pgettext(context, message)
    return _formatted(text, message, values)


def in_message_locale(render: Callable[P, R]) -> Callable[P, R]:
    """Decorate an adapter's renderer whose first argument is a message: its own words (a modal's
    Cancel, a link's label) are written in the message's language."""
    @wraps(render)
    def rendering(*args: P.args, **kwargs: P.kwargs) -> R:
        locale = getattr(args[0], "locale", "") if args else ""
        with use_locale(locale or current_locale()):
            return render(*args, **kwargs)
    return rendering


def N_(message: str) -> str:  # noqa: N802 - the conventional name of the marker
    """Mark ``message`` for translation where it is defined; translate it with ``_`` where it is used."""
    return message


def translated_in(code: str, message: str, /, **values: object) -> str:
    """``message`` in ``code`` whatever the current locale."""
    with use_locale(code):
        return gettext(message, **values)
