"""The admin's changes to a proposal (swap, drop, a pair by hand) and publishing it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from bot.i18n import N_, _
from bot.catalog import word
from bot.cadence.hours import WorkingHours, hours_of
from bot.cadence.slots import HORIZON, share_no_hours, shared_windows
from bot.cadence.outbox import add_nudge
from bot.cadence.rules import FIRST_ASK_DELAY
from bot.errors import CommandError
from bot.matching.cohort import Cohort, weights_of
from bot.matching.proposal import candidate, reporting_lines
from bot.matching.score import FitModel
from bot.turn import Turn
from storage import matching as queries
from storage.enums import EnrollmentStatus, NudgeKind, PairStatus, Role
from storage.models import Pair, Person, Program

FORCE_HINT = N_("Add `force` to pair them anyway.")


@dataclass(frozen=True)
class Judgement:
    """What matching thinks of a pair chosen by hand: its fit and reasons, or what is wrong."""

    fit: float | None
    reasons: list[str]
    problem: str | None


async def judge(turn: Turn, program: Program, mentor: Person, mentee: Person) -> Judgement:
    """Score a mentor and mentee the admin put together, with the same rules as a run."""
    lines = await reporting_lines(turn, [mentor, mentee])
    one = candidate(mentor, await turn.repo.profile(mentor.id), Role.MENTOR, lines[mentor.id])
    other = candidate(mentee, await turn.repo.profile(mentee.id), Role.MENTEE, lines[mentee.id])
    for person in (one, other):
        if person.missing():
            return Judgement(None, [_("paired by an admin")],
                             _("{person}'s profile is incomplete (no {items})", person=person.name, items=', no '.join(person.missing())))
    cohort = Cohort([one], [other], turn.today, await queries.past_pairs(turn.repo), program.allow_same_level,
                    weights_of(program.match_weights))
    model = FitModel(cohort)
    return Judgement(model.fit(0, 0), model.reasons(0, 0), model.broken_rule(0, 0))


async def enrolled_as(turn: Turn, program: Program, person: Person, role: str) -> None:
    """Refuse unless the person takes part in the program, onboarded, in ``role``."""
    enrollment = await turn.repo.enrollment(program.id, person.id)
    if enrollment is None or enrollment.status not in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED):
        raise CommandError(_("{person} is not in {program}.", person=person.display_name, program=program.name))
    if enrollment.role != role:
        raise CommandError(_("{person} is a {value} in {program}, not a {role}.", person=person.display_name, value=word(enrollment.role) if enrollment.role else _('participant without a role'), program=program.name, role=word(role)))
    if enrollment.onboarded_at is None:
        raise CommandError(_("{person} has not finished onboarding yet.", person=person.display_name))


async def pair_by_hand(turn: Turn, program: Program, mentor: Person, mentee: Person, force: bool) -> Pair:
    """Add a proposed pair the admin chose; refused when a rule forbids it, unless ``force``."""
    await turn.repo.lock_program(program.id)
    await enrolled_as(turn, program, mentor, Role.MENTOR)
    await enrolled_as(turn, program, mentee, Role.MENTEE)
    holding = await queries.holding_pairs(turn.repo, program.id)
    taken = next((p for p in holding if p.mentee_id == mentee.id), None)
    if taken is not None:
        if taken.status == PairStatus.PROPOSED:
            raise CommandError(_("{mentee} is already in a proposed pair (#{id}); drop or rematch it first.",
                                 mentee=mentee.display_name, id=taken.id))
        raise CommandError(_("{mentee} is already in a running pair (#{id}); drop or rematch it first.",
                             mentee=mentee.display_name, id=taken.id))
    load = sum(1 for p in holding if p.mentor_id == mentor.id)
    problems = [_("{mentor} already has {load} of {capacity} places taken", mentor=mentor.display_name, load=load, capacity=program.capacity)] \
        if load >= program.capacity else []
    verdict = await judge(turn, program, mentor, mentee)
    problems += [verdict.problem] if verdict.problem else []
    if problems and not force:
        raise CommandError(_("Not paired: {items}. {force_hint}", items='; '.join(problems), force_hint=_(FORCE_HINT)))
    by_admin = _("paired by an admin")
    reasons = verdict.reasons if not problems else [by_admin, *(r for r in verdict.reasons if r != by_admin)][:3]
    return turn.repo.add(Pair(program_id=program.id, mentor_id=mentor.id, mentee_id=mentee.id,
                              status=PairStatus.PROPOSED, fit_score=verdict.fit, reasons=reasons,
                              proposed_at=turn.now))


async def proposal_of(turn: Turn, program: Program, person: Person) -> Pair:
    """The proposed pair a person is in (a mentor with several must be named by #ID)."""
    found = [p for p in await queries.proposals(turn.repo, program.id) if person.id in (p.mentor_id, p.mentee_id)]
    if not found:
        raise CommandError(_("{person} is in no proposed pair of {program}.", person=person.display_name, program=program.name))
    if len(found) > 1:
        ids = ", ".join(f"#{p.id}" for p in found)
        raise CommandError(_("{person} is in several proposed pairs ({ids}): name their mentee instead.", person=person.display_name, ids=ids))
    return found[0]


async def swap(turn: Turn, program: Program, first: Pair, second: Pair, force: bool) -> tuple[Pair, Pair]:
    """Give two proposed pairs each other's mentor; refused when a rule forbids it, unless ``force``."""
    if first.id == second.id or first.mentor_id == second.mentor_id:
        raise CommandError(_("Those two have the same mentor: nothing to swap."))
    people = {pid: await turn.repo.person(pid) for pid in (first.mentor_id, first.mentee_id,
                                                            second.mentor_id, second.mentee_id)}
    verdicts = []
    for pair, mentor_id in ((first, second.mentor_id), (second, first.mentor_id)):
        mentor, mentee = people[mentor_id], people[pair.mentee_id]
        assert mentor is not None and mentee is not None
        verdicts.append(await judge(turn, program, mentor, mentee))
    problems = [v.problem for v in verdicts if v.problem]
    if problems and not force:
        raise CommandError(_("Not swapped: {items}. {force_hint}", items='; '.join(problems), force_hint=_(FORCE_HINT)))
    first.mentor_id, second.mentor_id = second.mentor_id, first.mentor_id
    for pair, verdict in zip((first, second), verdicts, strict=True):
        pair.fit_score, pair.reasons = verdict.fit, verdict.reasons if not verdict.problem else \
            [_("swapped by an admin"), *verdict.reasons[:2]]
    return first, second


async def publish(turn: Turn, program: Program) -> tuple[list[Pair], list[str], list[Pair]]:
    """Make the proposed pairs real and introduce each; proposals that no longer hold are dropped.

    Returns the published pairs, for each dropped proposal why, and the published pairs whose
    two people share no working hours (each was introduced at the start of their own day).
    """
    await turn.repo.lock_program(program.id)
    published, dropped, apart = [], [], []
    for pair in await queries.proposals(turn.repo, program.id):
        problem = await _still_valid(turn, program, pair)
        if problem:
            dropped.append(problem)
            await turn.repo.session.delete(pair)
            continue
        # The introduction offers to schedule: the cadence's own ask comes a day later.
        pair.status, pair.started_at = PairStatus.ACTIVE, turn.now
        pair.next_check_at = turn.now + FIRST_ASK_DELAY
        if not await introduce(turn, pair):
            apart.append(pair)
        published.append(pair)
    return published, dropped, apart


async def _still_valid(turn: Turn, program: Program, pair: Pair) -> str | None:
    """Why a proposal can no longer be published (someone left or paused), or None."""
    for person_id in (pair.mentor_id, pair.mentee_id):
        person = await turn.repo.person(person_id)
        enrollment = await turn.repo.enrollment(program.id, person_id)
        if person is None or person.erased_at is not None or enrollment is None \
                or enrollment.status != EnrollmentStatus.ACTIVE:
            name = person.display_name if person is not None and person.erased_at is None else "someone"
            return _("#{id}: {name} is no longer active in {program}", id=pair.id, name=name, program=program.name)
    return None


async def introduce(turn: Turn, pair: Pair) -> bool:
    """Queue the introduction of a new pair (rule 4 of docs/cadence.md): one message to both, at
    the first moment both are in working hours; when their hours never meet, one to each at the
    start of their own working day. True when they share working hours."""
    hours = {person_id: await _hours(turn, person_id) for person_id in (pair.mentee_id, pair.mentor_id)}
    known = [h for h in hours.values() if h is not None]
    windows = shared_windows(known, turn.now, turn.now + HORIZON)
    if windows:
        await add_nudge(turn, pair.mentee_id, NudgeKind.INTRO, f"intro:{pair.id}", windows[0][0], pair_id=pair.id,
                        payload={"together": [pair.mentor_id]})
        return True
    for person_id, theirs in hours.items():
        if theirs is not None:
            await add_nudge(turn, person_id, NudgeKind.INTRO, f"intro:{pair.id}:{person_id}",
                            theirs.next_working(turn.now), pair_id=pair.id)
    return False


async def share_hours(turn: Turn, pair: Pair) -> bool:
    """True when the pair's two people are both at work at some moment of the coming two weeks."""
    hours = [h for person_id in (pair.mentee_id, pair.mentor_id) if (h := await _hours(turn, person_id)) is not None]
    return not share_no_hours(hours, turn.now)


async def _hours(turn: Turn, person_id: int) -> WorkingHours | None:
    person = await turn.repo.person(person_id)
    return await hours_of(turn.repo, person) if person is not None and person.erased_at is None else None


async def pair_names(turn: Turn, pairs: Sequence[Pair]) -> dict[int, str]:
    """Display names of everyone in ``pairs``."""
    ids = sorted({pid for pair in pairs for pid in (pair.mentor_id, pair.mentee_id)})
    names: dict[int, str] = {}
    for start in range(0, len(ids), 5000):
        rows = await turn.repo.session.execute(select(Person.id, Person.display_name).where(
            Person.tenant_id == turn.repo.tenant_id, Person.id.in_(ids[start:start + 5000])))
        names.update({pid: name for pid, name in rows.all()})
    return names
