"""Fixtures of the matching tests: the program with two places per mentor."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.clock import FakeClock
from storage.db import Database
from storage.models import Program
from tests.kit.world import World, build_world


@pytest.fixture
async def world(db: Database, clock: FakeClock) -> World:
    """The ``world`` fixture's "Digital Leaders" (admin Ada) with two places per mentor."""
    built = await build_world(db, clock)
    async with db.transaction() as session:
        await session.execute(update(Program).values(capacity=2))
    return built
