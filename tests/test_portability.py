"""``mentorbot export`` and ``restore``: an organization moved between databases, whole.

Rule (round trip): what ``export`` writes, ``restore`` brings back row for row, ids kept, into an
empty database, and the bot goes on there (new rows get new ids). Rule (never over data): a
restore into a database that holds an organization refuses and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.clock import FakeClock
from bot.engine import MentorBot
from mentorbot.portability import run_export, run_restore
from storage.db import Database
from storage.models import Base, Person
from tests.kit.databases import create_postgres, drop_postgres
from tests.kit.transcript import Chats
from tests.kit.world import MENTEE, MENTOR, World, build_world


@asynccontextmanager
async def empty_database(source: Database, tmp_path: Path) -> AsyncIterator[str]:
    """A database with no organization, on the source's kind of server (SQLite: not even migrated)."""
    if source.dialect == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"{make_url(source.url).database}_restore"
    await drop_postgres(name)
    url = await create_postgres(name)
    try:
        yield url
    finally:
        await drop_postgres(name)


async def _program(db: Database, clock: FakeClock) -> World:
    """A program with people in several scripts, a pair, a session, messages waiting and sent."""
    world = await build_world(db, clock)
    await world.person("李华", zone="Asia/Shanghai", role=MENTOR)
    await world.person("Zoë Ñúñez", zone="America/New_York", role=MENTEE)
    await world.pair("李华", "Zoë Ñúñez", cadence="weekly")
    chats = Chats(MentorBot(db, clock))
    await chats.run('''
        Ada> /mentoring program set topics="AI assistants,Video meetings"
        Victor> /mentoring join
        bot: Your role
        Victor> 2
    ''')
    clock.advance(timedelta(days=1))
    return world


def _lines(folder: Path) -> dict[str, list[str]]:
    return {path.name: path.read_text(encoding="utf-8").splitlines() for path in sorted(folder.glob("*.jsonl"))}


async def test_an_organization_exported_and_restored_is_the_same_row_for_row(db: Database, clock: FakeClock,
                                                                             tmp_path: Path) -> None:
    world = await _program(db, clock)
    said: list[str] = []
    assert await run_export(db.url, "local", tmp_path / "backup", said.append, said.append) == 0
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["tenant"]["external_id"] == "local" and manifest["rows"]["people"] == 4
    assert manifest["rows"]["pairs"] == 1 and manifest["rows"]["conversation_states"] >= 1

    async with empty_database(db, tmp_path) as target:
        assert await run_restore(target, tmp_path / "backup", said.append, said.append) == 0, said
        assert await run_export(target, str(world.tenant_id), tmp_path / "again", said.append, said.append) == 0
        assert _lines(tmp_path / "again") == _lines(tmp_path / "backup")

        restored = Database(target)
        try:
            chats = Chats(MentorBot(restored, clock))
            await chats.run('''
                Victor> 1
                bot: step 2 of 8
                Nadia> /mentoring join
                bot: Your role
            ''')
            async with restored.transaction() as session:
                names = set((await session.scalars(select(Person.display_name))).all())
                newest = await session.scalar(select(func.max(Person.id)))
        finally:
            await restored.close()
    assert {"李华", "Zoë Ñúñez", "Victor", "Nadia", "Ada"} <= names
    assert newest == max(world.people.values()) + 2, "new ids continue after the restored ones"


async def test_a_restore_into_a_database_with_an_organization_refuses_and_changes_nothing(
        db: Database, clock: FakeClock, tmp_path: Path) -> None:
    await _program(db, clock)
    said: list[str] = []
    assert await run_export(db.url, "local", tmp_path / "backup", said.append, said.append) == 0
    before = await _counts(db)
    assert await run_restore(db.url, tmp_path / "backup", said.append, said.append) == 1
    assert "already holds an organization" in said[-1] and "nothing was changed" in said[-1]
    assert await _counts(db) == before


async def test_an_unknown_organization_lists_the_known_ones(db: Database, clock: FakeClock, tmp_path: Path) -> None:
    await _program(db, clock)
    said: list[str] = []
    assert await run_export(db.url, "T-NOPE", tmp_path / "out", said.append, said.append) == 2
    assert "no organization 'T-NOPE'" in said[0] and "console  local" in said[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("damage", "complaint"), [
    ("no manifest", "not a mentorbot export"),
    ("old schema", "schema revision 0001"),
    ("bad line", "people.jsonl line 1 is not JSON"),
])
async def test_a_damaged_export_is_refused_and_the_database_left_alone(tmp_path: Path, clock: FakeClock,
                                                                       damage: str, complaint: str) -> None:
    source = Database(f"sqlite+aiosqlite:///{tmp_path / 'source.db'}")
    from storage.migrate import upgrade

    await upgrade(source)
    await _program(source, clock)
    said: list[str] = []
    assert await run_export(source.url, "local", tmp_path / "backup", said.append, said.append) == 0
    await source.close()
    manifest = tmp_path / "backup" / "manifest.json"
    if damage == "no manifest":
        manifest.unlink()
    elif damage == "old schema":
        manifest.write_text(manifest.read_text().replace('"schema_revision": "', '"schema_revision": "0001", "x": "'))
    else:
        (tmp_path / "backup" / "people.jsonl").write_text("{not json\n")
    target = tmp_path / "target.db"
    assert await run_restore(f"sqlite+aiosqlite:///{target}", tmp_path / "backup", said.append, said.append) == 2
    assert complaint in said[-1]
    if target.exists():
        restored = Database(f"sqlite+aiosqlite:///{target}")
        assert await _counts(restored) == {name: 0 for name in Base.metadata.tables}
        await restored.close()


async def _counts(db: Database) -> dict[str, int]:
    async with db.transaction() as session:
        return {name: int(await session.scalar(select(func.count()).select_from(table)) or 0)
                for name, table in Base.metadata.tables.items()}
