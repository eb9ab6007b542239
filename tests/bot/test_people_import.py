"""The HR import: a dry run, the import, the re-import, people leaving, bad files refused whole,
imported people found by name and invited, their answers prefilled."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.engine import MentorBot
from bot.people_import.csv_file import FileRefused, read_rows
from bot.people_import.plan import plan_import
from storage.enums import EnrollmentStatus, NudgeKind
from storage.models import AuditEntry, Enrollment, Nudge, Person, Profile
from tests.kit.scripts import CREATE_PROGRAM
from tests.kit.transcript import Chats

HEADER = "name,email,role,level,department,manager email,languages,time zone,location,topics\n"
PEOPLE = HEADER + """\
Mira Tāne,mira@example.com,mentee,5,Board,,en,Pacific/Auckland,either,AI assistants and prompt writing
Pita Lead,pita@example.com,,4,Operations,mira@example.com,en,Pacific/Auckland,remote,
Rangi Ora,rangi@example.com,mentor,1,IT,pita@example.com,"en,fr",Pacific/Auckland,remote,AI assistants and prompt writing;Video meetings
李华,lihua@example.com,mentor,1,IT,pita@example.com,zh;en,Asia/Shanghai,remote,Video meetings
Ζωή Παπαδοπούλου,zoi@example.com,mentee,4,Sales,mira@example.com,el,Europe/Athens,in person,Data and dashboards
زينب حداد,zainab@example.com,mentor,2,Marketing,mira@example.com,ar;en,Asia/Dubai,remote,Social media and personal brand
"""


def write(tmp_path: Path, text: str, name: str = "people.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


async def rows_of(bot: MentorBot, model: type) -> list:
    async with bot.db.transaction() as session:
        key = model.person_id if model is Profile else model.id
        return list((await session.execute(select(model).order_by(key))).scalars())


def errors(text: str) -> list[tuple[int, str]]:
    return plan_import(read_rows(text.encode()), []).errors


# --- the file and its rows (no database) -----------------------------------------------------


def test_a_file_that_is_not_utf8_is_refused_with_how_to_save_it() -> None:
    with pytest.raises(FileRefused, match='not UTF-8 .* save it as "CSV UTF-8"'):
        read_rows((HEADER + "Zoë Ñúñez,zoe@example.com,,,,,,,,\n").encode("latin-1"), "people.csv")


def test_excel_files_with_a_byte_order_mark_semicolons_or_utf16_are_read() -> None:
    semicolons = PEOPLE.replace(",", ";").replace('"en;fr"', "en fr")
    assert len(read_rows(("\ufeff" + PEOPLE).encode())) == 6
    assert read_rows(semicolons.encode())[0].cells["name"] == "Mira Tāne"
    assert read_rows(PEOPLE.encode("utf-16"))[3].cells["name"] == "李华"


def test_a_missing_column_is_named_with_the_header_found() -> None:
    with pytest.raises(FileRefused, match="has no email column. Its header line is: name, level"):
        read_rows(b"name,level\nAna,1\n", "people.csv")


def test_a_file_over_the_size_limit_is_refused_before_reading() -> None:
    with pytest.raises(FileRefused, match="50 MB; I accept at most 20 MB"):
        read_rows(b"x" * (50 * 1024 * 1024), "people.csv")


@pytest.mark.parametrize(("row", "problem"), [
    ("Ana,ana@example.com,mentor,senior,IT,,,,,", "the level 'senior' is not a number from 1 to 5"),
    ("Ana,ana@example.com,mentor,9,IT,,,,,", "the level 9 is out of range"),
    ("Ana,not-an-email,mentor,1,IT,,,,,", "'not-an-email' is not an email address"),
    ("Ana,ana@example.com,boss,1,IT,,,,,", "the role 'boss' is neither mentor nor mentee"),
    ("Ana,ana@example.com,mentor,1,IT,nobody@example.com,,,,", "the manager nobody@example.com is neither in the file"),
    ('Ana,ana@example.com,mentor,1,"=HYPERLINK(""http://x"",""y"")",,,,,', "the department cell starts with '='"),
    ("Ana,ana@example.com,mentor,1,@SUM(A1),,,,,", "starts with '@' (a spreadsheet formula)"),
    ("Ana,ana@example.com,mentor,1,IT,,klingon,,,", "the language 'klingon' is not one I know"),
    ("Ana,ana@example.com,mentor,1,IT,,,EST,,", "time zone: 'EST' is an abbreviation"),
    ("Ana,ana@example.com,mentor,1,IT,,,,on the moon,", "the location 'on the moon' is not remote"),
    (",ana@example.com,mentor,1,IT,,,,,", "the name is empty"),
])
def test_a_bad_row_is_answered_by_line_number(row: str, problem: str) -> None:
    [(line, message)] = errors(HEADER + row + "\n")
    assert line == 2 and problem in message


def test_a_duplicate_email_names_the_first_line() -> None:
    found = errors(HEADER + "Ana,ana@example.com,,,,,,,,\nAna B,ANA@example.com,,,,,,,,\n")
    assert found == [(3, "ana@example.com is already on line 2")]


def test_a_manager_loop_is_reported_on_every_row_in_it() -> None:
    found = errors(HEADER + "A,a@x.org,,,,b@x.org,,,,\nB,b@x.org,,,,c@x.org,,,,\nC,c@x.org,,,,a@x.org,,,,\n"
                   "D,d@x.org,,,,a@x.org,,,,\n")
    assert [line for line, _ in found] == [2, 3, 4]
    assert all("manager loop: " in message for _, message in found)


# --- the import in the chat ------------------------------------------------------------------


async def test_a_dry_run_then_the_import_then_a_reimport_that_changes_nothing(
        chats: Chats, bot: MentorBot, tmp_path: Path) -> None:
    path = write(tmp_path, PEOPLE)
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Hana> /mentoring import {path} dry-run
        bot: Dry run of people.csv into Digital Leaders 2027: nothing was changed.
        bot: New: 6: Mira Tāne, Pita Lead, Rangi Ora, 李华, Ζωή Παπαδοπούλου, زينب حداد
        bot: Leaving (no longer in the file; kept, no longer matched): 0
    """)
    assert len(await rows_of(bot, Person)) == 1, "a dry run stores nobody"
    await chats.run(f"""
        Hana> /mentoring import {path}
        bot: Imported people.csv into Digital Leaders 2027:
        bot: New: 6
        bot: Invitations: 0 queued
        bot: 5 not reachable yet
    """)
    people = {p.email: p for p in await rows_of(bot, Person) if p.email}
    assert people["lihua@example.com"].display_name == "李华" and people["lihua@example.com"].user_id.startswith("email:")
    profiles = {p.person_id: p for p in await rows_of(bot, Profile)}
    rangi = profiles[people["rangi@example.com"].id]
    assert (rangi.level, rangi.department, rangi.languages, rangi.location) == (1, "IT", ["en", "fr"], "remote")
    assert rangi.skills_offered == ["AI assistants and prompt writing", "Video meetings"]
    assert rangi.manager_person_id == people["pita@example.com"].id and rangi.manager == "Pita Lead"
    enrolled = {e.person_id: e for e in await rows_of(bot, Enrollment)}
    assert people["pita@example.com"].id not in enrolled, "no role: known to the organisation, not enrolled"
    assert enrolled[people["mira@example.com"].id].status == EnrollmentStatus.ONBOARDING
    await chats.run(f"""
        Hana> /mentoring import {path}
        bot: New: 0
        bot: Updated: 0
        bot: Unchanged: 6
    """)
    assert len(await rows_of(bot, Person)) == 7


