"""Failures reach people: the program admins hear of what the bot cannot do, once a day per kind,
in their working hours, with what to do; ``/mentoring status`` shows the whole picture.

Rule (failures are told): a message that fails for good, a backlog past ``ALERT_BACKLOG`` or
``ALERT_OLDEST_DUE_MINUTES``, and a cadence job failing ``ALERT_JOB_FAILURES`` times in a row
each give every admin concerned one ``health`` message per kind per day.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import FakeClock
from bot.delivery import DeliveryResult
from bot.health import Limits
from bot.messages import Address, Message
from bot.registry import render_nudge
from scheduler.outbox import Outbox
from scheduler.leader import Leadership
from scheduler.service import CadenceScheduler, Job
from storage.db import Database
from storage.enums import NudgeKind, NudgeStatus
from storage.models import Nudge
from storage.repository import Repository
from tests.kit.outbox import Recorder, add_nudge, outbox, render
from tests.kit.transcript import Chats
from tests.kit.world import MENTEE, World


@dataclass
class Refusing:
    """A console deliverer that refuses some people for good, with the platform's error."""

    refused: dict[str, str]
    platform: str = "console"
    sent: list[tuple[str, str]] = field(default_factory=list)

    async def deliver(self, address: Address, message: Message) -> DeliveryResult:
        if address.user_id in self.refused:
            return DeliveryResult(ok=False, attempts=1, error=self.refused[address.user_id])
        self.sent.append((address.user_id, message.text))
        return DeliveryResult(ok=True, attempts=1)


async def _render(repo: Repository, nudge: Nudge, now: datetime) -> Message | None:
    """Health notices as the bot renders them; the test's own rows say their payload's text."""
    return await (render_nudge if nudge.kind == NudgeKind.HEALTH else render)(repo, nudge, now)


def _outbox(db: Database, deliverer: Refusing, clock: FakeClock) -> Outbox:
    return Outbox(db, {"console": deliverer}, _render, clock, "test", max_attempts=1)


async def _health(world: World) -> list[tuple[str, str]]:
    return [(world.name_of(n.person_id), n.key) for n in await world.nudges() if n.kind == NudgeKind.HEALTH]


async def test_a_message_that_fails_for_good_is_told_to_the_admins_once_a_day(world: World) -> None:
    await world.person("Victor", role=MENTEE)
    await world.person("Carla", role=MENTEE)
    deliverer = Refusing({"Victor": "user_disabled", "Carla": "user_not_found"})
    for who in ("Victor", "Carla"):
        await add_nudge(world.db, world.tenant_id, world.people[who], f"manual:{who}", due_at=world.clock.now(),
                        text="Your session is tomorrow")
    await _outbox(world.db, deliverer, world.clock).drain()

    failed = await world.nudges(NudgeStatus.FAILED)
    assert {world.name_of(n.person_id) for n in failed} == {"Victor", "Carla"}
    assert all(n.failed_at == world.clock.now() for n in failed)
    assert [who for who, _ in await _health(world)] == ["Ada"], "one message to the admin, not one per failure"

    await _outbox(world.db, deliverer, world.clock).drain()
    [(_, text)] = [sent for sent in deliverer.sent if sent[0] == "Ada"]
    assert text.startswith("I could not deliver a message to Victor: their account is deactivated")
    assert "What to do:" in text and "/mentoring status" in text

    world.clock.advance(timedelta(days=1))
    await add_nudge(world.db, world.tenant_id, world.people["Victor"], "manual:again", due_at=world.clock.now())
    await _outbox(world.db, deliverer, world.clock).drain()
    assert len(await _health(world)) == 2, "a new day, a new message"


