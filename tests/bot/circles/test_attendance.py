"""After a meeting: the hosts say whether it took place and who came; the members who came
rate it and say what they will try; members who keep missing and circles whose meetings keep
being canceled are flagged to the admins."""

from __future__ import annotations

from bot.registry import run_tick
from storage.enums import FlagKind, NudgeKind, NudgeStatus
from storage.models import Attendance, AuditEntry, Flag, MentoringSession
from tests.kit.world import World
from tests.kit.circles import names, nudges_of, rendered, rows, running_circle, utc
from tests.kit.transcript import Chats

FIRST = "2026-11-24"


async def meeting(world: World, chats: Chats, day: str, came: str = "") -> int:
    """Hana schedules a meeting at 10:00 (Brussels) on ``day`` (04:00 for Victor in New York: she
    insists); two hours later she records it as held with ``came`` (the form's numbers: 1 Carla,
    2 Victor, 3 Mei; "" for everyone)."""
    await chats.run(f"Hana> /mentoring circle schedule {day} 10:00 anyway")
    session_id = max(s.id for s in await rows(world, MentoringSession))
    world.clock.set(utc(f"{day}T11:00"))
    await chats.run(f"""
        Hana> /mentoring circle outcome {session_id} held
        bot: Who came?
        Hana> {came}
        bot: Noted: the circle 'AI at work' met
    """)
    await run_tick(world.db, world.clock)
    return session_id


async def attendance(world: World) -> list[tuple[int, str, bool | None, int | None, str | None]]:
    return [(a.session_id, world.name_of(a.person_id), a.attended, a.rating, a.will_try)
            for a in await rows(world, Attendance)]


async def test_who_came_is_recorded_and_those_who_came_rate_it_and_say_what_they_will_try(
        world: World, chats: Chats) -> None:
    await running_circle(world, chats)
    await chats.run(f"Hana> /mentoring circle schedule {FIRST} 10:00 anyway")
    world.clock.set(utc(f"{FIRST}T10:15"))
    await run_tick(world.db, world.clock)
    await chats.run("""
        Hana> /mentoring circle outcome 1 held
        bot: Who came to the 'AI at work' meeting on Tue 24 Nov 2026, 10:00 (Europe/Brussels), remote?
        bot: press Enter to keep: Carla, Victor, Mei
        Hana> 1,3
        bot: Noted: the circle 'AI at work' met, 2 of 3 members came (Victor missed it). I've asked those who came how it was.
        bot: [1] Schedule the next one
        Zoe> /mentoring circle outcome 1 held
        bot: Already recorded: that meeting was held. Thanks!
    """)
    assert await attendance(world) == [(1, "Hana", True, None, None), (1, "Zoe", True, None, None),
                                       (1, "Carla", True, None, None), (1, "Victor", False, None, None),
                                       (1, "Mei", True, None, None)]
    [session] = await rows(world, MentoringSession)
    assert session.status == "held" and session.outcome_by_id == world.people["Hana"]
    zoe_prompt = await nudges_of(world, NudgeKind.CIRCLE_OUTCOME, "Zoe")
    assert [(n.status, n.answered_at is not None) for n in zoe_prompt] == [(NudgeStatus.CANCELED, True)]
    ratings = await nudges_of(world, NudgeKind.CIRCLE_RATING)
    assert names(world, ratings) == ["Carla", "Mei"]
    assert await rendered(world, ratings[0]) == (
        "How useful was the 'AI at work' circle's meeting on Tue 24 Nov 2026, 10:00 (Europe/Brussels), remote? | "
        "1 · not useful=circle rate 1 1 | 2=circle rate 1 2 | 3=circle rate 1 3 | 4=circle rate 1 4 | "
        "5 · very useful=circle rate 1 5")
    await chats.run("""
        Carla> /mentoring circle rate 1 4
        bot: Thanks: 4/5 noted.
        bot: What will you try after this discussion?
        Carla> Ask my assistant to draft the board summary
        bot: Noted, thank you.
        Mei> /mentoring circle rate 1 5
        Mei>
        bot: Thanks for your rating!
    """)
    assert (await attendance(world))[2:] == [(1, "Carla", True, 4, "Ask my assistant to draft the board summary"),
                                             (1, "Victor", False, None, None), (1, "Mei", True, 5, None)]
    assert await rendered(world, ratings[0]) == ""  # rated: no longer sent


async def test_bad_ratings_and_outcomes_are_refused_kindly_and_store_nothing(world: World, chats: Chats) -> None:
    await running_circle(world, chats)
    await chats.run("Hana> /mentoring circle schedule 2026-12-01 10:00 anyway")
    await chats.run("""
        Carla> /mentoring circle rate 1 4
        bot: That meeting is not recorded as held, so there is nothing to rate yet.
        Carla> /mentoring circle outcome 1 held
        bot: Only the circle's hosts (Hana and Zoe) record what became of a meeting
        Hana> /mentoring circle outcome 1 held
        bot: That meeting has not taken place yet.
        Hana> /mentoring circle outcome 99 held
        bot: I can't find that meeting among your circles'.
    """)
    world.clock.set(utc("2026-12-01T11:00"))
    long = "x" * 501
    await chats.run(f"""
        Hana> /mentoring circle outcome 1 held
        Hana> 1,3
        Carla> /mentoring circle rate 1 6
        bot: rating: 6 is out of range; use 1 to 5.
        Victor> /mentoring circle rate 1 2
        bot: You weren't recorded as there for that meeting, so I can't take a rating for it. If that's a mistake, tell Hana and Zoe
        Carla> /mentoring circle rate 1 4
        Carla> {long}
        bot: That is 501 characters; the limit here is 500. Please shorten it.
        Carla> Book a demo with my team
        bot: Noted, thank you.
    """)
    rated = {name: (rating, will_try) for _s, name, _a, rating, will_try in await attendance(world)}
    assert rated["Victor"] == (None, None) and rated["Carla"] == (4, "Book a demo with my team")
    refused = sorted(a.action for a in await rows(world, AuditEntry) if not a.allowed)
    assert refused == ["circle outcome.refused", "circle rate.refused"]


