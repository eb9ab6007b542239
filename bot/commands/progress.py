"""Participant commands about progress: goals, check-ins, private notes, the pulse, the fit
question and the end-of-cycle evaluation; and the admin's "send the evaluation now"."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.commands.call import Call
from bot.commands.grammar import CommandError
from bot.commands.sessions import my_pair
from bot.messages import Message, say
from bot.progress.checkin import start_checkin
from bot.progress.common import PairView, pair_view
from bot.progress.evaluation import start_evaluation
from bot.progress.fit import record_fit
from bot.progress.goals import goals_message, start_goals
from bot.progress.periodic import queue_evaluations
from bot.progress.pulse import period_of, start_pulse
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
        raise CommandError("That pair is not running any more.")
    return view


async def goals(call: Call) -> Sequence[Message]:
    """``goals [with=NAME]``: the pair's goals (a mentee without any sets them now)."""
    view = await _view(call.turn, call.args.get("with"))
    if view.is_mentee and not await queries.goals_of(call.turn.repo, view.pair.id):
        return await start_goals(call.turn, view)
    return [await goals_message(call.turn, view)]


async def add_goals(call: Call) -> Sequence[Message]:
    """``goals add [with=NAME]``: the mentee adds goals (up to three) and rates the baseline skills."""
    view = await _view(call.turn, call.args.get("with"))
    if not view.is_mentee:
        return [say(f"{view.partner.display_name} (your mentee) sets the goals: where they start and where they "
                    "want to be. Talk them through together in a session.")]
    return await start_goals(call.turn, view)


async def checkin(call: Call) -> Sequence[Message]:
    """``checkin [SESSION] [useful=N]``: the check-in after a held session (the latest one by default)."""
    turn = call.turn
    pairs = await turn.repo.pairs_of(turn.person.id)
    if not pairs:
        raise CommandError("You don't have a mentoring partner yet, so there is nothing to check in on.")
    if "session" in call.args:
        session = await turn.repo.one_or_none(turn.repo.scoped(MentoringSession).where(
            MentoringSession.id == call.args["session"], MentoringSession.pair_id.in_([p.id for p in pairs])))
        if session is None:
            turn.audit("checkin.refused", False, session=call.args["session"])
            return [say("I can't find that session among yours, so there is no check-in to give for it.")]
        if session.status != SessionStatus.HELD:
            raise CommandError("That session is not recorded as held: check-ins follow sessions that took place.")
    else:
        session = await queries.latest_held_without_checkin(turn.repo, [p.id for p in pairs], turn.person.id)
        if session is None:
            return [say("No session is waiting for your check-in. Thanks for keeping up!")]
    view = await pair_view(turn, session.pair_id or 0)
    if view is None:
        raise CommandError("That pair is not running any more.")
    return await start_checkin(turn, view, session, call.args.get("useful"))


async def notes(call: Call) -> Sequence[Message]:
    """``notes [with=NAME]``: the private notes of the pair's check-ins (only its two people see them)."""
    turn = call.turn
    view = await _view(turn, call.args.get("with"))
    rows = await turn.repo.all(
        turn.repo.scoped(CheckIn).join(MentoringSession, MentoringSession.id == CheckIn.session_id)
        .where(MentoringSession.pair_id == view.pair.id, CheckIn.private_note.is_not(None))
        .order_by(CheckIn.created_at.desc()).limit(NOTES_SHOWN))
    if not rows:
        return [say(f"No private notes with {view.partner.display_name} yet. Add one in a check-in ("
                    "\"Add details\").")]
    names = {turn.person.id: "You", view.partner.id: view.partner.display_name}
    lines = [f"• {row.created_at:%d %b %Y}, {names.get(row.person_id, '?')}: {row.private_note}" for row in rows]
    return [say(f"Private notes with {view.partner.display_name} (only the two of you can read them):\n"
                + "\n".join(lines))]


async def pulse(call: Call) -> Sequence[Message]:
    """``pulse [PERIOD] [with=NAME] [how=N]``: the monthly pulse (this month's by default)."""
    turn = call.turn
    period = call.args.get("period") or period_of(turn.now)
    if not PERIOD.match(period) or period > period_of(turn.now):
        raise CommandError(f"PERIOD: '{period}' is not a month so far; write it as YYYY-MM, like "
                           f"{period_of(turn.now)}.")
    view = await _view(turn, call.args.get("with"))
    return await start_pulse(turn, view, period, call.args.get("how"))


async def fit(call: Call) -> Sequence[Message]:
    """``fit SCORE [with=NAME]``: how well the pair fits, 1 to 5, privately."""
    view = await _view(call.turn, call.args.get("with"))
    return [await record_fit(call.turn, view, int(call.args["score"]))]


async def evaluate(call: Call) -> Sequence[Message]:
    """``evaluate [with=NAME]``: the end-of-cycle evaluation."""
    view = await _view(call.turn, call.args.get("with"))
    return await start_evaluation(call.turn, view)


async def send_evaluation(call: Call) -> Sequence[Message]:
    """``evaluation send``: ask every running pair of the program for the end-of-cycle evaluation now."""
    turn, program = call.turn, call.program
    assert program is not None
    sent = await queue_evaluations(turn.repo.session, program, turn.now)
    if not sent:
        return [say(f"Nobody new to ask in {program.name}: every running pair has the evaluation already "
                    "(or there is none).")]
    return [say(f"Asked {sent} people in {program.name} for their end-of-cycle evaluation, each in their "
                "working hours. Their scores show in `/mentoring report`.")]
