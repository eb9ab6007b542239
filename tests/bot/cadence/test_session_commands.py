"""Scheduling, moving and canceling sessions by command or form, as transcripts; admins'
commands on pairs; and the answers to bad input."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.registry import run_tick
from storage.enums import NudgeKind
from storage.models import AuditEntry, MentoringSession
from tests.kit.circles import message_of
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


async def test_buttons_carry_ids__a_name_with_double_quotes_works_from_every_button(
        world: World, chats: Chats) -> None:
    """Rule 10 of docs/cadence.md (buttons carry ids, never names)."""
    await world.person('Zoe "Z" Smith', role=MENTOR)
    await world.person("Victor", role=MENTEE)
    pair = await world.pair('Zoe "Z" Smith', "Victor")
    await chats.run("""
        Victor> /mentoring schedule 2027-01-12 10:00 remote
        bot: Scheduled your session with Zoe "Z" Smith
        bot: [1] Reschedule [2] Cancel it
        Victor> 2
        bot: Canceled your session with Zoe "Z" Smith (Tue 12 Jan 2027, 10:00 (Europe/Brussels), remote).
        bot: [1] Pick a new date
        Victor> 1
        bot: When do you meet Zoe "Z" Smith? The earliest times when you are both at work
        Victor> 5
        bot: When do you meet Zoe "Z" Smith next?
    """)
    [row] = await sessions(world)
    assert row.status == "canceled"
    [news] = [n for n in await world.nudges() if n.kind == NudgeKind.SESSION_NEWS][-1:]
    assert world.name_of(news.person_id) == 'Zoe "Z" Smith'
    message = await message_of(world, news)
    assert message is not None and [b.value for b in message.buttons] == [f"schedule with=#{pair}"]


async def test_times_that_suit_both__a_time_at_night_for_the_partner_is_not_stored_and_three_slots_are_offered(
        world: World, chats: Chats) -> None:
    """Rule 11 of docs/cadence.md (times that suit both): the example of the issue."""
    await world.person("Zoe", zone="Europe/London", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    pair = await world.pair("Zoe", "Victor")
    await chats.run("""
        Victor> /mentoring schedule 2027-01-12 23:30
        bot: Tue 12 Jan 2027, 23:30 (Europe/Brussels) is outside working hours for Zoe (22:30 Europe/London, working 09:00-17:00).
        bot: Nothing is scheduled yet. The nearest times inside the working hours of you and Zoe (Europe/Brussels times):
        bot: [1] Tue 12 Jan, 15:00   [2] Tue 12 Jan, 15:30   [3] Tue 12 Jan, 16:00   [4] Schedule anyway
    """)
    assert await sessions(world) == []
    message = await chats.run("Victor> 3")
    assert "Scheduled your session with Zoe: Tue 12 Jan 2027, 16:00 (Europe/Brussels)" in message
    [row] = await sessions(world)
    assert row.pair_id == pair


async def test_times_that_suit_both__the_person_may_insist(world: World, chats: Chats) -> None:
    await world.person("Zoe", zone="Europe/London", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")
    await chats.run("""
        Victor> /mentoring schedule 2027-01-12 23:30 "Room 4.12" repeat
        bot: Schedule anyway
        Victor> 4
        bot: Scheduled your session with Zoe: Tue 12 Jan 2027, 23:30 (Europe/Brussels), at Room 4.12, repeating.
    """)


async def test_times_that_suit_both__the_form_and_a_move_offer_slots_too(world: World, chats: Chats) -> None:
    await world.person("Zoe", zone="Asia/Tokyo", hours=(9, 18), role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")
    await chats.run("""
        Victor> /mentoring schedule 2027-01-12 09:00
        bot: Scheduled your session with Zoe
        Victor> /mentoring reschedule form
        bot: Date:
        Victor> 2027-01-14
        bot: Start time (Europe/Brussels):
        Victor> 15:00
        bot: Where:
        Victor>
        bot: is outside working hours for Zoe (23:00 Asia/Tokyo, working 09:00-18:00).
        bot: [1] Wed 13 Jan, 09:00   [2] Thu 14 Jan, 09:00   [3] Fri 15 Jan, 09:00   [4] Schedule anyway
        Victor> 2
        bot: Moved your session with Zoe: Thu 14 Jan 2027, 09:00 (Europe/Brussels), remote.
    """)
    assert [s.status for s in await sessions(world)] == ["rescheduled", "scheduled"]


async def test_times_that_suit_both__people_who_share_no_hours_are_told_so(world: World, chats: Chats) -> None:
    await world.person("Kai", zone="Pacific/Honolulu", role=MENTOR)
    await world.person("Priya", zone="Asia/Kolkata", hours=(10, 18), role=MENTEE)
    await world.pair("Kai", "Priya")
    await chats.run("""
        Priya> /mentoring schedule 2027-01-12 11:00
        bot: Nothing is scheduled yet: you and Kai share no working hours in the next two weeks, so no time suits everyone.
        bot: [1] Schedule anyway
    """)
    assert await sessions(world) == []


async def test_times_that_suit_both__a_time_in_the_spring_forward_gap_is_refused_and_nothing_stored(
        world: World, chats: Chats) -> None:
    await zoe_and_victor(world)
    await chats.run("""
        Zoe> /mentoring schedule 2027-03-28 02:30
        bot: 2027-03-28 02:30 does not exist in Europe/Brussels: the clocks go forward that night. Pick another time.
        Zoe> /mentoring schedule 2026-11-20 10:00
        bot: has already passed
        Zoe> /mentoring schedule 2028-01-10 10:00
        bot: more than a year ahead
    """)
    assert await sessions(world) == [] and await world.nudges() == []
