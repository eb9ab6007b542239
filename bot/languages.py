"""Which language each reader gets: a person, the people of a group, a program's channel.

A person reads the language they chose in their profile; until they choose, the one their
platform reports when the bot speaks it; otherwise their program's; otherwise English
(:func:`bot.i18n.resolve`). A message that several people read at once (a channel, a group
conversation) is in their common language when they share one, else in the program's.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import case, exists, or_, select

from bot.i18n import DEFAULT, PSEUDO, SUPPORTED, _, available, current_locale, name_of, normalize, resolve, switch_locale
from bot.messages import FormValue, Option
from bot.parsing import InvalidAnswer, as_text
from storage.models import Circle, Enrollment, Nudge, Pair, Person, Program, ProgramAdmin, ResearchAssignment
from bot.turn import Turn
from storage.repository import Repository


async def program_language_of(repo: Repository, person_id: int) -> str | None:
    """The language of the program that is the person's: one they take part in (an active
    enrollment first), else one they run, else an active program of the organization (the oldest
    first in each case). One query: it runs on every turn of someone whose language is not settled
    otherwise."""
    enrolled = select(Enrollment.id).where(Enrollment.program_id == Program.id, Enrollment.person_id == person_id)
    active = enrolled.where(Enrollment.status == "active")
    runs = select(ProgramAdmin.id).where(ProgramAdmin.program_id == Program.id, ProgramAdmin.person_id == person_id)
    rank = case((exists(active), 0), (exists(enrolled), 1), (exists(runs), 2), else_=3)
    return await repo.session.scalar(
        select(Program.language).where(Program.tenant_id == repo.tenant_id,
                                       or_(exists(enrolled), exists(runs), Program.status == "active"))
        .order_by(rank, Program.id).limit(1))


def person_locale(person: Person, program_language: str | None) -> str:
    """The language ``person`` reads (see the module's docstring)."""
    return resolve([person.language, person.platform_locale, program_language])


async def locale_of(repo: Repository, person: Person) -> str:
    """The language ``person`` reads; their program's is looked up only when neither their choice
    nor their platform's locale names one the bot speaks."""
    chosen = normalize(person.language) or normalize(person.platform_locale)
    if chosen:
        return chosen
    return person_locale(person, await program_language_of(repo, person.id))


def program_locale(program: Program | None) -> str:
    """The language a program's channels and groups read."""
    return resolve([program.language if program is not None else None])


def shared_locale(locales: Iterable[str], fallback: str = DEFAULT) -> str:
    """The one language every reader has, else ``fallback`` (the program's)."""
    found = set(locales)
    return found.pop() if len(found) == 1 else fallback


async def program_of_nudge(repo: Repository, nudge: Nudge) -> Program | None:
    """The program a nudge belongs to, through what it is about (pair, circle, assignment)."""
    program_id: object = nudge.payload.get("program_id")
    if program_id is None and nudge.pair_id is not None:
        program_id = await repo.session.scalar(select(Pair.program_id).where(Pair.id == nudge.pair_id))
    if program_id is None and nudge.circle_id is not None:
        program_id = await repo.session.scalar(select(Circle.program_id).where(Circle.id == nudge.circle_id))
    if program_id is None and nudge.assignment_id is not None:
        program_id = await repo.session.scalar(select(ResearchAssignment.program_id).where(
            ResearchAssignment.id == nudge.assignment_id))
    try:
        return await repo.program(int(str(program_id))) if program_id is not None else None
    except ValueError:
        return None


async def nudge_locale(repo: Repository, nudge: Nudge, person: Person) -> str:
    """The language a nudge is written in: its recipient's; in a shared channel, the program's;
    to several people at once (an introduction), theirs when they share one, else the program's."""
    if "channel" not in nudge.payload and "together" not in nudge.payload:
        return await locale_of(repo, person)
    program = await program_of_nudge(repo, nudge)
    if "channel" in nudge.payload:
        return program_locale(program)
    readers = [person]
    for person_id in nudge.payload.get("together") or []:
        other = await repo.person(int(person_id))
        if other is not None and other.erased_at is None:
            readers.append(other)
    return shared_locale([await locale_of(repo, reader) for reader in readers], program_locale(program))


def language_options() -> tuple[Option, ...]:
    """The languages a person may choose, each in its own words."""
    codes = (*SUPPORTED, PSEUDO) if current_locale() == PSEUDO else SUPPORTED
    return tuple(Option(code, name_of(code)) for code in codes)


def parse_language(raw: FormValue | None) -> str:
    """A language the bot speaks, by code or name in any of them (``fr``, ``French``,
    ``français``); an unsupported one is refused with the list of those available."""
    text = as_text(raw)
    code = normalize(text, pseudo=True)
    if code is None:
        raise InvalidAnswer(_("I can't write in '{language}' yet. The languages available are: {available}.",
                              language=text[:40], available=available()))
    return code


def choose_language(turn: Turn, code: str) -> bool:
    """Make ``code`` the language the person reads, from now on in this turn too; True if it changed."""
    changed = turn.person.language != code or turn.locale != code
    turn.person.language = code
    turn.locale = code
    switch_locale(code)
    return changed
