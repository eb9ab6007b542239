"""Research assignments: a mentor (or two) studies an emerging tool or trend, writes it up
and presents it at a lunch-and-learn (:mod:`bot.research.lunch`).

An admin assigns a topic with a due date (or takes one the bot proposes from what mentees
want most); the mentors are told, reminded by the tick (:mod:`bot.research.rules`)
and send a short write-up with links, which the co-mentor and the admin who assigned it
learn about. Every change wakes the tick for the assignment (``next_check_at = None``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from bot.i18n import _
from bot.catalog import word
from bot.i18n import formats
from bot.cadence.hours import hours_of
from bot.cadence.outbox import add_nudge
from bot.errors import CommandError
from bot.parsing import InvalidAnswer, as_text, check_length
from bot.people import find_person
from bot.turn import Turn
from storage import research as queries
from storage.enums import AssignmentStatus, EnrollmentStatus, NudgeKind, Role
from storage.models import AssignmentMentor, Person, Program, ResearchAssignment
from storage.repository import Repository

TOPIC_LIMIT = 200
SUMMARY_LIMIT = 2000
LINK_LIMIT = 500
MAX_LINKS = 10
MAX_MENTORS = 2
FURTHEST_DUE = timedelta(days=183)
"""A due date at most about six months ahead."""
PROPOSED_DUE = timedelta(days=21)
"""The due date a proposed assignment's button carries: three weeks ahead."""
ID = re.compile(r"^#?(\d{1,9})$")
HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$", re.IGNORECASE)


def ref(assignment: ResearchAssignment) -> str:
    """How commands and buttons name an assignment (``#12``)."""
    return f"#{assignment.id}"


def day(value: date) -> str:
    """``Fri 15 Jan 2027``."""
    return formats.day(value)


def joined(names: Sequence[str]) -> str:
    """``Hana``, ``Hana and Zoe``, ``Ada, Hana and Zoe``."""
    return formats.listed(names)


async def people(turn: Turn, ids: Sequence[int]) -> list[Person]:
    """The people of ``ids`` still known, in that order."""
    found = [await turn.repo.person(person_id) for person_id in ids]
    return [p for p in found if p is not None]


async def names_of(repo: Repository, ids: list[int]) -> list[str]:
    """The names of the people ``ids`` (those not erased), in that order."""
    return [p.display_name for p in [await repo.person(i) for i in ids] if p is not None]


async def mentors(turn: Turn, assignment: ResearchAssignment) -> list[Person]:
    """The assignment's mentors."""
    return await people(turn, await queries.mentor_ids(turn.repo, assignment.id))


async def is_admin(turn: Turn, program_id: int) -> bool:
    """True when the person speaking runs the program."""
    return program_id in await turn.repo.admin_program_ids(turn.person.id)


async def find(turn: Turn, text: str) -> ResearchAssignment:
    """The assignment ``#ID`` (or ``ID``) of this tenant."""
    match = ID.match(text.strip())
    found = await queries.assignment(turn.repo, int(match.group(1))) if match else None
    if found is None:
        raise CommandError(_("I can't find research assignment {text}. `/mentoring research list` shows them.", text=text.strip()))
    return found


async def find_mine(turn: Turn, text: str | None, verb: str) -> ResearchAssignment:
    """The assignment ``text`` names, or else the one assignment under way the person speaking
    carries out (``verb`` says what for, when they must choose)."""
    if text:
        return await find(turn, text)
    mine = await queries.of_mentor(turn.repo, turn.person.id, live_only=True)
    if not mine:
        raise CommandError(_("You have no research assignment under way. Give its number, like #12."))
    if len(mine) > 1:
        listed = ", ".join(f"{ref(a)} ({a.topic})" for a in mine)
        raise CommandError(_("You have several research assignments: say which one to {verb}: {listed}.", verb=verb, listed=listed))
    return mine[0]


async def admin_of(turn: Turn, assignment: ResearchAssignment) -> Program:
    """The assignment's program, when the person speaking runs it (otherwise it is not found)."""
    program = await turn.repo.program(assignment.program_id)
    if program is None or not await is_admin(turn, program.id):
        raise CommandError(_("I can't find research assignment {assignment} among the programs you run.", assignment=ref(assignment)))
    return program


