"""The schema: migrations match the models, timestamps stay aware UTC, rows stay in their tenant."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from bot.engine import MentorBot
from bot.messages import Address, Inbound
from storage.db import Database, normalize_url
from storage.migrate import current_revision, head_revision, include_name, upgrade
from storage.models import Base, Person, Program, Tenant
from storage.repository import Repository, tenant_for
from storage.types import UTCDateTime


async def test_the_migrations_create_exactly_the_models_schema(db: Database) -> None:
    def differences(connection: object) -> list:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})  # type: ignore[arg-type]
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as connection:
        assert await connection.run_sync(differences) == []
    assert await current_revision(db) == head_revision()


async def test_migrating_twice_changes_nothing(db: Database) -> None:
    assert await upgrade(db) == head_revision()
    assert await upgrade(db) == head_revision()


async def test_timestamps_come_back_aware_and_in_utc(db: Database) -> None:
    brussels_noon = datetime.fromisoformat("2027-03-28T12:00:00+02:00")
    async with db.transaction() as session:
        tenant = await tenant_for(session, "console", "acme", brussels_noon)
    async with db.transaction() as session:
        stored = await session.get(Tenant, tenant.id)
    assert stored is not None
    assert stored.created_at == brussels_noon
    assert stored.created_at.tzinfo == UTC


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2027, 1, 1), Database("sqlite://").engine.dialect)


def test_plain_database_urls_get_their_async_driver() -> None:
    assert normalize_url("postgresql://postgres@127.0.0.1:5432/x") == "postgresql+asyncpg://postgres@127.0.0.1:5432/x"
    assert normalize_url("sqlite:///mentorbot.db") == "sqlite+aiosqlite:///mentorbot.db"
    assert normalize_url("sqlite+aiosqlite:///a.db") == "sqlite+aiosqlite:///a.db"


async def test_the_first_contact_of_one_person_twice_at_once_creates_one_person(bot: MentorBot) -> None:
    address = Address("console", "acme", "victor")
    await asyncio.gather(*(bot.handle(Inbound.typed(address, "hello", "Victor")) for _ in range(2)))
    async with bot.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 1
        assert await session.scalar(select(func.count()).select_from(Tenant)) == 1


async def test_a_tenant_never_sees_another_tenants_programs_or_people(bot: MentorBot) -> None:
    acme = Address("console", "acme", "hana")
    globex = Address("console", "globex", "gus")
    create = '/mentoring program create "Digital Leaders 2027"'
    await bot.handle(Inbound.typed(acme, create, "Hana"))
    [listing] = await bot.handle(Inbound.typed(globex, "/mentoring join", "Gus"))
    assert "There is no program to join yet" in listing.text
    [created] = await bot.handle(Inbound.typed(globex, create, "Gus"))
    assert "is created and you are its admin" in created.text, "the same name is free in another tenant"
    [refused] = await bot.handle(Inbound.typed(globex, "/mentoring admin add Hana", "Gus"))
    assert "I don't know anyone called 'Hana'" in refused.text
    [acme_help] = await bot.handle(Inbound.typed(Address("console", "acme", "ivy"), "/mentoring program list", "Ivy"))
    assert "Only program admins" in acme_help.text, "an admin in globex is nobody in acme"
    async with bot.db.transaction() as session:
        tenants = {t.external_id: t.id for t in (await session.execute(select(Tenant))).scalars()}
        acme_repo = Repository(session, tenants["acme"])
        assert [p.name for p in await acme_repo.programs()] == ["Digital Leaders 2027"]
        assert [p.display_name for p in await acme_repo.people_named("Gus")] == []
        programs = (await session.execute(select(Program.tenant_id))).scalars().all()
    assert sorted(programs) == sorted(tenants.values())
