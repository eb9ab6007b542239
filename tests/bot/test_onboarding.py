"""Onboarding, as transcripts of a terminal chat."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.engine import MentorBot
from storage.models import ConversationState, Enrollment, Profile
from tests.kit.scripts import CREATE_PROGRAM, UP_TO_THE_LEVEL, UP_TO_THE_TIME_ZONE, onboarding
from tests.kit.transcript import Chats


async def _one(bot: MentorBot, model: type) -> object:
    async with bot.db.transaction() as session:
        return (await session.execute(select(model))).scalars().one()


async def test_a_mentee_onboards_end_to_end(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        bot: Program "Digital Leaders 2027" is created and you are its admin
        Victor opens the chat
        bot: Would you like to join?
        Victor> 1
        bot: Reverse mentoring turns the usual roles around
        bot: Digital Leaders 2027 meets every month
        bot: Your role
        Victor> 2
        bot: You are the mentee.
        bot: you may ask anything
        bot: Ground rules
        Victor> 1
        bot: Confidentiality.
        bot: Program admins never see them
        Victor> 1
        bot: Your level
        Victor> 5
        bot: Your department
        Victor> Finance
        bot: Your manager's name
        Victor>
        bot: The name I use for you
        bot: press Enter to keep: Victor
        Victor> Victor Hugo
        bot: Topics you want to learn
        Victor> 1,4
        bot: Anything else, in your own words
        Victor> How my team uses TikTok
        bot: Your communication style
        Victor> 2
        bot: Formats you would like
        Victor> 1
        bot: Remote or in person
        Victor> 3
        bot: Your time zone
        Victor> Europe/Brussels
        bot: Your working hours
        Victor> 08:30-17:00
        bot: Languages you can hold a session in
        Victor> 1,3
        bot: The language I write to you in
        Victor>
        bot: Here is your profile. Is everything right?
        bot: Name: Victor Hugo
        bot: Wants to learn: AI assistants and prompt writing, Video meetings
        bot: Time zone: Europe/Brussels
        Victor> 1
        bot: You're all set, Victor Hugo: welcome to Digital Leaders 2027.
    """)
    profile = await _one(bot, Profile)
    enrollment = await _one(bot, Enrollment)
    assert profile.level == 5
    assert profile.topics_wanted == ["AI assistants and prompt writing", "Video meetings"]
    assert profile.topics_free_text == "How my team uses TikTok"
    assert profile.manager is None
    assert profile.timezone == "Europe/Brussels"
    assert (profile.work_start.isoformat(), profile.work_end.isoformat()) == ("08:30:00", "17:00:00")
    assert profile.languages == ["en", "nl"]
    assert (enrollment.role, enrollment.status) == ("mentee", "active")
    assert enrollment.confidentiality_accepted_at is not None


async def test_a_mentor_hears_the_role_reversal_for_mentors_and_lists_what_they_teach(
    chats: Chats, bot: MentorBot
) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Lea> /mentoring join
        Lea> 1
        bot: You are the mentor.
        bot: you are the expert in the room
        bot never: You are the mentee.
        Lea> 1
        Lea> 1
        Lea> 1
        Lea> Sales
        Lea> Hana
        Lea>
        bot: Topics you can teach
        Lea> 1,2,8
        Lea>
        Lea> 4
        Lea> 1,2
        Lea> 1
        Lea> America/New_York
        Lea> 10-18
        Lea> 1,5
        Lea>
        bot: Teaches: AI assistants and prompt writing, Social media and personal brand, Automation and no-code tools
        Lea> Confirm
        bot: You're all set, Lea
    """)
    profile = await _one(bot, Profile)
    assert profile.skills_offered == ["AI assistants and prompt writing", "Social media and personal brand",
                                      "Automation and no-code tools"]
    assert profile.topics_wanted == []
    assert profile.formats == ["one-to-one", "group"]
    assert profile.languages == ["en", "es"]
    assert profile.manager == "Hana"
    assert profile.manager_person_id is not None, "the manager's name matches a known person"


async def test_quitting_in_the_middle_resumes_at_the_same_question_after_a_restart(bot: MentorBot) -> None:
    before = Chats(bot)
    await before.run(f"""
        Hana> {CREATE_PROGRAM}
        {UP_TO_THE_LEVEL}
        Victor> 4
        Victor> Finance
        bot: Your manager's name
    """)
    restarted = Chats(MentorBot(bot.db, bot.clock))
    await restarted.run("""
        Victor opens the chat
        bot: Welcome back, Victor! Let's carry on.
        bot: Your manager's name
        Victor> Hana
        bot: The name I use for you
        Victor>
        bot: Topics you want to learn
    """)
    profile_rows = await _count(bot, Profile)
    assert profile_rows == 0, "the profile is written only once onboarding is confirmed"


async def test_join_again_in_the_middle_of_onboarding_picks_up_where_it_was(chats: Chats) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Victor> /mentoring join
        Victor> 2
        bot: Ground rules
        Victor> /mentoring join
        bot: Welcome back! Let's carry on where we left off.
        bot: Ground rules
    """)


