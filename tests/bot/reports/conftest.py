"""Fixtures of the report and export tests: the seeded program of :mod:`tests.kit.reports`."""

from __future__ import annotations

import pytest

from tests.kit.reports import Seed, build_seed
from tests.kit.world import World


@pytest.fixture
async def seed(world: World) -> Seed:
    """The seeded program (see :mod:`tests.kit.reports`)."""
    return await build_seed(world)
