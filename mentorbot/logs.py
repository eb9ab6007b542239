"""What the log never holds, and what it says in one line.

* :class:`Redact` cuts secrets out of every record before any handler writes it: Slack tokens
  (slack_sdk logs the ``oauth.v2.access`` answer, bot token included, at DEBUG during an
  install) and the secret part of report, calendar and my-data links (aiohttp's access log writes each
  request's path, however many slashes it has).
* :class:`OneLineForBadRequests` turns aiohttp's ERROR and traceback for a malformed HTTP
  request (a bad request line, a broken header) into one WARNING line, so that nobody can fill
  the log by sending garbage.

:func:`install` puts both where they act: on the handlers (a filter on a logger does not see
records that propagate from its children) and on aiohttp's own loggers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.logcontext import FIELDS, TurnFields

if TYPE_CHECKING:
    from mentorbot.settings import Settings

SLACK_TOKEN = re.compile(r"\b(xox[a-z]|xapp|xoxe(?:\.xox[a-z])?)-[A-Za-z0-9-]+")
SECRET_PATH = re.compile(r"(/+(?:report|calendar|my-data)/+)[^\s\"?#]*", re.IGNORECASE)
HIDDEN = "…"


def redact(text: str) -> str:
    """``text`` without Slack tokens or the secret parts of report and calendar links."""
    text = SLACK_TOKEN.sub(lambda found: f"{found.group(1)}-{HIDDEN}", text)
    return SECRET_PATH.sub(lambda found: f"{found.group(1)}{HIDDEN}", text)


class Redact(logging.Filter):
    """Rewrites each record's message (with its arguments) and string fields without secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a record whose arguments do not format: leave it to the handler
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        for key, value in list(vars(record).items()):
            if key not in ("msg", "message") and isinstance(value, str):
                setattr(record, key, redact(value))
            elif isinstance(value, dict):  # aiohttp's access log: the request's headers (a Referer)
                setattr(record, key, {k: redact(v) if isinstance(v, str) else v for k, v in value.items()})
        return True


class OneLineForBadRequests(logging.Filter):
    """aiohttp's "Error handling request" for a request it could not parse, as one WARNING line."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is None or not _bad_request(error):
            return True
        reason = " ".join(str(getattr(error, "message", "") or type(error).__name__).split())[:200]
        record.msg, record.args = "refused a malformed HTTP request: %s", (reason,)
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text = None, None
        return True


def _bad_request(error: BaseException) -> bool:
    from aiohttp.http_exceptions import HttpProcessingError

    return isinstance(error, HttpProcessingError)


REDACT = Redact()
ONE_LINE = OneLineForBadRequests()


def install(handlers: Iterable[logging.Handler] = ()) -> None:
    """Put the filters on ``handlers`` (the root logger's when none are given) and on aiohttp's
    loggers. Safe to call again."""
    chosen = list(handlers) or logging.getLogger().handlers
    for handler in chosen:
        _add(handler, REDACT)
    for name in ("aiohttp.server", "aiohttp.web", "aiohttp.access"):
        _add(logging.getLogger(name), ONE_LINE)
        _add(logging.getLogger(name), REDACT)


def _add(target: logging.Filterer, chosen: logging.Filter) -> None:
    if chosen not in target.filters:
        target.addFilter(chosen)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = {"asctime": "time", "levelname": "level", "name": "logger"}
QUIET_LIBRARIES = ("alembic", "apscheduler")
"""Libraries whose INFO lines say nothing an operator needs (each migration step, every run of
every cadence job): shown at DEBUG only."""
TURN_FIELDS = TurnFields()


def configure(settings: Settings, chat: bool) -> None:
    """The root logger as the settings ask: ``LOG_LEVEL``, to ``LOG_FILE`` or stderr (the terminal
    chat logs to ``mentorbot.log``, so that log lines do not interleave with the conversation),
    as text lines or, with ``LOG_FORMAT=json``, one JSON object a line carrying the turn's
    platform, tenant, event id and request id; secrets redacted; noisy libraries quieted."""
    filename = settings.log_file or ("mentorbot.log" if chat else None)
    handler: logging.Handler = logging.FileHandler(filename) if filename else logging.StreamHandler()
    handler.setFormatter(formatter(settings.log_format))
    handler.addFilter(TURN_FIELDS)
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    root = logging.getLogger()
    quiet = logging.DEBUG if root.level <= logging.DEBUG else logging.WARNING
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(quiet)
    install()
    for each in root.handlers:
        _add(each, TURN_FIELDS)
    # aiosqlite logs every call at DEBUG: hundreds of KB at start-up, nothing an operator needs.
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, root.level))


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for ``LOG_FORMAT`` (``text`` or ``json``)."""
    if log_format != "json":
        return logging.Formatter(TEXT_FORMAT)
    from pythonjsonlogger.json import JsonFormatter

    fields = " ".join(f"%({name})s" for name in ("asctime", "levelname", "name", "message", *FIELDS))
    return JsonFormatter(fields, rename_fields=JSON_FIELDS, json_ensure_ascii=False)
