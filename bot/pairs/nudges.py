"""What the one-to-one pairs' nudges say when they go out: schedule asks, reminders, "did it
happen?", a partner's news, the admin's check-in, the introduction and the goodbye.

Each renders from the data as it is then, and renders None (not sent) once its reason has
gone: the pair no longer runs, someone in it is paused, the session moved or was settled.
"""

from __future__ import annotations

from datetime import datetime

from bot.cadence.nudges import Context, Renderer
from bot.catalog import CADENCE_LABELS
from bot.calendars.events import on_both_calendars
from bot.invites import session_invite
from bot.matching.intro import introduction, pair_ended
from bot.messages import Button, ButtonStyle, Message, say
from bot.pairs.sessions import partner_of, with_pair
from storage.enums import Cadence, EnrollmentStatus, NudgeKind, PairStatus, SessionStatus
from storage.models import Pair, Person, Program


async def running_pair(ctx: Context) -> tuple[Pair, Person, Program] | None:
    """The nudge's pair with the recipient's partner, if the pair still runs and nobody in it
    is paused."""
    pair = await ctx.repo.one_or_none(ctx.repo.scoped(Pair).where(Pair.id == ctx.nudge.pair_id))
    if pair is None or pair.status != PairStatus.ACTIVE:
        return None
    program = await ctx.repo.program(pair.program_id)
    partner = await ctx.repo.person(partner_of(pair, ctx.person.id))
    if program is None or partner is None:
        return None
    for person_id in (pair.mentor_id, pair.mentee_id):
        enrollment = await ctx.repo.enrollment(pair.program_id, person_id)
        if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
            return None
    return pair, partner, program


async def _schedule(ctx: Context) -> Message | None:
    found = await running_pair(ctx)
    if found is None or await ctx.repo.next_session([found[0].id], ctx.now) is not None:
        return None
    pair, partner, program = found
    cadence = CADENCE_LABELS[Cadence(pair.cadence or program.cadence)]
    button = Button.for_command("Schedule it", f"schedule {with_pair(pair.id)}", ButtonStyle.PRIMARY)
    if ctx.nudge.payload.get("step") == "again":
        text = (f"A gentle reminder: nothing is on the calendar with {partner.display_name} yet. Ten minutes "
                "now keeps the program going: pick a date.")
    elif ctx.person.id == pair.mentee_id:
        text = (f"Time to put your next session with {partner.display_name} on the calendar (you meet "
                f"{cadence}). Pick a date that suits you both.")
    else:
        text = (f"Nothing is on the calendar with {partner.display_name} yet (you meet {cadence}). Could you "
                "propose a time?")
    return say(text, button)


async def _reminder(ctx: Context) -> Message | None:
    session = await ctx.session()
    found = await running_pair(ctx)
    if session is None or found is None or session.status != SessionStatus.SCHEDULED or session.starts_at <= ctx.now:
        return None
    pair, partner, _program = found
    name, which = partner.display_name, with_pair(pair.id)
    return say(f"Reminder: your session with {name} is on {ctx.when(session)}. Please keep it on your calendar.",
               Button.for_command("Reschedule", f"reschedule {which}"),
               Button.for_command("Cancel it", f"cancel-session {which}"),
               Button.for_command("Calendar invite", f"invite {which}"))


async def _outcome(ctx: Context) -> Message | None:
    session = await ctx.session()
    found = await running_pair(ctx)
    if session is None or found is None or session.status != SessionStatus.SCHEDULED:
        return None
    _pair, partner, _program = found
    name, command = partner.display_name, f"outcome {session.id}"
    return say(f"Did your session with {name} on {ctx.when(session)} take place?",
               Button.for_command("Yes, it happened", f"{command} held", ButtonStyle.PRIMARY),
               Button.for_command("We moved it", f"{command} rescheduled"),
               Button.for_command("I canceled", f"{command} canceled by=me"),
               Button.for_command(f"{name} canceled"[:75], f"{command} canceled by=partner"),
               Button.for_command("No-show", f"{command} no-show"))


