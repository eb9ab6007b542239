"""After onboarding: the profile, pausing, leaving and erasing one's data."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.engine import MentorBot
from storage.models import AuditEntry, ConversationState, Enrollment, Pair, Person, Profile
from tests.kit.scripts import CREATE_PROGRAM, onboarding
from tests.kit.transcript import Chats


async def _rows(bot: MentorBot, model: type) -> list:
    async with bot.db.transaction() as session:
        return list((await session.execute(select(model))).scalars())


async def _joined(chats: Chats, *names: str) -> None:
    await chats.run(f"Hana> {CREATE_PROGRAM}")
    for name in names:
        await chats.run(onboarding(name))


async def test_a_participant_reviews_and_changes_the_profile(chats: Chats, bot: MentorBot) -> None:
    await _joined(chats, "Victor")
    await chats.run("""
        Victor> /mentoring profile
        bot: Your profile (Digital Leaders 2027, active)
        bot: Department: Marketing
        bot: Time zone: Europe/Brussels
        Victor> 1
        bot: Let's update your profile. Your current answers are filled in.
        bot: Your level
        bot: press Enter to keep: 5 - executive
        Victor>
        Victor> Strategy
        bot: Your manager's name
        Victor>
        bot: The name I use for you
        Victor>
        Victor>
        Victor>
        Victor>
        Victor>
        Victor>
        bot: Your time zone
        Victor> Asia/Tokyo
        Victor>
        Victor>
        Victor>
        bot: Department: Strategy
        bot: Time zone: Asia/Tokyo
        Victor> 1
        bot: Your profile is updated.
    """)
    [profile] = await _rows(bot, Profile)
    assert (profile.department, profile.timezone, profile.level) == ("Strategy", "Asia/Tokyo", 5)
    assert profile.manager == "Hana", "Enter kept the current answer"
    assert await _rows(bot, ConversationState) == []


async def test_pause_until_a_date_and_resume(chats: Chats, bot: MentorBot) -> None:
    await _joined(chats, "Victor")
    await chats.run("""
        Victor> /mentoring pause 2027-01-15
        bot: Paused until 2027-01-15
        Victor> /mentoring join
        bot: paused until 2027-01-15
    """)
    [enrollment] = await _rows(bot, Enrollment)
    assert (enrollment.status, enrollment.paused_until) == ("paused", date(2027, 1, 15))
    await chats.run("""
        Victor> /mentoring resume
        bot: Welcome back to Digital Leaders 2027!
        Victor> /mentoring resume
        bot: You are not paused
    """)
    [enrollment] = await _rows(bot, Enrollment)
    assert (enrollment.status, enrollment.paused_until) == ("active", None)


async def test_pause_needs_a_future_date_in_a_readable_form(chats: Chats, bot: MentorBot) -> None:
    await _joined(chats, "Victor")
    await chats.run("""
        Victor> /mentoring pause
        bot: UNTIL is missing.
        bot: Example: `/mentoring pause 2027-01-15`
        Victor> /mentoring pause next-week
        bot: write it as YYYY-MM-DD
        Victor> /mentoring pause 2026-01-01
        bot: 2026-01-01 is in the past: pick a date after today
        Victor> /mentoring pause 2026-11-23
        bot: 2026-11-23 is today: pick a date after today, for example `/mentoring pause 2026-12-23`
    """)
    [enrollment] = await _rows(bot, Enrollment)
    assert enrollment.status == "active"


async def test_leaving_asks_first_then_ends_the_pair(chats: Chats, bot: MentorBot) -> None:
    await _joined(chats, "Victor", "Lea")
    people = {p.display_name: p for p in await _rows(bot, Person)}
    [enrollment] = [e for e in await _rows(bot, Enrollment) if e.person_id == people["Victor"].id]
    async with bot.db.transaction() as session:
        session.add(Pair(tenant_id=enrollment.tenant_id, program_id=enrollment.program_id,
                         mentor_id=people["Lea"].id, mentee_id=people["Victor"].id, status="active",
                         reasons=[], proposed_at=bot.clock.now()))
    await chats.run("""
        Victor> /mentoring leave
        bot: Leave Digital Leaders 2027?
        bot: [1] Leave the program [2] Stay
        Victor> 2
        bot: Nothing changed.
        Victor> /mentoring leave
        Victor> 1
        bot: You have left Digital Leaders 2027.
    """)
    statuses = {e.person_id: e.status for e in await _rows(bot, Enrollment)}
    assert statuses[people["Victor"].id] == "left"
    assert statuses[people["Lea"].id] == "active"
    [pair] = await _rows(bot, Pair)
    assert (pair.status, pair.end_reason) == ("ended", "a participant left the program")
    await chats.run("""
        Victor> /mentoring join
        bot: Your role
    """)


async def test_forget_me_asks_for_confirmation_then_erases_personal_data(chats: Chats, bot: MentorBot) -> None:
    await _joined(chats, "Victor")
    await chats.run("""
        Victor> /mentoring forget-me
        bot: This erases your name, your profile
        bot: Session counts and ratings stay in the program's statistics without your name
        bot: [1] Erase my data [2] Keep my data
        Victor> 2
    """)
    assert len(await _rows(bot, Profile)) == 1, "keeping the data changes nothing"
    await chats.run("""
        Victor> /mentoring forget-me
        Victor> 1
        bot: your personal data is erased
    """)
    victor = next(p for p in await _rows(bot, Person) if p.erased_at is not None)
    assert victor.display_name.startswith("Former participant")
    assert victor.user_id != "victor" and victor.address is None
    assert await _rows(bot, Profile) == []
    [enrollment] = await _rows(bot, Enrollment)
    assert (enrollment.status, enrollment.role) == ("left", "mentee"), "the role stays for aggregates"
    assert any(e.action == "forget-me" for e in await _rows(bot, AuditEntry))
    await chats.run("""
        Victor> hello again
        bot: Would you like to join?
    """)


async def test_profile_before_joining_says_how_to_join(chats: Chats) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Victor> /mentoring profile
        bot: You are not in a program yet. Join one with `/mentoring join`.
        Victor> /mentoring join
        Victor> /mentoring profile
        bot: You have not finished onboarding yet.
    """)


