"""Finding people and programs by name: the same on SQLite and PostgreSQL, in any case, with or
without accents, in many scripts; first names, emails, mentions; choices when a name fits
several people, and never a refusal that blames the person for not having said hello."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.engine import MentorBot
from storage.models import Person, Program, ProgramAdmin
from storage.names import name_key
from tests.kit.scripts import CREATE_PROGRAM
from tests.kit.transcript import Chats


async def _rows(bot: MentorBot, model: type) -> list:
    async with bot.db.transaction() as session:
        return list((await session.execute(select(model).order_by(model.id))).scalars())


@pytest.mark.parametrize(("typed", "stored"), [
    ("ZOË ÑÚÑEZ", "Zoë Ñúñez"), ("zoe nunez", "Zoë Ñúñez"), ("STRASSE", "Straße"), ("ΆΝΝΑ", "Άννα"),
    ("анна", "АННА"), ("李华", "李华"), ("Zoe\u0308", "Zo\u00eb"), ("  zoë   ñúñez ", "Zoë Ñúñez"),
])
def test_a_name_key_ignores_case_accents_unicode_forms_and_spaces(typed: str, stored: str) -> None:
    assert name_key(typed) == name_key(stored)


def test_keys_keep_apart_what_differs_in_letters() -> None:
    assert len({name_key(n) for n in ("李华", "王芳", "محمد", "أحمد", "Zoë", "Zoa")}) == 6


async def test_a_program_with_capital_accented_letters_is_found_renamed_and_left(chats: Chats, bot: MentorBot
                                                                                 ) -> None:
    """Defect: on SQLite `program show "Café Ñ Program"` found nothing, nobody could join and the
    admin could neither rename it nor be forgotten."""
    await chats.run('''
        Hana> /mentoring program create "Café Ñ Program"
        bot: Program "Café Ñ Program" is created
        Hana> /mentoring program show "Café Ñ Program"
        bot: Café Ñ Program
        bot never: There is no program
        Hana> /mentoring program show "CAFE N PROGRAM"
        bot never: There is no program
        Victor> /mentoring join "Café Ñ Program"
        bot: Your role
        Hana> /mentoring program create "cafe ñ program"
        bot: already
        Hana> /mentoring program set rename="Café Ñ 2027" program="café ñ program"
        bot never: There is no program
    ''')
    [program] = await _rows(bot, Program)
    assert program.name == "Café Ñ 2027" and program.name_key == "cafe n 2027"


async def test_a_person_is_found_by_any_case_accents_and_first_name(chats: Chats) -> None:
    await chats.run(f'''
        Hana> {CREATE_PROGRAM}
        Zoë Ñúñez> /mentoring join
        Hana> /mentoring admin add "ZOE NUNEZ"
        bot never: I don't know anyone
        bot: Zoë Ñúñez
        Hana> /mentoring admin add Zoë
        bot never: I don't know anyone
        李华> /mentoring join
        Hana> /mentoring admin add 李华
        bot: 李华
        bot never: I don't know anyone
    ''')


async def test_names_in_many_scripts_are_different_console_people(chats: Chats, bot: MentorBot) -> None:
    """Defect: `chat --as 李华` was stored as `me`, and `chat --as 王芳` was welcomed back as 李华."""
    names = ["李华", "王芳", "Ζωή Παπαδοπούλου", "Зоя Иванова", "زينب حداد", "Zoë Ñúñez", "Zoe Nunez"]
    for name in names:
        await chats.run(f"{name} opens the chat")
    last = await chats.run("王芳 opens the chat")
    assert "李华" not in last
    people = await _rows(bot, Person)
    assert [p.user_id for p in people] == names
    assert [p.display_name for p in people] == names


async def test_a_name_several_people_share_offers_each_as_a_button(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f'''
        Hana> {CREATE_PROGRAM}
        Carla Mendes> /mentoring join
        Carla Reis> /mentoring join
        Hana> /mentoring admin add Carla
        bot: 'Carla' could be several people: Carla Mendes (#
        bot: Carla Reis (#
        bot: Which one?
        bot never: use the id
        bot never: say hello
    ''')
    answer = await chats.run("Hana> 2")
    assert "Carla Reis" in answer and "admin" in answer.lower()
    admins = {a.person_id for a in await _rows(bot, ProgramAdmin)}
    people = {p.display_name: p.id for p in await _rows(bot, Person)}
    assert people["Carla Reis"] in admins and people["Carla Mendes"] not in admins


async def test_names_that_differ_only_by_accent_or_case_are_offered_as_choices(chats: Chats) -> None:
    await chats.run(f'''
        Hana> {CREATE_PROGRAM}
        Zoë Ñúñez> /mentoring join
        Zoe Nunez> /mentoring join
        Hana> /mentoring admin add "zoe nunez"
        bot: could be several people
        bot: Zoë Ñúñez
        bot: Zoe Nunez
    ''')


async def test_an_unknown_name_gets_close_names_and_no_blame(chats: Chats) -> None:
    await chats.run(f'''
        Hana> {CREATE_PROGRAM}
        Victor Lang> /mentoring join
        Hana> /mentoring admin add Vicotr
        bot: I don't know anyone called 'Vicotr' here. Did you mean Victor Lang
        bot never: say hello
        Hana> /mentoring admin add Nobody-At-All
        bot: I don't know anyone called 'Nobody-At-All' here.
        bot: imported
        bot never: say hello
    ''')


async def test_a_person_is_found_by_email_and_stored_reference(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f'''
        Hana> {CREATE_PROGRAM}
        Victor Lang> /mentoring join
    ''')
    async with bot.db.transaction() as session:
        victor = (await session.execute(select(Person).where(Person.user_id == "Victor Lang"))).scalar_one()
        victor.email = "victor.lang@example.com"
        victor_id = victor.id
    await chats.run(f'''
        Hana> /mentoring admin add VICTOR.LANG@example.com
        bot: Victor Lang
        bot never: I don't know
        Hana> /mentoring admin add <person:#{victor_id}>
        bot never: I don't know
    ''')
