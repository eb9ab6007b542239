"""The sender checks every message against its recipient's working hours as they are when it
goes out (rules 2 and 3 of docs/cadence.md, working hours and after downtime): a message whose
time came while the bot was down waits for the recipient's next working moment, or is dropped
when stale; never at night, never on a weekend; whatever its kind, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from sqlalchemy import update

from bot.clock import FakeClock
from bot.registry import render_nudge, run_tick
from scheduler.outbox import Outbox
from storage.db import Database
from storage.enums import EnrollmentStatus, NudgeKind, NudgeStatus
from storage.models import Enrollment, Nudge, Profile
from tests.kit.outbox import Recorder, add_person, add_tenant, nudge, render
from tests.kit.transcript import Chats
from tests.kit.world import MENTEE, MENTOR, World


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def sender(world: World, deliverer: Recorder) -> Outbox:
    return Outbox(world.db, {"console": deliverer}, render_nudge, world.clock, "test-sender")


async def statuses(world: World, kind: str) -> list[tuple[str, str, datetime]]:
    return [(world.name_of(n.person_id), n.status, n.due_at) for n in await world.nudges() if n.kind == kind]


async def test_after_downtime__a_message_due_in_the_morning_waits_for_the_next_working_morning(
        world: World) -> None:
    """The example of the issue: due 07:00 UTC for someone in Brussels working 09-17, the server
    down until 19:00 UTC (20:00 in Brussels): it goes out the next morning at 09:00, not at night."""
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", hours=(8, 17), role=MENTEE)
    await world.pair("Zoe", "Victor")
    world.clock.set(utc("2026-11-24T07:00"))  # Tuesday 08:00 in Brussels: Victor's ask is due now
    await run_tick(world.db, world.clock)
    world.clock.set(utc("2026-11-24T19:00"))  # back at 20:00 in Brussels
    deliverer = Recorder()
    report = await sender(world, deliverer).drain()
    assert (report.sent, report.deferred, deliverer.sent) == (0, 1, [])
    assert (await statuses(world, NudgeKind.SCHEDULE))[0] == ("Victor", "pending", utc("2026-11-25T07:00"))
    world.clock.set(utc("2026-11-25T07:00"))
    assert (await sender(world, deliverer).drain()).sent == 1
    assert [text[:40] for _, text in deliverer.sent] == ["Time to put your next session with Zoe o"]


async def test_after_downtime__flags_reach_london_and_auckland_admins_in_their_own_morning(
        world: World, chats: Chats) -> None:
    await world.person("Lara", zone="Europe/London", hours=(8, 16), admin=True)
    await world.person("Aroha", zone="Pacific/Auckland", hours=(8, 16), admin=True)
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")
    await chats.run('Victor> /mentoring rematch reason="no time"')  # Monday 09:00 UTC: a flag for every admin
    world.clock.set(utc("2026-11-23T20:00"))  # the server was down all day: 20:00 London, 09:00 Tuesday Auckland
    deliverer = Recorder()
    await sender(world, deliverer).drain()
    flags = {name: (status, due) for name, status, due in await statuses(world, NudgeKind.FLAG)}
    assert flags["Aroha"][0] == "sent", "09:00 on Tuesday in Auckland is working time"
    assert flags["Lara"] == ("pending", utc("2026-11-24T08:00")), "08:00 on Tuesday in London"
    assert flags["Ada"] == ("pending", utc("2026-11-24T08:00")), "09:00 on Tuesday in Brussels"


async def test_after_downtime__a_reminder_whose_session_starts_before_the_next_working_moment_is_dropped(
        world: World, chats: Chats) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")
    await chats.run("Victor> /mentoring schedule 2026-11-25 09:00")  # Wednesday 08:00 UTC
    await run_tick(world.db, world.clock)  # reminders due Tuesday 09:00 Brussels
    world.clock.set(utc("2026-11-24T19:00"))  # down all Tuesday: the next working moment is the session's start
    report = await sender(world, Recorder()).drain()
    assert report.expired == 2 and report.sent == 0
    assert {status for _, status, _ in await statuses(world, NudgeKind.REMINDER)} == {NudgeStatus.EXPIRED}


async def test_working_hours__a_recipient_who_moved_zone_gets_it_in_their_new_morning(world: World) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")
    await run_tick(world.db, world.clock)  # Victor's ask, due now (Monday 10:00 in Brussels)
    async with world.db.transaction() as session:  # Victor now works from Tokyo, where it is 18:00
        await session.execute(update(Profile).where(Profile.person_id == world.people["Victor"])
                              .values(timezone="Asia/Tokyo", work_start=time(9), work_end=time(17)))
    assert (await sender(world, Recorder()).drain()).deferred == 1
    assert (await statuses(world, NudgeKind.SCHEDULE))[0] == ("Victor", "pending", utc("2026-11-24T00:00"))


async def test_pauses__a_participant_who_paused_after_it_was_written_gets_nothing(world: World) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")
    await run_tick(world.db, world.clock)
    async with world.db.transaction() as session:
        await session.execute(update(Enrollment).where(Enrollment.person_id == world.people["Victor"])
                              .values(status=EnrollmentStatus.PAUSED))
    deliverer = Recorder()
    assert (await sender(world, deliverer).drain()).canceled == 1
    assert deliverer.sent == []


async def test_after_downtime__a_message_two_weeks_late_is_dropped_as_stale(world: World) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")
    await run_tick(world.db, world.clock)  # Victor's ask, due on Monday 23 November
    world.clock.set(utc("2026-12-08T09:01"))  # the bot was down for fifteen days
    report = await sender(world, Recorder()).drain()
    assert report.sent == 0 and report.canceled == 1
    assert {n.last_error[:6] for n in await world.nudges()} == {"stale:"}


@pytest.mark.parametrize("kind", list(NudgeKind))
async def test_working_hours__no_kind_of_message_goes_out_at_night(db: Database, clock: FakeClock, kind: str) -> None:
    tenant = await add_tenant(db)
    amara = await add_person(db, tenant, "amara")  # no profile: 09:00-17:00 UTC
    async with db.transaction() as session:
        session.add(Nudge(tenant_id=tenant, person_id=amara, kind=kind, key=f"{kind}:1", payload={},
                          due_at=utc("2026-11-27T16:00"), status=NudgeStatus.PENDING, attempts=0,
                          created_at=utc("2026-11-23T12:00")))
    clock.set(utc("2026-11-27T21:30"))  # down since 16:00 on Friday: the next working moment is Monday 09:00
    deliverer = Recorder()
    report = await Outbox(db, {"console": deliverer}, render, clock, "night").drain()
    assert deliverer.sent == [] and report.deferred == 1
    row = await nudge(db, 1)
    assert (row.status, row.due_at) == (NudgeStatus.PENDING, utc("2026-11-30T09:00"))
    clock.set(utc("2026-11-30T09:00"))
    await Outbox(db, {"console": deliverer}, render, clock, "morning").drain()
    assert deliverer.sent == [("amara", f"nudge {kind}:1")]


async def test_introductions_in_shared_hours__a_message_for_two_waits_until_both_are_at_work(
        world: World) -> None:
    zoe = await world.person("Zoe", zone="Asia/Kolkata", hours=(10, 19))
    victor = await world.person("Victor", zone="Europe/London", hours=(8, 16))
    async with world.db.transaction() as session:
        session.add(Nudge(tenant_id=world.tenant_id, person_id=victor, kind=NudgeKind.MANUAL, key="together:1",
                          payload={"together": [zoe], "text": "Meet each other"}, due_at=utc("2026-11-24T03:00"),
                          status=NudgeStatus.PENDING, attempts=0, created_at=utc("2026-11-23T12:00")))
    world.clock.set(utc("2026-11-24T05:00"))  # 10:30 in Kolkata, 05:00 in London
    deliverer = Recorder()
    await Outbox(world.db, {"console": deliverer}, render, world.clock, "w").drain()
    [row] = await world.nudges()
    assert (row.status, row.due_at) == ("pending", utc("2026-11-24T08:00")), "08:00 in London, 13:30 in Kolkata"


async def test_pauses__a_participant_who_left_gets_nothing_more(world: World, chats: Chats) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")
    await run_tick(world.db, world.clock)  # Victor's ask, due now
    await chats.run("""
        Victor> /mentoring leave confirm
        bot: You have left Digital Leaders
    """)
    deliverer = Recorder()
    assert (await sender(world, deliverer).drain()).canceled == 1
    assert deliverer.sent == []
