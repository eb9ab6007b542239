"""Scheduling, moving and canceling sessions by command or form, as transcripts; admins'
commands on pairs; and the answers to bad input."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.registry import run_tick
from storage.enums import NudgeKind
from storage.models import AuditEntry, MentoringSession
from tests.kit.world import MENTEE, MENTOR, World
from tests.kit.transcript import Chats


async def sessions(world: World) -> list[MentoringSession]:
    async with world.db.transaction() as session:
        return list(await session.scalars(select(MentoringSession).order_by(MentoringSession.id)))


async def zoe_and_victor(world: World) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", zone="America/New_York", role=MENTEE)
    await world.pair("Zoe", "Victor")


async def test_scheduling_by_command_in_the_caller_s_zone_tells_the_partner_in_theirs(
        world: World, chats: Chats) -> None:
    await zoe_and_victor(world)
    await chats.run("""
        Victor> /mentoring schedule 2027-01-12 09:00 remote
        bot: Scheduled your session with Zoe: Tue 12 Jan 2027, 09:00 (America/New_York), remote.
        bot: Calendar invite saved:
    """)
    [row] = await sessions(world)
    assert row.starts_at.isoformat() == "2027-01-12T14:00:00+00:00" and row.timezone == "America/New_York"
    news = [n for n in await world.nudges() if n.kind == NudgeKind.SESSION_NEWS]
    assert [world.name_of(n.person_id) for n in news] == ["Zoe"]


async def test_the_form_schedules_a_repeating_session_in_a_place(world: World, chats: Chats) -> None:
    await zoe_and_victor(world)
    await chats.run("""
        Zoe> /mentoring schedule
        bot: When do you meet Victor? The earliest times when you are both at work
        bot: [1] Mon 23 Nov 15:00   [2] Tue 24 Nov 15:00   [3] Wed 25 Nov 15:00   [4] More times   [5] Another time
        Zoe> 5
        bot: When do you meet Victor next?
        bot: Date:
        Zoe> 2027-01-13
        bot: Start time (Europe/Brussels):
        Zoe> 15:30
        bot: Where:
        Zoe> Room 4.12
        bot: Repeat at your cadence?
        Zoe> 1
        bot: Scheduled your session with Victor: Wed 13 Jan 2027, 15:30 (Europe/Brussels), at Room 4.12, repeating.
    """)
    [row] = await sessions(world)
    assert (row.recurring, row.place, row.mode) == (True, "Room 4.12", "in_person")


async def test_rescheduling_keeps_the_calendar_event_and_canceling_records_who(world: World, chats: Chats) -> None:
    await zoe_and_victor(world)
    await chats.run("""
        Victor> /mentoring schedule 2027-01-12 09:00
        Victor> /mentoring schedule 2027-01-13 09:00
        bot: You already have a session with Zoe: Tue 12 Jan 2027, 09:00
        Victor> /mentoring reschedule 2027-01-14 10:00
        bot: Moved your session with Zoe: Thu 14 Jan 2027, 10:00 (America/New_York)
        Zoe> /mentoring cancel-session
        bot: Canceled your session with Victor (Thu 14 Jan 2027, 16:00 (Europe/Brussels), remote).
    """)
    old, new = await sessions(world)
    assert (old.status, new.status) == ("rescheduled", "canceled")
    assert new.calendar_uid == old.calendar_uid and new.calendar_sequence == old.calendar_sequence + 1
    assert new.canceled_by_id == world.people["Zoe"]


async def test_bad_session_input_gets_a_clear_answer_and_changes_nothing(world: World, chats: Chats) -> None:
    await world.person("Nobody", role=MENTEE)
    await zoe_and_victor(world)
    await chats.run("""
        Nobody> /mentoring schedule 2027-01-12 09:00
        bot: You don't have a mentoring partner yet
        Victor> /mentoring schedule 2020-01-12 09:00
        bot: has already passed: pick a time ahead.
        Victor> /mentoring schedule 2027-01-12 25:00
        bot: is not a time of day
        Victor> /mentoring schedule 12/01/2027 09:00
        bot: is not a date I can read
        Victor> /mentoring schedule 2027-01-12
        bot: TIME is missing
        Victor> /mentoring schedule 2029-01-12 09:00
        bot: more than a year ahead
        Victor> /mentoring schedule 2027-01-12 09:00 remote with=Somebody
        bot: You are not paired with 'Somebody'. Your partners: Zoe.
        Victor> /mentoring outcome 999 held
        bot: I can't find that session among yours.
        Victor> /mentoring outcome 1 maybe
        bot: 'maybe' is not one of held | rescheduled | canceled | no-show
        Victor> /mentoring reschedule 2027-01-12 09:00
        bot: Nothing is on the calendar with Zoe to move.
    """)
    assert await sessions(world) == []


async def test_a_mentor_with_two_mentees_says_which(world: World, chats: Chats) -> None:
    await zoe_and_victor(world)
    await world.person("Helen", role=MENTEE)
    await world.pair("Zoe", "Helen")
    await chats.run("""
        Zoe> /mentoring schedule 2027-01-12 09:00
        bot: You have several partners: say which one (with="Victor", with="Helen").
        Zoe> /mentoring schedule 2027-01-12 09:00 with=helen
        bot: Scheduled your session with Helen
    """)


async def test_admins_list_flags_nudge_pause_and_rematch_pairs_and_participants_may_not(
        world: World, chats: Chats) -> None:
    await zoe_and_victor(world)
    await chats.run("""
        Ada> /mentoring flagged
        bot: No open flags in Digital Leaders
    """)
    world.clock.advance(timedelta(days=15))
    await run_tick(world.db, world.clock)
    await chats.run("""
        Ada> /mentoring flagged
        bot: 1 open flag in Digital Leaders
        bot: Zoe (mentor) and Victor (mentee): no session held for twice the cadence.
        Ada> /mentoring nudge Victor
        bot: Nudging Zoe & Victor:
        bot: Victor: at Tue 09:00 their time (working hours).
        bot: Zoe: now.
        Victor> /mentoring flagged
        bot: Only program admins can run `/mentoring flagged`.
        Victor> /mentoring nudge Zoe
        bot: Only program admins can run `/mentoring nudge`.
        Ada> /mentoring nudge Nobody
        bot: I don't know anyone called 'Nobody' here.
        Ada> /mentoring nudge #999
        bot: There is no running pair #999 in Digital Leaders.
        Ada> /mentoring pair set Victor cadence=monthly
        bot: Zoe & Victor now meets at monthly cadence.
        Ada> /mentoring pair rematch Victor
        bot: Ended Zoe & Victor (both are told, not why).
        Ada> /mentoring flagged
        bot: No open flags
    """)
    manual = [world.name_of(n.person_id) for n in await world.nudges() if n.kind == NudgeKind.MANUAL]
    assert sorted(manual) == ["Victor", "Zoe"]
    async with world.db.transaction() as session:
        refused = list(await session.scalars(select(AuditEntry.action).where(AuditEntry.allowed.is_(False))))
    assert sorted(refused) == ["flagged", "nudge"]


async def test_canceling_one_session_of_a_series_says_the_series_goes_on(world: World, chats: Chats) -> None:
    await zoe_and_victor(world)
    await chats.run("""
        Victor> /mentoring schedule 2027-01-12 09:00 remote repeat
        bot: repeating
        Zoe> /mentoring cancel-session
        bot: Only this one is off: your repeating series goes on (next: Tue 19 Jan 2027, 15:00).
    """)
    await chats.run("""
        Victor> /mentoring schedule 2027-01-20 09:00
        Zoe> /mentoring cancel-session
        bot never: series
    """)
