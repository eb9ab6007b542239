"""Conversations in Teams personal chat: installing the app, commands, onboarding in Adaptive Cards."""

from __future__ import annotations

from sqlalchemy import select

from bot.engine import MentorBot
from storage.models import Enrollment, Person, Profile, Tenant
from tests.kit.fakes.teams_client import TeamsDriver
from tests.kit.fakes.teams_connector import FakeConnector
from tests.kit.scripts import CREATE_PROGRAM

from tests.kit.teams import CONTOSO, HANA, VICTOR


async def test_installing_the_app_greets_once_and_keeps_the_conversation_for_later(
    contoso: TeamsDriver, connector: FakeConnector, bot: MentorBot
) -> None:
    replies = await contoso.install(HANA)

    assert len(replies) == 1, "installationUpdate and conversationUpdate: one greeting"
    assert replies[0].text.startswith("Hi Hana Kim, I'm mentorbot")
    assert replies[0].reply_to is not None, "the greeting answers the install activity"
    async with bot.db.transaction() as session:
        hana = await session.scalar(select(Person))
        tenant = await session.scalar(select(Tenant))
    assert tenant is not None and (tenant.platform, tenant.external_id) == ("teams", CONTOSO)
    assert hana is not None and hana.user_id == HANA.aad, "people are their Entra ID object id"
    reference = hana.address["reference"]
    assert reference["serviceUrl"] == connector.url
    assert reference["conversation"]["id"] == HANA.chat
    assert reference["conversation"]["tenantID"] == CONTOSO
    assert reference["user"]["id"] == HANA.user_id
    assert hana.platform_timezone == "Europe/Brussels", "Teams' client time zone, as a default"


async def test_commands_are_typed_or_picked_from_the_menu_with_the_slack_grammar(contoso: TeamsDriver) -> None:
    help_ = await contoso.say(HANA, "mentoring help")
    assert "Commands you can use" in help_[0].text

    created = await contoso.say(HANA, CREATE_PROGRAM.removeprefix("/"))
    assert "Digital Leaders 2027" in created[0].text

    typed_with_slash = await contoso.say(HANA, "/mentoring program list")
    assert "Digital Leaders 2027" in typed_with_slash[0].text

    answer = await contoso.say(HANA, "Mentoring and coaching")
    assert "I didn't catch that" in answer[0].text, "text that only starts with 'mentoring' is no command"


async def test_victor_onboards_in_adaptive_cards(contoso: TeamsDriver, connector: FakeConnector,
                                                 bot: MentorBot) -> None:
    await contoso.say(HANA, CREATE_PROGRAM.removeprefix("/"))

    role = await contoso.say(VICTOR, "mentoring join")
    assert "Which side are you on?" in role[-1].text
    assert [i["type"] for i in role[-1].inputs()] == ["Input.ChoiceSet"]

    reversal = await contoso.fill(VICTOR, {"role": "mentee"})
    assert "You are the mentee" in reversal[-1].text
    confidentiality = await contoso.press(VICTOR, "Got it")
    assert "Confidentiality" in confidentiality[-1].text
    about = await contoso.press(VICTOR, "I accept")
    inputs = {i["id"]: i for i in about[-1].inputs()}
    assert list(inputs) == ["level", "department", "manager", "name"]
    assert inputs["name"]["value"] == "Victor Hugo", "the name Teams knows, to confirm"

    topics = await contoso.fill(VICTOR, {"level": "5", "department": "Finance"})
    topic_input = topics[-1].inputs()[0]
    assert topic_input["type"] == "Input.ChoiceSet" and topic_input["isMultiSelect"] is True
    style = await contoso.fill(VICTOR, {"topics": ["AI assistants and prompt writing",
                                                   "Social media and personal brand"]})
    assert [i["id"] for i in style[-1].inputs()] == ["style", "formats", "location"]
    availability = await contoso.fill(VICTOR, {"style": "direct", "formats": ["one-to-one"], "location": "remote"})
    zone = {i["id"]: i for i in availability[-1].inputs()}["timezone"]
    assert zone["value"] == "Europe/Paris", "the time zone of Victor's Teams client, to confirm"

    mistake = await contoso.fill(VICTOR, {"hours": "nine to five", "languages": ["en"]})
    assert any(block.get("color") == "Attention" and "hours" in block["text"].lower()
               for block in mistake[-1].card["body"]), "the mistake is shown on the card"

    review = await contoso.fill(VICTOR, {"hours": "09:00-17:00", "languages": ["en"], "language": "en"})
    assert "Here is your profile" in review[-1].text and "Time zone: Europe/Paris" in review[-1].text
    done = await contoso.press(VICTOR, "Confirm")
    assert "You're all set, Victor Hugo" in done[-1].text

    async with bot.db.transaction() as session:
        victor = await session.scalar(select(Person).where(Person.user_id == VICTOR.aad))
        profile = await session.scalar(select(Profile).where(Profile.person_id == victor.id))  # type: ignore[union-attr]
        enrollment = await session.scalar(select(Enrollment).where(Enrollment.person_id == victor.id))  # type: ignore[union-attr]
    assert profile is not None and profile.department == "Finance"
    assert set(profile.topics_wanted) >= {"AI assistants and prompt writing", "Social media and personal brand"}
    assert enrollment is not None and enrollment.status == "active"


async def test_typing_the_answer_works_as_well(contoso: TeamsDriver) -> None:
    await contoso.say(HANA, CREATE_PROGRAM.removeprefix("/"))
    await contoso.say(VICTOR, "mentoring join")
    reply = await contoso.say(VICTOR, "mentee")
    assert "You are the mentee" in reply[-1].text


async def test_a_message_in_a_channel_is_answered_in_the_personal_chat(
    contoso: TeamsDriver, connector: FakeConnector, bot: MentorBot
) -> None:
    await contoso.install(HANA)
    activity = contoso.activity("message_channel_mention", HANA)
    activity["conversation"]["id"] = "19:general@thread.tacv2;messageid=1"
    answer = await contoso.send(HANA, activity)

    assert answer and "not in a program yet" in answer[-1].text, "the answer is in her personal chat"
    assert connector.to("19:general@thread.tacv2;messageid=1") == [], "nothing for her alone in the channel"
    async with bot.db.transaction() as session:
        hana = await session.scalar(select(Person))
    assert hana is not None and hana.address["reference"]["conversation"]["id"] == HANA.chat, \
        "the personal chat stays the way to reach her"


async def test_a_newcomer_who_installs_the_app_is_one_tap_from_onboarding(contoso: TeamsDriver) -> None:
    await contoso.say(HANA, CREATE_PROGRAM.removeprefix("/"))
    [greeting] = await contoso.install(VICTOR)
    assert "Would you like to join?" in greeting.text
    role = await contoso.press(VICTOR, "Join the program")
    assert "Which side are you on?" in role[-1].text and role[-1].inputs()
