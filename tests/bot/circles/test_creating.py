"""Proposing a circle from the profiles, changing who is in it, confirming it (everyone is
welcomed) and the answers to bad input."""

from __future__ import annotations

from sqlalchemy import select

from storage.enums import CircleStatus, MemberStatus, NudgeKind
from storage.models import AuditEntry, Circle, CircleMember
from tests.kit.world import MENTOR, World
from tests.kit.circles import cast, nudges_of, rendered, rows
from tests.kit.transcript import Chats


async def members(world: World) -> dict[str, tuple[str, str]]:
    return {world.name_of(m.person_id): (m.role, m.status) for m in await rows(world, CircleMember)}


async def test_a_proposal_ranks_members_with_reasons_and_leaves_out_who_shares_no_hours(
        world: World, chats: Chats) -> None:
    await cast(world)
    await chats.run("""
        Ada> /mentoring circle create "AI at work" size=6 hosts=Hana,Zoe
        bot: Proposed circle #1 'AI at work' in Digital Leaders (meets every week; up to 6 members).
        bot: Nobody is told anything until you confirm.
        bot: - Hana: named by the admin
        bot: Members (4 of 6):
        bot: - Carla: wants AI assistants, which Hana teaches; 8 h of working hours shared with the hosts
        bot: - Victor: wants AI assistants, which Hana teaches; 2 h of working hours shared with the hosts
        bot: - Mei: wants Video meetings, which Hana teaches; 7 h of working hours shared with the hosts
        bot: - Omar: wants Social media, which Zoe teaches; 8 h of working hours shared with the hosts
        bot: Only 4 of 6 places could be filled: Kenji shares no working hours with Hana.
        bot: Group discussions are now among the formats of Digital Leaders.
        bot: [1] Confirm
        bot never: - Kenji:
    """)
    [circle] = await rows(world, Circle)
    assert (circle.title, circle.size, circle.status, circle.cadence) == ("AI at work", 6, "proposed", None)
    found = {world.name_of(m.person_id): m for m in await rows(world, CircleMember)}
    assert sorted(found) == ["Carla", "Hana", "Mei", "Omar", "Victor", "Zoe"]
    assert found["Carla"].reasons == ["wants AI assistants, which Hana teaches",
                                      "8 h of working hours shared with the hosts"]
    assert {m.status for m in found.values()} == {MemberStatus.PROPOSED}
    assert await nudges_of(world, NudgeKind.CIRCLE_WELCOME) == []  # nobody is told before the confirmation


async def test_without_hosts_the_mentor_teaching_the_trend_is_proposed(world: World, chats: Chats) -> None:
    await cast(world, "Hana", "Zoe", "Carla", "Omar")
    await chats.run("""
        Ada> /mentoring circle create "AI at work" size=3
        bot: - Hana: teaches AI assistants; hosts no other circle
        Ada> /mentoring circle create "Social media for leaders" size=3 cadence=monthly
        bot: Proposed circle #2 'Social media for leaders' in Digital Leaders (meets every month;
        bot: - Zoe: teaches Social media; hosts no other circle
        bot: Only 2 of 3 places could be filled: Digital Leaders has no other active mentees.
        bot never: now among the formats
    """)


