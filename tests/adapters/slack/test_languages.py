"""Slack tells each person's language (``users.info`` with ``include_locale``): the bot answers in it,
modals and the App Home included; a locale the bot does not speak falls back without an error."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.engine import MentorBot
from storage.models import Person
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_workspace import SlackDriver
from tests.kit.scripts import CREATE_PROGRAM
from tests.kit.slack import ACME_TOKEN


async def test_slack_s_locale_picks_the_language_of_answers_modals_and_the_home(
        acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot) -> None:
    slack_api.add_user(ACME_TOKEN, "UPIOTR", "Piotr Nowak", "Europe/Warsaw", locale="pl-PL")
    slack_api.add_user(ACME_TOKEN, "UAMELIE", "Amélie Dubois", "Europe/Brussels", locale="fr-BE")
    await acme.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
    await slack_api.wait_for("response_url")

    await acme.command("UPIOTR", "help")
    answer = (await slack_api.wait_for("response_url", 2))[-1]
    assert answer.body["text"].startswith("Dostępne polecenia:")
    assert [c.body.get("include_locale") for c in slack_api.called("users.info")][-1] in (True, "true", "1")

    await acme.command("UAMELIE", "join")
    modal = (await slack_api.wait_for("views.open", 1))[-1].view()
    assert modal["title"]["text"] == "Votre rôle"
    assert modal["submit"]["text"] == "Suivant" and modal["close"]["text"] == "Annuler"
    assert "De quel côté êtes-vous ?" in json.dumps(modal["blocks"], ensure_ascii=False)

    await acme.open_home("UPIOTR")
    home = (await slack_api.wait_for("views.publish"))[-1].view()
    assert "Dołącz do programu" in json.dumps(home["blocks"], ensure_ascii=False)
    async with bot.db.transaction() as session:
        people = {p.user_id: p for p in await session.scalars(select(Person))}
    assert (people["UPIOTR"].platform_locale, people["UPIOTR"].language) == ("pl-PL", None)
    assert people["UAMELIE"].platform_locale == "fr-BE"


async def test_a_locale_the_bot_does_not_speak_falls_back_to_the_program_s_language(
        acme: SlackDriver, slack_api: FakeSlackApi) -> None:
    slack_api.add_user(ACME_TOKEN, "UJOAO", "João Silva", "Europe/Lisbon", locale="pt-BR")
    await acme.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring ") + " language=de")
    await slack_api.wait_for("response_url")
    await acme.command("UJOAO", "help")
    answer = (await slack_api.wait_for("response_url", 2))[-1]
    assert answer.body["text"].startswith("Befehle"), answer.body["text"][:80]
