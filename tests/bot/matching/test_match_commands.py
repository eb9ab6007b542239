"""Admins propose, review, change and publish matches; rematches; participants ask for one."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from bot.registry import render_nudge
from storage.enums import EnrollmentStatus, NudgeKind
from storage.models import AuditEntry, Enrollment, Nudge, Pair, Profile
from storage.repository import Repository
from tests.kit.world import MENTEE, MENTOR, World
from tests.kit.matching import pairs, participant
from tests.kit.transcript import Chats

AI, VIDEO, DATA, SECURITY, SOCIAL = ("AI assistants and prompt writing", "Video meetings", "Data and dashboards",
                                     "Cybersecurity basics", "Social media and personal brand")


async def cohort(world: World) -> None:
    await participant(world, "Victor", MENTEE, 5, [AI, VIDEO])
    await participant(world, "Carla", MENTEE, 4, [DATA], zone="Europe/London", location="in_person")
    await participant(world, "Hana", MENTOR, 1, [AI, VIDEO])
    await participant(world, "Ola", MENTOR, 2, [DATA, SECURITY], zone="Europe/London", location="in_person")
    await participant(world, "Tom", MENTOR, 1, [SOCIAL], zone="America/New_York", manager="Victor")
    await world.person("Zed", role=MENTEE)  # onboarded, but his profile lacks level, topics and languages


async def intro_for(world: World, nudge: Nudge) -> str:
    async with world.db.transaction() as session:
        message = await render_nudge(Repository(session, world.tenant_id), nudge, world.clock.now())
    assert message is not None
    return message.text + " | " + " | ".join(b.label + "=" + b.value for b in message.buttons)


async def test_an_admin_proposes_reviews_changes_and_publishes(world: World, chats: Chats) -> None:
    await cohort(world)
    await chats.run("""
        Ada> /mentoring match
        bot: Proposal for Digital Leaders (nothing is published yet)
        bot: Matched 2 of 3 mentees waiting for a mentor, average fit
        bot: Mentor load: Hana 1/2, Ola 1/2, Tom 0/2.
        bot: Zed: profile incomplete (no level, no languages, no topics)
        bot: Tom: no mentee left who suits them
        bot: Hana → Victor (fit
        bot: Hana teaches AI assistants and prompt writing and Video meetings, which Victor wants to learn
        bot: Ola → Carla (fit
        bot: both like to meet in person
    """)
    assert await pairs(world) == [("Hana", "Victor", "proposed"), ("Ola", "Carla", "proposed")]
    assert await world.nudges() == []  # nothing reaches participants before publishing
    await chats.run("""
        Ada> /mentoring match swap Victor Carla
        bot: Swapped. Now:
        bot: Ola → Victor
        bot: Hana → Carla
        Ada> /mentoring match drop Carla
        bot: Dropped
        Ada> /mentoring pair Tom Victor
        bot: Victor is already in a proposed pair
        Ada> /mentoring pair Tom Carla
        bot: Added to the proposal: #
        bot: Tom → Carla (fit
        Ada> /mentoring match show
        bot: 2 pairs not yet published
        bot: Zed: profile incomplete
        Ada> /mentoring match publish
        bot: Published 2 pairs in Digital Leaders.
    """)
    assert sorted(await pairs(world)) == [("Ola", "Victor", "active"), ("Tom", "Carla", "active")]
    intros = [n for n in await world.nudges() if n.kind == NudgeKind.INTRO]
    assert [(world.name_of(n.person_id), [world.name_of(p) for p in n.payload["together"]]) for n in intros] == [
        ("Victor", ["Ola"]), ("Carla", ["Tom"])]
    text = await intro_for(world, intros[0])
    for part in ("Meet your mentoring partner", "Victor and Ola, you are now a pair", "Why you two:",
                 "What you say stays between the two of you.", "For your first session:",
                 "Schedule the first session=schedule with=#"):
        assert part in text
    pair_ref = text.split("with=")[-1]
    await chats.run(f"""
        Victor> /mentoring schedule with={pair_ref}
        bot: When do you meet Ola? The earliest times
    """)


async def test_rules_and_missing_people_are_explained(world: World, chats: Chats) -> None:
    await chats.run("""
        Ada> /mentoring match
        bot: Nobody to match in Digital Leaders
    """)
    await participant(world, "Victor", MENTEE, 5, [AI])
    await chats.run("""
        Ada> /mentoring match
        bot: Victor: no mentor has finished onboarding yet
    """)
    await participant(world, "Ines", MENTOR, 1, [AI], manager="Victor")
    await participant(world, "Jo", MENTOR, 2, [AI], manager="Ines")
    await chats.run("""
        Ada> /mentoring match
        bot: Victor: only mentors in their reporting line
    """)
    await participant(world, "Kim", MENTOR, 5, [AI])
    await participant(world, "Lu", MENTOR, 1, [AI], languages=("nl",))
    await chats.run("""
        Ada> /mentoring match
        bot: Victor: no suitable mentor among 4: 2 in their reporting line, 1 not junior to them, 1 without a shared language
    """)


async def test_more_mentees_than_places(world: World, chats: Chats) -> None:
    await participant(world, "Hana", MENTOR, 1, [AI])
    for name in ("Victor", "Carla", "Bert"):
        await participant(world, name, MENTEE, 4, [AI])
    await chats.run("""
        Ada> /mentoring match
        bot: Matched 2 of 3 mentees
        bot: There are more mentees than places (3 for 2)
        bot: no mentor with a place left (1 suits them, all taken)
    """)


async def test_late_joiners_are_matched_around_running_pairs(world: World, chats: Chats) -> None:
    await cohort(world)
    await chats.run("""
        Ada> /mentoring match
        Ada> /mentoring match publish
        bot: Published 2 pairs
    """)
    await participant(world, "Nina", MENTEE, 4, [AI])
    await chats.run("""
        Ada> /mentoring match
        bot: Matched 1 of 2 mentees
        bot: Hana → Nina
    """)
    assert await pairs(world) == [("Hana", "Victor", "active"), ("Ola", "Carla", "active"),
                                  ("Hana", "Nina", "proposed")]


async def test_a_rematch_ends_the_pair_tells_both_and_never_proposes_the_same_mentor(
        world: World, chats: Chats) -> None:
    await cohort(world)
    await participant(world, "Ben", MENTOR, 2, [VIDEO])
    await chats.run("""
        Ada> /mentoring match
        Ada> /mentoring match publish
        Ada> /mentoring rematch Victor reason="they never found a common slot"
        bot: Ended Hana & Victor (both are told, not why).
        bot: Proposed instead: #
        bot never: Hana → Victor
    """)
    ended = sorted(world.name_of(n.person_id) for n in await world.nudges() if n.kind == NudgeKind.PAIR_ENDED)
    assert ended == ["Hana", "Victor"]
    await chats.run("""
        Ada> /mentoring match
        bot never: Hana → Victor
    """)


async def test_a_participant_asks_privately_for_a_rematch(world: World, chats: Chats) -> None:
    await cohort(world)
    await chats.run("""
        Ada> /mentoring match
        Ada> /mentoring match publish
        Victor> /mentoring rematch reason="we have nothing in common"
        bot: I passed your request for a new partner to the program admins, privately: Hana is not told.
        Victor> /mentoring rematch reason="again"
        bot: You already asked
        Victor> /mentoring rematch Hana
        bot: Only program admins can end someone's pair.
        Victor> /mentoring match
        bot: Only program admins can run `/mentoring match`.
        Ada> /mentoring flagged
        bot: Hana (mentor) and Victor (mentee): asked for a new partner.
        bot: Victor asked me privately for a new partner
        bot: we have nothing in common
    """)
    flags = [n for n in await world.nudges() if n.kind == NudgeKind.FLAG]
    assert [world.name_of(n.person_id) for n in flags] == ["Ada"]
    async with world.db.transaction() as session:
        refused = list(await session.scalars(select(AuditEntry.action).where(AuditEntry.allowed.is_(False))))
    assert sorted(refused) == ["match", "rematch"]


async def test_bad_input_gets_clear_answers_and_changes_nothing(world: World, chats: Chats) -> None:
    await cohort(world)
    await chats.run("""
        Ada> /mentoring match publish
        bot: Nothing to publish in Digital Leaders
        Ada> /mentoring match drop Victor
        bot: Victor is in no proposed pair of Digital Leaders.
        Ada> /mentoring pair Victor Hana
        bot: Victor is a mentee in Digital Leaders, not a mentor.
        Ada> /mentoring pair Tom Victor
        bot: Not paired: Tom and Victor are in the same reporting line. Add `force` to pair them anyway.
        Ada> /mentoring match weights topics=11
        bot: topics
        Ada> /mentoring match weights hours=4
        bot: Weights now for Digital Leaders: topics=6, hours=4
        Ada> /mentoring match frobnicate
        bot: I did not expect 'frobnicate' here.
        Ada> /mentoring match
        Ada> /mentoring match swap Victor Nobody
        bot: I don't know anyone called 'Nobody' here.
        Ada> /mentoring match swap Victor Zed
        bot: Zed is in no proposed pair of Digital Leaders.
    """)
    assert await pairs(world) == [("Hana", "Victor", "proposed"), ("Ola", "Carla", "proposed")]


async def test_a_reporting_line_through_a_paused_manager_typed_by_name_still_holds(world: World, chats: Chats
                                                                                   ) -> None:
    """Rule (reporting line across the organisation): Rangi typed "Pita Lead" as manager; Pita
    is paused and reports to Mira. Rangi must not mentor Mira, even though Pita is not among the
    run's active participants and was typed in another case and without the accent."""
    await participant(world, "Mira Tāne", MENTEE, 5, [AI])
    await participant(world, "Pita Lead", MENTOR, 3, [AI], manager="Mira Tāne")
    rangi = await participant(world, "Rangi", MENTOR, 1, [AI])
    async with world.db.transaction() as session:
        await session.execute(update(Enrollment).where(Enrollment.person_id == world.people["Pita Lead"])
                              .values(status=EnrollmentStatus.PAUSED))
        await session.execute(update(Profile).where(Profile.person_id == rangi)
                              .values(manager="PITA LEAD", manager_person_id=None))
    await chats.run("""
        Ada> /mentoring match
        bot: Mira Tāne: only mentors in their reporting line
    """)
    assert await pairs(world) == []


async def test_a_manager_who_is_in_no_program_still_breaks_the_pair(world: World, chats: Chats) -> None:
    """Rule (reporting line across the organisation): a manager known to the bot but enrolled
    nowhere (an admin, say) still links their report to their own manager."""
    await participant(world, "Mira", MENTEE, 5, [AI])
    await participant(world, "Pita", MENTOR, 3, [AI], manager="Mira")
    rangi = await participant(world, "Rangi", MENTOR, 1, [AI], manager="Pita")
    async with world.db.transaction() as session:
        await session.execute(delete(Enrollment).where(Enrollment.person_id == world.people["Pita"]))
        assert (await session.get(Profile, rangi)) is not None
    await chats.run("""
        Ada> /mentoring match
        bot: Mira: only mentors in their reporting line
    """)


async def test_a_matched_person_opening_the_chat_hears_of_their_partner_before_the_introduction(
        world: World, chats: Chats) -> None:
    """The introduction waits for the pair's shared working hours; someone who opens the chat
    before then is told who they are matched with."""
    await participant(world, "Hana", MENTOR, 1, [AI], zone="Europe/London")
    await participant(world, "Victor", MENTEE, 5, [AI], zone="Europe/Brussels")
    world.clock.set(world.clock.now().replace(hour=5))  # 06:00 in Brussels: before anyone's working day
    await chats.run("""
        Ada> /mentoring match
        Ada> /mentoring match publish
        bot: Published 1 pair
        Victor opens the chat
        bot: Welcome back, Victor.
        bot: Your mentor: Hana (Hana teaches AI assistants and prompt writing, which Victor wants to learn).
        bot: I'll introduce you both in your shared working hours
        Hana opens the chat
        bot: Your mentee: Victor
    """)
    [intro] = [n for n in await world.nudges() if n.kind == NudgeKind.INTRO]
    assert intro.status == "pending" and intro.due_at > world.clock.now()


async def test_first_names_work_in_admin_commands_and_never_blame_the_person(world: World, chats: Chats) -> None:
    """The bot's own examples use first names (`/mentoring nudge Victor`, `match swap Carla Kenji`)."""
    await participant(world, "Hana Kim", MENTOR, 1, [AI])
    await participant(world, "Ola Nordmann", MENTOR, 1, [AI])
    await participant(world, "Victor Lang", MENTEE, 5, [AI])
    await participant(world, "Carla Ñúñez", MENTEE, 4, [AI])
    await chats.run("""
        Ada> /mentoring match
        Ada> /mentoring match swap Carla Victor
        bot never: I don't know anyone
        bot never: say hello
        Ada> /mentoring match publish
        Ada> /mentoring nudge victor
        bot: Nudging Hana Kim & Victor Lang:
        Ada> /mentoring nudge "CARLA NUNEZ"
        bot: Nudging Hana Kim & Carla Ñúñez:
    """)


async def test_a_pair_forced_past_an_incomplete_profile_gives_its_reason_once(world: World, chats: Chats) -> None:
    await cohort(world)
    await chats.run("""
        Ada> /mentoring pair Ola Zed
        bot: Not paired: Zed's profile is incomplete
        Ada> /mentoring pair Ola Zed force
    """)
    async with world.db.transaction() as session:
        reasons = (await session.scalars(select(Pair.reasons).where(Pair.mentee_id == world.people["Zed"]))).one()
    assert reasons == ["paired by an admin"]
