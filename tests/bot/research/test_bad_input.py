"""Bad input gets a clear answer, is logged (admin commands in the audit log) and stores
nothing wrong."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.models import AssignmentMentor, Attendance, MentoringSession, ResearchAssignment
from tests.kit.world import World
from tests.kit.research import audits, cast, rows
from tests.kit.transcript import Chats


async def test_assignments_that_cannot_be_made_are_refused_and_audited(world: World, chats: Chats) -> None:
    await cast(world)
    long_topic = "x" * 201
    await chats.run(f"""
        Zoe> /mentoring research assign "Copilot in Excel" mentors=Zoe due=2027-01-15
        bot: Only program admins can run `/mentoring research assign`.
        Ada> /mentoring research assign "Copilot in Excel" mentors=Zoe,Hana,Victor due=2027-01-15
        bot: A research assignment has one or two mentors; you named 3.
        Ada> /mentoring research assign "Copilot in Excel" mentors=Victor due=2027-01-15
        bot: Victor is not an active mentor in Digital Leaders (a mentee there): research assignments go to mentors.
        Ada> /mentoring research assign "Copilot in Excel" mentors=Zoe due=2026-11-01
        bot: The due date 2026-11-01 is not ahead: pick a date after 2026-11-23.
        Ada> /mentoring research assign "Copilot in Excel" mentors=Zoe due=2027-08-01
        bot: is more than six months ahead
        Ada> /mentoring research assign "{long_topic}" mentors=Zoe due=2027-01-15
        bot: topic: too long (201 characters; the limit is 200).
        Ada> /mentoring research assign "Copilot in Excel" mentors=Nobody due=2027-01-15
        bot: I don't know anyone called 'Nobody' here.
        Ada> /mentoring research assign "Copilot in Excel" due=2027-01-15
        bot: Give the mentors and the due date
    """)
    assert await rows(world, ResearchAssignment) == [] and await rows(world, AssignmentMentor) == []
    entries = await audits(world, "research assign")
    assert [(e.allowed, "error" in e.details) for e in entries] == [(False, False)] + [(True, True)] * 7
    assert entries[0].actor_id == world.people["Zoe"]


async def test_ratings_and_answers_out_of_bounds_are_refused_and_nothing_is_lost(world: World, chats: Chats) -> None:
    await cast(world)
    await chats.run("""
        Ada> /mentoring research assign "Copilot in Excel" mentors=Zoe due=2027-01-15
        Zoe> /mentoring research schedule #1 2026-12-16 12:30 audience="Victor, Carla"
    """)
    [session] = await rows(world, MentoringSession)
    s, too_long = session.id, "y" * 501
    await chats.run(f"""
        Victor> /mentoring lunch rate {s} 4
        bot: is not recorded as held, so there is nothing to rate yet.
    """)
    world.clock.set(datetime(2026, 12, 16, 13, 0, tzinfo=UTC))
    await chats.run(f"""
        Zoe> /mentoring research outcome {s} held
        Victor> /mentoring lunch rate {s} 0
        bot: rating: 0 is out of range; use 1 to 5.
        Victor> /mentoring lunch rate {s} 6
        bot: rating: 6 is out of range; use 1 to 5.
        Bob> /mentoring lunch rate {s} 4
        bot: Only the people invited to the lunch-and-learn on Copilot in Excel can rate it.
        Victor> /mentoring lunch rate 999 4
        bot: I can't find that lunch-and-learn.
        Victor> /mentoring lunch try {s} "{too_long}"
        bot: text: too long (501 characters; the limit is 500).
        Victor> /mentoring lunch rate {s} 4
        bot: What will you try after it?
        Victor> {too_long}
        bot: That is 501 characters; the limit here is 500. Please shorten it.
        Victor> Use it for the quarterly numbers
        bot: Thanks! I'll pass that on
    """)
    [attended] = await rows(world, Attendance)
    assert (world.name_of(attended.person_id), attended.rating, attended.will_try) == (
        "Victor", 4, "Use it for the quarterly numbers")


async def test_only_its_mentors_send_the_write_up_and_only_they_or_an_admin_schedule_the_lunch(
        world: World, chats: Chats) -> None:
    await cast(world)
    await chats.run("""
        Ada> /mentoring research assign "Copilot in Excel" mentors=Zoe,Hana due=2027-01-15
        Carla> /mentoring research writeup #1 summary="I know all about it"
        bot: Only the mentors of research #1 (Zoe and Hana) can send its write-up.
        Carla> /mentoring research schedule #1 2026-12-16 12:30 audience=Victor
        bot: Only the mentors of research #1 or a program admin can schedule
        Zoe> /mentoring research writeup #1 links="https://example.com javascript:alert(1)"
        bot: 'javascript:alert(1)' is not a web link
        Zoe> /mentoring research writeup #7
        bot: I can't find research assignment #7.
        Zoe> /mentoring research schedule #1 2026-11-20 12:30 audience=Victor
        bot: has already passed: pick a time ahead.
        Zoe> /mentoring research schedule #1 2026-12-16 12:30
        bot: Who is it for?
        Ada> /mentoring research schedule #1 2026-12-16 12:30 audience=Victor
        bot: Scheduled the lunch-and-learn on Copilot in Excel
    """)
    [assignment] = await rows(world, ResearchAssignment)
    assert assignment.writeup is None and assignment.links == []
    assert [e.actor_id for e in await audits(world, "research.writeup.refused")] == [world.people["Carla"]]
    assert len(await audits(world, "research.lunch.refused")) == 1
    assert len(await rows(world, MentoringSession)) == 1
