"""Bring a database to the newest schema (``mentorbot migrate``)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.db import Database

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant shared by every replica: only one of them migrates at a time.
MIGRATION_LOCK_ID = 0x6D656E74


def alembic_config() -> Config:
    """Alembic's configuration, pointing at the migrations shipped with the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _library_tables() -> tuple[str, ...]:
    """The tables the revision scripts declare as a library's (their ``LIBRARY_TABLES``).

    Such a table (slack_sdk's installation store, say) is created by a migration but described
    by no model of ours. The migration that creates it says so, so that a platform bringing
    tables touches no other file here, and storage never has to know the platforms.
    """
    scripts = ScriptDirectory.from_config(alembic_config()).walk_revisions()
    return tuple(sorted({name for script in scripts for name in getattr(script.module, "LIBRARY_TABLES", ())}))


LIBRARY_TABLES = _library_tables()
"""Tables whose shape belongs to a library: created by our migrations, not described by our models."""


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's filter: compare only the tables our models describe."""
    return not (type_ == "table" and name in LIBRARY_TABLES)


def head_revision() -> str | None:
    """The newest revision in the migration scripts."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(db: Database) -> str | None:
    """Apply every pending migration; safe to run from several replicas at once."""
    async with db.engine.begin() as connection:
        before = await connection.run_sync(_current)
        await connection.run_sync(_upgrade)
        revision = await connection.run_sync(_current)
    if revision != before:
        log.info("database schema upgraded from revision %s to %s", before or "(empty)", revision)
    else:
        log.debug("database schema at revision %s", revision)
    return revision


async def current_revision(db: Database) -> str | None:
    """The revision the database is at (None when never migrated)."""
    async with db.engine.connect() as connection:
        return await connection.run_sync(_current)