async def test_a_person_left_out_of_the_file_is_leaving_never_deleted(chats: Chats, bot: MentorBot,
                                                                       tmp_path: Path) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Hana> /mentoring import {write(tmp_path, PEOPLE)}
    """)
    fewer = "".join(line for line in PEOPLE.splitlines(keepends=True) if "lihua" not in line)
    changed = fewer.replace("Rangi Ora,rangi@example.com,mentor,1,IT", "Rangi Ora,rangi@example.com,mentor,2,IT")
    await chats.run(f"""
        Hana> /mentoring import {write(tmp_path, changed, "fewer.csv")}
        bot: Updated: 1: Rangi Ora (level)
        bot: Leaving (no longer in the file; kept, no longer matched): 1: 李华
    """)
    lihua = next(p for p in await rows_of(bot, Person) if p.email == "lihua@example.com")
    assert lihua.leaving_at is not None and lihua.erased_at is None
    await chats.run(f"""
        Hana> /mentoring import {write(tmp_path, PEOPLE, "again.csv")}
        bot: 李华 (back in the file)
    """)


async def test_a_file_with_bad_rows_changes_nothing_and_says_which_lines(chats: Chats, bot: MentorBot,
                                                                           tmp_path: Path) -> None:
    bad = PEOPLE + "Ana,ana@example.com,mentor,senior,IT,,,,,\nBo,bo@example.com,,,,=cmd|' /C calc'!A0,,,,\n"
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Hana> /mentoring import {write(tmp_path, bad)}
        bot: people.csv was not imported into Digital Leaders 2027: 2 rows need fixing, and nothing was changed.
        bot: line 8: the level 'senior' is not a number from 1 to 5
        bot: line 9: the manager email cell starts with '='
    """)
    assert len(await rows_of(bot, Person)) == 1
    [audit] = [a for a in await rows_of(bot, AuditEntry) if a.action == "import file"]
    assert (audit.details["file"], audit.details["errors"], audit.details["dry_run"]) == ("people.csv", 2, False)


