"""What the one-to-one pairs' nudges say when they go out: schedule asks, reminders, "did it
happen?", a partner's news, the admin's check-in, the introduction and the goodbye.

Each renders from the data as it is then, and renders None (not sent) once its reason has
gone: the pair no longer runs, someone in it is paused, the session moved or was settled.
"""

from __future__ import annotations

from datetime import datetime

from bot.i18n import _, formats
from bot.cadence.nudges import Context, Renderer
from bot.catalog import cadence_label
from bot.calendars.events import on_both_calendars
from bot.invites import session_invite
from bot.matching.intro import introduction, pair_ended
from bot.messages import Button, ButtonStyle, Message, say
from bot.pairs.sessions import partner_of, with_pair
from storage.enums import EnrollmentStatus, NudgeKind, PairStatus, SessionStatus
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
    cadence = cadence_label(pair.cadence or program.cadence)
    button = Button.for_command(_("Schedule it"), f"schedule {with_pair(pair.id)}", ButtonStyle.PRIMARY)
    if ctx.nudge.payload.get("step") == "again":
        text = (_("A gentle reminder: nothing is on the calendar with {partner} yet. Ten minutes now keeps " "the program going: pick a date.", partner=partner.display_name))
    elif ctx.person.id == pair.mentee_id:
        text = (_("Time to put your next session with {partner} on the calendar (you meet {cadence}). Pick a " "date that suits you both.", partner=partner.display_name, cadence=cadence))
    else:
        text = (_("Nothing is on the calendar with {partner} yet (you meet {cadence}). Could you propose a " "time?", partner=partner.display_name, cadence=cadence))
    return say(text, button)


async def _reminder(ctx: Context) -> Message | None:
    session = await ctx.session()
    found = await running_pair(ctx)
    if session is None or found is None or session.status != SessionStatus.SCHEDULED or session.starts_at <= ctx.now:
        return None
    pair, partner, _program = found
    name, which = partner.display_name, with_pair(pair.id)
    return say(_("Reminder: your session with {name} is on {ctx}. Please keep it on your calendar.", name=name, ctx=ctx.when(session)),
               Button.for_command(_("Reschedule"), f"reschedule {which}"),
               Button.for_command(_("Cancel it"), f"cancel-session {which}"),
               Button.for_command(_("Calendar invite"), f"invite {which}"))


async def _outcome(ctx: Context) -> Message | None:
    session = await ctx.session()
    found = await running_pair(ctx)
    if session is None or found is None or session.status != SessionStatus.SCHEDULED:
        return None
    _pair, partner, _program = found
    name, command = partner.display_name, f"outcome {session.id}"
    return say(_("Did your session with {name} on {ctx} take place?", name=name, ctx=ctx.when(session)),
               Button.for_command(_("Yes, it happened"), f"{command} held", ButtonStyle.PRIMARY),
               Button.for_command(_("We moved it"), f"{command} rescheduled"),
               Button.for_command(_("I canceled"), f"{command} canceled by=me"),
               Button.for_command(_("{name} canceled", name=name)[:75], f"{command} canceled by=partner"),
               Button.for_command(_("No-show"), f"{command} no-show"))


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
        when = ctx.when(session)
        button = Button.for_command(_("That doesn't work for me"), f"reschedule {which}")
        on_calendar = await on_both_calendars(ctx.repo, session)
        if event == "scheduled":
            text = _("{name} scheduled your next session: {when}.", name=name, when=when)
        else:
            text = _("{name} moved your session: {when}.", name=name, when=when)
        if on_calendar:
            text += " " + _("It is on your calendar.")
        if on_calendar:
            return say(text, button)
        message = say(text, button)
        return Message(message.text, message.blocks, attachments=(await session_invite(ctx.repo, session),))
    if event == SessionStatus.CANCELED:
        return say(_("{name} canceled your session of {ctx}. Pick a new date together?", name=name, ctx=ctx.when(session)),
                   Button.for_command(_("Pick a new date"), f"schedule {which}", ButtonStyle.PRIMARY))
    if event == SessionStatus.NO_SHOW:
        return say(_("{name} recorded your session of {ctx} as a no-show.", name=name, ctx=ctx.when(session)))
    if event == SessionStatus.RESCHEDULED:
        return say(_("{name} recorded your session of {ctx} as rescheduled.", name=name, ctx=ctx.when(session)))
    return say(_("{name} recorded your session of {ctx} as held.", name=name, ctx=ctx.when(session)))


async def _manual(ctx: Context) -> Message | None:
    found = await running_pair(ctx)
    if found is None:
        return None
    pair, partner, _program = found
    upcoming = await ctx.repo.next_session([pair.id], ctx.now)
    name, which = partner.display_name, with_pair(pair.id)
    if upcoming is not None:
        return say(_("Your program admin asked me to check in: your next session with {name} is on {ctx}. Still " "on?", name=name, ctx=ctx.when(upcoming)),
                   Button.for_command(_("Reschedule"), f"reschedule {which}"))
    return say(_("Your program admin asked me to check in: nothing is on the calendar with {name}. Pick a " "date?", name=name),
               Button.for_command(_("Schedule it"), f"schedule {which}", ButtonStyle.PRIMARY))


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
    return say(_("You declined the calendar invitation for your session with {name} on {when}. "
                 "Skip this one, or find another time?", name=name, when=ctx.when(session)),
               Button.for_command(_("Find another time"), f"reschedule {which}", ButtonStyle.PRIMARY),
               Button.for_command(_("Skip this one"), f"cancel-session {which}"))


async def _clash(ctx: Context) -> Message | None:
    session = await ctx.session()
    found = await running_pair(ctx)
    if session is None or found is None or session.status != SessionStatus.SCHEDULED or session.starts_at <= ctx.now:
        return None
    pair, partner, _program = found
    name, which = partner.display_name, with_pair(pair.id)
    slots = [datetime.fromisoformat(text).astimezone(ctx.zone) for text in ctx.nudge.payload.get("slots", [])]
    buttons = [Button.for_command(_("Keep the session"), "never-mind", ButtonStyle.PRIMARY)]
    buttons += [Button.for_command(_("Move to {when}", when=formats.weekday_time(moment, with_day=True)), f"reschedule {moment:%Y-%m-%d %H:%M} {which}") for moment in slots if moment > ctx.now]
    return say(_("Your calendar has something else at the time of your session with {name} ({when}). Keep the "
                 "session, or move it to a time you are both free?", name=name, when=ctx.when(session)), *buttons)


RENDERERS: dict[str, Renderer] = {
    NudgeKind.CALENDAR_DECLINED: _declined, NudgeKind.CALENDAR_CLASH: _clash,
    NudgeKind.SCHEDULE: _schedule, NudgeKind.REMINDER: _reminder, NudgeKind.OUTCOME: _outcome,
    NudgeKind.SESSION_NEWS: _news, NudgeKind.MANUAL: _manual, NudgeKind.INTRO: _intro,
    NudgeKind.PAIR_ENDED: _pair_ended,
}
