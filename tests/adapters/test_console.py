"""The console adapter: neutral messages as terminal lines, typed lines as what they mean."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from sqlalchemy import select

from adapters.console.chat import ConsoleChat, user_id_for
from adapters.console.render import plain, render_field, render_message
from bot.engine import MentorBot
from bot.messages import (
    COMMAND_ACTION,
    Actions,
    Address,
    Button,
    Context,
    FieldKind,
    Fields,
    Form,
    FormField,
    Inbound,
    InboundKind,
    Message,
    Option,
    Section,
    say,
)
from storage.models import Person
from tests.kit.platform_names import Platform
from tests.kit.scripts import CREATE_PROGRAM

LEVELS = (Option("1", "1 - junior"), Option("3", "3 - manager"), Option("5", "5 - executive"))
LANGUAGES = (Option("en", "English"), Option("fr", "French"), Option("nl", "Dutch"))


class ScriptedBot:
    """Stands in for the core: records what the console sends, answers with queued messages."""

    def __init__(self) -> None:
        self.received: list[Inbound] = []
        self.answers: list[list[Message]] = []

    async def handle(self, inbound: Inbound) -> list[Message]:
        self.received.append(inbound)
        return self.answers.pop(0) if self.answers else [say("ok")]

    async def remembers(self, address: object) -> bool:
        return True


async def chat_after(*messages: Message) -> tuple[ConsoleChat, ScriptedBot]:
    """A console chat whose last answer from the bot was ``messages``."""
    bot = ScriptedBot()
    chat = ConsoleChat(bot, "Victor Lang")  # type: ignore[arg-type]
    bot.answers.append(list(messages))
    await chat.open()
    return chat, bot


def asking(*fields: FormField) -> Message:
    return Message("question", [Section("A question")], form=Form("onboarding.about", "About you", fields))


# --- rendering ---------------------------------------------------------------------------


def test_bold_markdown_loses_its_stars_but_other_stars_stay() -> None:
    assert plain("*You are the mentor.* On digital matters") == "You are the mentor. On digital matters"
    assert plain("2*3 = 6") == "2*3 = 6"


def test_a_message_renders_sections_fields_buttons_and_context() -> None:
    message = Message(
        "fallback",
        [
            Section("*Digital Leaders 2027*\nmeets every month"),
            Fields([("Cadence", "monthly"), ("Capacity", "3")]),
            Actions([Button("Join", COMMAND_ACTION, "join"), Button("Help", COMMAND_ACTION, "help")]),
            Context("Onboarding: step 1 of 8"),
        ],
    )
    assert render_message(message) == [
        "Digital Leaders 2027",
        "meets every month",
        "  Cadence: monthly",
        "  Capacity: 3",
        "  [1] Join   [2] Help",
        "  (Onboarding: step 1 of 8)",
    ]


def test_a_message_without_blocks_shows_its_plain_text() -> None:
    assert render_message(Message("Hello *there*\nsecond line")) == ["Hello there", "second line"]


def test_buttons_over_several_rows_are_numbered_as_typing_the_number_presses_them() -> None:
    message = Message(
        "two rows",
        [Actions([Button("A", "x", "a"), Button("B", "x", "b")]), Actions([Button("C", "x", "c")])],
    )
    assert render_message(message)[-1] == "  [3] C"


def test_a_select_field_lists_numbered_options() -> None:
    field = FormField("level", "Your level", kind=FieldKind.SELECT, options=LEVELS)
    assert render_field(field) == [
        "Your level:",
        "  1) 1 - junior",
        "  2) 3 - manager",
        "  3) 5 - executive",
        "  (type a number)",
    ]


def test_a_multi_select_says_several_numbers_may_be_typed() -> None:
    field = FormField("languages", "Languages", kind=FieldKind.MULTI_SELECT, options=LANGUAGES)
    assert render_field(field)[-1] == "  (type one or more numbers, separated by commas or spaces)"


def test_the_current_answer_is_shown_by_label_with_how_to_keep_it() -> None:
    select_field = FormField("level", "Your level", kind=FieldKind.SELECT, options=LEVELS, initial="5")
    multi = FormField("languages", "Languages", kind=FieldKind.MULTI_SELECT, options=LANGUAGES, initial=["en", "nl"])
    assert "press Enter to keep: 5 - executive" in render_field(select_field)[-1]
    assert "press Enter to keep: English, Dutch" in render_field(multi)[-1]


def test_an_optional_field_says_enter_skips_it_and_shows_its_hint() -> None:
    field = FormField("manager", "Your manager's name", optional=True, hint="Leave empty if you prefer not to say.")
    assert render_field(field) == [
        "Your manager's name:",
        "  (Leave empty if you prefer not to say; press Enter to skip)",
    ]


def test_a_field_asked_again_shows_the_problem_first() -> None:
    field = FormField("timezone", "Your time zone")
    lines = render_field(field, error="Did you mean Europe/Brussels?")
    assert lines[0] == "! Did you mean Europe/Brussels?"
    assert lines[1] == "Your time zone:"


# --- what a typed line means -------------------------------------------------------------


def test_the_console_address_is_the_local_tenant_and_the_exact_name() -> None:
    chat = ConsoleChat(ScriptedBot(), "  Victor   Lang ")  # type: ignore[arg-type]
    assert chat.address == Address(Platform.CONSOLE, "local", "Victor Lang")
    assert user_id_for("Amara O'Diallo") == "Amara O'Diallo"
    # Names in any script are different people, never one lossy slug.
    assert len({user_id_for(name) for name in ("李华", "王芳", "Zoë Ñúñez", "Zoe Nunez", "zoë ñúñez", "***")}) == 6
    # The same name typed in composed or decomposed Unicode is the same person.
    assert user_id_for("Zoe\u0308") == user_id_for("Zo\u00eb")


async def test_a_number_answers_a_select_with_the_option_value() -> None:
    chat, _ = await chat_after(asking(FormField("level", "Your level", kind=FieldKind.SELECT, options=LEVELS)))
    inbound = chat.translate("2")
    assert inbound.kind is InboundKind.FORM
    assert inbound.form_id == "onboarding.about"
    assert dict(inbound.values) == {"level": "3"}


async def test_a_word_typed_for_a_select_is_passed_on_for_the_core_to_check() -> None:
    chat, _ = await chat_after(asking(FormField("level", "Your level", kind=FieldKind.SELECT, options=LEVELS)))
    assert dict(chat.translate("executive").values) == {"level": "executive"}
    assert dict(chat.translate("9").values) == {"level": "9"}


async def test_numbers_separated_by_commas_answer_a_multi_select_with_a_list() -> None:
    field = FormField("languages", "Languages", kind=FieldKind.MULTI_SELECT, options=LANGUAGES)
    chat, _ = await chat_after(asking(field))
    assert dict(chat.translate("1,3").values) == {"languages": ["en", "nl"]}
    assert dict(chat.translate(" 2 , 1 ,").values) == {"languages": ["fr", "en"]}


async def test_enter_keeps_the_current_answer() -> None:
    level = FormField("level", "Your level", kind=FieldKind.SELECT, options=LEVELS, initial="5")
    chat, _ = await chat_after(asking(level))
    assert dict(chat.translate("").values) == {"level": "5"}

    languages = FormField("languages", "Languages", kind=FieldKind.MULTI_SELECT, options=LANGUAGES, initial=["fr"])
    chat, _ = await chat_after(asking(languages))
    assert dict(chat.translate("   ").values) == {"languages": ["fr"]}


async def test_enter_on_an_optional_field_sends_an_empty_answer() -> None:
    chat, _ = await chat_after(asking(FormField("manager", "Your manager's name", optional=True)))
    inbound = chat.translate("")
    assert inbound.kind is InboundKind.FORM
    assert dict(inbound.values) == {"manager": ""}


async def test_only_the_first_field_of_a_form_is_answered_by_a_line() -> None:
    chat, _ = await chat_after(asking(FormField("department", "Your department"), FormField("manager", "Manager")))
    assert dict(chat.translate("  Finance ").values) == {"department": "Finance"}


async def test_a_number_presses_the_button_with_that_number() -> None:
    chat, _ = await chat_after(say("Would you like to join?", Button.for_command("Join the program", "join"),
                                   Button("Not now", "onboarding.confidentiality", "decline")))
    first = chat.translate("1")
    assert (first.kind, first.action_id, first.value) == (InboundKind.ACTION, COMMAND_ACTION, "join")
    second = chat.translate("2")
    assert (second.action_id, second.value) == ("onboarding.confidentiality", "decline")


async def test_a_button_label_typed_in_any_case_presses_it() -> None:
    chat, _ = await chat_after(say("Join?", Button.for_command("Join the program", "join")))
    inbound = chat.translate("join THE program")
    assert (inbound.kind, inbound.value) == (InboundKind.ACTION, "join")


async def test_a_number_that_matches_no_button_is_plain_text() -> None:
    chat, _ = await chat_after(say("Join?", Button.for_command("Join the program", "join")))
    inbound = chat.translate("3")
    assert (inbound.kind, inbound.text) == (InboundKind.TEXT, "3")


@pytest.mark.parametrize("line", ["/mentoring help", "  /mentoring pause 2027-01-15", "/quit-ish"])
async def test_a_line_starting_with_a_slash_is_a_command_even_while_a_form_waits(line: str) -> None:
    chat, _ = await chat_after(asking(FormField("department", "Your department")))
    inbound = chat.translate(line)
    assert (inbound.kind, inbound.text) == (InboundKind.TEXT, line.strip())


async def test_what_the_bot_answers_is_shown_with_the_question_it_asks() -> None:
    bot = ScriptedBot()
    chat = ConsoleChat(bot, "Victor")  # type: ignore[arg-type]
    bot.answers.append([asking(FormField("level", "Your level", kind=FieldKind.SELECT, options=LEVELS))])
    shown = await chat.say("/mentoring join")
    assert bot.received[0].text == "/mentoring join"
    assert shown.splitlines() == ["A question", "Your level:", "  1) 1 - junior", "  2) 3 - manager",
                                  "  3) 5 - executive", "  (type a number)"]


# --- a whole session ---------------------------------------------------------------------


class Terminal:
    """Lines typed one by one (None is end of input); everything written is kept."""

    def __init__(self, lines: Iterable[str | None]) -> None:
        self.lines = list(lines)
        self.prompts: list[str] = []
        self.written: list[str] = []

    async def read(self, prompt: str) -> str | None:
        self.prompts.append(prompt)
        assert self.lines, "the chat asked for a line after the script ended"
        return self.lines.pop(0)

    def write(self, text: str) -> None:
        self.written.append(text)

    @property
    def screen(self) -> str:
        return "\n".join(self.written)


async def _people(bot: MentorBot) -> list[Person]:
    async with bot.db.transaction() as session:
        return list((await session.execute(select(Person))).scalars())


async def test_a_session_runs_until_quit_and_stops_reading(bot: MentorBot) -> None:
    terminal = Terminal(["/mentoring help", "   ", "/quit", "never read"])
    await ConsoleChat(bot, "Victor").run(terminal.read, terminal.write)

    assert "Hi Victor, I'm mentorbot" in terminal.written[0]
    assert terminal.written[1] == "(Type /quit to leave; /mentoring help lists the commands.)"
    assert "Commands you can use:" in terminal.written[2]
    assert terminal.written[-1].startswith("Bye! Everything is saved; `mentorbot chat --as Victor`")
    assert len(terminal.written) == 4, "the blank line is not sent"
    assert terminal.prompts == ["Victor> "] * 3
    assert terminal.lines == ["never read"]
    assert [p.user_id for p in await _people(bot)] == ["Victor"]


@pytest.mark.parametrize("last", [None, "/QUIT", "/exit"])
async def test_end_of_input_or_exit_ends_the_session_cleanly(bot: MentorBot, last: str | None) -> None:
    terminal = Terminal([last])
    await ConsoleChat(bot, "Victor").run(terminal.read, terminal.write)
    assert terminal.written[-1].startswith("Bye! Everything is saved")
    assert terminal.lines == []


async def test_enter_in_a_session_skips_the_optional_question(bot: MentorBot) -> None:
    await ConsoleChat(bot, "Hana").say(CREATE_PROGRAM)
    victor = ConsoleChat(bot, "Victor")
    for line in ["/mentoring join", "2", "1", "1", "5", "Finance"]:
        shown = await victor.say(line)
    assert "press Enter to skip" in shown

    terminal = Terminal(["", "", "/quit"])
    await victor.run(terminal.read, terminal.write)
    assert "Topics you want to learn" in terminal.screen


async def test_after_forget_me_the_goodbye_promises_nothing(bot: MentorBot) -> None:
    terminal = Terminal(["/mentoring forget-me", "1", "/quit"])
    await ConsoleChat(bot, "Victor").run(terminal.read, terminal.write)
    assert "your personal data is erased" in terminal.written[-2]
    assert terminal.written[-1] == "Bye!"


async def test_a_number_that_is_not_an_option_gets_the_options_again(bot: MentorBot) -> None:
    await ConsoleChat(bot, "Hana").say(CREATE_PROGRAM)
    victor = ConsoleChat(bot, "Victor")
    await victor.say("/mentoring join")
    shown = await victor.say("3")
    assert shown.startswith("There is no option 3: type a number from 1 to 2.\nYour role:")
    assert "Reverse mentoring turns the usual roles around" not in shown, "the introduction is not printed again"
    assert "I didn't catch that" not in shown
    await victor.say("2")
    shown = await victor.say("7")
    assert shown.startswith("There is no option 7: type a number from 1 to 2.") and "[1] Got it" in shown


async def test_numbers_separated_by_spaces_answer_a_multiple_choice(bot: MentorBot) -> None:
    await ConsoleChat(bot, "Hana").say(CREATE_PROGRAM)
    victor = ConsoleChat(bot, "Victor")
    for line in ["/mentoring join", "2", "1", "1", "5", "Finance", "", ""]:
        shown = await victor.say(line)
    assert "Topics you want to learn" in shown
    assert "There is no option 10" in await victor.say("1 2 10")
    shown = await victor.say("1 2 8")
    assert "Anything else, in your own words" in shown and "not on the list" not in shown


def test_a_question_that_ends_with_a_question_mark_gets_no_colon() -> None:
    assert render_field(FormField("repeat", "Repeat at your cadence?"))[0] == "Repeat at your cadence?"
    assert render_field(FormField("date", "Date"))[0] == "Date:"
