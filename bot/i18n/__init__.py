"""Languages: which one each person reads, their text translated, their dates and numbers
written their way.

``from bot.i18n import _`` and write ``_("Welcome back, {name}.", name=...)``; the engine and
the outbox set whose locale it is (see :mod:`bot.i18n.translate`). Catalogs are in
``locales/`` (``make messages`` extracts, updates and compiles them).
"""

from bot.i18n.locales import DEFAULT, NAMES, PSEUDO, SUPPORTED, available, name_of, normalize, resolve
from bot.i18n.translate import (
    N_,
    _,
    current_locale,
    gettext,
    in_message_locale,
    ngettext,
    pgettext,
    switch_locale,
    translated_in,
    use_locale,
)

__all__ = ["DEFAULT", "NAMES", "N_", "PSEUDO", "SUPPORTED", "_", "available", "current_locale", "gettext", "in_message_locale",
           "name_of", "ngettext", "normalize", "pgettext", "resolve", "switch_locale", "translated_in", "use_locale"]
