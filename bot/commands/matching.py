"""Matching commands: run a proposal, review and change it, publish it, rematch a pair."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING

from bot.i18n import N_, _, ngettext
from bot.cadence.hours import hours_of
from bot.cadence.outbox import add_nudge
from bot.commands.command_call import CommandCall
from bot.errors import CommandError
from bot.matching.cohort import DEFAULT_WEIGHTS, WEIGHT_NAMES
from bot.messages import Button, ButtonStyle, Message, say
from bot.pairs import sessions as ops
from bot.pairs.commands import my_pair
from bot.pairs.finding import find_pair
from bot.pairs.flags import raise_flag
from bot.people import find_person
from bot.programs import target_program
from bot.turn import Turn
from storage import matching as queries
from storage.enums import FlagKind, NudgeKind, PairStatus

if TYPE_CHECKING:
    from bot.matching import proposal
from storage.models import Flag, Pair, Program

log = logging.getLogger(__name__)


def _review() -> ModuleType:
    """:mod:`bot.matching.review`, imported on the first matching command: matching brings numpy,
    SciPy and OR-Tools (tens of MB that a process which never matches need not hold)."""
    from bot.matching import review

    return review


def _proposal() -> ModuleType:
    """:mod:`bot.matching.proposal`, imported on first use (see :func:`_review`)."""
    from bot.matching import proposal

    return proposal

SHOWN = 25  # pairs or people listed in one message; the rest are counted
REVIEW_HINT = (N_("Review with `/mentoring match show`; change it with `/mentoring match swap MENTEE1 MENTEE2`, "
               "`/mentoring match drop NAME` or `/mentoring pair MENTOR MENTEE`; then `/mentoring match publish`."))


def _percent(fit: float | None) -> str:
    return "fit unknown" if fit is None else f"fit {round(fit * 100)}%"


def _listed(lines: Sequence[str], noun: str = "") -> str:
    shown = [f"- {line}" for line in lines[:SHOWN]]
    if len(lines) > SHOWN:
        shown.append(_("- … and {n} more", n=len(lines) - SHOWN))
    return "\n".join(shown)


def _review_buttons(program: Program) -> list[Button]:
    scope = f'program="{program.name}"'
    return [Button.for_command(_("Publish"), f"match publish {scope}", ButtonStyle.PRIMARY),
            Button.for_command(_("Show the pairs"), f"match show {scope}")]


async def _pair_lines(turn: Turn, pairs: Sequence[Pair]) -> list[str]:
    """One line per pair for the first :data:`SHOWN` pairs, then one placeholder per pair not shown
    (only counted by :func:`_listed`), so that a proposal of 10,000 pairs loads 25 pairs' names."""
    shown = pairs[:SHOWN]
    names = await _review().pair_names(turn, shown)
    return [f"#{p.id} {names.get(p.mentor_id, '?')} → {names.get(p.mentee_id, '?')} ({_percent(p.fit_score)}): "
            + "; ".join(p.reasons) for p in shown] + [""] * (len(pairs) - len(shown))


def _summary(run: proposal.MatchRun) -> str:
    matched = len(run.pairs)
    lines = [_("*Proposal for {program}* (nothing is published yet)", program=run.program.name),
             ngettext("Matched {matched} of {n} mentee waiting for a mentor",
                      "Matched {matched} of {n} mentees waiting for a mentor", run.mentees, matched=matched)
             + (_(", average {mean_fit}.", mean_fit=_percent(run.mean_fit)) if matched else ".")]
    if run.mentees > run.places:
        lines.append(_("There are more mentees than places ({mentees} for {places}): recruit mentors or raise the " "capacity (`/mentoring program set capacity=4`).", mentees=run.mentees, places=run.places))
    if run.loads:
        loads = ", ".join(f"{name} {load}/{capacity}" for name, load, capacity in run.loads[:SHOWN])
        more = _(" and {value} more", value=len(run.loads) - SHOWN) if len(run.loads) > SHOWN else ""
        lines.append(_("Mentor load: {loads}{more}.", loads=loads, more=more))
    if run.unmatched:
        lines.append(_("Unmatched mentees:\n") + _listed([f"{n}: {why}" for n, why in run.unmatched], "mentees"))
    if run.idle_mentors:
        lines.append(_("Mentors without a mentee:\n") + _listed([f"{n}: {why}" for n, why in run.idle_mentors],
                                                             "mentors"))
    return "\n".join(lines)


