"""Onboarding and a schedule-and-check-in cycle in French and in Polish, on both databases.

Each person reads their own language: what their platform reports (here, the terminal's
``LANG``, as the console reports it), what they chose, or their program's. Every message fits
Slack and Teams without being cut.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.engine import MentorBot
from bot.messages import Message
from bot.registry import render_nudge, run_tick
from storage.enums import NudgeKind
from storage.models import CheckIn, Person, Program
from storage.repository import Repository
from tests.kit.languages import Recording, assert_fits_every_platform, speak
from tests.kit.progress import met, nudges_of, zoe_and_victor
from tests.kit.transcript import Chats
from tests.kit.world import World


def onboarding_typed(name: str, confidentiality: str = "1") -> str:
    """What ``name`` types to join the only program as a mentee, whatever the language."""
    return f"""
        {name}> /mentoring join
        {name}> 2
        {name}> 1
        {name}> {confidentiality}
        {name}> 5
        {name}> Marketing
        {name}>
        {name}>
        {name}> 1,2
        {name}>
        {name}> 1
        {name}> 1
        {name}> 1
        {name}> Europe/Brussels
        {name}> 09:00-17:00
        {name}> 1
    """


async def test_a_belgian_creates_a_program_and_an_executive_onboards_in_french(bot: MentorBot) -> None:
    recording = Recording(bot)
    brussels = Chats(recording, locale="fr_BE.UTF-8")
    await brussels.run("""
        Hana opens the chat
        bot: Bonjour Hana, je suis mentorbot
        bot: Il n'y a pas encore de programme ici.
        Hana> /mentoring program create "Leaders numériques" cadence=monthly capacity=3
        bot: Le programme « Leaders numériques » est créé et vous en êtes l'administrateur.
        bot: Rythme: monthly (chaque mois)
        bot: Langue: Français
    """)
    # Victor's platform says nothing of his language: he reads the program's.
    await Chats(recording).run(onboarding_typed("Victor", confidentiality="oui") + """
        bot: La langue dans laquelle je vous écris
        bot: Français
        Victor>
        bot: Voici votre profil. Tout est-il correct ?
        bot: Veut apprendre: Assistants IA et rédaction de prompts, Réseaux sociaux et image personnelle
        bot: Rôle: mentoré
        bot: Niveau: 5 - membre de la direction
        bot: Langue dans laquelle je vous écris: Français
        Victor> oui
        bot: Tout est prêt, Victor : bienvenue dans Leaders numériques.
        Victor> /mentoring profile
        bot: Votre profil (Leaders numériques, actif)
        Victor> bonjour
        bot: Je n'ai pas compris. Tapez `/mentoring help` pour voir ce que je sais faire.
    """)
    async with bot.db.transaction() as session:
        victor = await session.scalar(select(Person).where(Person.display_name == "Victor"))
        program = await session.scalar(select(Program))
        assert victor is not None and program is not None
        assert (victor.language, program.language) == ("fr", "fr")
        # The default topics are kept as written (in English), and read in each reader's language.
        assert program.topics[0] == "AI assistants and prompt writing"
    assert len(recording.sent) > 15
    for message in recording.sent:
        assert message.locale == "fr"
        assert_fits_every_platform(message)


async def test_a_polish_executive_onboards_in_polish_in_an_english_program(bot: MentorBot) -> None:
    recording = Recording(bot)
    await Chats(recording).run('Hana> /mentoring program create "Digital Leaders" cadence=monthly capacity=3')
    warsaw = Chats(recording, locale="pl_PL.UTF-8")
    await warsaw.run("""
        Ola opens the chat
        bot: Dzień dobry, Ola, tu mentorbot
        bot: Chcesz dołączyć?
    """)
    await warsaw.run(onboarding_typed("Ola", confidentiality="tak") + """
        bot: Język, w którym do ciebie piszę
        Ola>
        bot: Oto twój profil. Czy wszystko się zgadza?
        bot: Rola: mentee
        Ola> tak
        bot: Wszystko gotowe, Ola: witaj w Digital Leaders.
        Ola> /mentoring pause 2020-01-01
        bot: 2020-01-01 już minęło: wybierz datę po dzisiejszym dniu
        Ola> /mentoring language klingon
        bot: Nie potrafię jeszcze pisać w języku „klingon”. Dostępne języki: en (English), fr (Français)
        Ola> /mentoring language en
        bot: From now on I write to you in English.
        Ola> /mentoring language pl
        bot: Od teraz piszę do ciebie w języku: polski.
    """)
    polish = [m for m in recording.sent if m.locale == "pl"]
    assert len(polish) > 15
    for message in polish:
        assert_fits_every_platform(message)
    async with bot.db.transaction() as session:
        ola = await session.scalar(select(Person).where(Person.display_name == "Ola"))
        assert ola is not None and (ola.platform_locale, ola.language) == ("pl_PL.UTF-8", "pl")


async def latest_news(world: World, name: str) -> Message:
    """The last news of a session sent to ``name``, as it goes out now."""
    news = [n for n in await nudges_of(world, NudgeKind.SESSION_NEWS) if world.name_of(n.person_id) == name]
    async with world.db.transaction() as session:
        message = await render_nudge(Repository(session, world.tenant_id), news[-1], world.clock.now())
    assert message is not None
    return message


async def test_a_schedule_and_check_in_cycle_each_in_their_own_language(world: World, bot: MentorBot) -> None:
    """Zoe (mentor) reads Polish, Victor (mentee) French: what each reads is theirs, dates included."""
    pair = await zoe_and_victor(world)
    await speak(world.db, ["Zoe"], "pl")
    await speak(world.db, ["Victor"], "fr")
    recording = Recording(bot)
    chats = Chats(recording)
    await chats.run("""
        Victor> /mentoring schedule 2027-01-12 09:00 remote
        bot: Planifiée : votre séance avec Zoe, mar. 12 janv. 2027, 09:00 (America/New_York), à distance.
        bot: Invitation d'agenda enregistrée
    """)
    told = await latest_news(world, "Zoe")
    assert told.locale == "pl" and "wt., 12 sty 2027, 15:00 (Europe/Brussels)" in told.text, told.text
    await chats.run("""
        Zoe> /mentoring sessions
        bot: wt., 12 sty 2027, 15:00 (Europe/Brussels), zdalnie
        Zoe> /mentoring reschedule 2027-01-14 16:00
        bot: Przesunięte: spotkanie z Victor: czw., 14 sty 2027, 16:00 (Europe/Brussels), zdalnie.
    """)
    told = await latest_news(world, "Victor")
    assert told.locale == "fr" and "jeu. 14 janv. 2027, 10:00 (America/New_York)" in told.text, told.text

    session_id = await met(world, pair)
    world.clock.advance(timedelta(hours=3))
    await run_tick(world.db, world.clock)
    asked = next(n for n in await nudges_of(world, NudgeKind.OUTCOME) if world.name_of(n.person_id) == "Zoe")
    async with world.db.transaction() as session:
        question = await render_nudge(Repository(session, world.tenant_id), asked, world.clock.now())
    assert question is not None and question.locale == "pl"
    assert question.text.startswith("Czy spotkanie z Victor"), question.text
    held = next(b for b in question.buttons if b.label == "Tak, odbyło się")
    await chats.run(f"""
        Zoe> /mentoring {held.value}
        bot: Świetnie, zapisano jako odbyte.
        Zoe> 5
        bot: Dziękuję
        Victor> /mentoring checkin {session_id}
        bot: Votre séance avec Zoe
        bot: vous a-t-elle été utile ?
        Victor> 4
        bot: Merci
    """)
    async with world.db.transaction() as session:
        checkins = list(await session.scalars(select(CheckIn).order_by(CheckIn.id)))
    assert sorted(c.usefulness for c in checkins if c.usefulness is not None) == [4, 5]
    for message in recording.sent:
        assert message.locale in ("fr", "pl")
        assert_fits_every_platform(message)


async def test_a_form_takes_the_day_by_its_name_in_the_reader_s_language(world: World, bot: MentorBot) -> None:
    """Victor (French) types "jeudi" for the date; Zoe (Polish) types "jutro" (tomorrow) and "tak"."""
    await zoe_and_victor(world)
    await speak(world.db, ["Zoe"], "pl")
    await speak(world.db, ["Victor"], "fr")
    await Chats(bot).run("""
        Victor> /mentoring schedule form
        bot: Quand voyez-vous Zoe la prochaine fois ?
        Victor> jeudi
        bot: Heure de début (America/New_York)
        Victor> 10:00
        Victor>
        bot: Répéter selon votre rythme ?
        Victor> 2
        bot: Planifiée : votre séance avec Zoe, jeu. 26 nov. 2026, 10:00 (America/New_York), à distance.
        Zoe> /mentoring reschedule form
        Zoe> jutro
        Zoe> 15:00
        Zoe>
        bot: Przesunięte: spotkanie z Victor: wt., 24 lis 2026, 15:00 (Europe/Brussels), zdalnie.
    """)