async def test_a_member_missing_two_held_meetings_is_flagged_once_and_coming_again_resolves_it(
        world: World, chats: Chats) -> None:
    await running_circle(world, chats)
    await meeting(world, chats, "2026-11-24", came="1,3")
    assert await rows(world, Flag) == []
    await meeting(world, chats, "2026-11-25", came="1,3")
    await run_tick(world.db, world.clock)
    [flag] = await rows(world, Flag)
    assert (flag.kind, world.name_of(flag.person_id or 0), flag.circle_id) == (FlagKind.REPEATED_ABSENCE, "Victor", 1)
    [to_admin] = await nudges_of(world, NudgeKind.FLAG)
    assert world.name_of(to_admin.person_id) == "Ada"
    victor = f"<person:#{world.people['Victor']}>"  # buttons carry ids (rule 10 of docs/cadence.md)
    assert await rendered(world, to_admin) == (
        "*Flag in Digital Leaders*: circle 'AI at work' (hosts Hana and Zoe): Victor missed the last two meetings "
        "(Tue 24 Nov, Wed 25 Nov). | "
        f'Nudge Victor=circle nudge #1 {victor} program="Digital Leaders" | '
        f'Remove from the circle=circle remove #1 {victor} program="Digital Leaders" | '
        "Show the circle=circle show #1")
    await chats.run(f"""
        Ada> /mentoring circle nudge #1 {victor} program="Digital Leaders"
        bot: Nudging Victor:
        bot: - Victor: at Wed 09:00 their time (working hours).
    """)
    [manual] = [n for n in await nudges_of(world, NudgeKind.CIRCLE_REMINDER) if n.payload.get("manual")]
    assert "Your program admin asked me to check in: the circle 'AI at work' misses you." in \
        await rendered(world, manual)
    await meeting(world, chats, "2026-11-26")  # everyone came
    [flag] = await rows(world, Flag)
    assert flag.resolved_at is not None and await rendered(world, to_admin) == ""
    await meeting(world, chats, "2026-11-27", came="1,3")
    await meeting(world, chats, "2026-11-30", came="1,3")
    flags = await rows(world, Flag)
    assert [(f.kind, f.resolved_at is None) for f in flags] == [("repeated_absence", False),
                                                               ("repeated_absence", True)]


async def test_two_canceled_meetings_in_a_row_flag_the_circle(world: World, chats: Chats) -> None:
    await running_circle(world, chats)
    for day in ("2026-11-24", "2026-11-25"):
        await chats.run(f"""
            Hana> /mentoring circle schedule {day} 10:00 anyway
            Zoe> /mentoring circle cancel-meeting
            bot: Canceled the meeting
        """)
        await run_tick(world.db, world.clock)
        await run_tick(world.db, world.clock)
    [flag] = await rows(world, Flag)
    assert (flag.kind, flag.circle_id, flag.person_id) == (FlagKind.CANCELED_TWICE, 1, None)
    [to_admin] = await nudges_of(world, NudgeKind.FLAG)
    assert await rendered(world, to_admin) == (
        "*Flag in Digital Leaders*: circle 'AI at work' (hosts Hana and Zoe): two meetings in a row canceled "
        "(Tue 24 Nov, Wed 25 Nov). | "
        'Nudge the hosts=circle nudge #1 program="Digital Leaders" | Show the circle=circle show #1')
    await chats.run("""
        Ada> /mentoring flagged
        bot: 1 open flag in Digital Leaders
        bot: two meetings in a row canceled
    """)
    await meeting(world, chats, "2026-11-26")
    assert (await rows(world, Flag))[0].resolved_at is not None


async def test_we_moved_it_asks_the_host_for_the_new_time_and_keeps_the_calendar_event(
        world: World, chats: Chats) -> None:
    await running_circle(world, chats)
    await chats.run(f"Hana> /mentoring circle schedule {FIRST} 10:00 anyway")
    world.clock.set(utc(f"{FIRST}T11:00"))
    await chats.run("""
        Zoe> /mentoring circle outcome 1 rescheduled
        bot: When does it take place now?
        bot: Date:
        Zoe> 2026-11-26
        Zoe> 10:00
        Zoe>
        bot: is outside working hours for Victor (04:00 America/New_York, working 09:00-17:00)
        bot: [4] Schedule anyway
        Zoe> 4
        bot: Moved the meeting of the circle 'AI at work' to Thu 26 Nov 2026, 10:00 (Europe/Brussels), remote.
    """)
    old, new = await rows(world, MentoringSession)
    assert (old.status, new.status, new.calendar_uid, new.calendar_sequence) == (
        "rescheduled", "scheduled", old.calendar_uid, 1)


async def test_attendance_counts_members__two_of_three_members_is_67_percent_in_the_report(
        world: World, chats: Chats) -> None:
    """Rule 9 of docs/cadence.md (attendance counts members): the two hosts are not counted."""
    await running_circle(world, chats)
    await meeting(world, chats, FIRST, came="1,3")
    await chats.run("""
        Ada> /mentoring report
        bot: Group circles (5 people): 1 held, 0 canceled or missed
        bot: attendance 67%
        bot never: attendance 80%
    """)