async def _news(ctx: Context) -> Message | None:
    session = await ctx.session()
    found = await running_pair(ctx)
    if session is None or found is None:
        return None
    pair, partner, _program = found
    name, event, which = partner.display_name, ctx.nudge.payload.get("event"), with_pair(pair.id)
    if event in ("scheduled", "rescheduled"):
        if session.status != SessionStatus.SCHEDULED:
            return None
        verb = "scheduled your next session" if event == "scheduled" else "moved your session"
        button = Button.for_command("That doesn't work for me", f"reschedule {which}")
        if await on_both_calendars(ctx.repo, session):
            return say(f"{name} {verb}: {ctx.when(session)}. It is on your calendar.", button)
        message = say(f"{name} {verb}: {ctx.when(session)}.", button)
        return Message(message.text, message.blocks, attachments=(await session_invite(ctx.repo, session),))
    if event == SessionStatus.CANCELED:
        return say(f"{name} canceled your session of {ctx.when(session)}. Pick a new date together?",
                   Button.for_command("Pick a new date", f"schedule {which}", ButtonStyle.PRIMARY))
    return say(f"{name} recorded your session of {ctx.when(session)} as {str(event).replace('_', '-')}.")


async def _manual(ctx: Context) -> Message | None:
    found = await running_pair(ctx)
    if found is None:
        return None
    pair, partner, _program = found
    upcoming = await ctx.repo.next_session([pair.id], ctx.now)
    name, which = partner.display_name, with_pair(pair.id)
    if upcoming is not None:
        return say(f"Your program admin asked me to check in: your next session with {name} is on "
                   f"{ctx.when(upcoming)}. Still on?",
                   Button.for_command("Reschedule", f"reschedule {which}"))
    return say(f"Your program admin asked me to check in: nothing is on the calendar with {name}. Pick a date?",
               Button.for_command("Schedule it", f"schedule {which}", ButtonStyle.PRIMARY))


async def _intro(ctx: Context) -> Message | None:
    found = await running_pair(ctx)
    if found is None:
        return None
    pair, _partner, program = found
    return await introduction(ctx.repo, pair, program)


async def _pair_ended(ctx: Context) -> Message | None:
    pair = await ctx.repo.one_or_none(ctx.repo.scoped(Pair).where(Pair.id == ctx.nudge.pair_id))
    if pair is None or pair.status != PairStatus.ENDED:
        return None
    return await pair_ended(ctx.repo, pair, ctx.person)


async def _declined(ctx: Context) -> Message | None:
    session = await ctx.session()
    found = await running_pair(ctx)
    if session is None or found is None or session.status != SessionStatus.SCHEDULED or session.starts_at <= ctx.now:
        return None
    pair, partner, _program = found
    name, which = partner.display_name, with_pair(pair.id)
    return say(f"You declined the calendar invitation for your session with {name} on {ctx.when(session)}. "
               "Skip this one, or find another time?",
               Button.for_command("Find another time", f"reschedule {which}", ButtonStyle.PRIMARY),
               Button.for_command("Skip this one", f"cancel-session {which}"))


async def _clash(ctx: Context) -> Message | None:
    session = await ctx.session()
    found = await running_pair(ctx)
    if session is None or found is None or session.status != SessionStatus.SCHEDULED or session.starts_at <= ctx.now:
        return None
    pair, partner, _program = found
    name, which = partner.display_name, with_pair(pair.id)
    slots = [datetime.fromisoformat(text).astimezone(ctx.zone) for text in ctx.nudge.payload.get("slots", [])]
    buttons = [Button.for_command("Keep the session", "never-mind", ButtonStyle.PRIMARY)]
    buttons += [Button.for_command(f"Move to {moment:%a %d %b %H:%M}", f"reschedule {moment:%Y-%m-%d %H:%M} {which}") for moment in slots if moment > ctx.now]
    return say(f"Your calendar has something else at the time of your session with {name} "
               f"({ctx.when(session)}). Keep the session, or move it to a time you are both free?", *buttons)


RENDERERS: dict[str, Renderer] = {
    NudgeKind.CALENDAR_DECLINED: _declined, NudgeKind.CALENDAR_CLASH: _clash,
    NudgeKind.SCHEDULE: _schedule, NudgeKind.REMINDER: _reminder, NudgeKind.OUTCOME: _outcome,
    NudgeKind.SESSION_NEWS: _news, NudgeKind.MANUAL: _manual, NudgeKind.INTRO: _intro,
    NudgeKind.PAIR_ENDED: _pair_ended,
}
