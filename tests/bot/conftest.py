"""Fixtures of the core bot's tests: the program they build on."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from storage.db import Database
from tests.kit.world import World, build_world


@pytest.fixture
async def world(db: Database, clock: FakeClock) -> World:
    """A weekly program "Digital Leaders" with an admin, Ada (Brussels), and nobody else yet."""
    return await build_world(db, clock)
