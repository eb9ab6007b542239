"""Participants whose profiles matching can read, built in the database, for the matching tests."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Pair, Profile
from tests.kit.world import World


async def participant(world: World, name: str, role: str, level: int, topics: list[str], *,
                      zone: str = "Europe/Brussels", location: str = "remote", languages: tuple[str, ...] = ("en",),
                      manager: str | None = None, style: str = "structured") -> int:
    """Someone onboarded in the program with a complete profile (``manager``: a name already in the world)."""
    person_id = await world.person(name, zone=zone, role=role)
    async with world.db.transaction() as session:
        profile = (await session.scalars(select(Profile).where(Profile.person_id == person_id))).one()
        profile.level, profile.style, profile.location = level, style, location
        profile.languages, profile.formats = list(languages), ["one-to-one"]
        profile.department = "Finance" if role == "mentee" else "IT"
        if role == "mentor":
            profile.skills_offered = topics
        else:
            profile.topics_wanted = topics
        if manager:
            profile.manager, profile.manager_person_id = manager, world.people[manager]
    return person_id


async def pairs(world: World) -> list[tuple[str, str, str]]:
    """(mentor, mentee, status) of every pair, oldest first."""
    async with world.db.transaction() as session:
        rows = await session.scalars(select(Pair).order_by(Pair.id))
        return [(world.name_of(p.mentor_id), world.name_of(p.mentee_id), p.status) for p in rows]
