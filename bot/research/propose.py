"""Proposing research assignments from what the program's mentees want to learn most.

Topics are counted over the profiles of actively enrolled mentees (each mentee once per
topic, case-insensitive); topics with an assignment under way are left out. Each proposed
topic gets a mentor: an active mentor who offers it as a skill, else any active mentor,
the one with the fewest assignments under way first (counting the ones proposed here, so
that three topics do not all land on one person).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.catalog import topic_label
from bot.i18n import _, ngettext
from bot.cadence.when_and_where import local_today
from bot.messages import Button, ButtonStyle, Message, say, short
from bot.people import reference_to
from bot.research.assignments import PROPOSED_DUE
from bot.turn import Turn
from storage import research as queries
from storage.enums import Role
from storage.matching import active_on_side
from storage.models import Person, Profile, Program

SHOWN = 3


@dataclass(frozen=True)
class Proposal:
    """A topic mentees want, how many, and who could study it."""

    topic: str
    wanted_by: int
    mentor: Person | None = None
    offers: bool = False
    load: int = 0


def wanted(profiles: list[Profile | None], listed: list[str]) -> tuple[Counter[str], dict[str, str]]:
    """How many mentees want each topic (lower case), and each topic as written: as on the
    program's topic list, else as most mentees wrote it."""
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for profile in profiles:
        mine: dict[str, str] = {}
        for raw in (profile.topics_wanted or []) if profile is not None else []:
            topic = " ".join(str(raw).split()).replace('"', "'")
            if topic:
                mine.setdefault(topic.lower(), topic)
        for key, topic in mine.items():
            counts[key] += 1
            spellings.setdefault(key, Counter())[topic] += 1
    official = {" ".join(t.split()).lower(): t for t in listed}
    spelled = {key: official.get(key) or max(sorted(found), key=lambda t: found[t])
               for key, found in spellings.items()}
    return counts, spelled


async def proposals(turn: Turn, program: Program) -> tuple[list[Proposal], bool]:
    """The topics most wanted and not assigned yet, each with a mentor; True when any topic is
    wanted at all."""
    mentees = await active_on_side(turn.repo, program.id, Role.MENTEE)
    counts, spelled = wanted([profile for _person, profile in mentees], program.topics or [])
    taken = await queries.live_topics(turn.repo, program.id)
    open_topics = sorted((key for key in counts if key not in taken), key=lambda k: (-counts[k], k))[:SHOWN]
    mentors = await active_on_side(turn.repo, program.id, Role.MENTOR)
    load = await queries.live_load(turn.repo, program.id)
    found = []
    for key in open_topics:
        offering = [p for p, profile in mentors
                    if profile is not None and key in {s.strip().lower() for s in profile.skills_offered or []}]
        pool = offering or [p for p, _profile in mentors]
        mentor = min(pool, key=lambda p: (load.get(p.id, 0), p.display_name.lower(), p.id), default=None)
        if mentor is not None:
            found.append(Proposal(spelled[key], counts[key], mentor, bool(offering), load.get(mentor.id, 0)))
            load[mentor.id] = load.get(mentor.id, 0) + 1
        else:
            found.append(Proposal(spelled[key], counts[key]))
    return found, bool(counts)


def _line(number: int, proposal: Proposal) -> str:
    lead = ngettext("{number}. *{topic}*: wanted by {n} mentee.", "{number}. *{topic}*: wanted by {n} mentees.",
                    proposal.wanted_by, number=number, topic=proposal.topic)
    mentor = proposal.mentor
    if mentor is None:
        return _("{lead} No active mentor to propose yet.", lead=lead)
    under_way = ngettext("{n} assignment under way", "{n} assignments under way", proposal.load)
    if proposal.offers:
        return _("{lead} Proposed mentor: {mentor} (offers it as a skill; {under_way}).", lead=lead, mentor=mentor.display_name, under_way=under_way)
    return (_("{lead} Proposed mentor: {mentor} (no active mentor offers it as a skill, so the one with " "the fewest assignments: {under_way}).", lead=lead, mentor=mentor.display_name, under_way=under_way))


async def propose_message(turn: Turn, program: Program) -> Message:
    """The proposals with an "Assign" button each (due in three weeks)."""
    found, anything = await proposals(turn, program)
    if not found:
        why = (_("every topic they want already has a research assignment under way") if anything
               else _("no active mentee has listed topics they want to learn yet"))
        return say(_("Nothing to propose in {program}: {why}. You can assign any topic yourself: `/mentoring " 'research assign "Copilot in Excel" mentors=Zoe due=YYYY-MM-DD`.', program=program.name, why=why))
    due = (await local_today(turn) + PROPOSED_DUE).isoformat()
    buttons = [Button.for_command(short(_("Assign: {topic}", topic=topic_label(p.topic)), 75),
                                  f'research assign "{p.topic}" mentors={reference_to(p.mentor)} due={due} '
                                  f'program="{program.name}"', ButtonStyle.PRIMARY if i == 0 else ButtonStyle.DEFAULT)
               for i, p in enumerate(found) if p.mentor is not None]
    lines = [_line(i, p) for i, p in enumerate(found, start=1)]
    return say(_("What mentees in {program} want to learn most, with no research assignment yet:\n", program=program.name)
               + "\n".join(lines) + _("\nEach button assigns the topic, due in three weeks ({due}).", due=due), *buttons)
