"""What the tick sends a running circle as the fake clock moves: reminders to everyone before a
meeting and "did it meet?" to the hosts after it, in each person's working hours (written up to a
day ahead, at the circle's looks); schedule asks when nothing is on the calendar;
nothing to people who are paused."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.cadence.hours import WorkingHours
from bot.registry import run_tick
from storage.enums import EnrollmentStatus, NudgeKind
from storage.models import Enrollment, Nudge, Person, Profile
from tests.kit.world import World
from tests.kit.circles import names, nudges_of, rendered, rows, running_circle, utc
from tests.kit.transcript import Chats


async def due(world: World, kind: str) -> dict[str, str]:
    return {world.name_of(n.person_id): f"{n.due_at:%a %H:%M}" for n in await nudges_of(world, kind)}


async def in_working_hours(world: World, nudges: list[Nudge]) -> bool:
    people = {p.id: p for p in await rows(world, Person)}
    profiles = {p.person_id: p for p in await rows(world, Profile)}
    return all(WorkingHours.of(people[n.person_id], profiles.get(n.person_id)).is_working(n.due_at) for n in nudges)


async def test_reminders_reach_everyone_before_a_monday_meeting_on_friday_in_their_own_hours(
        world: World, chats: Chats) -> None:
    await running_circle(world, chats)
    # Monday 30 Nov 15:00 in Brussels: 24 h before is a Sunday, so an hour before each one's Friday ends.
    await chats.run("Hana> /mentoring circle schedule 2026-11-30 15:00")
    await world.tick_until(utc("2026-11-29T20:00"))
    assert await due(world, NudgeKind.CIRCLE_REMINDER) == {
        "Hana": "Fri 15:00", "Zoe": "Fri 15:00", "Carla": "Fri 15:00", "Mei": "Fri 16:00", "Victor": "Fri 21:00"}
    reminders = await nudges_of(world, NudgeKind.CIRCLE_REMINDER)
    assert await in_working_hours(world, reminders)
    victor = await rendered(world, next(n for n in reminders if world.name_of(n.person_id) == "Victor"))
    assert victor.startswith("Reminder: the circle 'AI at work' meets on Mon 30 Nov 2026, 09:00 (America/New_York)")
    assert "Reschedule" not in victor and "Calendar invite=circle invite circle=#1" in victor
    hana = await rendered(world, next(n for n in reminders if world.name_of(n.person_id) == "Hana"))
    assert "Reschedule=circle reschedule circle=#1" in hana


async def test_did_it_happen_within_the_hour__did_it_meet_goes_to_the_hosts_a_quarter_hour_after_the_end(
        world: World, chats: Chats) -> None:
    """Rule 5 of docs/cadence.md ("did it happen?" within the hour)."""
    await running_circle(world, chats)
    await chats.run("Hana> /mentoring circle schedule 2026-11-26 10:00 anyway")  # Thursday, 09:00-10:00 UTC
    await world.tick_until(utc("2026-11-26T10:15"))
    prompts = await nudges_of(world, NudgeKind.CIRCLE_OUTCOME)
    assert names(world, prompts) == ["Hana", "Zoe"]
    assert {n.due_at for n in prompts} == {utc("2026-11-26T10:15")}
    assert await rendered(world, prompts[0]) == (
        "Did the 'AI at work' circle meet on Thu 26 Nov 2026, 10:00 (Europe/Brussels), remote? | "
        "Yes (record who came)=circle outcome 1 held | We moved it=circle outcome 1 rescheduled | "
        "Canceled=circle outcome 1 canceled")


async def test_hosts_are_asked_to_schedule_once_a_week_and_never_at_the_weekend(world: World, chats: Chats) -> None:
    await running_circle(world, chats)  # confirmed on Monday 23 Nov, 09:00 UTC
    await run_tick(world.db, world.clock)
    assert await nudges_of(world, NudgeKind.CIRCLE_SCHEDULE) == []  # the welcome offered it: a day first
    world.clock.set(utc("2026-11-24T09:00"))
    await run_tick(world.db, world.clock)
    await run_tick(world.db, world.clock)
    asks = await nudges_of(world, NudgeKind.CIRCLE_SCHEDULE)
    assert names(world, asks) == ["Hana", "Zoe"]
    assert "Time to put the next meeting of the circle 'AI at work' on the calendar (you meet every week)" in \
        await rendered(world, asks[0])
    world.clock.set(utc("2026-11-28T12:00"))  # Saturday: nothing new
    await run_tick(world.db, world.clock)
    assert len(await nudges_of(world, NudgeKind.CIRCLE_SCHEDULE)) == 2
    world.clock.set(utc("2026-12-01T09:00"))  # the next week
    await run_tick(world.db, world.clock)
    assert len(await nudges_of(world, NudgeKind.CIRCLE_SCHEDULE)) == 4
    await chats.run("Zoe> /mentoring circle schedule 2026-12-03 10:00 anyway")
    assert [await rendered(world, n) for n in await nudges_of(world, NudgeKind.CIRCLE_SCHEDULE)] == [""] * 4


async def test_a_paused_member_gets_no_reminder(world: World, chats: Chats) -> None:
    await running_circle(world, chats)
    async with world.db.transaction() as session:
        await session.execute(update(Enrollment).where(Enrollment.person_id == world.people["Victor"])
                              .values(status=EnrollmentStatus.PAUSED))
    await chats.run("Hana> /mentoring circle schedule 2026-11-26 15:00")
    world.clock.set(utc("2026-11-25T16:00"))
    await run_tick(world.db, world.clock)
    world.clock.advance(timedelta(hours=6))
    await run_tick(world.db, world.clock)
    assert names(world, await nudges_of(world, NudgeKind.CIRCLE_REMINDER)) == ["Carla", "Hana", "Mei", "Zoe"]