async def match(call: CommandCall) -> Sequence[Message]:
    """``match``: propose pairs for every onboarded mentee without one; nothing is published."""
    program = _program(call)
    run = await _proposal().propose(call.turn, program)
    if run.mentees == 0:
        return [say(_("Nobody to match in {program}: every mentee who finished onboarding has a pair (or none " "has finished onboarding yet).", program=program.name))]
    text = _summary(run)
    if run.pairs:
        text += "\n\n" + _listed(await _pair_lines(call.turn, run.pairs), "pairs") + "\n\n" + _(REVIEW_HINT)
        return [say(text, *_review_buttons(program))]
    return [say(text)]


async def show(call: CommandCall) -> Sequence[Message]:
    """``match show``: the proposed pairs with their fit and reasons, and who is left unmatched."""
    program = _program(call)
    pairs = await queries.proposals(call.turn.repo, program.id)
    unmatched = await _proposal().unmatched_now(call.turn, program)
    if not pairs and not unmatched:
        return [say(_("No proposal in {program}. Run `/mentoring match` to make one.", program=program.name))]
    parts = [ngettext("*Proposal for {program}*: {n} pair not yet published.",
                      "*Proposal for {program}*: {n} pairs not yet published.", len(pairs), program=program.name)]
    if pairs:
        parts.append(_listed(await _pair_lines(call.turn, pairs), "pairs"))
    if unmatched:
        parts.append(_("Unmatched mentees:\n") + _listed([f"{n}: {why}" for n, why in unmatched], "mentees"))
    parts.append(_(REVIEW_HINT))
    return [say("\n\n".join(parts), *(_review_buttons(program) if pairs else []))]


async def publish(call: CommandCall) -> Sequence[Message]:
    """``match publish``: the proposed pairs become real and each gets its introduction."""
    program = _program(call)
    published, dropped, apart = await _review().publish(call.turn, program)
    if not published and not dropped:
        return [say(_("Nothing to publish in {program}: run `/mentoring match` first.", program=program.name))]
    text = ngettext("Published {n} pair in {program}. I am introducing each pair to each other now (in their working "
                    "hours), with a button to schedule their first session.",
                    "Published {n} pairs in {program}. I am introducing each pair to each other now (in their working "
                    "hours), with a button to schedule their first session.", len(published), program=program.name)
    if apart:
        text += "\n" + _("These share no working hours, so each gets the introduction at the start of their own "
                         "working day, and finding a time will be hard:") + "\n" + _listed(await _pair_lines(call.turn, apart), "pairs")
    if dropped:
        text += _("\nNot published:\n") + _listed(dropped, "pairs")
    return [say(text)]


async def swap(call: CommandCall) -> Sequence[Message]:
    """``match swap A B``: two proposed pairs exchange mentors."""
    program, turn = _program(call), call.turn
    first = await _review().proposal_of(turn, program, await find_person(turn, call.args["first"]))
    second = await _review().proposal_of(turn, program, await find_person(turn, call.args["second"]))
    await _review().swap(turn, program, first, second, bool(call.args.get("force")))
    return [say(_("Swapped. Now:\n") + _listed(await _pair_lines(turn, [first, second]), "pairs"),
                *_review_buttons(program))]


async def drop(call: CommandCall) -> Sequence[Message]:
    """``match drop NAME``: take a proposed pair out of the proposal."""
    program, turn = _program(call), call.turn
    pair = await _review().proposal_of(turn, program, await find_person(turn, call.args["name"]))
    names = await _review().pair_names(turn, [pair])
    await turn.repo.session.delete(pair)
    return [say(_("Dropped #{id} {names} → {names2} from the proposal. Both stay unmatched until the next " "`/mentoring match` or a pair by hand.", id=pair.id, names=names.get(pair.mentor_id, '?'), names2=names.get(pair.mentee_id, '?')))]


async def pair_by_hand(call: CommandCall) -> Sequence[Message]:
    """``pair MENTOR MENTEE``: propose a pair the admin chose (published with the others)."""
    program, turn = _program(call), call.turn
    mentor = await find_person(turn, call.args["mentor"])
    mentee = await find_person(turn, call.args["mentee"])
    pair = await _review().pair_by_hand(turn, program, mentor, mentee, bool(call.args.get("force")))
    await turn.repo.flush()
    line = (await _pair_lines(turn, [pair]))[0]
    apart = "" if await _review().share_hours(turn, pair) else "\n" + _(
        "{mentor} and {mentee} share no working hours: each will get the introduction at the start of their own "
        "working day, and they will have to meet outside someone's hours.",
        mentor=mentor.display_name, mentee=mentee.display_name)
    return [say(_("Added to the proposal: {line}{apart}\nPublish it with `/mentoring match publish`.", line=line,
                  apart=apart),
                *_review_buttons(program))]


