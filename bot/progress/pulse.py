"""The monthly pulse: how is it going, what did you learn, what did you teach.

Both sides of a pair answer; each sees the other's answers only once both have answered,
so that neither writes for the other. A pulse is for a month (``2026-11``) and asked once
per pair and person in it, from the pair's third week on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.i18n import N_, _
from bot.i18n import formats
from bot.cadence.hours import hours_of
from bot.cadence.outbox import add_nudge
from bot.flows.base import ChoiceStep, Flow, FormStep, Question, Step
from bot.messages import FieldKind, FormField, Message, say
from bot.parsing import parse_text
from bot.progress.common import PairView, pair_view
from bot.ratings import HIGH, rating_choices
from bot.turn import Turn
from storage import progress as queries
from storage.enums import FeedbackKind, NudgeKind
from storage.models import ConversationState, Feedback

TEXT_LIMIT = 1000
SETTLING_IN = timedelta(days=14)
"""A pair is asked its first pulse once it has run this long."""


def period_of(moment: datetime) -> str:
    """The pulse month of ``moment`` (``2026-11``)."""
    return f"{moment:%Y-%m}"


def month_name(period: str) -> str:
    """``2026-11`` -> ``November 2026``."""
    return formats.month(datetime.strptime(period, "%Y-%m"))


def complete(feedback: Feedback | None) -> bool:
    """True once a pulse has all its answers (the texts may be empty)."""
    return feedback is not None and "how" in feedback.answers and "learned" in feedback.answers


def shared_text(feedback: Feedback, name: str) -> str:
    """One side's pulse answers as the other side reads them."""
    answers = feedback.answers
    learned = answers.get("learned") or _("(nothing written)")
    taught = answers.get("taught") or _("(nothing written)")
    return (_("{name}'s answers for {period}:\n• How it's going: {answers}/{high}\n• What I learned: " "{learned}\n• What I taught: {taught}", name=name, period=month_name(feedback.period), answers=answers.get('how'), high=HIGH, learned=learned, taught=taught))


class PulseFlow(Flow):
    """How it is going (a tap), then what was learned and taught (one form)."""

    name = "pulse"
    title = N_("Monthly pulse")

    async def steps(self, turn: Turn, data: Mapping[str, Any]) -> list[Step]:
        """The rating, then the two sentences."""
        partner, month = data["partner"], month_name(data["period"])
        return [
            ChoiceStep("how", _("Monthly pulse for {month}: how is it going with {partner}?", month=month, partner=partner),
                       rating_choices("badly", "very well")),
            FormStep("words", _("Monthly pulse"),
                     _("Two short answers ({partner} sees them once they have answered too; you see theirs):", partner=partner), [
                         Question(FormField("learned", _("What did you learn?"), FieldKind.LONG_TEXT, optional=True,
                                            max_length=TEXT_LIMIT), lambda raw: parse_text(raw, TEXT_LIMIT, True)),
                         Question(FormField("taught", _("What did you teach?"), FieldKind.LONG_TEXT, optional=True,
                                            max_length=TEXT_LIMIT), lambda raw: parse_text(raw, TEXT_LIMIT, True)),
                     ]),
        ]

    async def chose(self, turn: Turn, state: ConversationState, step: ChoiceStep, value: str) -> list[Message] | None:
        """The rating is stored at once."""
        view = await pair_view(turn, int(state.data["pair_id"]))
        if view is None:
            return [say(_("That pair has ended in the meantime; nothing was saved."))]
        await record_how(turn, view, state.data["period"], int(value))
        return None

    async def finish(self, turn: Turn, state: ConversationState) -> list[Message]:
        """Store the answers; show the partner's if they answered, and tell them."""
        view = await pair_view(turn, int(state.data["pair_id"]))
        if view is None:
            return [say(_("That pair has ended in the meantime; nothing was saved."))]
        period, answers = state.data["period"], state.data.get("answers", {})
        mine = await queries.feedback_row(turn.repo, view.pair, turn.person.id, FeedbackKind.PULSE, period, turn.now)
        mine.answers = {**mine.answers, "learned": answers.get("learned") or "", "taught": answers.get("taught") or ""}
        theirs = await queries.feedback_of(turn.repo, view.pair.id, view.partner.id, FeedbackKind.PULSE, period)
        name = view.partner.display_name
        if not complete(theirs):
            return [say(_("Thanks! Your answers stay hidden until {name} has answered too; then you see each other's.", name=name))]
        assert theirs is not None
        await _share(turn, view, period)
        return [say(_("Thanks! ") + shared_text(theirs, name))]


async def record_how(turn: Turn, view: PairView, period: str, how: int) -> None:
    """Store the person's "how is it going" for ``period``."""
    row = await queries.feedback_row(turn.repo, view.pair, turn.person.id, FeedbackKind.PULSE, period, turn.now)
    row.answers = {**row.answers, "how": how}


async def _share(turn: Turn, view: PairView, period: str) -> None:
    """The partner answered first: they now get the person's answers, in their working hours."""
    partner = view.partner
    hours = await hours_of(turn.repo, partner)
    await add_nudge(turn, partner.id, NudgeKind.PULSE_SHARED, f"pulse-shared:{view.pair.id}:{period}:{partner.id}",
                    hours.next_working(turn.now), pair_id=view.pair.id,
                    payload={"period": period, "from": turn.person.id})


PULSE = PulseFlow()


async def start_pulse(turn: Turn, view: PairView, period: str, how: int | None = None) -> list[Message]:
    """Ask the person speaking for their pulse of ``period`` (from the texts when ``how`` is given)."""
    mine = await queries.feedback_of(turn.repo, view.pair.id, turn.person.id, FeedbackKind.PULSE, period)
    if complete(mine):
        return [say(_("You already answered the pulse for {period}. Thank you!", period=month_name(period)))]
    if how is not None:
        await record_how(turn, view, period, how)
    data = {"pair_id": view.pair.id, "partner": view.partner.display_name, "period": period}
    return await PULSE.start(turn, data, subject=f"pair-{view.pair.id}-{period}",
                             at="words" if how is not None else None)
