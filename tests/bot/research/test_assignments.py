"""Research assignments: proposed from what mentees want, assigned, reminded on a fake clock,
flagged to the admins when the write-up is late, and written up (by form or in one go)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.registry import run_tick
from storage.enums import AssignmentStatus, NudgeKind, NudgeStatus
from storage.models import AssignmentMentor, Flag, Program, ResearchAssignment
from tests.kit.world import MENTEE, World
from tests.kit.research import cast, nudges_of, rendered, rows, set_profile
from tests.kit.transcript import Chats


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def test_propose_counts_what_active_mentees_want_and_proposes_a_mentor_for_each(
        world: World, chats: Chats) -> None:
    await cast(world)
    await world.person("Dan", role=MENTEE)
    await set_profile(world, "Victor", topics_wanted=["AI assistants", "Video meetings"])
    await set_profile(world, "Carla", topics_wanted=["ai assistants ", "Social media"])
    await set_profile(world, "Bob", topics_wanted=["AI assistants"])
    await set_profile(world, "Dan", topics_wanted=["Social media"])
    await set_profile(world, "Zoe", skills_offered=["AI assistants"])
    async with world.db.transaction() as session:  # Dan is paused: what he wants does not count
        from sqlalchemy import update

        from storage.models import Enrollment
        await session.execute(update(Enrollment).where(Enrollment.person_id == world.people["Dan"])
                              .values(status="paused"))
    await chats.run("""
        Ada> /mentoring research propose
        bot: What mentees in Digital Leaders want to learn most, with no research assignment yet:
        bot: 1. AI assistants: wanted by 3 mentees. Proposed mentor: Zoe (offers it as a skill; 0 assignments under way).
        bot: 2. Social media: wanted by 1 mentee. Proposed mentor: Hana (no active mentor offers it as a skill
        bot: 3. Video meetings: wanted by 1 mentee. Proposed mentor: Hana
        bot: due in three weeks (2026-12-14)
        Ada> 1
        bot: Assigned research #1 in Digital Leaders: AI assistants, to Zoe, due Mon 14 Dec 2026.
        Ada> /mentoring research propose
        bot: 1. Social media: wanted by 1 mentee. Proposed mentor: Hana
        bot never: AI assistants
    """)
    [assignment] = await rows(world, ResearchAssignment)
    assert (assignment.topic, assignment.status, assignment.created_by_id) == (
        "AI assistants", AssignmentStatus.ASSIGNED, world.people["Ada"])


async def test_propose_with_nothing_wanted_says_so(world: World, chats: Chats) -> None:
    await cast(world)
    await chats.run("""
        Ada> /mentoring research propose
        bot: Nothing to propose in Digital Leaders: no active mentee has listed topics they want to learn yet.
    """)


async def test_an_assignment_tells_each_mentor_what_by_when_and_with_whom(world: World, chats: Chats) -> None:
    await cast(world)
    await chats.run("""
        Ada> /mentoring research assign "Copilot in Excel" mentors=Zoe,Hana due=2027-01-15
        bot: Assigned research #1 in Digital Leaders: Copilot in Excel, to Zoe and Hana, due Fri 15 Jan 2027.
        bot: Research and lunch-and-learns are now among the formats of Digital Leaders.
    """)
    async with world.db.transaction() as session:
        program = await session.get(Program, world.program_id)
        assert program is not None and program.formats == ["one-to-one", "research"]
    assert {world.name_of(m.person_id) for m in await rows(world, AssignmentMentor)} == {"Zoe", "Hana"}
    told = {world.name_of(n.person_id): n for n in await nudges_of(world, NudgeKind.RESEARCH_ASSIGNED)}
    assert set(told) == {"Zoe", "Hana"}
    assert await rendered(world, told["Zoe"]) == (
        "You have a research assignment in Digital Leaders: study *Copilot in Excel*, together with Hana, write a "
        "short summary with the links worth reading, and present it at a lunch-and-learn. The write-up is due Fri "
        "15 Jan 2027. | Send the write-up=research writeup #1 | "
        "Schedule the lunch-and-learn=research schedule #1")
    assert told["Zoe"].due_at == world.clock.now(), "09:00 UTC on a Monday is inside Zoe's working hours"


async def test_due_reminders_come_a_week_and_a_day_before_then_the_admins_are_flagged(
        world: World, chats: Chats) -> None:
    await cast(world)
    await world.person("Sam", zone="America/New_York", role="mentor")
    await chats.run('Ada> /mentoring research assign "Copilot in Excel" mentors=Zoe,Sam due=2026-12-11')

    async def reminders() -> dict[tuple[str, int], datetime]:
        return {(world.name_of(n.person_id), n.payload["days"]): n.due_at
                for n in await nudges_of(world, NudgeKind.RESEARCH_DUE)}

    await world.tick_until(utc("2026-12-10T14:00"))  # written up to a day ahead, at the start of each one's day
    assert await reminders() == {("Zoe", 7): utc("2026-12-04T08:00"), ("Sam", 7): utc("2026-12-04T14:00"),
                                 ("Zoe", 1): utc("2026-12-10T08:00"), ("Sam", 1): utc("2026-12-10T14:00")}
    [zoe_7] = [n for n in await nudges_of(world, NudgeKind.RESEARCH_DUE)
               if n.person_id == world.people["Zoe"] and n.payload["days"] == 7]
    assert (await rendered(world, zoe_7)).startswith(
        "A reminder: your write-up on *Copilot in Excel* is due in 7 days (Fri 11 Dec 2026).")
    zoe_1 = [n for n in await nudges_of(world, NudgeKind.RESEARCH_DUE) if n.person_id == world.people["Zoe"]][-1]
    assert "is due tomorrow (Fri 11 Dec 2026)" in await rendered(world, zoe_1)

    world.clock.set(utc("2026-12-12T22:59"))  # Saturday: not yet two days late in Brussels
    await run_tick(world.db, world.clock)
    assert await rows(world, Flag) == []
    world.clock.set(utc("2026-12-12T23:00"))
    await run_tick(world.db, world.clock)
    await run_tick(world.db, world.clock)
    [flag] = await rows(world, Flag)
    assert (flag.kind, flag.assignment_id, flag.resolved_at) == ("research_overdue", 1, None)
    [to_ada] = await nudges_of(world, NudgeKind.FLAG)
    assert world.name_of(to_ada.person_id) == "Ada" and to_ada.assignment_id == 1
    assert await rendered(world, to_ada) == (
        "*Flag in Digital Leaders*: research on 'Copilot in Excel' (Zoe, Sam): write-up overdue since Fri 11 Dec. | "
        "Nudge the mentors=research nudge #1 | Move the due date=research due #1 2026-12-20")

    await chats.run("""
        Zoe> /mentoring research writeup #1 summary="Copilot writes and explains formulas." links="https://example.com/copilot, https://learn.example.org/excel"
        bot: Thanks! Your write-up on Copilot in Excel is in (2 links).
        bot: Schedule the lunch-and-learn
    """)
    [flag] = await rows(world, Flag)
    assert flag.resolved_at is not None
    assert await rendered(world, to_ada) == "", "a resolved flag is not sent"
    assert await rendered(world, zoe_1) == "", "nor a reminder once the write-up is in"
    news = {world.name_of(n.person_id): n for n in await nudges_of(world, NudgeKind.RESEARCH_NEWS)}
    assert set(news) == {"Sam", "Ada"}
    assert (await rendered(world, news["Ada"])).startswith(
        "Zoe sent the write-up on *Copilot in Excel*:\nCopilot writes and explains formulas.\n"
        "• https://example.com/copilot\n• https://learn.example.org/excel")
    [assignment] = await rows(world, ResearchAssignment)
    assert (assignment.status, assignment.written_at) == (AssignmentStatus.WRITTEN, world.clock.now())


async def test_the_admin_moves_the_due_date_and_nudges_the_mentors(world: World, chats: Chats) -> None:
    await cast(world)
    await chats.run('Ada> /mentoring research assign "Copilot in Excel" mentors=Zoe due=2026-11-30')
    world.clock.set(utc("2026-12-03T09:00"))
    await run_tick(world.db, world.clock)
    assert len(await rows(world, Flag)) == 1
    await chats.run("""
        Ada> /mentoring research due #1 2026-12-18
        bot: The write-up on Copilot in Excel is now due Fri 18 Dec 2026. I've told the mentors.
        Ada> /mentoring research nudge #1
        bot: Nudging the mentors of research #1 (Copilot in Excel):
        bot: - Zoe: now
        Zoe> /mentoring research due #1 2026-12-20
        bot: Only program admins can run `/mentoring research due`.
    """)
    assert all(f.resolved_at is not None for f in await rows(world, Flag))
    [manual] = [n for n in await nudges_of(world, NudgeKind.RESEARCH_DUE) if n.payload.get("manual")]
    assert (await rendered(world, manual)).startswith(
        "Your program admin asked me to check in on your research on *Copilot in Excel*: how is the write-up "
        "coming along? It is due Fri 18 Dec 2026.")
    [moved] = await nudges_of(world, NudgeKind.RESEARCH_NEWS)
    assert "Ada moved the due date of your research on *Copilot in Excel* to Fri 18 Dec 2026." in await rendered(
        world, moved)
    await world.tick_until(utc("2026-12-17T08:00"))  # a week and a day before the new date: reminded again
    assert [(n.payload.get("due_on"), n.payload.get("days")) for n in await nudges_of(world, NudgeKind.RESEARCH_DUE)
            if not n.payload.get("manual")] == [("2026-12-18", 7), ("2026-12-18", 1)]


async def test_the_write_up_form_names_a_bad_link_and_keeps_the_summary(world: World, chats: Chats) -> None:
    await cast(world)
    await chats.run("""
        Ada> /mentoring research assign "Copilot in Excel" mentors=Zoe,Hana due=2027-01-15
        Zoe> /mentoring research writeup
        bot: Your write-up on Copilot in Excel: a short summary and the links worth reading.
        bot: Summary
        Zoe> Copilot writes formulas from plain English and explains the ones you inherit.
        bot: Links
        Zoe> https://example.com/guide ftp://files.example.com/deck.pptx
        bot: 'ftp://files.example.com/deck.pptx' is not a web link: each link starts with http:// or https://
        bot never: Thanks!
        Zoe> https://example.com/guide https://learn.example.org/copilot
        bot: Thanks! Your write-up on Copilot in Excel is in (2 links).
    """)
    [assignment] = await rows(world, ResearchAssignment)
    assert assignment.writeup == "Copilot writes formulas from plain English and explains the ones you inherit."
    assert assignment.links == ["https://example.com/guide", "https://learn.example.org/copilot"]
    assert [n.status for n in await nudges_of(world, NudgeKind.RESEARCH_NEWS)] == [NudgeStatus.PENDING] * 2
