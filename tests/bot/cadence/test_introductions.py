"""A new pair's introduction (rule 4 of docs/cadence.md, introductions in shared hours): one
message to both at the first moment both are at work; when their hours never meet, one to each
at the start of their own working day, and the admin is told at match time."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.enums import NudgeKind
from tests.kit.transcript import Chats
from tests.kit.world import MENTEE, MENTOR, World


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def intros(world: World) -> list[tuple[str, datetime, list[str]]]:
    return [(world.name_of(n.person_id), n.due_at, [world.name_of(p) for p in n.payload.get("together", [])])
            for n in await world.nudges() if n.kind == NudgeKind.INTRO]


async def test_introductions_in_shared_hours__kolkata_and_london_meet_when_both_are_at_work(
        world: World, chats: Chats) -> None:
    """The example of the issue: published Monday 8 March 2027 at 14:00 UTC, 19:30 in Kolkata."""
    await world.person("Priya", zone="Asia/Kolkata", hours=(10, 19), role=MENTOR)
    await world.person("George", zone="Europe/London", hours=(8, 16), role=MENTEE)
    world.clock.set(utc("2027-03-08T14:00"))
    await chats.run("""
        Ada> /mentoring pair Priya George force
        bot: Added to the proposal
        bot never: share no working hours
        Ada> /mentoring match publish
        bot: Published 1 pair
        bot never: share no working hours
    """)
    # Not 04:30 UTC, the start of Priya's Tuesday (04:30 in London): 08:00 in London, 13:30 in Kolkata.
    assert await intros(world) == [("George", utc("2027-03-09T08:00"), ["Priya"])]


async def test_introductions_in_shared_hours__people_whose_hours_never_meet_each_get_it_in_their_own_morning(
        world: World, chats: Chats) -> None:
    await world.person("Priya", zone="Asia/Kolkata", hours=(10, 19), role=MENTOR)
    await world.person("Kai", zone="Pacific/Honolulu", hours=(8, 17), role=MENTEE)
    world.clock.set(utc("2027-03-08T14:00"))
    await chats.run("""
        Ada> /mentoring pair Priya Kai force
        bot: Priya and Kai share no working hours: each will get the introduction at the start of their own working day
        Ada> /mentoring match publish
        bot: These share no working hours, so each gets the introduction at the start of their own working day
        bot: Priya → Kai
    """)
    assert sorted(await intros(world)) == [("Kai", utc("2027-03-08T18:00"), []),  # 08:00 Monday in Honolulu
                                           ("Priya", utc("2027-03-09T04:30"), [])]  # 10:00 Tuesday in Kolkata
