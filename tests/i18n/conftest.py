"""Fixtures of the language tests: the program of the core's tests, and the seeded report."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from storage.db import Database
from tests.kit.reports import Seed, build_seed
from tests.kit.world import World, build_world


@pytest.fixture
async def world(db: Database, clock: FakeClock) -> World:
    """A weekly program "Digital Leaders" with an admin, Ada (Brussels), and nobody else yet."""
    return await build_world(db, clock)


@pytest.fixture
async def seed(world: World) -> Seed:
    """The seeded program of :mod:`tests.kit.reports`."""
    return await build_seed(world)
