"""SQLite is for one process only: a second ``mentorbot serve`` on the same SQLite file (a second
replica, or a second container on the same volume) refuses to start, where it can be detected
(an advisory lock on a file beside the database, which a local disk honours; a network file
system may not)."""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url


class AlreadyServed(Exception):
    """Another ``mentorbot serve`` holds the SQLite file (says what to do instead)."""


def hold_sqlite(url: str) -> IO[str] | None:
    """Take the SQLite file's server lock for the life of the returned handle (close it to let go);
    None for PostgreSQL or an in-memory database. :class:`AlreadyServed` when another server holds it."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    path = Path(f"{parsed.database}.serve-lock")
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise AlreadyServed(f"another mentorbot serve already uses the SQLite file {parsed.database}: SQLite is for "
                            "one process only. To run several replicas, use PostgreSQL (DATABASE_URL="
                            "postgresql+asyncpg://...); see docs/kubernetes.md") from None
    return handle
