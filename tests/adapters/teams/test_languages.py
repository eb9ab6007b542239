"""Teams tells each person's language (``activity.locale``): answers and Adaptive Cards are in it;
an unknown locale falls back to the program's language, then English, without an error."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.engine import MentorBot
from storage.models import Person
from tests.kit.fakes.teams_client import TeamsDriver
from tests.kit.scripts import CREATE_PROGRAM
from tests.kit.teams import HANA, VICTOR


async def test_teams_locale_picks_the_language_of_answers_and_cards(contoso: TeamsDriver, bot: MentorBot) -> None:
    await contoso.say(HANA, CREATE_PROGRAM.removeprefix("/"))
    said = await contoso.send(VICTOR, contoso.activity("message_personal", VICTOR, text="mentoring join",
                                                       locale="fr-FR"))
    card = json.dumps(said[-1].activity, ensure_ascii=False)
    assert "De quel côté êtes-vous ?" in said[-1].text
    assert '"title": "Suivant"' in card, "the card's own submit button is in French too"
    async with bot.db.transaction() as session:
        victor = await session.scalar(select(Person).where(Person.user_id == VICTOR.aad))
    assert victor is not None and victor.platform_locale == "fr-FR"


async def test_an_unknown_or_hostile_locale_falls_back_without_an_error(contoso: TeamsDriver) -> None:
    await contoso.say(HANA, CREATE_PROGRAM.removeprefix("/") + " language=it")
    for locale in ("tlh-KX", "", "x" * 500, "fr\x00BE"):
        said = await contoso.send(VICTOR, contoso.activity("message_personal", VICTOR, text="mentoring help",
                                                           locale=locale))
        assert said and said[-1].text.startswith("Comandi"), (locale, said[-1].text[:60])
