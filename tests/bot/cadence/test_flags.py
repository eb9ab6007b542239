"""Flags: raised once, sent to the program admins with what they need, resolved when the
pair holds a session; paused people and pairs get nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.registry import render_nudge, run_tick
from storage.housekeeping import housekeep
from storage.enums import NudgeKind
from storage.models import Flag
from storage.repository import Repository
from tests.kit.world import MENTEE, MENTOR, World
from tests.kit.transcript import Chats


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def flags(world: World) -> list[Flag]:
    async with world.db.transaction() as session:
        return list(await session.scalars(select(Flag).order_by(Flag.id)))


async def zoe_and_victor(world: World) -> None:
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", role=MENTEE)
    await world.pair("Zoe", "Victor")


async def session_on(world: World, chats: Chats, day: str, then: str) -> None:
    """Zoe schedules a session at 10:00 on ``day``; afterwards Victor says ``then``."""
    await chats.run(f"Zoe> /mentoring schedule {day} 10:00")
    world.clock.set(datetime.fromisoformat(f"{day}T12:00+01:00"))
    await run_tick(world.db, world.clock)
    outcome = [n for n in await world.nudges() if n.kind == NudgeKind.OUTCOME][-1]
    await chats.run(f"Victor> /mentoring outcome {outcome.session_id} {then}")


async def test_two_canceled_sessions_in_a_row_raise_one_flag_for_the_admins_with_the_context(
        world: World, chats: Chats) -> None:
    await zoe_and_victor(world)
    await session_on(world, chats, "2026-11-24", "canceled by=me")
    await run_tick(world.db, world.clock)
    assert await flags(world) == []
    await session_on(world, chats, "2026-11-26", "no-show")
    await run_tick(world.db, world.clock)
    await session_on(world, chats, "2026-11-27", "canceled by=partner")
    await run_tick(world.db, world.clock)

    raised = await flags(world)
    assert [f.kind for f in raised] == ["canceled_twice"], "raised once, not again at the third"
    to_admin = [n for n in await world.nudges() if n.kind == NudgeKind.FLAG]
    assert [world.name_of(n.person_id) for n in to_admin] == ["Ada"]
    async with world.db.transaction() as session:
        message = await render_nudge(Repository(session, world.tenant_id), to_admin[0], world.clock.now())
    assert message is not None
    assert "Zoe (mentor) and Victor (mentee): two sessions in a row canceled or missed" in message.text
    assert "canceled by Victor" in message.text and "no-show" in message.text
    assert [b.label for b in message.buttons] == ["Nudge the pair", "Pause the pair", "Ask for a rematch"]


async def test_a_held_session_resolves_the_flags_and_a_new_stretch_of_trouble_flags_again(
        world: World, chats: Chats) -> None:
    await zoe_and_victor(world)
    await session_on(world, chats, "2026-11-24", "canceled")
    await session_on(world, chats, "2026-11-25", "canceled")
    await run_tick(world.db, world.clock)
    await session_on(world, chats, "2026-11-26", "held")
    assert all(f.resolved_at is not None for f in await flags(world))
    await session_on(world, chats, "2026-11-30", "canceled")
    await session_on(world, chats, "2026-12-01", "no-show")
    await run_tick(world.db, world.clock)
    assert [f.resolved_at is None for f in await flags(world)] == [False, True]


async def test_a_pair_that_held_nothing_for_twice_its_cadence_is_flagged_as_silent(world: World) -> None:
    await zoe_and_victor(world)
    world.clock.advance(timedelta(days=13, hours=23))
    await run_tick(world.db, world.clock)
    assert await flags(world) == []
    world.clock.advance(timedelta(hours=1))
    await run_tick(world.db, world.clock)
    assert [f.kind for f in await flags(world)] == ["silent"]


async def test_flags_on_time__a_participant_who_ignored_the_last_two_prompts_is_flagged_within_a_day(
        world: World) -> None:
    """Rule 8 of docs/cadence.md (flags on time): raised at the pair's next daily look."""
    await zoe_and_victor(world)
    await world.tick_until(utc("2026-11-27T08:59"), send=True)  # Victor's asks: Monday and Wednesday 10:00
    assert await flags(world) == [], "two days to answer the latest"
    await world.tick_until(utc("2026-11-28T09:00"))
    raised = await flags(world)
    assert [(f.kind, world.name_of(f.person_id or 0)) for f in raised] == [("ignored_prompts", "Victor")]
    assert raised[0].raised_at - utc("2026-11-27T09:00") < timedelta(days=1)


async def test_paused_participants_and_pairs_get_nothing(world: World, chats: Chats) -> None:
    await zoe_and_victor(world)
    await chats.run("""
        Victor> /mentoring pause 2026-12-07
        bot: Paused until 2026-12-07
    """)
    for _ in range(10):
        await run_tick(world.db, world.clock)
        world.clock.advance(timedelta(days=1))
    assert await world.nudges() == []
    assert await flags(world) == []
    await chats.run("Victor> /mentoring resume")
    await chats.run("""
        Ada> /mentoring pair pause Victor until=2026-12-20
        bot: Paused Zoe & Victor until 2026-12-20
    """)
    await run_tick(world.db, world.clock)
    assert await world.nudges() == []


