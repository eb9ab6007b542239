"""What the circle nudges say when they go out, written from the data as it is then, and the
circle flags as the program admins see them.

A nudge whose reason has gone (the meeting was moved or called off, the circle ended, the
recipient left it or is paused) renders as None and is not sent.
"""

from __future__ import annotations

from bot.i18n import N_, _
from bot.cadence.nudges import Context, Renderer
from bot.circles.circles import GROUND_RULES, CircleView, listed, load, taking_part
from bot.circles.meetings import meeting_buttons
from bot.invites import session_invite
from bot.messages import Attachment, Button, ButtonStyle, Message, say
from bot.ratings import HIGH, LOW
from storage import circles as queries
from storage.enums import CircleRole, CircleStatus, NudgeKind, SessionStatus
from storage.models import CircleMember, MentoringSession

RATING_WORDS = {LOW: N_("not useful"), HIGH: N_("very useful")}


async def _taking_part(ctx: Context) -> tuple[CircleView, CircleMember] | None:
    """The nudge's circle, while it runs and the recipient takes part in it (not paused)."""
    view = await load(ctx.repo, ctx.nudge.circle_id)
    if view is None or view.circle.status != CircleStatus.ACTIVE:
        return None
    row = next((member for member, person in await taking_part(ctx.repo, view) if person.id == ctx.person.id), None)
    return (view, row) if row is not None else None


def _with_invite(message: Message, invite: Attachment) -> Message:
    return Message(message.text, message.blocks, attachments=(invite,))


async def _welcome(ctx: Context) -> Message | None:
    found = await _taking_part(ctx)
    if found is None:
        return None
    view, row = found
    members = [p.display_name for p in view.members]
    upcoming = await queries.upcoming(ctx.repo, view.circle.id, ctx.now)
    if row.role == CircleRole.HOST:
        others = [p.display_name for p in view.hosts if p.id != ctx.person.id]
        co = _(" with {others}", others=listed(others)) if others else ""
        text = (_("You host the reverse-mentoring circle {name} in {program}{co}: {count} senior leaders " "({members}) debate this trend with you, meeting {cadence_text} for an hour. You lead: " "bring a question, a demo or a story, and let them talk.\n{ground_rules}", name=view.name, program=view.program.name, co=co, count=len(members), members=listed(members), cadence_text=view.cadence_text, ground_rules=_(GROUND_RULES)))
        button = Button.for_command(_("Schedule the first meeting"), f"circle schedule circle={view.ref}",
                                    ButtonStyle.PRIMARY)
    else:
        text = (_("Welcome to the reverse-mentoring circle {name} in {program}! {host_names} host a small " "group of senior leaders ({members}) to debate this trend; you meet {cadence_text} for an " "hour, and {host_names} will send the invitations.\n{ground_rules}", name=view.name, program=view.program.name, host_names=view.host_names, members=listed(members), cadence_text=view.cadence_text, ground_rules=_(GROUND_RULES)))
        button = Button.for_command(_("Show the circle"), f"circle show {view.ref}")
    if upcoming is None:
        return say(text, button)
    message = say(text + _("\nNext meeting: {ctx} (the calendar invite is attached).", ctx=ctx.when(upcoming)),
                  Button.for_command(_("Show the circle"), f"circle show {view.ref}"))
    return _with_invite(message, await session_invite(ctx.repo, upcoming))


async def _schedule(ctx: Context) -> Message | None:
    found = await _taking_part(ctx)
    if found is None or found[1].role != CircleRole.HOST:
        return None
    view = found[0]
    if await queries.upcoming(ctx.repo, view.circle.id, ctx.now) is not None:
        return None
    return say(_("Time to put the next meeting of the circle {name} on the calendar (you meet " "{cadence_text}). Pick a date that suits the group.", name=view.name, cadence_text=view.cadence_text),
               Button.for_command(_("Schedule it"), f"circle schedule circle={view.ref}", ButtonStyle.PRIMARY))


async def _reminder(ctx: Context) -> Message | None:
    found = await _taking_part(ctx)
    if found is None:
        return None
    view, row = found
    if ctx.nudge.payload.get("manual"):
        return await _manual(ctx, view, row)
    session = await ctx.session()
    if session is None or session.status != SessionStatus.SCHEDULED or session.starts_at <= ctx.now:
        return None
    buttons = [Button.for_command(_("Calendar invite"), f"circle invite circle={view.ref}")]
    if row.role == CircleRole.HOST:
        buttons += meeting_buttons(view)
    return say(_("Reminder: the circle {name} meets on {ctx}. Please keep it on your calendar.", name=view.name, ctx=ctx.when(session)),
               *buttons)


