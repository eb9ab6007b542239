"""Bad input is met with a clear answer, and it never loses or half-writes data."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.commands import dispatch
from bot.engine import MentorBot
from bot.flows.onboarding import OnboardingFlow
from bot.messages import Address, Inbound
from storage.models import (
    AuditEntry,
    ConversationState,
    Enrollment,
    Person,
    Profile,
    Program,
    ProgramAdmin,
    Tenant,
)
from tests.kit.platform_names import Platform
from tests.kit.scripts import CREATE_PROGRAM, UP_TO_THE_LEVEL, UP_TO_THE_TIME_ZONE, UP_TO_THE_TOPICS, onboarding
from tests.kit.transcript import Chats

async def _count(bot: MentorBot, model: type) -> int:
    async with bot.db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def _rows(bot: MentorBot, model: type) -> list[Any]:
    async with bot.db.transaction() as session:
        return list((await session.execute(select(model))).scalars())


async def _state(bot: MentorBot) -> tuple[str, str, dict[str, Any]]:
    """The one flow in progress: its name, step and collected data."""
    [state] = await _rows(bot, ConversationState)
    return state.flow, state.step, state.data


def _text(replies: list) -> str:
    return "\n\n".join(message.text for message in replies)


# --- commands ----------------------------------------------------------------------------


async def test_an_unknown_command_points_to_the_help_without_printing_it_all(chats: Chats, bot: MentorBot) -> None:
    await chats.run("""
        Victor> /mentoring frobnicate the widgets
        bot: I don't know the command `frobnicate the`. Type `/mentoring help` to see what you can do.
        bot never: Commands you can use:
    """)
    replies = await bot.handle(Inbound.command(Address(Platform.SLACK, "T1", "U1"), "matchmake"))
    assert "I don't know the command `matchmake`." in _text(replies)
    assert [b.value for b in replies[0].buttons] == ["help"]


@pytest.mark.parametrize(("typed", "meant"), [
    ("/mentoring hlep", "`/mentoring help`"), ("/mentoring profil", "`/mentoring profile [program=…]`"),
    ("mentoring profil", "`/mentoring profile [program=…]`"), ("/mentoring sesions", "`/mentoring sessions`"),
])
async def test_a_typo_gets_did_you_mean_the_same_way_with_or_without_the_slash(
        chats: Chats, typed: str, meant: str) -> None:
    """One kind of mistake, one answer: `/mentoring hlep` printed the whole help, `mentoring profil`
    (as typed in Teams) got "I didn't catch that"."""
    await chats.run(f"""
        Victor> {typed}
        bot: Did you mean {meant}?
        bot never: I didn't catch that
        bot never: Commands you can use:
    """)


@pytest.mark.parametrize(
    ("option", "problem"),
    [
        ("capacity=9", "capacity: 9 is out of range; use 1 to 4."),
        ("cadence=daily", "cadence: 'daily' is not one of weekly | biweekly | monthly."),
    ],
)
async def test_a_wrong_argument_is_named_with_an_example_and_creates_no_program(
    chats: Chats, bot: MentorBot, option: str, problem: str
) -> None:
    await chats.run(f"""
        Hana> /mentoring program create "Digital Leaders 2027" {option}
        bot: {problem}
        bot: Example: `/mentoring program create "Digital Leaders 2027" cadence=monthly capacity=3
        bot never: is created
    """)
    assert await _count(bot, Program) == 0
    assert await _count(bot, ProgramAdmin) == 0
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        bot: is created and you are its admin
    """)
    assert await _count(bot, Program) == 1


# --- length limits -----------------------------------------------------------------------


async def test_a_first_message_over_2000_characters_is_refused_and_stores_nothing(bot: MentorBot) -> None:
    newcomer = Address(Platform.SLACK, "T1", "U-NEW")
    replies = await bot.handle(Inbound.typed(newcomer, "x" * 2001, display_name="Newcomer"))
    text = _text(replies)
    assert "That message is 2,001 characters long; I accept at most 2,000." in text
    assert "Nothing was saved" in text
    assert await _count(bot, Person) == 0
    assert await _count(bot, Tenant) == 0


async def test_a_command_over_2000_characters_creates_nothing(chats: Chats, bot: MentorBot) -> None:
    topics = ",".join(["A very long topic name that goes on"] * 60)
    await chats.run(f"""
        Hana> /mentoring program create "Digital Leaders 2027" topics="{topics}"
        bot: I accept at most 2,000
    """)
    assert await _count(bot, Program) == 0


async def test_an_answer_over_2000_characters_leaves_onboarding_where_it_was(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        {UP_TO_THE_TIME_ZONE}
    """)
    before = await _state(bot)
    await chats.run(f"""
        Victor> {"Europe/Brussels " * 130}
        bot: characters long; I accept at most 2,000. Nothing was saved
    """)
    assert await _state(bot) == before
    await chats.run("""
        Victor> Europe/Brussels
        bot: Your working hours
    """)


async def test_an_answer_over_its_field_limit_is_asked_again_naming_the_limit(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        {UP_TO_THE_TOPICS}
        Victor> 1
        bot: Anything else, in your own words
        Victor> {"word " * 120}
        bot: That is 599 characters; the limit here is 500. Please shorten it.
        bot: Anything else, in your own words
    """)
    flow, step, data = await _state(bot)
    assert (flow, step) == ("onboarding", "topics")
    assert "topics_free_text" not in data["answers"]


async def test_a_form_with_a_huge_multi_select_item_is_refused(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        {UP_TO_THE_TOPICS}
    """)
    before = await _state(bot)
    victor = chats.chat("Victor").address
    huge = {"topics": ["Video meetings", "x" * 5000], "topics_free_text": "fine"}
    replies = await bot.handle(Inbound.submitted(victor, "onboarding.topics", huge, "Victor"))
    assert "That message is 5,000 characters long; I accept at most 2,000." in _text(replies)
    assert await _state(bot) == before

    unknown = {"topics": ["Video meetings", "Underwater basket weaving"]}
    replies = await bot.handle(Inbound.submitted(victor, "onboarding.topics", unknown, "Victor"))
    assert "'Underwater basket weaving' is not on the list" in _text(replies)
    flow, step, data = await _state(bot)
    assert step == "topics" and "topics" not in data["answers"]


# --- answers in a flow -------------------------------------------------------------------


async def test_a_misspelt_time_zone_is_asked_again_with_a_suggestion(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        {UP_TO_THE_TIME_ZONE}
        Victor> Europe/Brusels
        bot: ! I don't know the time zone 'Europe/Brusels'. Did you mean Europe/Brussels
        bot: Your time zone:
        bot never: Your working hours:
    """)
    flow, step, data = await _state(bot)
    assert (flow, step) == ("onboarding", "availability")
    assert "timezone" not in data["answers"]
    await chats.run("""
        Victor> Europe/Brussels
        bot: Your working hours
    """)
    flow, step, data = await _state(bot)
    assert data["answers"]["timezone"] == "Europe/Brussels"


async def test_a_whole_form_keeps_its_good_answers_and_asks_for_the_bad_one(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        {UP_TO_THE_TIME_ZONE}
    """)
    victor = chats.chat("Victor").address
    form = {"timezone": "Europe/Brusels", "hours": "9-17", "languages": ["en", "Dutch"], "language": "en"}
    replies = await bot.handle(Inbound.submitted(victor, "onboarding.availability", form, "Victor"))
    [reply] = replies
    assert reply.form is not None
    assert "Did you mean Europe/Brussels" in reply.form.errors["timezone"]
    assert [f.name for f in reply.form.fields] == ["timezone"]
    flow, step, data = await _state(bot)
    assert step == "availability"
    assert data["answers"]["hours"] == ["09:00", "17:00"]
    assert data["answers"]["languages"] == ["en", "nl"]
    assert "timezone" not in data["answers"]


async def test_a_bad_pause_date_changes_nothing(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"Hana> {CREATE_PROGRAM}")
    await chats.run(onboarding("Victor"))
    await chats.run("""
        Victor> /mentoring pause 2027-13-45
        bot: until: '2027-13-45' is not a date I can read: write it as YYYY-MM-DD
        bot: Example: `/mentoring pause 2027-01-15`
        Victor> /mentoring pause 2026-11-01
        bot: 2026-11-01 is in the past: pick a date after today
        Victor> /mentoring pause 2026-11-23
        bot: 2026-11-23 is today: pick a date after today
    """)
    [enrollment] = await _rows(bot, Enrollment)
    assert (enrollment.status, enrollment.paused_until) == ("active", None)


# --- rights ------------------------------------------------------------------------------


async def test_a_participant_may_not_change_a_program_and_the_attempt_is_audited(
    chats: Chats, bot: MentorBot
) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Victor> /mentoring join
        Victor> /mentoring program set cadence=weekly
        bot: Only program admins can run `/mentoring program set`. Ask an admin (Hana) if you need this.
        bot never: Updated
    """)
    [program] = await _rows(bot, Program)
    assert program.cadence == "monthly"
    people = {p.display_name: p.id for p in await _rows(bot, Person)}
    [refused] = [entry for entry in await _rows(bot, AuditEntry) if not entry.allowed]
    assert refused.action == "program set"
    assert refused.actor_id == people["Victor"]
    assert refused.program_id == program.id
    assert refused.details == {"args": {"cadence": "weekly"}}


# --- failures ----------------------------------------------------------------------------


def _failing_after(handler: Any) -> Any:
    async def fail(call: Any) -> Any:
        await handler(call)  # writes rows, then breaks
        raise RuntimeError("disk on fire")

    return fail


async def test_an_internal_error_apologizes_and_leaves_no_half_written_rows(
    chats: Chats, bot: MentorBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tuple(
        dataclasses.replace(spec, handler=_failing_after(spec.handler)) if spec.name == "program create" else spec
        for spec in dispatch.ALL_COMMANDS
    )
    monkeypatch.setattr(dispatch, "ALL_COMMANDS", broken)
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        bot: Sorry, something went wrong on my side and nothing was saved.
        bot never: is created
    """)
    for model in (Program, ProgramAdmin, AuditEntry, Person, Tenant):
        assert await _count(bot, model) == 0, f"{model.__name__} rows were left behind"

    monkeypatch.undo()
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        bot: is created and you are its admin
    """)
    assert await _count(bot, Program) == 1


async def test_an_internal_error_at_the_end_of_onboarding_keeps_the_person_at_the_review(
    chats: Chats, bot: MentorBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await chats.run(f"Hana> {CREATE_PROGRAM}")
    script = onboarding("Victor").replace("bot: You're all set, Victor", "")
    finish = OnboardingFlow.finish

    async def broken_finish(self: OnboardingFlow, turn: Any, state: Any) -> Any:
        await finish(self, turn, state)  # saves the profile and activates the enrollment, then breaks
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(OnboardingFlow, "finish", broken_finish)
    last = await chats.run(script)
    assert "nothing was saved" in last
    assert await _count(bot, Profile) == 0
    enrollments = await _rows(bot, Enrollment)
    assert [(e.status, e.role) for e in enrollments] == [("onboarding", None)]
    assert (await _state(bot))[1] == "review"

    monkeypatch.undo()
    await chats.run("""
        Victor> confirm
        bot: You're all set, Victor
    """)
    assert await _count(bot, Profile) == 1


# --- stale buttons and forms -------------------------------------------------------------


async def test_a_button_of_a_flow_that_is_over_gets_a_clear_answer(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Victor opens the chat
    """)
    victor = chats.chat("Victor").address
    pressed = await bot.handle(Inbound.pressed(victor, "onboarding.review", "confirm", "Victor"))
    assert "That button or form is no longer active." in _text(pressed)
    submitted = await bot.handle(Inbound.submitted(victor, "onboarding.about", {"level": "5"}, "Victor"))
    assert "That button or form is no longer active." in _text(submitted)
    for model in (ConversationState, Enrollment, Profile):
        assert await _count(bot, model) == 0


async def test_a_button_of_another_step_does_not_move_the_flow(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Victor> /mentoring join
        Victor> 2
        Victor> 1
        bot: Confidentiality.
    """)
    before = await _state(bot)
    victor = chats.chat("Victor").address
    for action, value in [("onboarding.review", "confirm"), ("onboarding.reversal", "ok"),
                          ("onboarding.confidentiality", "maybe")]:
        replies = await bot.handle(Inbound.pressed(victor, action, value, "Victor"))
        assert "Please pick one of the buttons below." in _text(replies)
        assert await _state(bot) == before
    [enrollment] = await _rows(bot, Enrollment)
    assert enrollment.confidentiality_accepted_at is None


async def test_a_form_of_another_step_does_not_move_the_flow(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Victor> /mentoring join
        bot: Your role
    """)
    before = await _state(bot)
    victor = chats.chat("Victor").address
    replies = await bot.handle(Inbound.submitted(victor, "onboarding.about", {"level": "5"}, "Victor"))
    assert "Let's finish this step first." in _text(replies)
    assert await _state(bot) == before


# --- text that only looks like a command -------------------------------------------------


async def test_an_answer_that_starts_with_the_word_mentoring_is_an_answer(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        {UP_TO_THE_LEVEL}
        Victor> 5
        bot: Your department
    """)
    victor = chats.chat("Victor").address
    replies = await bot.handle(Inbound.typed(victor, "Mentoring and coaching", "Victor"))
    assert "I don't know the command" not in _text(replies)
    flow, step, data = await _state(bot)
    assert data["answers"]["department"] == "Mentoring and coaching"


# --- malformed events ----------------------------------------------------------------------


VICTOR = Address(Platform.SLACK, "T0001", "U0001")


@pytest.mark.parametrize(
    "event",
    [
        dataclasses.replace(Inbound.typed(VICTOR, "hello"), text=None),
        dataclasses.replace(Inbound.pressed(VICTOR, "command", "help"), value=5),
        dataclasses.replace(Inbound.submitted(VICTOR, "onboarding.about", {}), values=["level", "5"]),
        Inbound.submitted(VICTOR, "onboarding.about", {"department": {"evil": "x"}}),
        Inbound.submitted(VICTOR, "onboarding.about", {"level": 5}),
        Inbound.typed(Address(Platform.SLACK, "T0001", "U" * 500), "hello"),
    ],
    ids=["text-none", "value-int", "values-list", "value-dict", "value-int-in-form", "huge-user-id"],
)
async def test_an_event_of_the_wrong_shape_is_refused_and_stores_nothing(bot: MentorBot, event: Inbound) -> None:
    [reply] = await bot.handle(event)
    assert "I could not read that" in reply.text
    assert await _count(bot, Person) == 0
    assert await _count(bot, Tenant) == 0


async def test_a_program_name_with_double_quotes_is_refused(chats: Chats, bot: MentorBot) -> None:
    await chats.run("""
        Hana> /mentoring program create 'Leaders "2027"'
        bot: A program name cannot contain double quotes.
    """)
    assert await _count(bot, Program) == 0


async def test_a_quoted_name_with_an_equals_sign_is_a_name_not_an_option(chats: Chats, bot: MentorBot) -> None:
    await chats.run("""
        Hana> /mentoring program create "AI=Future"
        bot: Program "AI=Future" is created
    """)


async def test_the_word_mentoring_alone_is_not_a_command(chats: Chats) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        {UP_TO_THE_LEVEL}
        Victor> 5
        Victor> mentoring
        bot: Your manager's name
    """)
