"""Finding a person of the organization by what someone typed: a display name, a platform user
id, or a person reference (an @mention, translated at the edge: see :mod:`bot.messages`)."""

from __future__ import annotations

from bot.errors import CommandError
from bot.messages import referenced_person
from bot.turn import Turn
from storage.models import Person


async def people_called(turn: Turn, name: str) -> list[Person]:
    """The people of this tenant ``name`` may mean (a display name, user id or reference)."""
    return list(await turn.repo.people_named(referenced_person(name) or name))


async def find_person(turn: Turn, name: str) -> Person:
    """The one person of this tenant called ``name`` (a display name, user id or @mention)."""
    people = await people_called(turn, name)
    if not people:
        raise CommandError(
            f"I don't know anyone called '{name}' here. They need to say hello to me once before I can find them."
        )
    if len(people) > 1:
        ids = ", ".join(f"{p.display_name} ({p.user_id})" for p in people)
        raise CommandError(f"Several people are called '{name}': {ids}. Use the id instead.")
    return people[0]
