"""Participant commands about progress: goals, check-ins, private notes, the pulse, the fit
question and the end-of-cycle evaluation; and the admin's "send the evaluation now"."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.i18n import N_, _
from bot.i18n import formats
from bot.commands.arguments import PARTNER, PROGRAM_OPTION
from bot.commands.command_call import CommandCall
from bot.commands.grammar import Arg, ArgKind, CommandSpec
from bot.errors import CommandError
from bot.messages import Message, say
from bot.pairs.commands import my_pair
from bot.progress.checkin import start_checkin
from bot.progress.common import PairView, pair_view
from bot.progress.evaluation import start_evaluation
from bot.progress.fit_question import record_fit
from bot.progress.goals import goals_message, start_goals
from bot.progress.periodic import queue_evaluations
from bot.progress.pulse import period_of, start_pulse
from bot.ratings import HIGH as RATING_HIGH
from bot.ratings import LOW as RATING_LOW
from bot.turn import Turn
from storage import progress as queries
from storage.enums import SessionStatus
from storage.models import CheckIn, MentoringSession

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
NOTES_SHOWN = 10


async def _view(turn: Turn, partner: str | None) -> PairView:
    pair, _partner = await my_pair(turn, partner)
    view = await pair_view(turn, pair.id)
    if view is None:
        raise CommandError(_("That pair is not running any more."))
    return view


async def goals(call: CommandCall) -> Sequence[Message]:
    """``goals [with=NAME]``: the pair's goals (a mentee without any sets them now)."""
    view = await _view(call.turn, call.args.get("with"))
    if view.is_mentee and not await queries.goals_of(call.turn.repo, view.pair.id):
        return await start_goals(call.turn, view)
    return [await goals_message(call.turn, view)]


async def add_goals(call: CommandCall) -> Sequence[Message]:
    """``goals add [with=NAME]``: the mentee adds goals (up to three) and rates the baseline skills."""
    view = await _view(call.turn, call.args.get("with"))
    if not view.is_mentee:
        return [say(_("{partner} (your mentee) sets the goals: where they start and where they want to be. Talk " "them through together in a session.", partner=view.partner.display_name))]
    return await start_goals(call.turn, view)


async def checkin(call: CommandCall) -> Sequence[Message]:
    """``checkin [SESSION] [useful=N]``: the check-in after a held session (the latest one by default)."""
    turn = call.turn
    pairs = await turn.repo.pairs_of(turn.person.id)
    if not pairs:
        raise CommandError(_("You don't have a mentoring partner yet, so there is nothing to check in on."))
    if "session" in call.args:
        session = await turn.repo.one_or_none(turn.repo.scoped(MentoringSession).where(
            MentoringSession.id == call.args["session"], MentoringSession.pair_id.in_([p.id for p in pairs])))
        if session is None:
            turn.audit("checkin.refused", False, session=call.args["session"])
            return [say(_("I can't find that session among yours, so there is no check-in to give for it."))]
        if session.status != SessionStatus.HELD:
            raise CommandError(_("That session is not recorded as held: check-ins follow sessions that took place."))
    else:
        session = await queries.latest_held_without_checkin(turn.repo, [p.id for p in pairs], turn.person.id)
        if session is None:
            return [say(_("No session is waiting for your check-in. Thanks for keeping up!"))]
    view = await pair_view(turn, session.pair_id or 0)
    if view is None:
        raise CommandError(_("That pair is not running any more."))
    return await start_checkin(turn, view, session, call.args.get("useful"))


async def notes(call: CommandCall) -> Sequence[Message]:
    """``notes [with=NAME]``: the private notes of the pair's check-ins (only its two people see them)."""
    turn = call.turn
    view = await _view(turn, call.args.get("with"))
    rows = await turn.repo.all(
        turn.repo.scoped(CheckIn).join(MentoringSession, MentoringSession.id == CheckIn.session_id)
        .where(MentoringSession.pair_id == view.pair.id, CheckIn.private_note.is_not(None))
        .order_by(CheckIn.created_at.desc()).limit(NOTES_SHOWN))
    if not rows:
        return [say(_('No private notes with {partner} yet. Add one in a check-in ("Add details").', partner=view.partner.display_name))]
    names = {turn.person.id: _("You"), view.partner.id: view.partner.display_name}
    lines = [f"• {formats.date_only(row.created_at)}, {names.get(row.person_id, '?')}: {row.private_note}" for row in rows]
    return [say(_("Private notes with {partner} (only the two of you can read them):\n", partner=view.partner.display_name)
                + "\n".join(lines))]


