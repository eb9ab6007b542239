"""The monthly pulse (answers shown to the other side once both answered) and the
end-of-cycle evaluation, on a fake clock."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.registry import write_periodic_nudges
from storage.enums import FeedbackKind, NudgeKind, SkillStage
from storage.models import AuditEntry, Feedback, Goal, Program, SkillRating
from tests.kit.world import World
from tests.kit.progress import nudges_of, rendered, rows, victor_sets_two_goals, zoe_and_victor
from tests.kit.transcript import Chats


async def test_the_monthly_pulse_goes_to_both_sides_once_the_pair_has_settled_in(world: World) -> None:
    await zoe_and_victor(world, started=world.clock.now() - timedelta(days=10))
    await write_periodic_nudges(world.db, world.clock)
    assert await nudges_of(world, NudgeKind.PULSE) == []  # ten days in: too early
    world.clock.advance(timedelta(days=5))
    await write_periodic_nudges(world.db, world.clock)
    await write_periodic_nudges(world.db, world.clock)
    pulses = await nudges_of(world, NudgeKind.PULSE)
    assert sorted((world.name_of(n.person_id), n.payload["period"]) for n in pulses) == [
        ("Victor", "2026-11"), ("Zoe", "2026-11")]
    assert "Monthly pulse for November 2026: how is it going with Zoe?" in await rendered(
        world, next(n for n in pulses if world.name_of(n.person_id) == "Victor"))
    world.clock.advance(timedelta(days=14))  # December: a new pulse
    await write_periodic_nudges(world.db, world.clock)
    assert len(await nudges_of(world, NudgeKind.PULSE)) == 4


async def test_each_side_sees_the_other_s_pulse_only_once_both_have_answered(world: World, chats: Chats) -> None:
    pair = await zoe_and_victor(world, started=world.clock.now() - timedelta(days=20))
    await chats.run(f"""
        Victor> /mentoring pulse 2026-11 with=#{pair} how=4
        bot: What did you learn?
        Victor> How Zoe's team uses AI for meeting notes
        bot: What did you teach?
        Victor> How budget rounds work
        bot: Your answers stay hidden until Zoe has answered too
        Zoe> /mentoring pulse
        bot: Monthly pulse for November 2026: how is it going with Victor?
        bot never: budget rounds
        Zoe> 5
        Zoe> That the board reads dashboards differently
        Zoe> Prompting
        bot: Victor's answers for November 2026:
        bot: How it's going: 4/5
        bot: What I taught: How budget rounds work
        Victor> /mentoring pulse
        bot: You already answered the pulse for November 2026.
    """)
    [shared] = await nudges_of(world, NudgeKind.PULSE_SHARED)
    assert world.name_of(shared.person_id) == "Victor"
    text = await rendered(world, shared)
    assert "Zoe answered the pulse too" in text and "What I learned: That the board reads dashboards" in text
    answers = {world.name_of(f.person_id): f.answers for f in await rows(world, Feedback)}
    assert answers["Zoe"] == {"how": 5, "learned": "That the board reads dashboards differently",
                              "taught": "Prompting"}


async def test_a_pulse_for_a_month_to_come_or_out_of_range_is_refused(world: World, chats: Chats) -> None:
    await zoe_and_victor(world)
    await chats.run("""
        Victor> /mentoring pulse 2027-03
        bot: PERIOD: '2027-03' is not a month so far
        Victor> /mentoring pulse 2026-13
        bot: is not a month so far
        Victor> /mentoring pulse how=6
        bot: how: 6 is out of range; use 1 to 5.
    """)
    assert await rows(world, Feedback) == []


async def test_the_end_of_cycle_evaluation_re_rates_goals_and_skills_against_the_start(
        world: World, chats: Chats) -> None:
    pair = await zoe_and_victor(world)
    await victor_sets_two_goals(chats)
    await chats.run("""
        Ada> /mentoring program set ends=2027-01-15
        bot: Cycle ends: 2027-01-15
    """)
    await write_periodic_nudges(world.db, world.clock)
    assert await nudges_of(world, NudgeKind.EVALUATION) == []  # not yet two weeks before the end
    world.clock.advance(timedelta(days=40))  # 2027-01-02
    await write_periodic_nudges(world.db, world.clock)
    asked = await nudges_of(world, NudgeKind.EVALUATION)
    assert sorted(world.name_of(n.person_id) for n in asked) == ["Victor", "Zoe"]
    assert f"evaluate with=#{pair}" in await rendered(world, asked[0])
    await chats.run("""
        Victor> /mentoring evaluate
        bot: The cycle is ending: where are you now on each goal?
        bot: Now, on: Use an AI assistant for drafting
        bot: you started at 2/5
        Victor> 4
        Victor> 3
        bot: Shared calendars:
        Victor> 5
        Victor> 4
        Victor> 3
        bot: How much has your digital fluency grown?
        Victor> 4
        Victor> GAINED-TEXT I run my own meetings now
        bot: your evaluation is in
        Zoe> /mentoring evaluate
        bot: Strategic thinking: how much did you gain?
        Zoe> 5
        Zoe> 4
        Zoe> 3
        Zoe>
        bot: your evaluation is in
        Zoe> /mentoring evaluate
        bot: You already sent your end-of-cycle evaluation
    """)
    assert [(g.baseline_rating, g.final_rating) for g in await rows(world, Goal)] == [(2, 4), (1, 3)]
    ends = {s.skill: s.rating for s in await rows(world, SkillRating) if s.stage == SkillStage.END}
    assert ends == {"Shared calendars": 5, "Video meetings": 4, "An AI assistant": 3}
    answers = {world.name_of(f.person_id): f.answers for f in await rows(world, Feedback)
               if f.kind == FeedbackKind.EVALUATION}
    assert answers == {"Victor": {"fluency": 4, "gained": "GAINED-TEXT I run my own meetings now"},
                       "Zoe": {"strategic": 5, "business": 4, "access": 3, "gained": ""}}
    assert [await rendered(world, n) for n in asked] == ["", ""]  # answered: no longer sent


async def test_an_admin_sends_the_evaluation_now_and_others_may_not(world: World, chats: Chats) -> None:
    await zoe_and_victor(world)
    await chats.run("""
        Victor> /mentoring evaluation send
        bot: Only program admins can run `/mentoring evaluation send`.
        Ada> /mentoring evaluation send
        bot: Asked 2 people in Digital Leaders for their end-of-cycle evaluation
        Ada> /mentoring evaluation send
        bot: Nobody new to ask
        Ada> /mentoring program set ends=2020-01-01
        bot: ends: 2020-01-01 is in the past
    """)
    async with world.db.transaction() as session:
        program = await session.get(Program, world.program_id)
        assert program is not None and program.cycle_ends_on is None
        refused = list(await session.scalars(select(AuditEntry).where(AuditEntry.allowed.is_(False))))
    assert [a.action for a in refused] == ["evaluation send"]
    assert date(2026, 11, 23) == world.clock.now().date()
