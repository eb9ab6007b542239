"""Where the translations are and how they are loaded.

Catalogs live in ``locales/<code>/LC_MESSAGES/messages.po`` at the top of the source tree
(``make setup`` compiles them to ``.mo`` files). A compiled catalog older than its ``.po`` file,
or missing, is compiled in memory from the ``.po`` file, so a fresh clone works without the
compile step. An installed copy without the source tree finds them under
``<prefix>/share/mentorbot/locales`` (where the Docker image puts them).
"""

from __future__ import annotations

import gettext
import io
import logging
import sys
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)
DOMAIN = "messages"


def locales_dir() -> Path:
    """The folder holding the catalogs."""
    source = Path(__file__).resolve().parents[2] / "locales"
    if source.is_dir():
        return source
    return Path(sys.prefix) / "share" / "mentorbot" / "locales"


def catalog_path(code: str, suffix: str = ".po") -> Path:
    """The file of ``code``'s catalog (``.po`` or ``.mo``)."""
    return locales_dir() / code / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


@cache
def translations(code: str) -> gettext.NullTranslations:
    """The catalog of ``code``; English (the source) and a missing catalog translate nothing."""
    po, mo = catalog_path(code, ".po"), catalog_path(code, ".mo")
    try:
        if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
            with mo.open("rb") as file:
                return gettext.GNUTranslations(file)
        if po.is_file():
            return _compiled(po)
    except (OSError, ValueError) as problem:
        log.warning("the %s catalog could not be read (%s): English is used instead", code, problem)
    return gettext.NullTranslations()


def _compiled(po: Path) -> gettext.GNUTranslations:
    """A ``.po`` file compiled in memory."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as file:
        catalog = read_po(file)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
