"""Nothing on the calendar: the mentee is asked first, then both, once per cadence period,
each in their own working hours."""

from __future__ import annotations

from datetime import timedelta

from bot.registry import run_tick
from tests.kit.world import MENTEE, MENTOR, World


async def test_a_new_pair_s_mentee_is_asked_first_then_both_two_days_later(world: World) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")

    await run_tick(world.db, world.clock)
    assert await world.pending_for("Victor") == [f"schedule:{world.pairs['Zoe/Victor']}:20261123T0900:0:mentee-first"]
    assert await world.pending_for("Zoe") == []

    world.clock.advance(timedelta(days=2))
    await run_tick(world.db, world.clock)
    assert [k.rsplit(":", 1)[1] for k in await world.pending_for("Victor")] == ["mentee-first", "mentee-again"]
    assert [k.rsplit(":", 1)[1] for k in await world.pending_for("Zoe")] == ["mentor-first"]

    world.clock.advance(timedelta(days=1))
    await run_tick(world.db, world.clock)
    assert len(await world.nudges()) == 3, "nothing more in the same week"

    world.clock.advance(timedelta(days=4))
    await run_tick(world.db, world.clock)
    assert [k.split(":")[3] for k in await world.pending_for("Victor")] == ["0", "0", "1"], "asked again a week on"


async def test_a_tick_run_twice_writes_each_nudge_once_and_looks_only_at_pairs_due(world: World) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")
    first = await run_tick(world.db, world.clock)
    again = await run_tick(world.db, world.clock)
    assert (first.pairs_checked, first.nudges_written) == (1, 1)
    assert (again.pairs_checked, again.nudges_written) == (0, 0)
