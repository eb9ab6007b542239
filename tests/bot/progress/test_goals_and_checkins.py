"""Goals with a starting point, check-ins after held sessions and private notes, as transcripts."""

from __future__ import annotations

from storage.enums import FlagKind, NudgeKind, SkillStage
from storage.models import AuditEntry, CheckIn, Flag, Goal, GoalUpdate, SkillRating
from tests.kit.world import World
from tests.kit.progress import met, nudges_of, rendered, rows, victor_sets_two_goals, zoe_and_victor
from tests.kit.transcript import Chats


async def test_a_mentee_sets_goals_and_rates_the_baseline_skills_and_the_mentor_sees_them(
        world: World, chats: Chats) -> None:
    await zoe_and_victor(world)
    await victor_sets_two_goals(chats)
    goals = await rows(world, Goal)
    assert [(g.title, g.baseline_rating, g.baseline_note, g.target_note) for g in goals] == [
        ("Use an AI assistant for drafting", 2, "I have never tried one", "Draft my memos with it every week"),
        ("Run my own Teams meetings", 1, "My assistant sets them up", "Host one alone")]
    skills = {(s.skill, s.stage): s.rating for s in await rows(world, SkillRating)}
    assert skills == {("Shared calendars", SkillStage.START): 3, ("Video meetings", SkillStage.START): 2,
                      ("An AI assistant", SkillStage.START): 1}
    [told] = await nudges_of(world, NudgeKind.GOALS)
    assert world.name_of(told.person_id) == "Zoe"
    assert "Victor set their goals for your mentoring:" in await rendered(world, told)
    await chats.run("""
        Zoe> /mentoring goals
        bot: Victor's goals (with you):
        bot: • Run my own Teams meetings: started at 1/5, now 1/5. Wants to get to: Host one alone
        bot: Shared calendars: 3/5
        bot never: Add a goal
        Zoe> /mentoring goals add
        bot: Victor (your mentee) sets the goals
    """)


async def test_bad_goals_are_refused_and_nothing_is_stored(world: World, chats: Chats) -> None:
    await zoe_and_victor(world)
    await chats.run(f"""
        Victor> /mentoring goals add
        bot: Goal 1:
        Victor> {"x" * 201}
        bot: That is 201 characters; the limit here is 200.
        Victor> {" "}
        bot: This one needs an answer.
        Victor> Learn to use shared calendars
        bot: Where you start (1 to 5):
        Victor> 7
        bot: 7 is out of range: use a number from 1 to 5.
        Victor> a lot
        bot: Please answer with a whole number from 1 to 5.
        Ada> /mentoring goals
        bot: You don't have a mentoring partner yet
    """)
    assert await rows(world, Goal) == []


async def test_three_goals_at_most(world: World, chats: Chats) -> None:
    await zoe_and_victor(world)
    script = "Victor> /mentoring goals add\n"
    for n in range(1, 4):
        script += f"Victor> Goal number {n}\nVictor> 2\nVictor> Start {n}\nVictor> Target {n}\n"
        if n < 3:
            script += "Victor> Add another goal\n"
    script += "Victor> 3\nVictor> 3\nVictor> 3\nbot: Saved. Your goals with Zoe:\n"
    script += "Victor> /mentoring goals add\nbot: You have 3 goals already\n"
    await chats.run(script)
    assert len(await rows(world, Goal)) == 3


async def test_a_held_session_asks_for_a_two_tap_check_in_and_the_partner_gets_the_question(
        world: World, chats: Chats) -> None:
    pair = await zoe_and_victor(world)
    session = await met(world, pair)
    await chats.run(f"""
        Zoe> /mentoring outcome {session} held
        bot: Great, noted as held.
        bot: How useful was your session with Victor
        Zoe> 5
        bot: Anything to add
        Zoe> That's all
        bot: Noted, thank you. Victor will set their goals
    """)
    [zoe] = await rows(world, CheckIn)
    assert (world.name_of(zoe.person_id), zoe.usefulness, zoe.topics, zoe.private_note) == ("Zoe", 5, [], None)
    [asked] = await nudges_of(world, NudgeKind.CHECKIN)
    assert world.name_of(asked.person_id) == "Victor"
    text = await rendered(world, asked)
    assert "Zoe noted your session of" in text and f"4=checkin {session} useful=4" in text


