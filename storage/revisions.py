"""Which schema revision the code expects and which one the database is at, without loading
Alembic (the serving process answers ``/readyz`` with this, and keeps Alembic out of its memory)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from storage.db import Database

VERSIONS = Path(__file__).parent / "migrations" / "versions"
_REVISION = re.compile(r"^revision\s*(?::\s*str\s*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]+)?=\s*(?:['\"]([^'\"]+)['\"]|None)", re.MULTILINE)


@cache
def expected_head() -> str | None:
    """The newest revision of the migration scripts shipped with the code (the one no script
    names as its ``down_revision``)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for script in VERSIONS.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        if (found := _REVISION.search(source)) is not None:
            revisions.add(found[1])
            down = _DOWN.search(source)
            if down is not None and down[1]:
                downs.add(down[1])
    heads = sorted(revisions - downs)
    return heads[-1] if heads else None


async def database_revision(db: Database) -> str | None:
    """The revision the database is at; None when it was never migrated."""
    try:
        async with db.engine.connect() as connection:
            return await connection.scalar(text("SELECT version_num FROM alembic_version"))
    except SQLAlchemyError as problem:
        if "alembic_version" in str(problem):  # no such table: never migrated
            return None
        raise
