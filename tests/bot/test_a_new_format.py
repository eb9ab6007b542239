"""A fourth format is one package and one line in the registry.

"Shadowing" (a young mentor follows an executive for a day) is defined here, in the test
tree, the way a format package defines itself: its command, its part of the cadence tick,
its nudge renderer and its flag view. Registered in :data:`bot.registry.FORMATS`, the core
runs all of them: help lists the command and the engine runs it, the tick writes its nudges
and flags, the outbox renders them, and the admins see its flag.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot import registry
from bot.cadence.nudges import Context
from bot.cadence.outbox import add_nudge
from bot.cadence.rules import PlannedFlag, Verdict
from bot.cadence.tick import TickBatch, TickReport, in_batches
from bot.clock import FakeClock
from bot.commands import dispatch
from bot.commands.command_call import CommandCall
from bot.commands.grammar import Arg, CommandSpec
from bot.messages import Message, say
from bot.people import find_person
from bot.program_format import Format
from storage import cadence as cadence_queries
from storage.db import Database
from storage.enums import NudgeKind
from storage.models import Flag, Nudge
from storage.repository import Repository
from tests.kit.world import MENTEE, World, build_world
from tests.kit.transcript import Chats

DAY = "shadowing_day"
UNPLANNED = "shadowing_unplanned"


async def _ask(call: CommandCall) -> Sequence[Message]:
    person = await find_person(call.turn, call.args["name"])
    await add_nudge(call.turn, person.id, DAY, f"{DAY}:{person.id}", call.turn.now,
                    payload={"by": call.turn.person.display_name})
    return [say(f"I'll ask {person.display_name} to pick a day to be shadowed.")]


async def _tick(db: Database, now: datetime, report: TickReport) -> None:
    async def batch(session: AsyncSession) -> int:
        writes = TickBatch(session, now, raised=set())
        for program in await cadence_queries.active_programs(session):
            flag = PlannedFlag(UNPLANNED, f"{UNPLANNED}:{program.id}", None, {})
            await writes.record(program.id, Verdict(flags=[flag]), tenant_id=program.tenant_id, program_id=program.id)
        return await writes.finish(report, "shadowing programs", _no_next_check)

    await in_batches(db, batch, batch=1000)


async def _no_next_check(session: AsyncSession, checks: dict[int, datetime | None]) -> None:
    """The programs are looked at every tick."""


async def _day(ctx: Context) -> Message | None:
    return say(f"{ctx.nudge.payload['by']} would like to shadow you for a day. Which day suits you?")


async def _flag_view(repo: Repository, flag: Flag, zone: object, now: datetime) -> Message | None:
    program = await repo.program(flag.program_id)
    return say(f"*Flag in {program.name if program else '?'}*: no shadowing day is planned yet.")


SHADOWING = Format(
    name="shadowing",
    commands=(CommandSpec(("shadowing", "ask"), "ask an executive for a day to shadow them",
                          "/mentoring shadowing ask Victor", _ask, positionals=(Arg("name", required=True),)),),
    nudges={DAY: _day},
    tick=_tick,
    owns_flag=lambda flag: flag.kind == UNPLANNED,
    flag_view=_flag_view,
    flag_titles={UNPLANNED: "no shadowing day planned"},
)


@pytest.fixture
def shadowing(monkeypatch: pytest.MonkeyPatch) -> Format:
    """The shadowing format, registered for this test: the one line a format package adds."""
    monkeypatch.setattr(registry, "FORMATS", (*registry.FORMATS, SHADOWING))
    monkeypatch.setattr(dispatch, "ALL_COMMANDS", dispatch.all_commands())  # built once at import
    return SHADOWING


@pytest.fixture
async def world(db: Database, clock: FakeClock) -> World:
    built = await build_world(db, clock)
    await built.person("Victor", role=MENTEE)
    return built


async def _rendered(world: World, kind: str) -> list[str]:
    async with world.db.transaction() as session:
        rows = [n for n in (await session.execute(Nudge.__table__.select())).all() if n.kind == kind]
        messages = []
        for row in rows:
            nudge = await session.get(Nudge, row.id)
            assert nudge is not None
            message = await registry.render_nudge(Repository(session, world.tenant_id), nudge, world.clock.now())
            messages.append(message.text if message else "")
    return messages


async def test_a_registered_format_has_its_command_run_and_listed_in_help(shadowing: Format, world: World,
                                                                          chats: Chats) -> None:
    await chats.run("""
        Ada> /mentoring help
        bot: `/mentoring shadowing ask NAME`: ask an executive for a day to shadow them
        Ada> /mentoring shadowing ask Victor
        bot: I'll ask Victor to pick a day to be shadowed.
    """)
    assert await _rendered(world, DAY) == ["Ada would like to shadow you for a day. Which day suits you?"]


async def test_a_registered_format_has_its_tick_run_and_its_flags_shown_to_the_admins(shadowing: Format,
                                                                                      world: World,
                                                                                      chats: Chats) -> None:
    report = await registry.run_tick(world.db, world.clock)
    again = await registry.run_tick(world.db, world.clock)

    assert report.checked["shadowing programs"] == 1 and report.flags_raised == 1
    assert again.flags_raised == 0
    assert await _rendered(world, NudgeKind.FLAG) == ["*Flag in Digital Leaders*: no shadowing day is planned yet."]
    assert registry.flag_titles()[UNPLANNED] == "no shadowing day planned"
    await chats.run("""
        Ada> /mentoring flagged
        bot: no shadowing day is planned yet
        Ada> /mentoring digest
        bot: 1 no shadowing day planned
    """)


async def test_without_the_line_in_the_registry_the_core_knows_nothing_of_it(world: World, chats: Chats) -> None:
    await chats.run("""
        Ada> /mentoring shadowing ask Victor
        bot: I don't know the command `shadowing ask`
    """)
    report = await registry.run_tick(world.db, world.clock)
    assert "shadowing programs" not in report.checked
