"""Hosts schedule, move and cancel the circle's meetings (everyone else is told, with the
calendar invite); what everyone sees of the circle; ending it."""

from __future__ import annotations

from datetime import timedelta

from bot.registry import run_tick
from storage.enums import NudgeKind, NudgeStatus
from storage.models import AuditEntry, MentoringSession
from tests.kit.world import World
from tests.kit.circles import message_of, names, nudges_of, rendered, rows, running_circle, utc
from tests.kit.transcript import Chats


async def test_scheduling_tells_everyone_else_with_the_calendar_invite(world: World, chats: Chats) -> None:
    await running_circle(world, chats)
    await chats.run("""
        Hana> /mentoring circle schedule 2026-12-01 15:00 "Room 4.12"
        bot: Scheduled the next meeting of the circle 'AI at work': Tue 01 Dec 2026, 15:00 (Europe/Brussels), at Room 4.12.
        bot: I've told everyone else in the circle and will remind you all before it.
        bot: Calendar invite saved:
        Hana> /mentoring circle schedule 2026-12-08 15:00
        bot: The circle 'AI at work' already has a meeting: Tue 01 Dec 2026, 15:00
    """)
    [meeting] = await rows(world, MentoringSession)
    assert (meeting.circle_id, meeting.pair_id, meeting.duration_minutes, meeting.mode, meeting.place) == (
        1, None, 60, "in_person", "Room 4.12")
    assert meeting.timezone == "Europe/Brussels" and meeting.calendar_uid and meeting.invite_token
    news = await nudges_of(world, NudgeKind.CIRCLE_NEWS)
    assert names(world, news) == ["Carla", "Mei", "Victor", "Zoe"]
    victor = await message_of(world, next(n for n in news if world.name_of(n.person_id) == "Victor"))
    assert victor is not None
    assert victor.text == ("Hana scheduled the next meeting of the circle 'AI at work': Tue 01 Dec 2026, 09:00 "
                           "(America/New_York), at Room 4.12.")
    [invite] = victor.attachments
    assert b"SUMMARY:Reverse mentoring circle: AI at work" in invite.data and b"LOCATION:Room 4.12" in invite.data
    zoe = await rendered(world, next(n for n in news if world.name_of(n.person_id) == "Zoe"))
    assert "Reschedule=circle reschedule circle=#1" in zoe  # a host may move it


async def test_moving_keeps_the_calendar_event_and_canceling_sends_the_cancellation(
        world: World, chats: Chats) -> None:
    await running_circle(world, chats)
    await chats.run("""
        Hana> /mentoring circle schedule 2026-12-01 15:00
        Hana> /mentoring circle reschedule 2026-12-02 16:00
        bot: Moved the meeting of the circle 'AI at work' to Wed 02 Dec 2026, 16:00 (Europe/Brussels), remote.
        Zoe> /mentoring circle cancel-meeting
        bot: Canceled the meeting of the circle 'AI at work' (Wed 02 Dec 2026, 16:00 (Europe/Brussels), remote)
        bot: [1] Pick a new date
        Zoe> /mentoring circle cancel-meeting
        bot: Nothing is on the calendar for the circle 'AI at work' to cancel.
    """)
    old, new = await rows(world, MentoringSession)
    assert (old.status, new.status) == ("rescheduled", "canceled")
    assert new.calendar_uid == old.calendar_uid and new.calendar_sequence == old.calendar_sequence + 1
    assert new.canceled_by_id == world.people["Zoe"]
    canceled = [n for n in await nudges_of(world, NudgeKind.CIRCLE_NEWS) if n.payload["event"] == "canceled"]
    assert names(world, canceled) == ["Carla", "Hana", "Mei", "Victor"]
    message = await message_of(world, canceled[0])
    assert message is not None and "Zoe canceled the meeting of the circle 'AI at work'" in message.text
    assert b"METHOD:CANCEL" in message.attachments[0].data
    moved = [n for n in await nudges_of(world, NudgeKind.CIRCLE_NEWS) if n.payload["event"] == "scheduled"]
    assert [await rendered(world, n) for n in moved] == [""] * 4  # that meeting was moved: not sent


