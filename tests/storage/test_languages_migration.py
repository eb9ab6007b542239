"""Migration 0011_languages: down to 0007 and up again on both databases; a program written before
it reads English, a person has no language until they choose one."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from storage.db import Database
from storage.migrate import alembic_config, current_revision, head_revision

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)


def _to(revision: str, downgrade: bool = False) -> object:
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        (command.downgrade if downgrade else command.upgrade)(config, revision)
    return run


async def test_0011_goes_down_and_up_and_older_rows_read_english(db: Database) -> None:
    async with db.engine.begin() as connection:
        await connection.run_sync(_to("0007", downgrade=True))
    assert await current_revision(db) == "0007"
    async with db.engine.begin() as connection:
        columns = await connection.run_sync(lambda sync: [c["name"] for c in inspect(sync).get_columns("programs")])
        assert "language" not in columns
        await connection.execute(text("INSERT INTO tenants (id, platform, external_id, name, created_at) "
                                      "VALUES (1, 'console', 'local', '', :now)"), {"now": NOW})
        await connection.execute(text(
            "INSERT INTO people (id, tenant_id, platform, user_id, display_name, name_key, created_at) "
            "VALUES (1, 1, 'console', 'Ola', 'Ola', 'ola', :now)"), {"now": NOW})
        await connection.execute(text(
            "INSERT INTO programs (id, tenant_id, name, name_key, cadence, capacity, formats, topics, baseline_skills, "
            "reminder_hours, allow_same_level, match_weights, status, created_at) VALUES (1, 1, 'Liderzy', 'liderzy', "
            "'monthly', 3, '[]', '[]', '[]', 24, false, '{}', 'active', :now)"), {"now": NOW})
    async with db.engine.begin() as connection:
        await connection.run_sync(_to("head"))
    assert await current_revision(db) == head_revision()
    async with db.engine.connect() as connection:
        assert await connection.scalar(text("SELECT language FROM programs")) == "en"
        person = (await connection.execute(text("SELECT language, platform_locale FROM people"))).one()
    assert tuple(person) == (None, None)
