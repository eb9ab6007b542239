"""Reminders before a session and "did it happen?" after it: in each person's working hours,
in their own time zone, across daylight-saving changes; a reminder never arrives late. Both are
written up to a day ahead, at a look of the tick (docs/cadence.md, "Written ahead")."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.engine import MentorBot
from bot.registry import run_tick
from storage.enums import NudgeKind
from storage.models import MentoringSession
from tests.kit.world import MENTEE, MENTOR, World
from tests.kit.transcript import Chats


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def _due(world: World, kind: str) -> dict[str, datetime]:
    return {world.name_of(n.person_id): n.due_at for n in await world.nudges() if n.kind == kind}


async def brussels_and_new_york(world: World) -> None:
    await world.person("Zoe", zone="Europe/Brussels", role=MENTOR)
    await world.person("Victor", zone="America/New_York", role=MENTEE)
    await world.pair("Zoe", "Victor")


async def test_a_reminder_reaches_each_side_a_day_before_in_their_own_working_hours(
        world: World, chats: Chats) -> None:
    await brussels_and_new_york(world)
    # Thursday 26 Nov 15:00 in Brussels is 09:00 in New York.
    await chats.run("""
        Zoe> /mentoring schedule 2026-11-26 15:00 remote
        bot: Scheduled your session with Victor: Thu 26 Nov 2026, 15:00 (Europe/Brussels), remote
    """)
    await world.tick_until(utc("2026-11-25T14:00"))
    assert await _due(world, NudgeKind.REMINDER) == {"Zoe": utc("2026-11-25T14:00"), "Victor": utc("2026-11-25T14:00")}


async def test_a_reminder_that_would_fall_on_a_sunday_comes_on_friday_afternoon(world: World, chats: Chats) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")
    await chats.run("Victor> /mentoring schedule 2026-11-30 10:00 \"Room 4.12\"")
    await world.tick_until(utc("2026-11-27T15:00"))
    # 24 h before Monday 10:00 is Sunday: an hour before Friday's end of day instead.
    reminders = await _due(world, NudgeKind.REMINDER)
    assert reminders == {"Zoe": utc("2026-11-27T15:00"), "Victor": utc("2026-11-27T15:00")}


async def test_after_downtime_over_the_weekend_the_reminder_comes_on_monday_morning_before_the_session(
        world: World, chats: Chats) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")
    await chats.run("Victor> /mentoring schedule 2026-11-30 11:00")
    world.clock.set(utc("2026-11-28T09:00"))  # back on Saturday, after missing Friday
    await world.tick_until(utc("2026-11-30T08:00"))
    # Nothing on the weekend: Monday 09:00 in Brussels, still two hours before the session.
    assert await _due(world, NudgeKind.REMINDER) == {"Zoe": utc("2026-11-30T08:00"), "Victor": utc("2026-11-30T08:00")}
    assert {n.expires_at for n in await world.nudges() if n.kind == NudgeKind.REMINDER} == {utc("2026-11-30T10:00")}


async def test_a_reminder_is_not_written_once_the_session_has_started(world: World, chats: Chats) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")
    await chats.run("Victor> /mentoring schedule 2026-11-26 15:00")
    world.clock.set(utc("2026-11-26T14:30"))  # the bot was down from before the reminder until the session
    await run_tick(world.db, world.clock)
    assert await _due(world, NudgeKind.REMINDER) == {}
    # Nor asked whether it happened before it ends (15:00-15:45 Brussels), but a quarter of an hour after.
    assert await _due(world, NudgeKind.OUTCOME) == {"Zoe": utc("2026-11-26T15:00"), "Victor": utc("2026-11-26T15:00")}


async def test_did_it_happen_within_the_hour__or_at_the_start_of_the_next_working_morning(
        world: World, chats: Chats) -> None:
    """Rule 5 of docs/cadence.md ("did it happen?" within the hour)."""
    await brussels_and_new_york(world)
    await chats.run("Zoe> /mentoring schedule 2026-11-26 16:30")  # ends 17:15 Brussels, 11:15 New York
    await world.tick_until(utc("2026-11-27T08:00"))
    # Victor is at work when it ends; Zoe's day is over: 09:00 the next morning in Brussels.
    assert await _due(world, NudgeKind.OUTCOME) == {"Victor": utc("2026-11-26T16:30"), "Zoe": utc("2026-11-27T08:00")}


async def test_one_tap_records_the_outcome_and_the_partner_is_not_asked_again(
        world: World, chats: Chats, bot: MentorBot) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")
    await chats.run("Zoe> /mentoring schedule 2026-11-24 10:00")
    world.clock.set(utc("2026-11-24T10:00"))
    await run_tick(world.db, world.clock)
    session_id = (await world.nudges())[-1].session_id
    await chats.run(f"""
        Victor> /mentoring outcome {session_id} held
        bot: Great, noted as held.
        Zoe> /mentoring outcome {session_id} canceled by=me
        bot: Already recorded: that session was held.
    """)
    outcome = [n for n in await world.nudges() if n.kind == NudgeKind.OUTCOME]
    assert {n.status for n in outcome} == {"canceled"}, "neither prompt still goes out"
    assert all(n.answered_at is not None for n in outcome)


async def test_a_weekly_series_stays_at_15_00_in_brussels_across_the_spring_change(
        world: World, chats: Chats) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", zone="America/New_York", role=MENTEE)
    await world.pair("Zoe", "Victor")
    world.clock.set(utc("2027-03-15T09:00"))
    await chats.run("Zoe> /mentoring schedule 2027-03-22 15:00 remote repeat")
    for moment in ("2027-03-22T14:00", "2027-03-26T15:00", "2027-03-26T20:00", "2027-03-29T13:00"):
        world.clock.set(utc(moment))
        await run_tick(world.db, world.clock)
    async with world.db.transaction() as session:
        starts = list(await session.scalars(select(MentoringSession.starts_at).order_by(MentoringSession.starts_at)))
    # 15:00 CET is 14:00 UTC; from 28 March 15:00 CEST is 13:00 UTC.
    assert starts == [utc("2027-03-22T14:00"), utc("2027-03-29T13:00"), utc("2027-04-05T13:00")]
    # New York moved to summer time on 14 March: the reminder for 29 March (Sunday the day
    # before is not a working day) comes on Friday 26 March, late afternoon in each zone.
    reminders = {(world.name_of(n.person_id), n.due_at) for n in await world.nudges()
                 if n.kind == NudgeKind.REMINDER and n.session_id and n.due_at.date().isoformat() == "2027-03-26"}
    assert reminders == {("Zoe", utc("2027-03-26T15:00")), ("Victor", utc("2027-03-26T20:00"))}
