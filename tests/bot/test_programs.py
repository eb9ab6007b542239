"""Admin commands: programs, admins, help by rights, refusals with an audit record."""

from __future__ import annotations

from sqlalchemy import select

from bot.engine import MentorBot
from storage.models import AuditEntry, Program, ProgramAdmin
from tests.kit.scripts import CREATE_PROGRAM
from tests.kit.transcript import Chats


async def _programs(bot: MentorBot) -> list[Program]:
    async with bot.db.transaction() as session:
        return list((await session.execute(select(Program).order_by(Program.id))).scalars())


async def _audit(bot: MentorBot) -> list[AuditEntry]:
    async with bot.db.transaction() as session:
        return list((await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars())


async def test_the_creator_of_the_first_program_becomes_its_admin(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        bot: Program "Digital Leaders 2027" is created and you are its admin.
        bot: Cadence: monthly (every month)
        bot: Capacity: 3 mentees per mentor
        bot: Formats: one-to-one, group
        bot: Admins: Hana
    """)
    [program] = await _programs(bot)
    assert (program.cadence, program.capacity, program.formats) == ("monthly", 3, ["one-to-one", "group"])
    assert "AI assistants and prompt writing" in program.topics, "a new program gets the default topic list"
    entries = await _audit(bot)
    assert [(e.action, e.allowed) for e in entries] == [("program create", True)]
    assert entries[0].program_id == program.id


async def test_once_a_program_exists_only_admins_create_more(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Victor> /mentoring program create "Shadow Program"
        bot: Only program admins can run `/mentoring program create`.
    """)
    assert [p.name for p in await _programs(bot)] == ["Digital Leaders 2027"]
    refused = (await _audit(bot))[-1]
    assert (refused.action, refused.allowed) == ("program create", False)


async def test_help_shows_admin_commands_to_admins_only(chats: Chats) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Hana> /mentoring help
        bot: For program admins:
        bot: /mentoring program set
        bot: /mentoring admin add NAME
        Victor> /mentoring help
        bot: /mentoring join
        bot: /mentoring forget-me
        bot never: For program admins
        bot never: program set
    """)


async def test_before_any_program_exists_everyone_sees_how_to_create_one(chats: Chats) -> None:
    await chats.run("""
        Hana> /mentoring help
        bot: /mentoring program create NAME
        bot never: /mentoring program set
    """)


async def test_program_list_show_and_set(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Hana> /mentoring program create "AI for Boards" cadence=weekly capacity=2
        Hana> /mentoring program list
        bot: Digital Leaders 2027: monthly, capacity 3, 0 active participants
        bot: AI for Boards: weekly, capacity 2
        Hana> /mentoring program show
        bot: Which program? Add program="NAME"
        Hana> /mentoring program show "AI for Boards"
        bot: Cadence: weekly (every week)
        Hana> /mentoring program set "AI for Boards" cadence=biweekly capacity=4 topics="Prompting, Copilot ,Data" reminder=48
        bot: Updated cadence, capacity, topics, reminder of AI for Boards.
        bot: Topics: Prompting; Copilot; Data
        bot: Reminder: 48 h before a session
        Hana> /mentoring program set "AI for Boards" rename="AI for the Board"
        bot: Updated rename of AI for the Board
        Hana> /mentoring program set "AI for the Board"
        bot: Nothing to change
    """)
    programs = await _programs(bot)
    assert [(p.name, p.cadence, p.capacity) for p in programs] == [
        ("Digital Leaders 2027", "monthly", 3),
        ("AI for the Board", "biweekly", 4),
    ]
    assert programs[1].topics == ["Prompting", "Copilot", "Data"]
    assert programs[1].reminder_hours == 48


async def test_program_names_are_unique_whatever_the_case(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Hana> /mentoring program create "digital leaders 2027"
        bot: already exists
    """)
    assert len(await _programs(bot)) == 1


async def test_admins_add_and_remove_admins_but_never_the_last_one(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Hana> /mentoring admin add Sam
        bot: I don't know anyone called 'Sam' here
        Sam opens the chat
        Hana> /mentoring admin add Sam
        bot: Sam is now an admin of Digital Leaders 2027.
        Sam> /mentoring program set capacity=4
        bot: Updated capacity
        Sam> /mentoring admin remove Hana
        bot: Hana is no longer an admin
        Hana> /mentoring program set capacity=2
        bot: Only program admins can run `/mentoring program set`. Ask an admin (Sam)
        Sam> /mentoring admin remove Sam
        bot: Sam is the last admin of Digital Leaders 2027
    """)
    async with bot.db.transaction() as session:
        admins = list((await session.execute(select(ProgramAdmin))).scalars())
    assert len(admins) == 1
    [program] = await _programs(bot)
    assert program.capacity == 4
    actions = [(e.action, e.allowed, "error" in e.details) for e in await _audit(bot)]
    assert actions == [
        ("program create", True, False),
        ("admin add", True, True),  # Sam unknown yet
        ("admin add", True, False),
        ("program set", True, False),
        ("admin remove", True, False),
        ("program set", False, False),
        ("admin remove", True, True),  # the last admin stays
    ]


async def test_a_participant_cannot_run_admin_commands(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Victor> /mentoring program set cadence=weekly
        bot: Only program admins can run `/mentoring program set`. Ask an admin (Hana) if you need this.
        Victor> /mentoring admin add Victor
        bot: Only program admins can run `/mentoring admin add`
        Victor> /mentoring program list
        bot: Only program admins
    """)
    [program] = await _programs(bot)
    assert program.cadence == "monthly"
    refusals = [e for e in await _audit(bot) if not e.allowed]
    assert [e.action for e in refusals] == ["program set", "admin add", "program list"]
    assert all(e.actor_id is not None for e in refusals)


async def test_a_refusal_does_not_reveal_which_programs_exist(chats: Chats) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Hana> /mentoring program create "Secret Board Program"
        Victor> /mentoring program show "No Such Program"
        bot: Only program admins can run `/mentoring program show`
        bot never: Secret Board Program
    """)


async def test_a_program_can_be_named_as_an_option_too(chats: Chats) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Hana> /mentoring program create "AI for Boards"
        Hana> /mentoring program set program="AI for Boards" capacity=2
        bot: Updated capacity of AI for Boards.
        Hana> /mentoring program show program="AI for Boards"
        bot: Capacity: 2 mentees per mentor
    """)


async def test_admins_read_the_audit_log_of_their_program(chats: Chats) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Victor> /mentoring program set capacity=4
        Hana> /mentoring program set capacity=2
        Hana> /mentoring audit
        bot: Audit log of Digital Leaders 2027, newest first:
        bot: 2026-11-23 09:00 UTC Hana: program set capacity=2
        bot: Victor: program set (refused) capacity=4
        bot: Hana: program create cadence=monthly capacity=3 formats=one-to-one,group name="Digital Leaders 2027"
        Victor> /mentoring audit
        bot: Only program admins can run `/mentoring audit`
    """)


async def test_failed_admin_commands_are_in_the_audit_log_too(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Hana> /mentoring program set capacity=9
        Hana> /mentoring admin add Nobody
        Hana> /mentoring audit
        bot: Hana: admin add (failed: I don't know anyone called 'Nobody' here.
        bot: Hana: program set (failed: capacity: 9 is out of range; use 1 to 4.)
    """)
    entries = await _audit(bot)
    assert [(e.action, e.allowed, "error" in e.details) for e in entries] == [
        ("program create", True, False),
        ("program set", True, True),
        ("admin add", True, True),
        ("audit", True, False),
    ]