async def test_the_admin_adds_removes_and_confirms_and_everyone_is_welcomed(world: World, chats: Chats) -> None:
    await cast(world)
    await world.person("Pat", role=MENTOR)
    await world.person("Stranger")
    await chats.run("""
        Ada> /mentoring circle create "AI at work" size=3 hosts=Hana
        bot: Members (3 of 3):
        Ada> /mentoring circle add #1 Omar
        bot: The circle 'AI at work' is full (3 of 3 members): remove someone first.
        Ada> /mentoring circle remove #1 Mei
        bot: Mei is no longer in the circle 'AI at work'.
        Ada> /mentoring circle remove #1 Mei
        bot: Mei is not in the circle 'AI at work'.
        Ada> /mentoring circle add #1 Omar
        bot: Added Omar to the proposed circle 'AI at work' as a member (3 of 3 members).
        Ada> /mentoring circle add #1 Omar
        bot: Omar is already in the circle 'AI at work'.
        Ada> /mentoring circle add #1 Zoe
        bot: Zoe is a mentor in Digital Leaders: add them as a host instead
        Ada> /mentoring circle add #1 Zoe host
        bot: Added Zoe to the proposed circle 'AI at work' as a host
        Ada> /mentoring circle add #1 Pat host
        bot: The circle 'AI at work' already has two hosts (Hana and Zoe): remove one first.
        Ada> /mentoring circle add #1 Stranger
        bot: Stranger is not a participant of Digital Leaders
        Ada> /mentoring circle add #9 Omar
        bot: There is no circle #9 in Digital Leaders
        Ada> /mentoring circle confirm #1
        bot: The circle 'AI at work' is running: I'm welcoming its 2 hosts and 3 members, each in their working hours.
        Ada> /mentoring circle confirm #1
        bot: The circle 'AI at work' is already running.
    """)
    assert await members(world) == {
        "Hana": ("host", "active"), "Zoe": ("host", "active"), "Carla": ("member", "active"),
        "Victor": ("member", "active"), "Mei": ("member", "left"), "Omar": ("member", "active")}
    [circle] = await rows(world, Circle)
    assert circle.status == CircleStatus.ACTIVE and circle.started_at == world.clock.now()
    welcomes = await nudges_of(world, NudgeKind.CIRCLE_WELCOME)
    assert sorted(world.name_of(n.person_id) for n in welcomes) == ["Carla", "Hana", "Omar", "Victor", "Zoe"]
    carla = await rendered(world, next(n for n in welcomes if world.name_of(n.person_id) == "Carla"))
    assert "Welcome to the reverse-mentoring circle 'AI at work' in Digital Leaders! Hana and Zoe host" in carla
    assert "you meet every week" in carla and "Confidentiality: what is said in the circle stays in the circle." in carla
    hana = await rendered(world, next(n for n in welcomes if world.name_of(n.person_id) == "Hana"))
    assert "You host the reverse-mentoring circle 'AI at work' in Digital Leaders with Zoe" in hana
    assert "Schedule the first meeting=circle schedule circle=#1" in hana


async def test_adding_to_a_running_circle_welcomes_at_once_and_a_small_circle_cannot_start(
        world: World, chats: Chats) -> None:
    await cast(world)
    await chats.run("""
        Ada> /mentoring circle create "AI at work" size=3 hosts=Hana
        Ada> /mentoring circle remove #1 Carla
        Ada> /mentoring circle remove #1 Victor
        Ada> /mentoring circle confirm #1
        bot: A circle needs at least 2 members to start; 'AI at work' has 1.
        Ada> /mentoring circle add #1 Omar
        Ada> /mentoring circle confirm #1
        bot: is running
        Ada> /mentoring circle add #1 Carla
        bot: Added Carla to the circle 'AI at work' as a member; I'm welcoming them now.
        Ada> /mentoring circle remove #1 Hana
        bot: Hana is the only host of 'AI at work': add another host first.
    """)
    assert len(await nudges_of(world, NudgeKind.CIRCLE_WELCOME, "Carla")) == 1


async def test_bad_create_input_is_refused_clearly_stores_nothing_and_is_audited(world: World, chats: Chats) -> None:
    await cast(world, "Hana", "Carla")
    await chats.run(f"""
        Carla> /mentoring circle create "AI at work" size=6
        bot: Only program admins can run `/mentoring circle create`.
        Ada> /mentoring circle create "AI at work" size=2
        bot: size: 2 is out of range; use 3 to 12.
        Ada> /mentoring circle create "AI at work" size=50
        bot: size: 50 is out of range; use 3 to 12.
        Ada> /mentoring circle create "AI at work"
        bot: SIZE is missing.
        Ada> /mentoring circle create "AI at work" size=6 hosts=Nobody
        bot: I don't know anyone called 'Nobody' here.
        Ada> /mentoring circle create "AI at work" size=6 hosts=Carla
        bot: Carla is a mentee in Digital Leaders: hosts are mentors
        Ada> /mentoring circle create "AI at work" size=6 hosts=Hana,hana
        bot: hosts: name each host once.
        Ada> /mentoring circle create "{'x' * 121}" size=6
        bot: title: too long (121 characters; the limit is 120).
        Ada> /mentoring circle confirm #1
        bot: There is no circle #1 in Digital Leaders
    """)
    assert await rows(world, Circle) == []
    async with world.db.transaction() as session:
        audit = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "circle create")
                                           .order_by(AuditEntry.id)))
    assert [a.allowed for a in audit][:1] == [False] and all(a.allowed for a in audit[1:])
    assert all("error" in a.details for a in audit[1:]) and len(audit) == 8