async def test_the_form_schedules_a_repeating_meeting_and_the_series_goes_on(world: World, chats: Chats) -> None:
    await running_circle(world, chats)
    await chats.run("""
        Zoe> /mentoring circle schedule
        bot: When does the circle 'AI at work' meet next?
        bot: Date:
        Zoe> 2026-11-26
        bot: Start time (Europe/Brussels):
        Zoe> 15:00
        bot: Where:
        Zoe> in person
        bot: Repeat at your cadence?
        Zoe> 1
        bot: Scheduled the next meeting of the circle 'AI at work': Thu 26 Nov 2026, 15:00 (Europe/Brussels), in person, repeating.
    """)
    world.clock.set(utc("2026-11-26T14:30"))
    report = await run_tick(world.db, world.clock)
    assert report.sessions_added == 1 and report.circles_checked == 1
    first, second = await rows(world, MentoringSession)
    assert second.starts_at - first.starts_at == timedelta(days=7)
    assert (second.recurring, second.calendar_uid, second.mode) == (True, first.calendar_uid, "in_person")


async def test_only_hosts_and_admins_run_meetings_and_bad_dates_are_refused(world: World, chats: Chats) -> None:
    await running_circle(world, chats)
    await chats.run("""
        Carla> /mentoring circle schedule 2026-12-01 15:00
        bot: Only the circle's hosts (Hana and Zoe) or a program admin can run its meetings.
        Hana> /mentoring circle schedule 2020-01-12 09:00
        bot: has already passed: pick a time ahead.
        Hana> /mentoring circle schedule 2029-01-12 09:00
        bot: more than a year ahead
        Hana> /mentoring circle schedule 2027-01-12
        bot: TIME is missing
        Hana> /mentoring circle schedule 2027-01-12 09:00 circle=#7
        bot: I can't find the circle #7 among yours
        Hana> /mentoring circle schedule 2027-01-12 09:00 circle=seven
        bot: 'seven' is not a circle: name it by its number, like #3
        Ada> /mentoring circle schedule 2027-01-12 09:00
        bot: You are not in a circle yet. As an admin, name the circle: circle=#ID
        Ada> /mentoring circle schedule 2027-01-12 09:00 circle=#1 anyway
        bot: Scheduled the next meeting of the circle 'AI at work': Tue 12 Jan 2027, 09:00
    """)
    assert len(await rows(world, MentoringSession)) == 1
    refused = [a for a in await rows(world, AuditEntry) if not a.allowed]
    assert [a.action for a in refused] == ["circle schedule.refused"]


async def test_people_see_their_circle_hosts_see_attendance_and_admins_see_every_circle(
        world: World, chats: Chats) -> None:
    await running_circle(world, chats)
    await world.person("Kenji")
    await chats.run("""
        Hana> /mentoring circle schedule 2026-11-24 10:00 anyway
        Carla> /mentoring circles
        bot: - #1 'AI at work' (member): next meeting Tue 24 Nov 2026, 10:00 (Europe/Brussels), remote
        Carla> /mentoring circle invite
        bot: The calendar invite for the circle 'AI at work': Tue 24 Nov 2026, 10:00
        bot: Calendar invite saved:
    """)
    world.clock.set(utc("2026-11-24T10:00"))
    await chats.run("""
        Hana> /mentoring circle outcome 1 held
        bot: Who came to the 'AI at work' meeting on Tue 24 Nov 2026, 10:00 (Europe/Brussels), remote?
        Hana> 1,3
        bot: Noted: the circle 'AI at work' met, 2 of 3 members came (Victor missed it).
        Carla> /mentoring circle show
        bot: Circle #1 'AI at work' (Digital Leaders, active, meets every week)
        bot: Hosts: Hana and Zoe
        bot: Members (3 of 3): Carla, Victor and Mei
        bot: Next meeting: nothing on the calendar yet
        bot: - Tue 24 Nov 2026, 10:00: held, 2 of 3 members came
        bot never: Attendance so far
        Hana> /mentoring circle show #1
        bot: Attendance so far (hosts and admins see this):
        bot: - Victor: 0 of 1
        Ada> /mentoring circle list
        bot: - #1 'AI at work': active; hosts Hana and Zoe; 3 members; nothing on the calendar; attendance 67% (2 of 3)
        Kenji> /mentoring circle show #1
        bot: I can't find the circle #1 among yours
        Kenji> /mentoring circles
        bot: You are not in any circle yet
    """)


