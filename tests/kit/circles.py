"""Circles in the ``world`` fixture's "Digital Leaders" (weekly, admin Ada in Brussels).

The mentors Hana (teaches AI assistants and video meetings) and Zoe (social media) work in
Brussels. The mentees: Carla (Brussels) and Victor (New York) want AI assistants, Mei
(London) video meetings, Omar (Brussels) social media; Kenji (Tokyo) shares no working
hours with Brussels. The clock starts on Monday 23 November 2026, 10:00 in Brussels.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import inspect, select, update

from bot.messages import Message
from bot.registry import render_nudge
from storage.models import Nudge, Profile
from storage.repository import Repository
from tests.kit.world import MENTEE, MENTOR, World
from tests.kit.transcript import Chats

CAST = {
    "Hana": ("Europe/Brussels", MENTOR, ["AI assistants", "Video meetings"]),
    "Zoe": ("Europe/Brussels", MENTOR, ["Social media"]),
    "Carla": ("Europe/Brussels", MENTEE, ["AI assistants"]),
    "Victor": ("America/New_York", MENTEE, ["AI assistants"]),
    "Mei": ("Europe/London", MENTEE, ["Video meetings"]),
    "Omar": ("Europe/Brussels", MENTEE, ["Social media"]),
    "Kenji": ("Asia/Tokyo", MENTEE, ["AI assistants"]),
}


def utc(text: str) -> datetime:
    """An aware UTC moment from ``2026-11-27T15:00``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def cast(world: World, *names: str) -> None:
    """The people of :data:`CAST` (all of them by default), enrolled with their topics."""
    for name in names or tuple(CAST):
        zone, role, topics = CAST[name]
        person_id = await world.person(name, zone=zone, role=role)
        field = "skills_offered" if role == MENTOR else "topics_wanted"
        async with world.db.transaction() as session:
            await session.execute(update(Profile).where(Profile.person_id == person_id).values({field: topics}))


async def running_circle(world: World, chats: Chats) -> None:
    """Circle #1 'AI at work', hosted by Hana and Zoe, with Carla, Victor and Mei, confirmed."""
    await cast(world, "Hana", "Zoe", "Carla", "Victor", "Mei")
    await chats.run("""
        Ada> /mentoring circle create "AI at work" size=3 hosts=Hana,Zoe
        bot: - Carla:
        bot: - Victor:
        bot: - Mei:
        Ada> /mentoring circle confirm #1
        bot: is running
    """)


async def rows(world: World, model: Any) -> list[Any]:
    """Every row of ``model``, by primary key."""
    async with world.db.transaction() as session:
        return list(await session.scalars(select(model).order_by(*inspect(model).primary_key)))


async def nudges_of(world: World, kind: str, name: str | None = None) -> list[Nudge]:
    """The outbox rows of ``kind`` (for ``name`` only, when given), oldest first."""
    found = [n for n in await rows(world, Nudge) if n.kind == kind]
    return [n for n in found if name is None or n.person_id == world.people[name]]


async def message_of(world: World, nudge: Nudge) -> Message | None:
    """What an outbox row says now (None: it would not be sent)."""
    async with world.db.transaction() as session:
        return await render_nudge(Repository(session, world.tenant_id), nudge, world.clock.now())


async def rendered(world: World, nudge: Nudge) -> str:
    """An outbox row's text, then ``label=command`` for each button ("" when not sent)."""
    message = await message_of(world, nudge)
    if message is None:
        return ""
    return message.text + " | " + " | ".join(f"{b.label}={b.value}" for b in message.buttons)


def names(world: World, nudges: Sequence[Nudge]) -> list[str]:
    """Who the rows are for, sorted."""
    return sorted(world.name_of(n.person_id) for n in nudges)
