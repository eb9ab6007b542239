"""What the research nudges say when they go out, written from the data as it is then.

Each renders None (not sent) once its reason has gone: the write-up is in, the due date or
the lunch-and-learn moved, it was called off, or the assignment was canceled.
"""

from __future__ import annotations

from bot.cadence.nudges import Context, Renderer
from bot.cadence.when_and_where import describe
from bot.invites import session_invite
from bot.messages import Button, ButtonStyle, Message, say
from bot.ratings import rating_choices
from bot.research.assignments import day, joined, live, names_of, ref
from bot.research.lunch import describe_audience
from storage import research as queries
from storage.enums import AssignmentStatus, NudgeKind, SessionStatus
from storage.models import MentoringSession, ResearchAssignment


async def _assignment(ctx: Context) -> ResearchAssignment | None:
    return await queries.assignment(ctx.repo, ctx.nudge.assignment_id or 0)


def _writeup_buttons(assignment: ResearchAssignment) -> list[Button]:
    return [Button.for_command("Send the write-up", f"research writeup {ref(assignment)}", ButtonStyle.PRIMARY),
            Button.for_command("Schedule the lunch-and-learn", f"research schedule {ref(assignment)}")]


def _lunch_buttons(assignment: ResearchAssignment) -> list[Button]:
    return [Button.for_command("Move it", f"research schedule {ref(assignment)}"),
            Button.for_command("Call it off", f"research cancel-lunch {ref(assignment)}")]


async def assigned(ctx: Context) -> Message | None:
    """A mentor learns about their new assignment: what, due when, with whom."""
    assignment = await _assignment(ctx)
    if assignment is None or not live(assignment):
        return None
    mentor_ids = await queries.mentor_ids(ctx.repo, assignment.id)
    program = await ctx.repo.program(assignment.program_id)
    if ctx.person.id not in mentor_ids or program is None:
        return None
    others = await names_of(ctx.repo, [m for m in mentor_ids if m != ctx.person.id])
    together = f", together with {joined(others)}" if others else ""
    due = f" The write-up is due {day(assignment.due_on)}." if assignment.due_on else ""
    return say(f"You have a research assignment in {program.name}: study *{assignment.topic}*{together}, write a short "
               f"summary with the links worth reading, and present it at a lunch-and-learn.{due}",
               *_writeup_buttons(assignment))


async def due(ctx: Context) -> Message | None:
    """Reminders of the write-up's due date (from the tick, or an admin's nudge)."""
    assignment = await _assignment(ctx)
    if assignment is None or not live(assignment):
        return None
    if ctx.person.id not in await queries.mentor_ids(ctx.repo, assignment.id):
        return None
    if ctx.nudge.payload.get("manual"):
        return await _checking_in(ctx, assignment)
    if assignment.writeup or assignment.due_on is None or ctx.nudge.payload.get("due_on") != assignment.due_on.isoformat():
        return None
    days = int(ctx.nudge.payload.get("days", 0))
    soon = "tomorrow" if days == 1 else f"in {days} days"
    return say(f"A reminder: your write-up on *{assignment.topic}* is due {soon} ({day(assignment.due_on)}). A short "
               "summary and the links worth reading is all it takes.", *_writeup_buttons(assignment))


async def _checking_in(ctx: Context, assignment: ResearchAssignment) -> Message | None:
    lead = "Your program admin asked me to check in on your research on"
    if not assignment.writeup:
        passed = assignment.due_on is not None and assignment.due_on < ctx.now.astimezone(ctx.zone).date()
        when = f" It was due {day(assignment.due_on)}." if passed and assignment.due_on else (
            f" It is due {day(assignment.due_on)}." if assignment.due_on else "")
        return say(f"{lead} *{assignment.topic}*: how is the write-up coming along?{when}", *_writeup_buttons(assignment))
    lunch = await queries.lunch_of(ctx.repo, assignment.id)
    if lunch is not None and lunch.status == SessionStatus.SCHEDULED:
        return None
    return say(f"{lead} *{assignment.topic}*: your write-up is in, thanks! Next: pick a date for the lunch-and-learn.",
               Button.for_command("Schedule the lunch-and-learn", f"research schedule {ref(assignment)}",
                                  ButtonStyle.PRIMARY))


