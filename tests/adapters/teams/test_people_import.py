"""The HR import in Teams: the admin attaches the CSV in the personal chat with ``mentoring
import``; the adapter downloads it from the attachment's URL; people who already have the app
get their invitation, and the summary says who cannot be reached yet."""

from __future__ import annotations

from sqlalchemy import select

from bot.engine import MentorBot
from storage.enums import NudgeKind
from storage.models import Nudge, Person
from tests.kit.teams import HANA, VICTOR
from tests.kit.fakes.teams_client import Member
from tests.kit.fakes.teams_client import TeamsDriver
from tests.kit.fakes.teams_connector import FakeConnector

CSV = b"""name,email,role,level,department,manager email,languages,time zone,location,topics
Victor Hugo,victor@contoso.test,mentee,5,Board,,fr;en,Europe/Paris,either,AI assistants and prompt writing
Ana Lima,ana@contoso.test,mentor,1,IT,victor@contoso.test,en,Europe/Lisbon,remote,AI assistants and prompt writing
"""


async def test_an_admin_attaches_the_csv_and_people_with_the_app_are_invited(
        contoso: TeamsDriver, connector: FakeConnector, bot: MentorBot) -> None:
    await contoso.install(VICTOR)
    await contoso.say(HANA, 'mentoring program create "Digital Leaders 2027"')
    attachment = connector.add_file("people.csv", CSV)
    replies = await contoso.send(HANA, contoso.activity("message_personal", HANA, text="mentoring import",
                                                        attachments=[attachment]))
    text = " ".join(post.text for post in replies)
    assert connector.downloads == ["file1"]
    assert "Imported people.csv into Digital Leaders 2027" in text and "New: 1: Ana Lima" in text
    assert "Updated: 1: Victor Hugo" in text, "Victor, who has the app, is the same person, now with his email"
    assert "Invitations: 1 queued" in text and "1 not reachable yet (Ana Lima)" in text
    async with bot.db.transaction() as session:
        people = {p.display_name: p for p in (await session.execute(select(Person))).scalars()}
        [invitation] = (await session.execute(select(Nudge).where(Nudge.kind == NudgeKind.INVITATION))).scalars()
    assert invitation.person_id == people["Victor Hugo"].id and people["Victor Hugo"].email == "victor@contoso.test"


async def test_a_file_attached_without_the_command_is_not_imported(
        contoso: TeamsDriver, connector: FakeConnector, bot: MentorBot) -> None:
    await contoso.say(HANA, 'mentoring program create "Digital Leaders 2027"')
    replies = await contoso.send(HANA, contoso.activity("message_personal", HANA, text="",
                                                        attachments=[connector.add_file("people.csv", CSV)]))
    assert "I didn't catch that" in " ".join(post.text for post in replies)
    async with bot.db.transaction() as session:
        assert not [p for p in (await session.execute(select(Person))).scalars() if p.email]


async def test_a_person_who_writes_first_is_found_by_the_email_teams_gives(
        contoso: TeamsDriver, connector: FakeConnector, bot: MentorBot) -> None:
    """Ana's Teams name is not the one HR uses: the email of the conversation member finds her
    imported row, so she is one person, invited and prefilled, not a newcomer."""
    ana = Member("Ana L.", "5f0e9d8c-7b6a-4c5d-8e9f-0a1b2c3d4e5f", "Europe/Lisbon")
    connector.emails[ana.user_id] = "Ana@Contoso.test"
    await contoso.say(HANA, 'mentoring program create "Digital Leaders 2027"')
    await contoso.send(HANA, contoso.activity("message_personal", HANA, text="mentoring import",
                                              attachments=[connector.add_file("people.csv", CSV)]))
    replies = await contoso.say(ana, "hello")
    assert ana.user_id in connector.member_lookups
    async with bot.db.transaction() as session:
        people = [p for p in (await session.execute(select(Person))).scalars() if p.email == "ana@contoso.test"]
    assert len(people) == 1 and people[0].user_id == ana.aad
    assert replies, "she got an answer"
    joined = await contoso.say(ana, "mentoring join")
    inputs = [field for post in joined for field in post.inputs()]
    assert [(field["id"], field.get("value")) for field in inputs] == [("role", "mentor")], "HR's role, prefilled"
