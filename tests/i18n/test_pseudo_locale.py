"""The pseudo-locale finds what nobody wrapped for translation, and what a long language breaks.

Everyone here reads the pseudo-locale ``qps``: every translated string accented, a third longer
and bracketed (see :mod:`bot.i18n.pseudo`). Onboarding, scheduling and a check-in, and the
program report are played through the bot; no English word may be left outside the brackets
(but for commands in backticks and the people's own data), and every message, as Slack and Teams
receive it, stays within their limits.
"""

from __future__ import annotations

from datetime import timedelta

from bot.engine import MentorBot
from bot.i18n import NAMES, PSEUDO
from bot.messages import Message
from bot.registry import render_nudge, run_tick
from bot.reports.figures import program_report
from bot.reports.page import report_page
from bot.i18n import use_locale
from storage.repository import Repository
from tests.kit.languages import Recording, assert_fits_every_platform, speak, typed_lines, untranslated
from tests.kit.progress import met, zoe_and_victor
from tests.kit.reports import Seed
from tests.kit.scripts import CREATE_PROGRAM, onboarding
from tests.kit.transcript import Chats
from tests.kit.world import World

# What people typed or HR gave, which the bot repeats as it is.
DATA = ["Digital Leaders 2027", "Digital Leaders", "Hana", "Victor", "Zoe", "Ada", "Marketing", "Europe/Brussels",
        "America/New_York", "Room", "mentorbot", "AI assistants", "Video meetings", "Shared calendars",
        "An AI assistant", "Social media and personal brand", "AI assistants and prompt writing",
        # Settings as commands write them, and the languages as people pick them (in their own words).
        "monthly", "weekly", "one-to-one", "group", "research", *NAMES.values(),
        # The form of a date to type.
        "YYYY-MM-DD", "UTC"]


def leaks(messages: list[Message], data: list[str] = DATA) -> list[tuple[str, list[str]]]:
    """Each message whose text (or buttons, form labels and options) has English left in it."""
    found = []
    for message in messages:
        texts = [message.text, *(b.label for b in message.buttons)]
        if message.form is not None:
            texts += [message.form.title, *(f.label for f in message.form.fields), *(f.hint for f in message.form.fields),
                      *(o.label for f in message.form.fields for o in f.options), *message.form.errors.values()]
        words = [word for text in texts for word in untranslated(text, data)]
        if words:
            found.append((message.text[:120], words))
    return found


def check(messages: list[Message], data: list[str] = DATA) -> None:
    assert messages
    found = leaks(messages, data)
    assert found == [], "\n".join(f"{text!r}: {words}" for text, words in found)
    for message in messages:
        assert message.locale == PSEUDO
        assert_fits_every_platform(message, uncut=False)


async def test_onboarding_in_the_pseudo_locale_leaves_no_english(bot: MentorBot) -> None:
    recording = Recording(bot)
    chats = Chats(recording, locale=PSEUDO)
    await chats.run("Hana opens the chat")
    await chats.run(f"Hana> {CREATE_PROGRAM}")
    await chats.run(typed_lines(onboarding("Victor")))
    await chats.run("""
        Victor> /mentoring profile
        Victor> /mentoring help
        Victor> hello
    """)
    check(recording.sent)


async def test_scheduling_and_a_check_in_in_the_pseudo_locale_leave_no_english(world: World, bot: MentorBot) -> None:
    pair = await zoe_and_victor(world)
    await speak(world.db, ["Zoe", "Victor", "Ada"], PSEUDO)
    recording = Recording(bot)
    chats = Chats(recording)
    await chats.run("""
        Victor> /mentoring schedule 2027-01-12 09:00 remote
        Zoe> /mentoring schedule
        Zoe> /mentoring reschedule 2027-01-14 10:00
        Zoe> /mentoring sessions
        Victor> /mentoring goals
    """)
    session = await met(world, pair)
    world.clock.advance(timedelta(hours=3))
    await run_tick(world.db, world.clock)
    await chats.run(f"""
        Victor> /mentoring checkin {session} useful=4
        Zoe> /mentoring checkin {session}
        Zoe> 1
        Ada> /mentoring flagged
    """)
    nudges = []
    async with world.db.transaction() as db_session:
        repo = Repository(db_session, world.tenant_id)
        for nudge in await world.nudges():
            message = await render_nudge(repo, nudge, world.clock.now())
            if message is not None:
                nudges.append(message)
    check(recording.sent)
    check(nudges)


async def test_the_report_in_the_pseudo_locale_leaves_no_english(seed: Seed, world: World, bot: MentorBot) -> None:
    await speak(world.db, ["Ada"], PSEUDO)
    recording = Recording(bot)
    chats = Chats(recording)
    await chats.run("""
        Ada> /mentoring report
        Ada> /mentoring program show
        Ada> /mentoring flagged
        Ada> /mentoring digest
    """)
    async with world.db.transaction() as db_session:
        program = await Repository(db_session, world.tenant_id).program(world.program_id)
        assert program is not None
        data = [*DATA, *world.people, *program.topics, *program.baseline_skills]
    check(recording.sent, data)
    async with world.db.transaction() as db_session:
        repo = Repository(db_session, world.tenant_id)
        program = await repo.program(world.program_id)
        assert program is not None
        with use_locale(PSEUDO):
            report = await program_report(repo, program, world.clock.now())
            page = report_page(report, "/report/TOKEN")
    body = page.split("<body>", 1)[1]
    text = " ".join(part.split(">", 1)[-1] for part in body.split("<"))
    assert untranslated(text, data) == [], untranslated(text, data)
