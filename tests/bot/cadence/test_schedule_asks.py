"""Nothing on the calendar: the mentee is asked first, then both, once per cadence period,
each in their own working hours (rule 1 of docs/cadence.md, executive first)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.cadence.hours import WorkingHours
from bot.cadence.rules import Prompt, SessionState, Side
from bot.pairs import rules
from bot.registry import run_tick
from storage.enums import NudgeKind, SessionStatus
from tests.kit.transcript import Chats
from tests.kit.world import MENTEE, MENTOR, World


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def asks(world: World) -> list[tuple[str, str, datetime]]:
    """Each schedule ask: who, its step and when it went out (or is due), in time order."""
    found = [(world.name_of(n.person_id), n.key.rsplit(":", 1)[1], n.sent_at or n.due_at) for n in await world.nudges()
             if n.kind == NudgeKind.SCHEDULE]
    return sorted(found, key=lambda ask: (ask[2], ask[1]))


async def test_executive_first__a_new_pair_s_mentee_is_asked_then_both_once_she_had_a_working_day(
        world: World) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")

    await run_tick(world.db, world.clock)  # Monday 10:00 in Brussels: the period's first ask
    assert await asks(world) == [("Victor", "mentee-first", utc("2026-11-23T09:00"))]
    await world.tick_until(utc("2026-11-25T09:00"), send=True)  # the others, a working day after it went out
    assert await asks(world) == [("Victor", "mentee-first", utc("2026-11-23T09:00")),
                                 ("Victor", "mentee-again", utc("2026-11-25T09:00")),
                                 ("Zoe", "mentor-first", utc("2026-11-25T09:00"))]

    await world.tick_until(utc("2026-11-29T09:00"), send=True)
    assert len(await asks(world)) == 3, "no more asks in the same week"

    await world.tick_until(utc("2026-12-02T09:00"), send=True)
    victor = [n.key.split(":")[3] for n in await world.nudges() if n.person_id == world.people["Victor"]]
    assert victor == ["0", "0", "1", "1"], "asked again a week on"


async def test_executive_first__a_session_put_on_the_calendar_cancels_the_asks_not_yet_sent(
        world: World, chats: Chats) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")
    await run_tick(world.db, world.clock)
    await chats.run("Victor> /mentoring schedule 2026-11-26 10:00")
    assert {n.status for n in await world.nudges() if n.kind == NudgeKind.SCHEDULE} == {"canceled"}


async def test_executive_first__auckland_mentee_and_los_angeles_mentor_across_the_us_spring_change(
        world: World, chats: Chats) -> None:
    """The example of the issue: a session Thu 11 Mar 2027 16:30 in Los Angeles."""
    await world.person("Mia", zone="America/Los_Angeles", hours=(7, 16), role=MENTOR)
    await world.person("Rangi", zone="Pacific/Auckland", hours=(8, 16), role=MENTEE)
    await world.pair("Mia", "Rangi")
    world.clock.set(utc("2027-03-09T18:00"))
    await chats.run("Mia> /mentoring schedule 2027-03-11 16:30")
    world.clock.set(utc("2027-03-12T01:30"))
    session_id = max(n.session_id or 0 for n in await world.nudges())
    await chats.run(f"Rangi> /mentoring outcome {session_id} held")
    await run_tick(world.db, world.clock)
    await world.tick_until(utc("2027-03-15T19:00"), send=True)  # the period begins the day after the session
    # Rangi on Monday 08:00 in Auckland; a full working day later (16:00), still nothing: Mia
    # on Monday 07:00 in Los Angeles (summer time since Sunday), Rangi again on Tuesday 08:00.
    assert await asks(world) == [("Rangi", "mentee-first", utc("2027-03-14T19:00")),
                                 ("Mia", "mentor-first", utc("2027-03-15T14:00")),
                                 ("Rangi", "mentee-again", utc("2027-03-15T19:00"))]


async def test_a_tick_run_twice_writes_each_nudge_once_and_looks_only_at_pairs_due(world: World) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")
    first = await run_tick(world.db, world.clock)
    again = await run_tick(world.db, world.clock)
    assert (first.pairs_checked, first.nudges_written) == (1, 1)
    assert (again.pairs_checked, again.nudges_written) == (0, 0)


ZONES = [("Pacific/Auckland", (8, 16)), ("America/Los_Angeles", (7, 16)), ("Asia/Kolkata", (10, 19)),
         ("Europe/London", (8, 16)), ("America/Sao_Paulo", (9, 18)), ("Pacific/Honolulu", (8, 17))]


def _side(person_id: int, role: str, zone: str, hours: tuple[int, int]) -> Side:
    return Side(person_id, role, WorkingHours.given(zone, None, time(hours[0]), time(hours[1])))


@pytest.mark.parametrize("mentee, mentor", list(itertools.permutations(ZONES, 2)),
                         ids=lambda zone: zone[0].split("/")[1])
def test_executive_first__every_cycle_for_every_pair_of_zones_across_dst_changes(mentee, mentor) -> None:
    """Eight weeks of weekly cycles from a session on a Monday, Friday or Saturday, across the March changes
    (United States 14 March, Europe 28 March, Auckland 4 April 2027): the mentee is always asked
    first, the mentor only after a full working day of the mentee's, the mentee's two asks on
    different working days, each inside its recipient's working hours."""
    state_of = {"mentee": _side(1, "mentee", *mentee), "mentor": _side(2, "mentor", *mentor)}
    for weekday in (0, 4, 5):
        held = SessionState(7, utc("2027-03-01T15:00") + timedelta(days=weekday, hours=weekday * 3),
                            timedelta(minutes=45), SessionStatus.HELD, utc("2027-02-20T10:00"))
        state = rules.PairState(9, "weekly", timedelta(hours=24), utc("2027-01-01T00:00"), state_of["mentor"],
                                state_of["mentee"], sessions=[held])
        now, written = held.starts_at, {}
        while now < held.starts_at + timedelta(weeks=8):
            sent = [Prompt(n.person_id, n.due_at, None, n.key) for n in written.values() if n.due_at <= now]
            for nudge in rules.evaluate(replace(state, prompts=sent), now).nudges:
                if nudge.due_at <= now + timedelta(days=1):  # written up to a day ahead, then sent when due
                    written.setdefault(nudge.key, nudge)
            now += timedelta(hours=4)
        cycles = {key.split(":")[3] for key in written}
        assert len(cycles) >= 7
        for cycle in cycles:
            mine = {key.rsplit(":", 1)[1]: nudge for key, nudge in written.items() if key.split(":")[3] == cycle}
            first, again, mentor_ask = mine["mentee-first"], mine["mentee-again"], mine["mentor-first"]
            mentee_hours, mentor_hours = state_of["mentee"].hours, state_of["mentor"].hours
            assert mentee_hours.after_working_day(first.due_at) <= mentor_ask.due_at
            assert mentee_hours.local(first.due_at).date() != mentee_hours.local(again.due_at).date()
            assert mentee_hours.is_working(first.due_at) and mentee_hours.is_working(again.due_at)
            assert mentor_hours.is_working(mentor_ask.due_at)