async def news(ctx: Context) -> Message | None:
    """The write-up is in, the due date moved, or the assignment was called off."""
    assignment = await _assignment(ctx)
    if assignment is None:
        return None
    payload = ctx.nudge.payload
    by = await ctx.repo.person(int(payload.get("by") or 0))
    who = by.display_name if by is not None else "Someone"
    event = payload.get("event")
    if event == "written":
        if not assignment.writeup or assignment.status == AssignmentStatus.CANCELED:
            return None
        links = "".join(f"\n• {link}" for link in assignment.links)
        text = f"{who} sent the write-up on *{assignment.topic}*:\n{assignment.writeup}{links}"
        return say(text, Button.for_command("See the assignment", f"research show {ref(assignment)}"))
    if event == "due":
        if not live(assignment) or assignment.due_on is None or payload.get("due_on") != assignment.due_on.isoformat():
            return None
        return say(f"{who} moved the due date of your research on *{assignment.topic}* to {day(assignment.due_on)}.",
                   *_writeup_buttons(assignment))
    if event == "canceled" and assignment.status == AssignmentStatus.CANCELED:
        return say(f"{who} called off the research assignment on *{assignment.topic}*. Thank you for the work so far.")
    return None


async def _lunch(ctx: Context, canceled: bool = False) -> tuple[MentoringSession, ResearchAssignment, list[int]] | None:
    """The nudge's lunch-and-learn, its assignment and mentors; None once the assignment is called
    off (unless ``canceled``: the news that the lunch-and-learn is off goes out then too)."""
    session = await ctx.session()
    assignment = await _assignment(ctx)
    if session is None or assignment is None or (assignment.status == AssignmentStatus.CANCELED and not canceled):
        return None
    return session, assignment, await queries.mentor_ids(ctx.repo, assignment.id)


def _zone(ctx: Context, session: MentoringSession) -> str:
    """A post in a channel gives the time where the lunch-and-learn was scheduled."""
    return session.timezone if ctx.nudge.payload.get("channel") else ctx.zone.key


def _to_audience(event: str, topic: str, presenters: str, when: str, channel: bool) -> str:
    """The invitation, the move or the cancellation as the audience (or the channel) reads it."""
    if event == "canceled":
        return f"The lunch-and-learn on *{topic}* ({presenters}) of {when} is called off."
    if event == "moved":
        return f"The lunch-and-learn on *{topic}*, presented by {presenters}, has moved: {when}. The calendar invite " \
               "is updated."
    if channel:
        return f"You're all invited to the lunch-and-learn on *{topic}*, presented by {presenters}: {when}. No need " \
               "to reply; add it to your calendar with the invite."
    return f"You're invited to the lunch-and-learn on *{topic}*, presented by {presenters}: {when}. No need to " \
           "reply: the calendar invite is attached."


def _to_mentor(event: str, who: str, topic: str, when: str, audience: str) -> str:
    """The same news as a presenting mentor reads it (someone else scheduled, moved or canceled)."""
    if event == "canceled":
        return f"{who} called off your lunch-and-learn on *{topic}* of {when}."
    verb = "moved" if event == "moved" else "scheduled"
    return f"{who} {verb} your lunch-and-learn on *{topic}*: {when}. Invited: {audience}."