async def test_a_command_in_the_middle_of_onboarding_is_answered_and_the_question_asked_again(chats: Chats) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        {UP_TO_THE_LEVEL}
        Victor> /mentoring help
        bot: Commands you can use
        bot: Back to onboarding:
        bot: Your level
        Victor> 4
        bot: Your department
    """)


async def test_declining_confidentiality_keeps_onboarding_waiting_at_that_point(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Victor> /mentoring join
        Victor> 2
        Victor> 1
        bot: Confidentiality.
        Victor> 2
        bot: Nothing is shared until you accept.
        Victor> /mentoring join
        bot: Confidentiality.
        Victor> I accept
        bot: Your level
    """)
    enrollment = await _one(bot, Enrollment)
    assert enrollment.status == "onboarding"
    assert enrollment.confidentiality_accepted_at is not None


async def test_picking_the_other_role_goes_back_to_the_role_question(chats: Chats) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Victor> /mentoring join
        Victor> 1
        bot: You are the mentor.
        Victor> 2
        bot: Your role
        Victor> mentee
        bot: You are the mentee.
    """)


async def test_changing_something_at_the_review_goes_through_the_profile_again_with_answers_kept(
    chats: Chats, bot: MentorBot
) -> None:
    script = onboarding("Victor").replace("        Victor> 1\n        bot: You're all set, Victor\n", "")
    await chats.run(f"Hana> {CREATE_PROGRAM}\n{script}")
    await chats.run("""
        Victor> 2
        bot: your answers are kept as suggestions
        bot: Your level
        bot: press Enter to keep: 5 - executive
        Victor>
        bot: Your department
        Victor> Strategy
    """)
    state = await _one(bot, ConversationState)
    assert state.step == "about"
    assert state.data["answers"]["department"] == "Strategy"
    assert state.data["answers"]["level"] == 5


async def test_an_invalid_time_zone_is_asked_again_with_a_suggestion(chats: Chats) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        {UP_TO_THE_TIME_ZONE}
        Victor> Europe/Brusels
        bot: Did you mean Europe/Brussels
        bot: Your time zone
        Victor> new york
        bot: Your working hours
        Victor> 17:00-09:00
        bot: Your day should end after it starts
        bot: Your working hours
    """)


async def test_nobody_can_join_before_a_program_exists(chats: Chats) -> None:
    await chats.run("""
        Victor opens the chat
        bot: There is no program here yet
        Victor> /mentoring join
        bot: There is no program to join yet
    """)


async def test_with_several_programs_the_person_picks_one(chats: Chats) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Hana> /mentoring program create "AI for Boards" cadence=weekly
        Victor> /mentoring join
        bot: Which program would you like to join?
        bot: [1] Digital Leaders 2027 [2] AI for Boards
        Victor> 2
        bot: AI for Boards meets every week
    """)


async def _count(bot: MentorBot, model: type) -> int:
    async with bot.db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_someone_at_a_step_that_no_longer_exists_picks_up_at_the_first_open_question(
    chats: Chats, bot: MentorBot
) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Victor> /mentoring join
        Victor> 2
        bot: Ground rules
    """)
    async with bot.db.transaction() as session:
        state = (await session.execute(select(ConversationState))).scalars().one()
        state.step = "a-step-removed-by-an-upgrade"
    await chats.run("""
        Victor> hello
        bot: Ground rules
    """)


async def test_cancel_puts_onboarding_on_hold_with_the_answers_kept(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        {UP_TO_THE_LEVEL}
        Victor> 5
        Victor> /mentoring cancel
        bot: Onboarding is on hold and your answers are kept.
        Victor> Finance
        bot: I didn't catch that.
        bot never: Your manager's name
    """)
    restarted = Chats(MentorBot(bot.db, bot.clock))
    await restarted.run("""
        Victor opens the chat
        bot: Your onboarding is waiting for you.
        Victor> 1
        bot: Welcome back! Let's carry on where we left off.
        bot: Your department
        Victor> Finance
        bot: Your manager's name
    """)
    state = await _one(bot, ConversationState)
    assert state.data["answers"]["level"] == 5
