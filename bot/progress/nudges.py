"""What the progress questions say when they go out through the outbox.

Each renders from the data as it is then, and renders None (not sent) once the question is
answered or its pair no longer runs. Every button is a command, so that a tap means the
same as typing it.
"""

from __future__ import annotations

from bot.i18n import _
from bot.cadence.nudges import Context, Renderer
from bot.cadence.when_and_where import describe
from bot.messages import Button, ButtonStyle, Message, say
from bot.pairs.nudges import running_pair
from bot.progress import pulse
from bot.progress.evaluation import PERIOD as EVALUATION_PERIOD
from bot.progress.fit_question import PERIOD as FIT_PERIOD
from bot.progress.goals import goal_line
from bot.ratings import rating_choices
from storage import progress as queries
from storage.enums import FeedbackKind, NudgeKind, SessionStatus


def _ratings(command: str, low: str, high: str) -> list[Button]:
    """The rating buttons of a flow's first step, as commands (``command`` with ``{n}``)."""
    return [Button.for_command(c.label, command.format(n=c.value)) for c in rating_choices(low, high)]


async def checkin(ctx: Context) -> Message | None:
    """The partner's check-in question after a session recorded as held."""
    session, found = await ctx.session(), await running_pair(ctx)
    if session is None or found is None or session.status != SessionStatus.HELD:
        return None
    done = await queries.checkin_of(ctx.repo, session.id, ctx.person.id)
    if done is not None and done.usefulness is not None:
        return None
    _pair, partner, _program = found
    text = (_("{partner} noted your session of {session} as held. How useful was it for you?", partner=partner.display_name, session=describe(session, ctx.zone.key)))
    return say(text, *_ratings(f"checkin {session.id} useful={{n}}", "not useful", "very useful"))


async def goals(ctx: Context) -> Message | None:
    """The mentor learns the goals their mentee set."""
    found = await running_pair(ctx)
    if found is None:
        return None
    pair, partner, _program = found
    listed = await queries.goals_of(ctx.repo, pair.id)
    if not listed:
        return None
    text = _("{partner} set their goals for your mentoring:\n", partner=partner.display_name) + "\n".join(goal_line(g) for g in listed)
    return say(text, Button.for_command(_("See our goals"), f"goals with=#{pair.id}"))


async def pulse_ask(ctx: Context) -> Message | None:
    """The monthly pulse."""
    found = await running_pair(ctx)
    period = str(ctx.nudge.payload.get("period", ""))
    if found is None or not period:
        return None
    pair, partner, _program = found
    if pulse.complete(await queries.feedback_of(ctx.repo, pair.id, ctx.person.id, FeedbackKind.PULSE, period)):
        return None
    text = (_("Monthly pulse for {pulse}: how is it going with {partner}? (Then two short questions; you " "see {partner}'s answers once you have both answered.)", pulse=pulse.month_name(period), partner=partner.display_name))
    return say(text, *_ratings(f"pulse {period} with=#{pair.id} how={{n}}", "badly", "very well"))


async def pulse_shared(ctx: Context) -> Message | None:
    """Both answered the pulse: the one who answered first now sees the other's answers."""
    found = await running_pair(ctx)
    period = str(ctx.nudge.payload.get("period", ""))
    if found is None or not period:
        return None
    pair, partner, _program = found
    theirs = await queries.feedback_of(ctx.repo, pair.id, partner.id, FeedbackKind.PULSE, period)
    if theirs is None or not pulse.complete(theirs):
        return None
    return say(_("{partner} answered the pulse too. ", partner=partner.display_name) + pulse.shared_text(theirs, partner.display_name))


async def fit(ctx: Context) -> Message | None:
    """After the first session: how well do the two fit?"""
    found = await running_pair(ctx)
    if found is None:
        return None
    pair, partner, _program = found
    if await queries.feedback_of(ctx.repo, pair.id, ctx.person.id, FeedbackKind.FIT, FIT_PERIOD) is not None:
        return None
    text = (_("After your first session with {partner}: how well do you two fit? Your answer is private: " "{partner} never sees it; a low one lets the program admins help.", partner=partner.display_name))
    return say(text, *_ratings(f"fit {{n}} with=#{pair.id}", "poor fit", "great fit"))


async def evaluation(ctx: Context) -> Message | None:
    """The end-of-cycle evaluation."""
    found = await running_pair(ctx)
    if found is None:
        return None
    pair, partner, _program = found
    done = await queries.feedback_of(ctx.repo, pair.id, ctx.person.id, FeedbackKind.EVALUATION, EVALUATION_PERIOD)
    if done is not None and done.answers:
        return None
    text = (_("The mentoring cycle with {partner} is coming to its end: time for a short evaluation " "(about two minutes). What changed since the start, and what did you gain?", partner=partner.display_name))
    return say(text, Button.for_command(_("Start the evaluation"), f"evaluate with=#{pair.id}", ButtonStyle.PRIMARY))


RENDERERS: dict[str, Renderer] = {
    NudgeKind.CHECKIN: checkin, NudgeKind.GOALS: goals, NudgeKind.PULSE: pulse_ask,
    NudgeKind.PULSE_SHARED: pulse_shared, NudgeKind.FIT: fit, NudgeKind.EVALUATION: evaluation,
}
