"""The pairing-fit question after a pair's first held session.

Each side says, privately, how well the two of them fit. A poor answer (2 or less) raises a
flag for the program admins with a rematch at hand; the partner is never told.
"""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import _
from bot.cadence.hours import hours_of
from bot.cadence.outbox import add_nudge
from bot.messages import Message, say
from bot.pairs.flags import raise_flag
from bot.progress.common import POOR, PairView
from bot.ratings import HIGH
from bot.turn import Turn
from storage import progress as queries
from storage.enums import FeedbackKind, FlagKind, NudgeKind

PERIOD = "first"
ASK_AFTER = timedelta(days=1)
"""The fit question follows the first session by a day: the check-in comes first."""


async def ask_fit(turn: Turn, view: PairView) -> None:
    """Both sides get the fit question, a day after the first session, in their working hours."""
    for person in (turn.person, view.partner):
        hours = await hours_of(turn.repo, person)
        await add_nudge(turn, person.id, NudgeKind.FIT, f"fit:{view.pair.id}:{person.id}",
                        hours.next_working(turn.now + ASK_AFTER), pair_id=view.pair.id)


async def record_fit(turn: Turn, view: PairView, score: int) -> Message:
    """Store the person's fit answer; a poor one flags the pair for the admins."""
    row = await queries.feedback_row(turn.repo, view.pair, turn.person.id, FeedbackKind.FIT, PERIOD, turn.now)
    row.answers = {"fit": score}
    name = view.partner.display_name
    if score > POOR:
        return say(_("Thanks: {score}/{high}. Glad it clicks; keep the rhythm with {name}.", score=score, high=HIGH, name=name))
    await raise_flag(turn, view.pair, FlagKind.POOR_FIT, f"poor-fit:{view.pair.id}:{turn.person.id}", fit=score)
    return say(_("Thanks for being honest ({score}/{high}). I told the program admins, privately: they may " "propose a new partner. {name} is not told. Until then your pair goes on as before.", score=score, high=HIGH, name=name))