async def test_the_details_move_the_goals_and_keep_a_private_note_for_the_pair_only(
        world: World, chats: Chats) -> None:
    pair = await zoe_and_victor(world)
    await victor_sets_two_goals(chats)
    session = await met(world, pair)
    await chats.run(f"""
        Zoe> /mentoring outcome {session} held
        Zoe> 4
        Victor> /mentoring checkin {session} useful=3
        bot: Anything to add
        Victor> Add details
        bot: Topics you covered:
        Victor> 1,3
        bot: Where are you now on: Use an AI assistant for drafting
        Victor> 3
        bot: Where are you now on: Run my own Teams meetings
        Victor>
        bot: Private note (only you and Zoe can read it):
        Victor> PRIVATE-NOTE-7 I still freeze when screen sharing
        bot: Noted, thank you.
        Victor> /mentoring goals
        bot: • Use an AI assistant for drafting: started at 2/5, now 3/5
        bot: • Run my own Teams meetings: started at 1/5, now 1/5
        Zoe> /mentoring notes
        bot: Private notes with Victor (only the two of you can read them):
        bot: Victor: PRIVATE-NOTE-7 I still freeze when screen sharing
        Ada> /mentoring notes
        bot never: PRIVATE-NOTE-7
    """)
    victor = next(c for c in await rows(world, CheckIn) if world.name_of(c.person_id) == "Victor")
    assert (victor.usefulness, victor.topics) == (3, ["AI assistants", "Use an AI assistant for drafting"])
    assert [u.rating for u in await rows(world, GoalUpdate)] == [3, 1]
    # Zoe's question about the session was answered by her own check-in: it is not sent.
    zoe_asked = [n for n in await nudges_of(world, NudgeKind.CHECKIN) if world.name_of(n.person_id) == "Victor"]
    assert zoe_asked and await rendered(world, zoe_asked[0]) == ""


async def test_check_ins_for_sessions_that_are_not_yours_or_not_held_are_refused(
        world: World, chats: Chats) -> None:
    pair = await zoe_and_victor(world)
    session = await met(world, pair)
    await world.person("Mallory", role="mentor")
    await chats.run(f"""
        Victor> /mentoring checkin {session}
        bot: That session is not recorded as held
        Victor> /mentoring checkin {session} useful=9
        bot: useful: 9 is out of range; use 1 to 5.
        Victor> /mentoring checkin
        bot: No session is waiting for your check-in.
        Mallory> /mentoring checkin {session} useful=1
        bot: You don't have a mentoring partner yet
    """)
    await world.person("Eve", role="mentee")
    await world.pair("Mallory", "Eve")
    await chats.run(f"""
        Mallory> /mentoring checkin {session} useful=1
        bot: I can't find that session among yours
    """)
    assert await rows(world, CheckIn) == []
    refused = [a for a in await rows(world, AuditEntry) if a.action == "checkin.refused"]
    assert len(refused) == 1 and not refused[0].allowed


async def test_after_the_first_session_a_poor_fit_answer_flags_the_pair_for_the_admins_only(
        world: World, chats: Chats) -> None:
    pair = await zoe_and_victor(world)
    session = await met(world, pair)
    await chats.run(f"""
        Zoe> /mentoring outcome {session} held
    """)
    asked = await nudges_of(world, NudgeKind.FIT)
    assert sorted(world.name_of(n.person_id) for n in asked) == ["Victor", "Zoe"]
    victor = next(n for n in asked if world.name_of(n.person_id) == "Victor")
    assert f"2=fit 2 with=#{pair}" in await rendered(world, victor)
    await chats.run(f"""
        Victor> /mentoring fit 2 with=#{pair}
        bot: I told the program admins, privately
        bot: Zoe is not told.
        Zoe> /mentoring fit 5
        bot: Thanks: 5/5.
        Victor> /mentoring fit 0
        bot: score: 0 is out of range; use 1 to 5.
    """)
    [flag] = await rows(world, Flag)
    assert (flag.kind, world.name_of(flag.person_id or 0)) == (FlagKind.POOR_FIT, "Victor")
    [to_admin] = await nudges_of(world, NudgeKind.FLAG)
    text = await rendered(world, to_admin)
    assert world.name_of(to_admin.person_id) == "Ada"
    assert "Victor rated the pairing 2/5 after the first session" in text and f"rematch #{pair}" in text
    assert await rendered(world, victor) == ""  # answered: not sent again
    assert [n for n in await nudges_of(world, NudgeKind.FLAG) if world.name_of(n.person_id) == "Zoe"] == []
