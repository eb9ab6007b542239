"""A program with mentors and mentees for the research tests, built directly in the database.

"Digital Leaders" (admin Ada, Brussels): mentors Zoe and Hana, mentees Victor, Carla and
Bob, all in Brussels unless a test says otherwise; the fake clock starts on Monday
23 November 2026, 09:00 UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from bot.messages import Message
from bot.registry import render_nudge
from storage.models import AuditEntry, Nudge, Profile
from storage.repository import Repository
from tests.kit.world import MENTEE, MENTOR, World
from tests.kit.progress import nudges_of, rendered

__all__ = ["nudges_of", "rendered"]


async def cast(world: World, mentees: Sequence[str] = ("Victor", "Carla", "Bob")) -> None:
    """Mentors Zoe and Hana, and the mentees (all active, in Brussels)."""
    for name in ("Zoe", "Hana"):
        await world.person(name, role=MENTOR)
    for name in mentees:
        await world.person(name, role=MENTEE)


async def set_profile(world: World, name: str, **values: Any) -> None:
    """Change a person's profile (topics_wanted, skills_offered, ...)."""
    async with world.db.transaction() as session:
        profile = await session.scalar(select(Profile).where(Profile.person_id == world.people[name]))
        assert profile is not None
        for key, value in values.items():
            setattr(profile, key, value)


async def message_of(world: World, nudge: Nudge) -> Message | None:
    """The whole message an outbox row renders to now (attachments included)."""
    async with world.db.transaction() as session:
        return await render_nudge(Repository(session, world.tenant_id), nudge, world.clock.now())


async def rows(world: World, model: type[Any]) -> list[Any]:
    """Every row of ``model``, oldest first."""
    async with world.db.transaction() as session:
        return list(await session.scalars(select(model).order_by(model.id)))


async def audits(world: World, action: str) -> list[AuditEntry]:
    """The audit entries of one action."""
    return [entry for entry in await rows(world, AuditEntry) if entry.action == action]
