"""What every log line of a turn says about it: the platform, the tenant, the platform's event
id and a request id, carried in context variables (so that concurrent turns on one loop keep
theirs apart) and put on each record by :class:`TurnFields`.

The edge sets the request id for each HTTP request (from an ``X-Request-Id`` header it can
trust the shape of, or a new one); a job carries it to the worker process, where the turn sets
the rest (:func:`turn`). Nothing here holds what a person wrote or their name.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

FIELDS = ("platform", "tenant", "event_id", "request_id")
_VARS: dict[str, ContextVar[str]] = {name: ContextVar(f"mentorbot_{name}", default="") for name in FIELDS}
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def new_request_id() -> str:
    """A fresh request id (32 hex digits)."""
    return uuid.uuid4().hex


def request_id(offered: str | None = None) -> str:
    """``offered`` (an upstream proxy's ``X-Request-Id``) if it is a short plain token, else a new id."""
    return offered if offered and REQUEST_ID.fullmatch(offered) else new_request_id()


def current(name: str) -> str:
    """The value of field ``name`` in this context ('' when unset)."""
    return _VARS[name].get()


def current_request_id() -> str:
    """The request id of this context, or a new one when there is none (a job the cadence starts)."""
    return current("request_id") or new_request_id()


@contextmanager
def turn(**fields: str | None) -> Iterator[None]:
    """Set some of :data:`FIELDS` for the code inside (unknown names are an error); restored after."""
    tokens = [(_VARS[name], _VARS[name].set(value or "")) for name, value in fields.items()]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def set_request_id(value: str) -> None:
    """Set the request id for the rest of this context (an HTTP request's handler task)."""
    _VARS["request_id"].set(value)


class TurnFields(logging.Filter):
    """Adds :data:`FIELDS` to every record (a handler's filter: records from every logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in _VARS.items():
            if not getattr(record, name, None):
                setattr(record, name, var.get())
        return True