async def _manual(ctx: Context, view: CircleView, row: CircleMember) -> Message:
    upcoming = await queries.upcoming(ctx.repo, view.circle.id, ctx.now)
    lead = _("Your program admin asked me to check in:")
    if upcoming is not None:
        return say(_("{lead} the circle {name} meets next on {ctx}. Can you make it?", lead=lead, name=view.name, ctx=ctx.when(upcoming)),
                   Button.for_command(_("Calendar invite"), f"circle invite circle={view.ref}"))
    if row.role == CircleRole.HOST:
        return say(_("{lead} nothing is on the calendar for the circle {name}. Pick a date?", lead=lead, name=view.name),
                   Button.for_command(_("Schedule it"), f"circle schedule circle={view.ref}", ButtonStyle.PRIMARY))
    return say(_("{lead} the circle {name} misses you. {host_names} will send the next invitation; see you " "there?", lead=lead, name=view.name, host_names=view.host_names), Button.for_command(_("Show the circle"), f"circle show {view.ref}"))


async def _outcome(ctx: Context) -> Message | None:
    found = await _taking_part(ctx)
    session = await ctx.session()
    if found is None or found[1].role != CircleRole.HOST or session is None:
        return None
    if session.status != SessionStatus.SCHEDULED:
        return None
    command = f"circle outcome {session.id}"
    return say(_("Did the {name} circle meet on {ctx}?", name=found[0].name, ctx=ctx.when(session)),
               Button.for_command(_("Yes (record who came)"), f"{command} held", ButtonStyle.PRIMARY),
               Button.for_command(_("We moved it"), f"{command} rescheduled"),
               Button.for_command(_("Canceled"), f"{command} canceled"))


async def _news(ctx: Context) -> Message | None:
    event = ctx.nudge.payload.get("event")
    session = await ctx.session()
    if event == "ended":
        return await _ended(ctx, session)
    found = await _taking_part(ctx)
    if found is None or session is None:
        return None
    view, row = found
    by = await ctx.repo.person(int(ctx.nudge.payload.get("by", 0)))
    who = by.display_name if by is not None else _("Someone")
    if event in ("scheduled", "rescheduled"):
        if session.status != SessionStatus.SCHEDULED or session.starts_at <= ctx.now:
            return None
        verb = _("scheduled the next meeting of") if event == "scheduled" else _("moved the next meeting of")
        buttons = meeting_buttons(view) if row.role == CircleRole.HOST else []
        message = say(_("{who} {verb} the circle {name}: {ctx}.", who=who, verb=verb, name=view.name, ctx=ctx.when(session)), *buttons)
        return _with_invite(message, await session_invite(ctx.repo, session))
    if event == "canceled" and session.status == SessionStatus.CANCELED:
        message = say(_("{who} canceled the meeting of the circle {name} on {ctx}.", who=who, name=view.name, ctx=ctx.when(session)))
        return _with_invite(message, await session_invite(ctx.repo, session))
    return None


async def _ended(ctx: Context, session: MentoringSession | None) -> Message | None:
    view = await load(ctx.repo, ctx.nudge.circle_id)
    if view is None or view.circle.status != CircleStatus.ENDED:
        return None
    text = _("The circle {name} has come to an end. Thank you for taking part!", name=view.name)
    if session is None:
        return say(text)
    return _with_invite(say(text + _(" Its meeting of {ctx} is canceled.", ctx=ctx.when(session))),
                        await session_invite(ctx.repo, session))


async def _rating(ctx: Context) -> Message | None:
    found = await _taking_part(ctx)
    session = await ctx.session()
    if found is None or session is None or session.status != SessionStatus.HELD:
        return None
    row = await queries.attendance_row(ctx.repo, session.id, ctx.person.id)
    if row is None or not row.attended or row.rating is not None:
        return None
    buttons = [Button.for_command(f"{n} · {_(RATING_WORDS[n])}" if n in RATING_WORDS else str(n),
                                  f"circle rate {session.id} {n}") for n in range(LOW, HIGH + 1)]
    return say(_("How useful was the {name} circle's meeting on {ctx}?", name=found[0].name, ctx=ctx.when(session)), *buttons)


RENDERERS: dict[str, Renderer] = {
    NudgeKind.CIRCLE_WELCOME: _welcome, NudgeKind.CIRCLE_SCHEDULE: _schedule, NudgeKind.CIRCLE_REMINDER: _reminder,
    NudgeKind.CIRCLE_OUTCOME: _outcome, NudgeKind.CIRCLE_NEWS: _news, NudgeKind.CIRCLE_RATING: _rating,
}