async def test_the_notice_waits_for_the_admins_working_hours(world: World) -> None:
    await world.person("Sam", zone="Asia/Tokyo", hours=(9, 17), admin=True)
    await world.person("Victor", role=MENTEE, zone="America/New_York")  # at work: the sender tries him
    world.clock.advance(timedelta(hours=10))  # 19:00 UTC: evening in Brussels, 04:00 in Tokyo, 14:00 in New York
    await add_nudge(world.db, world.tenant_id, world.people["Victor"], "manual:1", due_at=world.clock.now())
    await _outbox(world.db, Refusing({"Victor": "http_403"}), world.clock).drain()
    due = {world.name_of(n.person_id): n.due_at for n in await world.nudges() if n.kind == NudgeKind.HEALTH}
    assert due["Sam"].astimezone(ZoneInfo("Asia/Tokyo")).hour == 9 and due["Sam"] > world.clock.now()
    assert due["Ada"] > world.clock.now()


async def test_a_notice_that_cannot_be_delivered_tells_nobody(world: World) -> None:
    deliverer = Refusing({"Ada": "account_inactive", "Victor": "account_inactive"})
    await world.person("Victor", role=MENTEE)
    await add_nudge(world.db, world.tenant_id, world.people["Victor"], "manual:1", due_at=world.clock.now())
    for _ in range(3):
        await _outbox(world.db, deliverer, world.clock).drain()
    assert len(await _health(world)) == 1
    assert {n.kind for n in await world.nudges(NudgeStatus.FAILED)} == {NudgeKind.REMINDER, NudgeKind.HEALTH}


async def test_a_backlog_past_the_limits_is_told_once(world: World) -> None:
    await world.person("Victor", role=MENTEE)
    for n in range(3):
        await add_nudge(world.db, world.tenant_id, world.people["Victor"], f"manual:{n}",
                        due_at=world.clock.now() - timedelta(minutes=45))
    async with _cadence(world, limits=Limits(backlog=10, oldest_due=timedelta(minutes=30))) as cadence:
        assert await cadence.run_health() == 1
        assert await cadence.run_health() == 0
    [health] = [n for n in await world.nudges() if n.kind == NudgeKind.HEALTH]
    assert health.payload == {"notice": "backlog", "due": 3, "minutes": 45}


async def test_a_job_failing_three_times_in_a_row_is_told_once(world: World) -> None:
    async def broken(db: Database, clock: object) -> None:
        raise RuntimeError("database schema is older than the code")

    async with _cadence(world, tick=broken) as cadence:
        for _ in range(2):
            await cadence.run_scheduled("tick")
        assert await _health(world) == []
        for _ in range(3):
            await cadence.run_scheduled("tick")
    [(who, key)] = await _health(world)
    assert who == "Ada" and key.startswith("health:job_failing:")


async def test_status_shows_the_last_tick_the_backlog_the_failures_and_who_cannot_be_reached(
        world: World, chats: Chats) -> None:
    await world.person("Victor", role=MENTEE)
    await world.person("Carla", role=MENTEE)
    async with _cadence(world) as cadence:
        await cadence.run_scheduled("tick")
    await add_nudge(world.db, world.tenant_id, world.people["Victor"], "manual:1", due_at=world.clock.now())
    await _outbox(world.db, Refusing({"Victor": "not_in_channel"}), world.clock).drain()
    await add_nudge(world.db, world.tenant_id, world.people["Carla"], "manual:2",
                    due_at=world.clock.now() - timedelta(minutes=5))
    world.clock.advance(timedelta(minutes=3))
    await chats.run('''
        Ada> /mentoring status
        bot: Last tick: 3 min ago, fine
        bot: Messages waiting: 2 due
        bot: Failed in the last 24 hours: 1 (not_in_channel: 1)
        bot: Victor: the bot is not a member of the channel it posts to. What to do: invite the bot
        bot never: Carla:
        Victor> /mentoring status
        bot: Only program admins
    ''')


async def _nothing(db: Database, clock: object) -> None:
    return None


@asynccontextmanager
async def _cadence(world: World, tick: Job = _nothing, limits: Limits | None = None
                   ) -> AsyncIterator[CadenceScheduler]:
    """A cadence scheduler (not started) leading on a lock of its own, released afterwards."""
    cadence = CadenceScheduler(world.db, world.clock, outbox(world.db, Recorder(), world.clock), tick=tick,
                               periodic_nudges=_nothing, limits=limits,
                               leadership=Leadership(world.db, random.randint(1, 2**62)))
    try:
        yield cadence
    finally:
        await cadence.leadership.release()