async def invite(ctx: Context) -> Message | None:
    """The invitation (or the news that it moved, or was called off), with the calendar file."""
    event = str(ctx.nudge.payload.get("event") or "scheduled")
    found = await _lunch(ctx, canceled=event == "canceled")
    if found is None:
        return None
    session, assignment, mentor_ids = found
    if event == "canceled":
        if session.status != SessionStatus.CANCELED:
            return None
    elif session.status != SessionStatus.SCHEDULED or session.starts_at <= ctx.now:
        return None
    when = describe(session, _zone(ctx, session))
    channel = bool(ctx.nudge.payload.get("channel"))
    if ctx.person.id in mentor_ids and not channel:
        by = await names_of(ctx.repo, [(session.outcome_by_id if event == "canceled" else session.created_by_id) or 0])
        audience = await describe_audience(ctx.repo, assignment.audience or {})
        text = _to_mentor(event, by[0] if by else "Someone", assignment.topic, when, audience)
        message = say(text, *(_lunch_buttons(assignment) if event != "canceled" else []))
    else:
        presenters = joined(await names_of(ctx.repo, mentor_ids))
        message = say(_to_audience(event, assignment.topic, presenters, when, channel))
    return Message(message.text, message.blocks, attachments=(await session_invite(ctx.repo, session),))


async def reminder(ctx: Context) -> Message | None:
    """Before the lunch-and-learn: to its presenters, to each audience person, or in the channel."""
    found = await _lunch(ctx)
    if found is None:
        return None
    session, assignment, mentor_ids = found
    if session.status != SessionStatus.SCHEDULED or session.starts_at <= ctx.now:
        return None
    when = describe(session, _zone(ctx, session))
    presenters = joined(await names_of(ctx.repo, mentor_ids))
    if ctx.person.id in mentor_ids and not ctx.nudge.payload.get("channel"):
        return say(f"Reminder: you present the lunch-and-learn on *{assignment.topic}*: {when}.",
                   *_lunch_buttons(assignment))
    welcome = " Everyone here is welcome." if ctx.nudge.payload.get("channel") else ""
    text = f"Reminder: the lunch-and-learn on *{assignment.topic}*, presented by {presenters}, is on {when}.{welcome}"
    message = say(text)
    return Message(message.text, message.blocks, attachments=(await session_invite(ctx.repo, session),))


async def outcome(ctx: Context) -> Message | None:
    """After it: did it take place?"""
    found = await _lunch(ctx)
    if found is None:
        return None
    session, assignment, mentor_ids = found
    if session.status != SessionStatus.SCHEDULED or ctx.person.id not in mentor_ids:
        return None
    command = f"research outcome {session.id}"
    return say(f"Did your lunch-and-learn on {assignment.topic} take place?",
               Button.for_command("Yes", f"{command} held", ButtonStyle.PRIMARY),
               Button.for_command("We moved it", f"{command} rescheduled"),
               Button.for_command("Canceled", f"{command} canceled"))


async def rating(ctx: Context) -> Message | None:
    """After it was held: how useful was it? One tap (in a channel: for anyone who came)."""
    found = await _lunch(ctx)
    if found is None:
        return None
    session, assignment, mentor_ids = found
    if session.status != SessionStatus.HELD:
        return None
    channel = ctx.nudge.payload.get("channel")
    if not channel:
        mine = await queries.attendance_of(ctx.repo, session.id, ctx.person.id)
        if mine is not None and mine.rating is not None:
            return None
    presenters = joined(await names_of(ctx.repo, mentor_ids))
    anyone = " One tap, for anyone who came." if channel else ""
    buttons = [Button.for_command(c.label, f"lunch rate {session.id} {c.value}")
               for c in rating_choices("not useful", "very useful")]
    return say(f"How useful was the lunch-and-learn on {assignment.topic} ({presenters})?{anyone}", *buttons)


RENDERERS: dict[str, Renderer] = {
    NudgeKind.RESEARCH_ASSIGNED: assigned, NudgeKind.RESEARCH_DUE: due, NudgeKind.RESEARCH_NEWS: news,
    NudgeKind.LUNCH_INVITE: invite, NudgeKind.LUNCH_REMINDER: reminder, NudgeKind.LUNCH_OUTCOME: outcome,
    NudgeKind.LUNCH_RATING: rating,
}
