"""Finding a person of the organization by what someone typed: the one place every command and
form does it.

What may be typed: a full name or a unique first name or name prefix, in any case and with or
without accents, in any script (compared by key: :func:`storage.names.name_key`); an email
address; a platform mention (translated at the edge into a person reference: see
:mod:`bot.messages`); or a platform user id. When several people fit, the refusal offers each
as a button that runs the same command for that one person.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from bot.i18n import _
from bot.errors import Choice, CommandError
from bot.messages import LABEL_LIMIT, person_reference, referenced_person, short
from bot.turn import Turn
from storage.models import Person
from storage.names import is_unlinked, name_key
from storage.repository import Repository

EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
STORED_ID = re.compile(r"^#(\d{1,12})$")
MAX_CHOICES = 5


def reference_to(person: Person) -> str:
    """A person reference that finds exactly ``person`` again (by stored id): what a choice
    button puts in place of an ambiguous name."""
    return person_reference(f"#{person.id}")


async def people_called(turn: Turn, typed: str) -> list[Person]:
    """Everyone ``typed`` may mean (see :func:`people_matching`)."""
    return await people_matching(turn.repo, typed)


async def people_matching(repo: Repository, typed: str) -> list[Person]:
    """Everyone ``typed`` may mean, the most exact kind of match first: a reference or an
    email finds one; otherwise the full name, then a user id, then first names or prefixes."""
    text = typed.strip()
    referenced = referenced_person(text)
    if referenced is not None:
        by_id = STORED_ID.match(referenced)
        if by_id:
            person = await repo.person(int(by_id.group(1)))
            return [person] if person is not None and person.erased_at is None else []
        return list(await repo.people_with_user_id(referenced))
    if EMAIL.match(text):
        return list(await repo.people_with_email(text))
    for lookup in (repo.people_named, repo.people_with_user_id, repo.people_starting):
        found = list(await lookup(text))
        if found:
            return found
    return []


async def find_person(turn: Turn, typed: str) -> Person:
    """The one person ``typed`` means; a refusal with the candidates as buttons when it fits
    several, or with close names when it fits nobody."""
    people = await people_called(turn, typed)
    if len(people) == 1:
        return people[0]
    if people:
        raise ambiguous(typed, people)
    raise await unknown(turn, typed)


def ambiguous(typed: str, people: Sequence[Person]) -> CommandError:
    """The refusal for a name several people fit: a short list, each a button."""
    shown = list(people[:MAX_CHOICES])
    more = len(people) - len(shown)
    tail = _(" and {more} more: type more of the name, or the email address", more=more) if more > 0 else ""
    names = ", ".join(label(p) for p in shown)
    return CommandError(_("'{typed}' could be several people: {names}{tail}. Which one?", typed=typed, names=names, tail=tail),
                        choices=[Choice(short(label(p), LABEL_LIMIT), typed, reference_to(p)) for p in shown])


async def unknown(turn: Turn, typed: str) -> CommandError:
    """The refusal for a name nobody has, with close names as buttons."""
    close = [p for p in [await turn.repo.person(pid) for pid in _close_to(name_key(typed), await turn.repo.name_keys())]
             if p is not None]
    lead = _("I don't know anyone called '{typed}' here.", typed=typed)
    known = (_("I know the people who have talked to me, and everyone an admin imported "
             "(`/mentoring import` with the HR file)."))
    if close:
        return CommandError(_("{lead} Did you mean {items}?", lead=lead, items=' or '.join(label(p) for p in close)),
                            choices=[Choice(short(label(p), LABEL_LIMIT), typed, reference_to(p)) for p in close])
    return CommandError(f"{lead} {known}")


def _close_to(key: str, keys: Sequence[tuple[int, str]]) -> list[int]:
    """Ids of the people whose name, or one word of it, is close to ``key`` (a typo), closest first."""
    if not key:
        return []
    by_text: dict[str, list[int]] = {}
    for person_id, name in keys:
        for text in {name, *name.split()}:
            by_text.setdefault(text, []).append(person_id)
    found: list[int] = []
    for text in difflib.get_close_matches(key, by_text, n=MAX_CHOICES * 2, cutoff=0.7):
        found += [person_id for person_id in by_text[text] if person_id not in found]
    return found[:MAX_CHOICES]


def label(person: Person) -> str:
    """How a person is told apart from namesakes: their name and email (or a short id)."""
    if person.email:
        detail = person.email
    elif is_unlinked(person.user_id) or person.user_id == person.display_name:
        detail = f"#{person.id}"
    else:
        detail = person.user_id
    leaving = _(", leaving") if person.leaving_at is not None else ""
    return _("{person} ({detail}{leaving})", person=person.display_name, detail=detail, leaving=leaving)