async def test_after_days_of_downtime_the_bot_catches_up_once(world: World, chats: Chats) -> None:
    await zoe_and_victor(world)
    await chats.run("Zoe> /mentoring schedule 2026-11-25 10:00")
    world.clock.set(utc("2026-12-01T09:00"))  # down from Monday to the next Tuesday
    report = await run_tick(world.db, world.clock)
    kinds = sorted(n.kind for n in await world.nudges() if n.kind != NudgeKind.SESSION_NEWS)
    # No reminder for the session that has passed; one "did it happen?" each.
    assert kinds == ["outcome", "outcome"]
    assert report.nudges_written == 2
    assert (await run_tick(world.db, world.clock)).nudges_written == 0


async def test_held_session_resolves_cadence_flags_only__a_rematch_request_waits_for_an_admin(
        world: World, chats: Chats) -> None:
    """Rule 6 of docs/cadence.md (a held session resolves cadence flags only)."""
    await zoe_and_victor(world)
    await session_on(world, chats, "2026-11-24", "canceled")
    await session_on(world, chats, "2026-11-25", "canceled")
    await run_tick(world.db, world.clock)
    await chats.run("""
        Victor> /mentoring rematch reason="We never find a time"
        bot: passed your request
    """)
    await session_on(world, chats, "2026-11-26", "held")
    still_open = [(f.kind, f.resolved_at is None) for f in await flags(world)]
    assert still_open == [("canceled_twice", False), ("rematch_requested", True)]
    await chats.run("""
        Ada> /mentoring flagged
        bot: asked for a new partner
        bot never: two sessions in a row
        Ada> /mentoring rematch Victor
        bot: Ended Zoe & Victor
    """)
    assert all(f.resolved_at is not None for f in await flags(world)), "the admin acted: resolved"


async def test_pauses_restart_the_silence_clock__a_participant_back_from_a_pause_is_not_flagged_silent(
        world: World, chats: Chats) -> None:
    """Rule 7 of docs/cadence.md (pauses): a participant's own pause counts like a pair's."""
    await zoe_and_victor(world)
    await session_on(world, chats, "2026-11-24", "held")
    await chats.run("""
        Victor> /mentoring pause 2026-12-21
        bot: Paused until 2026-12-21
    """)
    world.clock.set(utc("2026-12-21T02:00"))
    async with world.db.transaction() as session:  # the daily housekeeping ends the pause
        await housekeep(session, world.clock.now())
    for _ in range(13):
        world.clock.advance(timedelta(days=1))
        await run_tick(world.db, world.clock)
    assert await flags(world) == [], "four weeks paused are not four weeks of silence"
    world.clock.advance(timedelta(days=1, hours=2))
    await run_tick(world.db, world.clock)
    assert [(f.kind, f.details["since"][:10]) for f in await flags(world)] == [("silent", "2026-12-21")]


async def test_pauses_restart_the_silence_clock__also_when_the_participant_resumes_early(
        world: World, chats: Chats) -> None:
    """Rule 7 of docs/cadence.md (pauses)."""
    await zoe_and_victor(world)
    await session_on(world, chats, "2026-11-24", "held")
    await chats.run("Zoe> /mentoring pause 2027-01-30")
    world.clock.set(utc("2026-12-14T10:00"))
    await chats.run("""
        Zoe> /mentoring resume
        bot: Welcome back
    """)
    await run_tick(world.db, world.clock)
    assert await flags(world) == []
    world.clock.set(utc("2026-12-28T11:00"))
    await run_tick(world.db, world.clock)
    assert [f.kind for f in await flags(world)] == ["silent"]


async def test_flags_never_cry_wolf__no_silence_is_claimed_while_a_session_that_took_place_waits_for_its_answer(
        world: World, chats: Chats) -> None:
    """Rule 8 of docs/cadence.md (flags never crying wolf)."""
    await zoe_and_victor(world)
    world.clock.set(utc("2026-12-04T09:00"))
    await chats.run("Victor> /mentoring schedule 2026-12-07 10:00")  # within the fortnight; nobody answers after
    await world.tick_until(utc("2026-12-09T09:00"))
    assert [f.kind for f in await flags(world)] == [], "it may well have been held"
    session_id = next(n.session_id for n in await world.nudges() if n.kind == NudgeKind.OUTCOME)
    await chats.run(f"Victor> /mentoring outcome {session_id} no-show")
    await world.tick_until(utc("2026-12-10T09:00"))
    assert [f.kind for f in await flags(world)] == ["silent"], "once it is known not to have been held"


async def test_flags_never_cry_wolf__questions_left_when_someone_paused_do_not_flag_them_on_their_return(
        world: World, chats: Chats) -> None:
    """Rules 7 and 8 of docs/cadence.md: someone who paused instead of answering has not stopped answering."""
    await zoe_and_victor(world)
    await world.tick_until(utc("2026-11-25T10:00"), send=True)  # Victor's two asks went out, unanswered
    await chats.run("Victor> /mentoring pause 2026-12-14")
    world.clock.set(utc("2026-12-14T02:00"))
    async with world.db.transaction() as session:
        await housekeep(session, world.clock.now())
    await world.tick_until(utc("2026-12-15T12:00"))
    assert [f.kind for f in await flags(world)] == []