async def test_ending_a_circle_calls_off_its_meeting_and_withdraws_what_was_pending(
        world: World, chats: Chats) -> None:
    await running_circle(world, chats)
    await chats.run("""
        Hana> /mentoring circle schedule 2026-12-01 15:00
        Ada> /mentoring circle end #1
        bot: The circle 'AI at work' has ended; its upcoming meeting is canceled and everyone in it is told.
        Ada> /mentoring circle end #1
        bot: The circle 'AI at work' has already ended.
        Hana> /mentoring circle schedule 2026-12-08 15:00
        bot: You are not in a circle yet.
    """)
    [meeting] = await rows(world, MentoringSession)
    assert meeting.status == "canceled"
    welcomes = await nudges_of(world, NudgeKind.CIRCLE_WELCOME)
    assert {n.status for n in welcomes} == {NudgeStatus.CANCELED}
    ended = [n for n in await nudges_of(world, NudgeKind.CIRCLE_NEWS) if n.payload["event"] == "ended"]
    assert names(world, ended) == ["Carla", "Hana", "Mei", "Victor", "Zoe"]
    text = await rendered(world, ended[0])
    assert text.startswith("The circle 'AI at work' has come to an end. Thank you for taking part! Its meeting of")
    assert [await rendered(world, n) for n in welcomes] == [""] * 5


async def test_someone_added_to_a_running_circle_gets_the_next_meeting_s_invite_with_the_welcome(
        world: World, chats: Chats) -> None:
    await running_circle(world, chats)
    await world.person("Omar", role="mentee")
    await chats.run("""
        Hana> /mentoring circle schedule 2026-12-01 15:00
        Ada> /mentoring circle add #1 Omar
        bot: The circle 'AI at work' is full (3 of 3 members)
        Ada> /mentoring circle remove #1 Mei
        Ada> /mentoring circle add #1 Omar
        bot: Added Omar to the circle 'AI at work' as a member; I'm welcoming them now.
    """)
    [welcome] = await nudges_of(world, NudgeKind.CIRCLE_WELCOME, "Omar")
    message = await message_of(world, welcome)
    assert message is not None and "Next meeting: Tue 01 Dec 2026, 15:00 (Europe/Brussels), remote" in message.text
    assert b"SUMMARY:Reverse mentoring circle: AI at work" in message.attachments[0].data
    assert [await rendered(world, n) for n in await nudges_of(world, NudgeKind.CIRCLE_WELCOME, "Mei")] == [""]


async def test_times_that_suit_both__a_meeting_outside_a_member_s_hours_offers_times_that_suit_the_circle(
        world: World, chats: Chats) -> None:
    """Rule 11 of docs/cadence.md (times that suit both, for a group: everyone taking part)."""
    await running_circle(world, chats)
    await chats.run("""
        Hana> /mentoring circle schedule 2026-11-24 10:00 "Room 4.12"
        bot: Tue 24 Nov 2026, 10:00 (Europe/Brussels) is outside working hours for Victor (04:00 America/New_York, working 09:00-17:00).
        bot: The nearest times inside the working hours of everyone in the circle 'AI at work' (Europe/Brussels times):
        bot: [1] Tue 24 Nov, 15:00   [2] Tue 24 Nov, 15:30   [3] Tue 24 Nov, 16:00   [4] Schedule anyway
    """)
    assert await rows(world, MentoringSession) == []
    await chats.run("""
        Hana> 1
        bot: Scheduled the next meeting of the circle 'AI at work': Tue 24 Nov 2026, 15:00 (Europe/Brussels), at Room 4.12.
    """)