async def test_the_last_admin_adds_another_admin_before_erasing_their_data(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Hana> /mentoring forget-me confirm
        bot: You are the last admin of Digital Leaders 2027: add another admin first
        Sam opens the chat
        Hana> /mentoring admin add Sam
        Hana> /mentoring forget-me confirm
        bot: your personal data is erased
    """)
    names = {p.display_name for p in await _rows(bot, Person)}
    assert "Hana" not in names and "Sam" in names


async def test_erasing_removes_the_name_from_other_peoples_profiles_and_the_audit_log(
    chats: Chats, bot: MentorBot
) -> None:
    await _joined(chats, "Victor")  # Victor names Hana as his manager
    await chats.run("""
        Hana> /mentoring admin add Victor
        Hana> /mentoring forget-me confirm
        bot: your personal data is erased
    """)
    [profile] = await _rows(bot, Profile)
    assert (profile.manager, profile.manager_person_id) == (None, None)
    for entry in await _rows(bot, AuditEntry):
        assert "Hana" not in str(entry.details)


async def test_cancel_stops_a_profile_edit_without_saving(chats: Chats, bot: MentorBot) -> None:
    await _joined(chats, "Victor")
    await chats.run("""
        Victor> /mentoring profile edit
        Victor> 4
        Victor> Strategy
        Victor> /mentoring cancel
        bot: Stopped: your profile is left as it was.
        Victor> hello
        bot: I didn't catch that.
        Victor> /mentoring cancel
        bot: Nothing changed.
    """)
    [profile] = await _rows(bot, Profile)
    assert (profile.level, profile.department) == (5, "Marketing")
    assert await _rows(bot, ConversationState) == []


async def test_today_is_the_date_where_the_participant_lives(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"Hana> {CREATE_PROGRAM}")
    await chats.run(onboarding("Kenji", timezone="Pacific/Auckland"))
    bot.clock.set(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))  # already the 24th in Auckland
    await chats.run("""
        Kenji> /mentoring pause 2026-11-24
        bot: 2026-11-24 is today
    """)


async def test_a_pause_ends_by_itself_on_its_date(chats: Chats, bot: MentorBot) -> None:
    await _joined(chats, "Victor")
    await chats.run("""
        Victor> /mentoring pause 2027-01-15
    """)
    bot.clock.set(datetime(2027, 1, 15, 8, 0, tzinfo=UTC))
    await chats.run("""
        Victor> /mentoring join
        bot: You are already in Digital Leaders 2027.
    """)
    [enrollment] = await _rows(bot, Enrollment)
    assert (enrollment.status, enrollment.paused_until) == ("active", None)


async def test_someone_in_two_programs_sees_the_profile_and_resumes_by_button(chats: Chats, bot: MentorBot) -> None:
    await _joined(chats, "Victor")
    await chats.run("""
        Hana> /mentoring program create "AI for Boards"
        Victor> /mentoring join "AI for Boards"
        bot: Your role
        Victor> /mentoring cancel
        Victor> /mentoring profile
        bot: Your profile (Digital Leaders 2027, active)
        Victor> /mentoring pause 2027-01-15
        bot: You are in several programs
        Victor> /mentoring pause 2027-01-15 program="Digital Leaders 2027"
        bot: Paused until 2027-01-15
        Victor> 1
        bot: Welcome back to Digital Leaders 2027!
    """)


async def test_an_are_you_sure_button_changes_nothing_and_keeps_a_flow_going(chats: Chats, bot: MentorBot) -> None:
    await _joined(chats, "Victor")
    await chats.run("""
        Victor> /mentoring profile edit
        Victor> 4
        Victor> /mentoring leave
        bot: [1] Leave the program [2] Stay
        Victor> 2
        bot: Nothing changed.
        bot: Back to your profile:
        bot: Your department
    """)
    [state] = await _rows(bot, ConversationState)
    assert state.data["answers"]["level"] == 4


async def test_erasing_removes_the_name_typed_as_a_manager_before_that_person_was_known(
    chats: Chats, bot: MentorBot
) -> None:
    await chats.run(f"Hana> {CREATE_PROGRAM}")
    await chats.run(onboarding("Victor").replace("Victor> Hana", "Victor> Sam"))
    await chats.run("""
        Sam opens the chat
        Sam> /mentoring forget-me confirm
        bot: your personal data is erased
    """)
    [profile] = await _rows(bot, Profile)
    assert profile.manager is None
