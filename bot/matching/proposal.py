"""A matching run on a program's data, the admin's review of it, and publishing.

A run proposes pairs (status ``proposed``): nothing reaches participants until an admin
publishes. A new full run replaces the previous proposal; a rematch proposes for one mentee
and leaves the rest alone. Running pairs are never touched, so late joiners are matched
around them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import time
from typing import Protocol

from sqlalchemy import insert

from bot.i18n import _
from bot.matching.cohort import Candidate, Cohort, weights_of
from bot.matching.explain import incomplete, unmatched_mentee
from bot.matching.score import FitModel
from bot.matching.solve import assign
from bot.turn import Turn
from storage import matching as queries
from storage.enums import PairStatus, Role
from storage.models import Pair, Program
from storage.names import name_key

MAX_CHAIN = 30  # managers followed up a reporting line (and a guard against loops)


@dataclass
class MatchRun:
    """What a run proposed and what it could not do."""

    program: Program
    pairs: list[Pair] = field(default_factory=list)
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # mentee name, why
    idle_mentors: list[tuple[str, str]] = field(default_factory=list)  # mentor name, why
    loads: list[tuple[str, int, int]] = field(default_factory=list)  # mentor name, mentees, capacity
    mentees: int = 0
    places: int = 0

    @property
    def mean_fit(self) -> float:
        """The average fit of the proposed pairs (0 when there are none)."""
        return sum(p.fit_score or 0 for p in self.pairs) / len(self.pairs) if self.pairs else 0.0


class PersonFacts(Protocol):
    """What matching reads of a person (a :class:`Person`, or a row with these columns)."""

    id: int
    display_name: str
    platform_timezone: str | None


class ProfileFacts(Protocol):
    """What matching reads of a profile (a :class:`Profile`, or a row with these columns)."""

    level: int | None
    skills_offered: list[str]
    topics_wanted: list[str]
    topics_free_text: str | None
    style: str | None
    formats: list[str]
    location: str | None
    timezone: str | None
    work_start: time | None
    work_end: time | None
    languages: list[str]


def candidate(person: PersonFacts, profile: ProfileFacts | None, role: str, line: frozenset[int], capacity: int = 1,
              load: int = 0) -> Candidate:
    """A participant as matching sees them (a mentor's topics are what they teach)."""
    if profile is None:
        return Candidate(person.id, person.display_name, capacity=capacity, load=load, line=line)
    return Candidate(
        person_id=person.id, name=person.display_name, level=profile.level,
        topics=frozenset(profile.skills_offered if role == Role.MENTOR else profile.topics_wanted),
        free_text=profile.topics_free_text or "", style=profile.style, formats=frozenset(profile.formats),
        location=profile.location, timezone=profile.timezone or person.platform_timezone,
        work_start=profile.work_start, work_end=profile.work_end, languages=frozenset(profile.languages),
        line=line, capacity=capacity, load=load,
    )


async def reporting_lines(turn: Turn, people: Sequence[PersonFacts]) -> dict[int, frozenset[int]]:
    """Each of ``people``'s managers up the chain, across the whole organisation (a manager who
    is paused, still onboarding, in no program or an admin breaks no chain): the manager from
    the HR data or chosen in the profile, else a manager typed by name when exactly one person
    the bot knows has that name (compared by key: any case, with or without accents)."""
    managers = await queries.managers(turn.repo)
    keys = await turn.repo.name_keys()
    names = Counter(key for _, key in keys)
    by_name = {key: person_id for person_id, key in keys if names[key] == 1}

    def boss_of(person_id: int) -> int | None:
        manager_id, name = managers.get(person_id, (None, None))
        return manager_id if manager_id is not None else by_name.get(name_key(name or ""))

    lines = {}
    for person in people:
        chain: list[int] = []
        boss = boss_of(person.id)
        while boss is not None and boss not in chain and boss != person.id and len(chain) < MAX_CHAIN:
            chain.append(boss)
            boss = boss_of(boss)
        lines[person.id] = frozenset(chain)
    return lines


async def build_cohort(turn: Turn, program: Program, mentee_ids: Sequence[int] | None = None
                       ) -> tuple[Cohort, list[Candidate], list[Candidate]]:
    """The program's cohort: mentors (full ones too) and unpaired mentees with complete
    profiles; then the mentors and mentees whose profile is incomplete."""
    rows = await queries.participants(turn.repo, program.id, turn.today)
    holding = await queries.holding_pairs(turn.repo, program.id)
    paired = {pair.mentee_id for pair in holding}
    load = Counter(pair.mentor_id for pair in holding)
    lines = await reporting_lines(turn, rows)
    mentors, mentees = [], []
    for row in rows:
        person, profile = row, (row if row.profile_id is not None else None)
        if row.role == Role.MENTOR:
            mentors.append(candidate(person, profile, Role.MENTOR, lines[person.id],
                                     max(program.capacity - load[person.id], 0), load[person.id]))
        elif person.id not in paired and (mentee_ids is None or person.id in mentee_ids):
            mentees.append(candidate(person, profile, Role.MENTEE, lines[person.id]))
    cohort = Cohort(mentors, mentees, turn.today, await queries.past_pairs(turn.repo), program.allow_same_level,
                    weights_of(program.match_weights))
    return (cohort.complete(), [m for m in mentors if m.missing()], [m for m in mentees if m.missing()])


async def propose(turn: Turn, program: Program, mentee_ids: Sequence[int] | None = None) -> MatchRun:
    """Propose pairs for the program's unpaired mentees (or only ``mentee_ids``) and store them."""
    await turn.repo.lock_program(program.id)
    await queries.drop_proposals(turn.repo, program.id, mentee_ids)
    cohort, idle_incomplete, unmatched_incomplete = await build_cohort(turn, program, mentee_ids)
    model = FitModel(cohort)
    result = assign(model)
    run = MatchRun(program, mentees=len(cohort.mentees) + len(unmatched_incomplete),
                   places=sum(m.capacity for m in cohort.mentors))
    matched = sorted(result.mentor_of.items(), key=lambda item: -result.fit_of[item[0]])
    rows = [{"tenant_id": turn.repo.tenant_id, "program_id": program.id, "mentor_id": cohort.mentors[j].person_id,
             "mentee_id": cohort.mentees[i].person_id, "status": PairStatus.PROPOSED, "fit_score": result.fit_of[i],
             "reasons": reasons, "proposed_at": turn.now}
            for (i, j), reasons in zip(matched, model.reasons_for(matched), strict=True)]
    # One multi-row INSERT per thousand pairs (a run may propose ten thousand).
    for start in range(0, len(rows), 1000):
        run.pairs += list(await turn.repo.session.scalars(insert(Pair).returning(Pair), rows[start:start + 1000]))
    taken = Counter(result.mentor_of.values())
    places = [m.capacity - taken[j] for j, m in enumerate(cohort.mentors)]
    run.unmatched = [(m.name, unmatched_mentee(model, i, places)) for i, m in enumerate(cohort.mentees)
                     if i not in result.mentor_of]
    run.unmatched += [(m.name, incomplete(m)) for m in unmatched_incomplete]
    _summarise_mentors(run, cohort, result.mentor_of, idle_incomplete, program.capacity)
    await turn.repo.flush()
    return run


def _summarise_mentors(run: MatchRun, cohort: Cohort, mentor_of: dict[int, int], idle_incomplete: list[Candidate],
                       capacity: int) -> None:
    new = Counter(mentor_of.values())
    for j, mentor in enumerate(cohort.mentors):
        load = mentor.load + new[j]
        run.loads.append((mentor.name, load, capacity))
        if load == 0:
            run.idle_mentors.append((mentor.name, _("no mentee left who suits them")))
    run.idle_mentors += [(m.name, incomplete(m)) for m in idle_incomplete]
    run.loads.sort(key=lambda item: (-item[1], item[0]))


async def unmatched_now(turn: Turn, program: Program) -> list[tuple[str, str]]:
    """Mentees with neither a pair nor a proposal, and why (places taken by proposals count)."""
    cohort, _idle, incompletes = await build_cohort(turn, program)
    model = FitModel(cohort)
    found = [(m.name, unmatched_mentee(model, i)) for i, m in enumerate(cohort.mentees)]
    return found + [(m.name, incomplete(m)) for m in incompletes]