async def test_import_without_a_file_or_by_a_participant_is_refused(chats: Chats, tmp_path: Path) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Hana> /mentoring import
        bot: There is no file with this message.
        bot: upload it in your chat with me
        Victor> /mentoring import {write(tmp_path, PEOPLE)}
        bot: Only program admins can run `/mentoring import`.
    """)


async def test_an_imported_person_opening_the_chat_is_that_person_and_confirms_what_hr_gave(
        chats: Chats, bot: MentorBot, tmp_path: Path) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Hana> /mentoring import {write(tmp_path, PEOPLE)}
        Rangi Ora> /mentoring join
        bot: Your role
        bot: press Enter to keep: Mentor
    """)
    people = [p for p in await rows_of(bot, Person) if p.display_name == "Rangi Ora"]
    assert len(people) == 1 and people[0].user_id == "Rangi Ora", "one account: the import's, linked"


async def test_people_already_reachable_get_an_invitation_in_their_working_hours(
        chats: Chats, bot: MentorBot, tmp_path: Path) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Rangi Ora opens the chat
        Hana> /mentoring import {write(tmp_path, PEOPLE)}
        bot: Invitations: 1 queued
    """)
    [nudge] = [n for n in await rows_of(bot, Nudge) if n.kind == NudgeKind.INVITATION]
    rangi = next(p for p in await rows_of(bot, Person) if p.display_name == "Rangi Ora")
    assert nudge.person_id == rangi.id and rangi.email == "rangi@example.com"
    from bot.cadence.hours import zone_named
    local = nudge.due_at.astimezone(zone_named("Pacific/Auckland"))
    assert 9 <= local.hour < 17 and local.weekday() < 5


async def test_confirming_the_profile_keeps_the_manager_hr_gave_even_with_a_namesake(
        chats: Chats, bot: MentorBot, tmp_path: Path) -> None:
    namesake = PEOPLE + "Pita Lead,pita.two@example.com,,3,Sales,,en,Europe/Brussels,remote,\n"
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Hana> /mentoring import {write(tmp_path, namesake)}
        Rangi Ora> /mentoring join
        Rangi Ora>
        Rangi Ora> 1
        Rangi Ora> 1
        Rangi Ora>
        Rangi Ora>
        bot: press Enter to keep: Pita Lead
        Rangi Ora>
        Rangi Ora>
        Rangi Ora>
        Rangi Ora>
        Rangi Ora> 1
        Rangi Ora> 1
        Rangi Ora>
        Rangi Ora>
        Rangi Ora> 09:00-17:00
        Rangi Ora>
        Rangi Ora>
        bot: Here is your profile
        Rangi Ora> 1
        bot: You're all set, Rangi Ora
    """)
    people = {p.email: p for p in await rows_of(bot, Person)}
    profiles = {p.person_id: p for p in await rows_of(bot, Profile)}
    assert profiles[people["rangi@example.com"].id].manager_person_id == people["pita@example.com"].id