async def weights(call: CommandCall) -> Sequence[Message]:
    """``match weights topics=6 hours=2 ...``: how much each part of the fit counts (0 to 10)."""
    program = _program(call)
    changes = {name: call.args[name] for name in WEIGHT_NAMES if name in call.args}
    current = {**DEFAULT_WEIGHTS, **program.match_weights, **changes}
    if not any(current.values()):
        raise CommandError(_("At least one weight must be above 0."))
    if changes:
        program.match_weights = {name: current[name] for name in WEIGHT_NAMES}
    shown = ", ".join(f"{name}={current[name]}" for name in WEIGHT_NAMES)
    lead = _("Weights now") if changes else _("Weights")
    return [say(_("{lead} for {program}: {shown} (defaults: ", lead=lead, program=program.name, shown=shown)
                + ", ".join(f"{n}={v}" for n, v in DEFAULT_WEIGHTS.items()) + _("). The next `/mentoring match` uses them."))]


async def rematch(call: CommandCall) -> Sequence[Message]:
    """``rematch NAME``: an admin ends a pair and gets a new proposal; a participant asks the admins."""
    turn = call.turn
    name = call.args.get("name")
    if name or call.args.get("program"):
        program = await target_program(turn, call.args.get("program"))
        if program.id in await turn.repo.admin_program_ids(turn.person.id):
            return await _admin_rematch(call, program)
        if name:
            # Answered, not raised: a raised error would roll back the audit entry with the rest.
            turn.audit("rematch", False, program.id, name=name)
            log.warning("person %s may not rematch someone else", turn.person.id)
            return [say(_("Only program admins can end someone's pair. To ask for a new partner for yourself, "
                        "send `/mentoring rematch` with `reason=\"...\"` (only the admins see it)."))]
    return await _request_rematch(call)


async def _admin_rematch(call: CommandCall, program: Program) -> Sequence[Message]:
    turn = call.turn
    if not call.args.get("name"):
        raise CommandError(_("Whose pair? `/mentoring rematch NAME reason=\"...\"` (a participant's name or #PAIR)."))
    pair = await find_pair(turn, program, call.args["name"])
    names = await _review().pair_names(turn, [pair])
    reason = call.args.get("reason") or "rematch requested by an admin"
    pair.status, pair.ended_at, pair.end_reason = PairStatus.ENDED, turn.now, reason
    await ops.resolve_flags(turn, pair)
    await _tell_ended(turn, pair)
    turn.audit("rematch", True, program.id, pair_id=pair.id, reason=reason)
    run = await _proposal().propose(turn, program, mentee_ids=[pair.mentee_id])
    ended = _("Ended {names} & {names2} (both are told, not why).", names=names.get(pair.mentor_id, '?'), names2=names.get(pair.mentee_id, '?'))
    if run.pairs:
        line = (await _pair_lines(turn, run.pairs))[0]
        return [say(_("{ended}\nProposed instead: {line}\nPublish it with `/mentoring match publish`.", ended=ended, line=line),
                    *_review_buttons(program))]
    why = run.unmatched[0][1] if run.unmatched else _("no suitable mentor")
    return [say(_("{ended}\nNo new mentor for {names} yet: {why}.", ended=ended, names=names.get(pair.mentee_id, '?'), why=why))]


async def _tell_ended(turn: Turn, pair: Pair) -> None:
    for person_id in (pair.mentor_id, pair.mentee_id):
        person = await turn.repo.person(person_id)
        if person is None or person.erased_at is not None:
            continue
        hours = await hours_of(turn.repo, person)
        await add_nudge(turn, person_id, NudgeKind.PAIR_ENDED, f"ended:{pair.id}:{person_id}",
                            hours.next_working(turn.now), pair_id=pair.id)


async def _request_rematch(call: CommandCall) -> Sequence[Message]:
    """A participant asks, privately, for a new partner: the program admins get a flag."""
    turn = call.turn
    pair, partner = await my_pair(turn, call.args.get("with"))
    reason = call.args.get("reason") or ""
    waiting = await turn.repo.one_or_none(turn.repo.scoped(Flag).where(
        Flag.pair_id == pair.id, Flag.person_id == turn.person.id, Flag.kind == FlagKind.REMATCH_REQUESTED,
        Flag.resolved_at.is_(None)).limit(1))
    if waiting is not None:
        return [say(_("You already asked; the program admins have your request. They will get back to you."))]
    await raise_flag(turn, pair, FlagKind.REMATCH_REQUESTED,
                     f"rematch:{pair.id}:{turn.person.id}:{turn.now:%Y%m%dT%H%M%S}", reason=reason)
    turn.audit("rematch.request", True, pair.program_id, pair_id=pair.id)
    return [say(_("I passed your request for a new partner to the program admins, privately: {partner} is " "not told. Until they decide, your pair goes on as before.", partner=partner.display_name))]


def _program(call: CommandCall) -> Program:
    assert call.program is not None
    return call.program