async def pulse(call: CommandCall) -> Sequence[Message]:
    """``pulse [PERIOD] [with=NAME] [how=N]``: the monthly pulse (this month's by default)."""
    turn = call.turn
    period = call.args.get("period") or period_of(turn.now)
    if not PERIOD.match(period) or period > period_of(turn.now):
        raise CommandError(_("PERIOD: '{period}' is not a month so far; write it as YYYY-MM, like {now}.", period=period, now=period_of(turn.now)))
    view = await _view(turn, call.args.get("with"))
    return await start_pulse(turn, view, period, call.args.get("how"))


async def fit(call: CommandCall) -> Sequence[Message]:
    """``fit SCORE [with=NAME]``: how well the pair fits, 1 to 5, privately."""
    view = await _view(call.turn, call.args.get("with"))
    return [await record_fit(call.turn, view, int(call.args["score"]))]


async def evaluate(call: CommandCall) -> Sequence[Message]:
    """``evaluate [with=NAME]``: the end-of-cycle evaluation."""
    view = await _view(call.turn, call.args.get("with"))
    return await start_evaluation(call.turn, view)


async def send_evaluation(call: CommandCall) -> Sequence[Message]:
    """``evaluation send``: ask every running pair of the program for the end-of-cycle evaluation now."""
    turn, program = call.turn, call.program
    assert program is not None
    sent = await queue_evaluations(turn.repo.session, program, turn.now)
    if not sent:
        return [say(_("Nobody new to ask in {program}: every running pair has the evaluation already (or there " "is none).", program=program.name))]
    return [say(_("Asked {sent} people in {program} for their end-of-cycle evaluation, each in their working " "hours. Their scores show in `/mentoring report`.", sent=sent, program=program.name))]


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(("goals",), N_("your pair's goals: where the mentee starts and wants to be"), "/mentoring goals",
                goals, options=(PARTNER,)),
    CommandSpec(("goals", "add"), N_("mentees: set a goal (up to three) and rate the program's baseline skills"),
                "/mentoring goals add", add_goals, options=(PARTNER,)),
    CommandSpec(("checkin",), N_("after a held session: how useful it was, topics, goal progress, a private note"),
                "/mentoring checkin useful=4", checkin,
                positionals=(Arg("session", ArgKind.INT, low=1, high=2**31 - 1),),
                options=(Arg("useful", ArgKind.INT, low=RATING_LOW, high=RATING_HIGH),)),
    CommandSpec(("notes",), N_("the private notes of your check-ins (only you and your partner see them)"),
                "/mentoring notes", notes, options=(PARTNER,)),
    CommandSpec(("pulse",), N_("the monthly pulse: how it's going, what you learned and taught"), "/mentoring pulse",
                pulse, positionals=(Arg("period", max_length=7),),
                options=(PARTNER, Arg("how", ArgKind.INT, low=RATING_LOW, high=RATING_HIGH))),
    CommandSpec(("fit",), N_("after your first session: how well you fit, 1 to 5 (private)"), "/mentoring fit 4",
                fit, positionals=(Arg("score", ArgKind.INT, required=True, low=RATING_LOW, high=RATING_HIGH),),
                options=(PARTNER,)),
    CommandSpec(("evaluate",), N_("the end-of-cycle evaluation: goals and skills again, what you gained"),
                "/mentoring evaluate", evaluate, options=(PARTNER,)),
    CommandSpec(("evaluation", "send"), N_("ask every running pair for the end-of-cycle evaluation now"),
                "/mentoring evaluation send", send_evaluation, options=(PROGRAM_OPTION,), admin=True,
                program_scoped=True),
)
