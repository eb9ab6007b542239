"""What the circle nudges say when they go out, written from the data as it is then, and the
circle flags as the program admins see them.

A nudge whose reason has gone (the meeting was moved or called off, the circle ended, the
recipient left it or is paused) renders as None and is not sent.
"""

from __future__ import annotations

from bot.cadence.nudges import Context, Renderer
from bot.circles.circles import GROUND_RULES, CircleView, listed, load, taking_part
from bot.circles.meetings import meeting_buttons
from bot.invites import session_invite
from bot.messages import Attachment, Button, ButtonStyle, Message, say
from bot.ratings import HIGH, LOW
from storage import circles as queries
from storage.enums import CircleRole, CircleStatus, NudgeKind, SessionStatus
from storage.models import CircleMember, MentoringSession

RATING_WORDS = {LOW: "not useful", HIGH: "very useful"}


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
        co = f" with {listed(others)}" if others else ""
        text = (f"You host the reverse-mentoring circle {view.name} in {view.program.name}{co}: "
                f"{len(members)} senior leaders ({listed(members)}) debate this trend with you, meeting "
                f"{view.cadence_text} for an hour. You lead: bring a question, a demo or a story, and let them "
                f"talk.\n{GROUND_RULES}")
        button = Button.for_command("Schedule the first meeting", f"circle schedule circle={view.ref}",
                                    ButtonStyle.PRIMARY)
    else:
        text = (f"Welcome to the reverse-mentoring circle {view.name} in {view.program.name}! {view.host_names} "
                f"host a small group of senior leaders ({listed(members)}) to debate this trend; you meet "
                f"{view.cadence_text} for an hour, and {view.host_names} will send the invitations.\n{GROUND_RULES}")
        button = Button.for_command("Show the circle", f"circle show {view.ref}")
    if upcoming is None:
        return say(text, button)
    message = say(text + f"\nNext meeting: {ctx.when(upcoming)} (the calendar invite is attached).",
                  Button.for_command("Show the circle", f"circle show {view.ref}"))
    return _with_invite(message, await session_invite(ctx.repo, upcoming))


async def _schedule(ctx: Context) -> Message | None:
    found = await _taking_part(ctx)
    if found is None or found[1].role != CircleRole.HOST:
        return None
    view = found[0]
    if await queries.upcoming(ctx.repo, view.circle.id, ctx.now) is not None:
        return None
    return say(f"Time to put the next meeting of the circle {view.name} on the calendar (you meet "
               f"{view.cadence_text}). Pick a date that suits the group.",
               Button.for_command("Schedule it", f"circle schedule circle={view.ref}", ButtonStyle.PRIMARY))


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
    buttons = [Button.for_command("Calendar invite", f"circle invite circle={view.ref}")]
    if row.role == CircleRole.HOST:
        buttons += meeting_buttons(view)
    return say(f"Reminder: the circle {view.name} meets on {ctx.when(session)}. Please keep it on your calendar.",
               *buttons)


async def _manual(ctx: Context, view: CircleView, row: CircleMember) -> Message:
    upcoming = await queries.upcoming(ctx.repo, view.circle.id, ctx.now)
    lead = "Your program admin asked me to check in:"
    if upcoming is not None:
        return say(f"{lead} the circle {view.name} meets next on {ctx.when(upcoming)}. Can you make it?",
                   Button.for_command("Calendar invite", f"circle invite circle={view.ref}"))
    if row.role == CircleRole.HOST:
        return say(f"{lead} nothing is on the calendar for the circle {view.name}. Pick a date?",
                   Button.for_command("Schedule it", f"circle schedule circle={view.ref}", ButtonStyle.PRIMARY))
    return say(f"{lead} the circle {view.name} misses you. {view.host_names} will send the next invitation; "
               "see you there?", Button.for_command("Show the circle", f"circle show {view.ref}"))


async def _outcome(ctx: Context) -> Message | None:
    found = await _taking_part(ctx)
    session = await ctx.session()
    if found is None or found[1].role != CircleRole.HOST or session is None:
        return None
    if session.status != SessionStatus.SCHEDULED:
        return None
    command = f"circle outcome {session.id}"
    return say(f"Did the {found[0].name} circle meet on {ctx.when(session)}?",
               Button.for_command("Yes (record who came)", f"{command} held", ButtonStyle.PRIMARY),
               Button.for_command("We moved it", f"{command} rescheduled"),
               Button.for_command("Canceled", f"{command} canceled"))


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
    who = by.display_name if by is not None else "Someone"
    if event in ("scheduled", "rescheduled"):
        if session.status != SessionStatus.SCHEDULED or session.starts_at <= ctx.now:
            return None
        verb = "scheduled the next meeting of" if event == "scheduled" else "moved the next meeting of"
        buttons = meeting_buttons(view) if row.role == CircleRole.HOST else []
        message = say(f"{who} {verb} the circle {view.name}: {ctx.when(session)}.", *buttons)
        return _with_invite(message, await session_invite(ctx.repo, session))
    if event == "canceled" and session.status == SessionStatus.CANCELED:
        message = say(f"{who} canceled the meeting of the circle {view.name} on {ctx.when(session)}.")
        return _with_invite(message, await session_invite(ctx.repo, session))
    return None


async def _ended(ctx: Context, session: MentoringSession | None) -> Message | None:
    view = await load(ctx.repo, ctx.nudge.circle_id)
    if view is None or view.circle.status != CircleStatus.ENDED:
        return None
    text = f"The circle {view.name} has come to an end. Thank you for taking part!"
    if session is None:
        return say(text)
    return _with_invite(say(text + f" Its meeting of {ctx.when(session)} is canceled."),
                        await session_invite(ctx.repo, session))


async def _rating(ctx: Context) -> Message | None:
    found = await _taking_part(ctx)
    session = await ctx.session()
    if found is None or session is None or session.status != SessionStatus.HELD:
        return None
    row = await queries.attendance_row(ctx.repo, session.id, ctx.person.id)
    if row is None or not row.attended or row.rating is not None:
        return None
    buttons = [Button.for_command(f"{n} · {RATING_WORDS[n]}" if n in RATING_WORDS else str(n),
                                  f"circle rate {session.id} {n}") for n in range(LOW, HIGH + 1)]
    return say(f"How useful was the {found[0].name} circle's meeting on {ctx.when(session)}?", *buttons)


RENDERERS: dict[str, Renderer] = {
    NudgeKind.CIRCLE_WELCOME: _welcome, NudgeKind.CIRCLE_SCHEDULE: _schedule, NudgeKind.CIRCLE_REMINDER: _reminder,
    NudgeKind.CIRCLE_OUTCOME: _outcome, NudgeKind.CIRCLE_NEWS: _news, NudgeKind.CIRCLE_RATING: _rating,
}
