"""Migration 0007 (people): down to 0005 and up again on both databases, with rows written
before it: name keys filled in, console people keyed on their exact name, nothing lost."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.db import Database
from storage.migrate import alembic_config, current_revision, head_revision

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


def _to(revision: str, downgrade: bool = False) -> object:
    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        (command.downgrade if downgrade else command.upgrade)(config, revision)
    return run


async def test_0007_goes_down_and_up_and_fills_keys_from_older_rows(db: Database) -> None:
    async with db.engine.begin() as connection:
        await connection.run_sync(_to("0005", downgrade=True))
    assert await current_revision(db) == "0005"
    async with db.engine.begin() as connection:
        await connection.execute(text("INSERT INTO tenants (id, platform, external_id, name, created_at) "
                                      "VALUES (1, 'console', 'local', '', :now)"), {"now": NOW})
        rows = [(1, "zo-ez", "Zoë Ñúñez"), (2, "me", "李华"), (3, "zoe-nunez-2", "Zoë Ñúñez"),
                (4, "hana", "Hana")]
        for pid, user_id, name in rows:
            await connection.execute(text(
                "INSERT INTO people (id, tenant_id, platform, user_id, display_name, created_at) "
                "VALUES (:id, 1, 'console', :user_id, :name, :now)"), {"id": pid, "user_id": user_id, "name": name,
                                                                        "now": NOW})
        await connection.execute(text(
            "INSERT INTO programs (id, tenant_id, name, cadence, capacity, formats, topics, baseline_skills, "
            "reminder_hours, allow_same_level, match_weights, status, created_at) VALUES (1, 1, 'Café Ñ Program', "
            "'monthly', 3, '[]', '[]', '[]', 24, false, '{}', 'active', :now)"), {"now": NOW})
    async with db.engine.begin() as connection:
        await connection.run_sync(_to("head"))
    assert await current_revision(db) == head_revision()
    async with db.engine.connect() as connection:
        people = (await connection.execute(text("SELECT id, user_id, name_key FROM people ORDER BY id"))).all()
        program_key = await connection.scalar(text("SELECT name_key FROM programs"))
    assert [tuple(p) for p in people] == [
        (1, "Zoë Ñúñez", "zoe nunez"),  # its old id was the slug of its name: now the name itself
        (2, "李华", "李华"),  # "me" was the slug of 李华
        (3, "zoe-nunez-2", "zoe nunez"),  # not the slug of its name: left alone
        (4, "Hana", "hana"),
    ]
    assert program_key == "cafe n program"