def live(assignment: ResearchAssignment) -> bool:
    """True while the assignment is under way (neither presented nor canceled)."""
    return assignment.status in queries.LIVE


# --- checks of what people type ---------------------------------------------------------------


def check_topic(topic: str) -> str:
    """A topic: some text, at most 200 characters, no double quotes (buttons quote it)."""
    text = " ".join(topic.split())
    if not text:
        raise InvalidAnswer(_("The topic is empty: name the tool or trend to study."))
    if len(text) > TOPIC_LIMIT:
        raise InvalidAnswer(_("The topic is {count} characters; the limit is {topic_limit}. Please shorten it.", count=len(text), topic_limit=TOPIC_LIMIT))
    if any(quote in text for quote in '"“”'):
        raise InvalidAnswer(_("A topic cannot contain double quotes."))
    return text


def check_due(day: date, today: date) -> date:
    """A due date ahead of today and at most six months away."""
    if day <= today:
        raise InvalidAnswer(_("The due date {day} is not ahead: pick a date after {today}.", day=day.isoformat(), today=today.isoformat()))
    if day > today + FURTHEST_DUE:
        raise InvalidAnswer(_("The due date {day} is more than six months ahead: pick one before {isoformat}.", day=day.isoformat(), isoformat=(today + FURTHEST_DUE).isoformat()))
    return day


def parse_summary(raw: Any) -> str:
    """The write-up's summary: required, at most 2000 characters."""
    text = check_length(as_text(raw), SUMMARY_LIMIT)
    if not text:
        raise InvalidAnswer(_("The summary needs a few sentences: what it is, why it matters, what to try first."))
    return text


def parse_links(raw: Any) -> list[str]:
    """Web links, one per line (or separated by spaces or ", "): http:// or https:// with a host,
    at most 10, each at most 500 characters. The first bad one is named."""
    items = [word.rstrip(",") for word in as_text(raw).split()]
    links = list(dict.fromkeys(item for item in items if item))
    for link in links:
        if len(link) > LINK_LIMIT:
            raise InvalidAnswer(_("The link '{value}…' is {count} characters; each may have {link_limit}.", value=link[:40], count=len(link), link_limit=LINK_LIMIT))
        parts = urlsplit(link)
        if parts.scheme.lower() not in ("http", "https") or not HOST.match(parts.hostname or ""):
            raise InvalidAnswer(_("'{value}' is not a web link: each link starts with http:// or https:// and names a site, " "like https://example.com/guide. Nothing was lost: send the links again.", value=link[:80]))
    if len(links) > MAX_LINKS:
        raise InvalidAnswer(_("That is {count} links; keep the {max_links} most useful.", count=len(links), max_links=MAX_LINKS))
    return links


# --- changes ----------------------------------------------------------------------------------


async def tell(turn: Turn, person_id: int, kind: NudgeKind, key: str, assignment: ResearchAssignment,
               payload: dict[str, Any] | None = None, session_id: int | None = None,
               expires_at: datetime | None = None) -> None:
    """Queue a message about ``assignment`` for someone, in their working hours."""
    person = await turn.repo.person(person_id)
    if person is None or person.erased_at is not None:
        return
    hours = await hours_of(turn.repo, person)
    await add_nudge(turn, person_id, kind, key, hours.next_working(turn.now), session_id=session_id,
                    assignment_id=assignment.id, payload=payload or {}, expires_at=expires_at)


async def resolve_mentors(turn: Turn, program: Program, names: Sequence[str]) -> list[Person]:
    """One or two people, each an active mentor of ``program``."""
    found: dict[int, Person] = {}
    for name in names:
        person = await find_person(turn, name)
        found.setdefault(person.id, person)
    if not 1 <= len(found) <= MAX_MENTORS:
        raise CommandError(_("A research assignment has one or two mentors; you named {count}.", count=len(found)))
    for person in found.values():
        enrollment = await turn.repo.enrollment(program.id, person.id)
        if enrollment is None:
            reason = _("not in the program")
        elif enrollment.role != Role.MENTOR:
            reason = _("a {role} there", role=word(enrollment.role))
        elif enrollment.status != EnrollmentStatus.ACTIVE:
            reason = enrollment.status
        else:
            continue
        raise CommandError(_("{person} is not an active mentor in {program} ({reason}): research assignments go to " "mentors.", person=person.display_name, program=program.name, reason=reason))
    return list(found.values())


