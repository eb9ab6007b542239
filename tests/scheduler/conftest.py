"""Fixtures of the scheduler tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage.db import Database
from tests.kit.databases import empty_postgres


@pytest.fixture(params=["postgresql"])
async def pg(postgres_url: str) -> AsyncIterator[Database]:
    """The PostgreSQL test database, emptied (for the tests that only make sense there)."""
    database = Database(postgres_url)
    await empty_postgres(database)
    yield database
    await database.close()