async def assign(turn: Turn, program: Program, topic: str, chosen: Sequence[Person], due: date) -> ResearchAssignment:
    """Create the assignment and tell each mentor, in their working hours."""
    assignment = turn.repo.add(ResearchAssignment(
        program_id=program.id, topic=topic, due_on=due, links=[], audience={}, status=AssignmentStatus.ASSIGNED,
        created_at=turn.now, created_by_id=turn.person.id))
    await turn.repo.flush()
    for person in chosen:
        turn.repo.add(AssignmentMentor(assignment_id=assignment.id, person_id=person.id))
    await turn.repo.flush()
    for person in chosen:
        await tell(turn, person.id, NudgeKind.RESEARCH_ASSIGNED, f"research_assigned:{assignment.id}:{person.id}",
                   assignment)
    return assignment


async def store_writeup(turn: Turn, assignment: ResearchAssignment, summary: str, links: Sequence[str]) -> None:
    """Keep the write-up; resolve the overdue flag; tell the co-mentor and the admin who assigned it."""
    assignment.writeup, assignment.links, assignment.written_at = summary, list(links), turn.now
    if assignment.status == AssignmentStatus.ASSIGNED:
        assignment.status = AssignmentStatus.WRITTEN
    assignment.next_check_at = None
    await queries.resolve_flags(turn.repo, assignment.id, turn.now)
    told = {p for p in await queries.mentor_ids(turn.repo, assignment.id) if p != turn.person.id}
    if assignment.created_by_id is not None and assignment.created_by_id != turn.person.id:
        told.add(assignment.created_by_id)
    for person_id in sorted(told):
        await tell(turn, person_id, NudgeKind.RESEARCH_NEWS,
                   f"research_news:{assignment.id}:written:{turn.now:%Y%m%dT%H%M%S}:{person_id}", assignment,
                   {"event": "written", "by": turn.person.id})


async def set_due(turn: Turn, assignment: ResearchAssignment, due: date) -> None:
    """Move the due date: the overdue flag is resolved, the mentors are told, reminders start over."""
    assignment.due_on, assignment.next_check_at = due, None
    await queries.resolve_flags(turn.repo, assignment.id, turn.now)
    for person_id in await queries.mentor_ids(turn.repo, assignment.id):
        await tell(turn, person_id, NudgeKind.RESEARCH_NEWS,
                   f"research_news:{assignment.id}:due:{due:%Y%m%d}:{person_id}", assignment,
                   {"event": "due", "due_on": due.isoformat(), "by": turn.person.id})


async def cancel(turn: Turn, assignment: ResearchAssignment) -> None:
    """Call the assignment off: its flags are resolved and its mentors told."""
    assignment.status, assignment.next_check_at = AssignmentStatus.CANCELED, None
    await queries.resolve_flags(turn.repo, assignment.id, turn.now)
    for person_id in await queries.mentor_ids(turn.repo, assignment.id):
        await tell(turn, person_id, NudgeKind.RESEARCH_NEWS, f"research_news:{assignment.id}:canceled:{person_id}",
                   assignment, {"event": "canceled", "by": turn.person.id})


async def nudge_mentors(turn: Turn, assignment: ResearchAssignment) -> list[str]:
    """An admin's nudge to each mentor, now (in their working hours): who and when."""
    lines = []
    for person in await mentors(turn, assignment):
        hours = await hours_of(turn.repo, person)
        due = hours.next_working(turn.now)
        await add_nudge(turn, person.id, NudgeKind.RESEARCH_DUE,
                        f"research_nudge:{assignment.id}:{turn.now:%Y%m%dT%H%M%S}:{person.id}", due,
                        assignment_id=assignment.id, payload={"manual": True, "by": turn.person.id})
        moment = _("now") if due <= turn.now else _("at {when} their time (working hours)",
                                                    when=formats.weekday_time(hours.local(due)))
        lines.append(f"{person.display_name}: {moment}")
    return lines
