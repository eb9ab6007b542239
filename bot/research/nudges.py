"""What the research nudges say when they go out, written from the data as it is then.

Each renders None (not sent) once its reason has gone: the write-up is in, the due date or
the lunch-and-learn moved, it was called off, or the assignment was canceled.
"""

from __future__ import annotations

from bot.catalog import topic_label
from bot.i18n import _
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
    return [Button.for_command(_("Send the write-up"), f"research writeup {ref(assignment)}", ButtonStyle.PRIMARY),
            Button.for_command(_("Schedule the lunch-and-learn"), f"research schedule {ref(assignment)}")]


def _lunch_buttons(assignment: ResearchAssignment) -> list[Button]:
    return [Button.for_command(_("Move it"), f"research schedule {ref(assignment)}"),
            Button.for_command(_("Call it off"), f"research cancel-lunch {ref(assignment)}")]


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
    together = _(", together with {others}", others=joined(others)) if others else ""
    due = _(" The write-up is due {due_on}.", due_on=day(assignment.due_on)) if assignment.due_on else ""
    return say(_("You have a research assignment in {program}: study *{topic}*{together}, write a short " "summary with the links worth reading, and present it at a lunch-and-learn.{due}", program=program.name, topic=topic_label(assignment.topic), together=together, due=due),
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
    soon = "tomorrow" if days == 1 else _("in {days} days", days=days)
    return say(_("A reminder: your write-up on *{topic}* is due {soon} ({due_on}). A short summary and the " "links worth reading is all it takes.", topic=topic_label(assignment.topic), soon=soon, due_on=day(assignment.due_on)), *_writeup_buttons(assignment))


async def _checking_in(ctx: Context, assignment: ResearchAssignment) -> Message | None:
    lead = _("Your program admin asked me to check in on your research on")
    if not assignment.writeup:
        passed = assignment.due_on is not None and assignment.due_on < ctx.now.astimezone(ctx.zone).date()
        when = _(" It was due {due_on}.", due_on=day(assignment.due_on)) if passed and assignment.due_on else (
            _(" It is due {due_on}.", due_on=day(assignment.due_on)) if assignment.due_on else "")
        return say(_("{lead} *{topic}*: how is the write-up coming along?{when}", lead=lead, topic=topic_label(assignment.topic), when=when), *_writeup_buttons(assignment))
    lunch = await queries.lunch_of(ctx.repo, assignment.id)
    if lunch is not None and lunch.status == SessionStatus.SCHEDULED:
        return None
    return say(_("{lead} *{topic}*: your write-up is in, thanks! Next: pick a date for the lunch-and-learn.", lead=lead, topic=topic_label(assignment.topic)),
               Button.for_command(_("Schedule the lunch-and-learn"), f"research schedule {ref(assignment)}",
                                  ButtonStyle.PRIMARY))


async def news(ctx: Context) -> Message | None:
    """The write-up is in, the due date moved, or the assignment was called off."""
    assignment = await _assignment(ctx)
    if assignment is None:
        return None
    payload = ctx.nudge.payload
    by = await ctx.repo.person(int(payload.get("by") or 0))
    who = by.display_name if by is not None else _("Someone")
    event = payload.get("event")
    if event == "written":
        if not assignment.writeup or assignment.status == AssignmentStatus.CANCELED:
            return None
        links = "".join(f"\n• {link}" for link in assignment.links)
        text = _("{who} sent the write-up on *{topic}*:\n{writeup}{links}", who=who, topic=topic_label(assignment.topic), writeup=assignment.writeup, links=links)
        return say(text, Button.for_command(_("See the assignment"), f"research show {ref(assignment)}"))
    if event == "due":
        if not live(assignment) or assignment.due_on is None or payload.get("due_on") != assignment.due_on.isoformat():
            return None
        return say(_("{who} moved the due date of your research on *{topic}* to {due_on}.", who=who, topic=topic_label(assignment.topic), due_on=day(assignment.due_on)),
                   *_writeup_buttons(assignment))
    if event == "canceled" and assignment.status == AssignmentStatus.CANCELED:
        return say(_("{who} called off the research assignment on *{topic}*. Thank you for the work so far.", who=who, topic=topic_label(assignment.topic)))
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
        return _("The lunch-and-learn on *{topic}* ({presenters}) of {when} is called off.", topic=topic, presenters=presenters, when=when)
    if event == "moved":
        return _("The lunch-and-learn on *{topic}*, presented by {presenters}, has moved: {when}. The " "calendar invite is updated.", topic=topic, presenters=presenters, when=when)
    if channel:
        return _("You're all invited to the lunch-and-learn on *{topic}*, presented by {presenters}: " "{when}. No need to reply; add it to your calendar with the invite.", topic=topic, presenters=presenters, when=when)
    return _("You're invited to the lunch-and-learn on *{topic}*, presented by {presenters}: {when}. No " "need to reply: the calendar invite is attached.", topic=topic, presenters=presenters, when=when)


def _to_mentor(event: str, who: str, topic: str, when: str, audience: str) -> str:
    """The same news as a presenting mentor reads it (someone else scheduled, moved or canceled)."""
    if event == "canceled":
        return _("{who} called off your lunch-and-learn on *{topic}* of {when}.", who=who, topic=topic, when=when)
    if event == "moved":
        return _("{who} moved your lunch-and-learn on *{topic}*: {when}. Invited: {audience}.", who=who, topic=topic,
                 when=when, audience=audience)
    return _("{who} scheduled your lunch-and-learn on *{topic}*: {when}. Invited: {audience}.", who=who, topic=topic,
             when=when, audience=audience)


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
        text = _to_mentor(event, by[0] if by else _("Someone"), assignment.topic, when, audience)
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
        return say(_("Reminder: you present the lunch-and-learn on *{topic}*: {when}.", topic=topic_label(assignment.topic), when=when),
                   *_lunch_buttons(assignment))
    welcome = _(" Everyone here is welcome.") if ctx.nudge.payload.get("channel") else ""
    text = _("Reminder: the lunch-and-learn on *{topic}*, presented by {presenters}, is on " "{when}.{welcome}", topic=topic_label(assignment.topic), presenters=presenters, when=when, welcome=welcome)
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
    return say(_("Did your lunch-and-learn on {topic} take place?", topic=topic_label(assignment.topic)),
               Button.for_command(_("Yes"), f"{command} held", ButtonStyle.PRIMARY),
               Button.for_command(_("We moved it"), f"{command} rescheduled"),
               Button.for_command(_("Canceled"), f"{command} canceled"))


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
    anyone = _(" One tap, for anyone who came.") if channel else ""
    buttons = [Button.for_command(c.label, f"lunch rate {session.id} {c.value}")
               for c in rating_choices(_("not useful"), _("very useful"))]
    return say(_("How useful was the lunch-and-learn on {topic} ({presenters})?{anyone}", topic=topic_label(assignment.topic), presenters=presenters, anyone=anyone), *buttons)


RENDERERS: dict[str, Renderer] = {
    NudgeKind.RESEARCH_ASSIGNED: assigned, NudgeKind.RESEARCH_DUE: due, NudgeKind.RESEARCH_NEWS: news,
    NudgeKind.LUNCH_INVITE: invite, NudgeKind.LUNCH_REMINDER: reminder, NudgeKind.LUNCH_OUTCOME: outcome,
    NudgeKind.LUNCH_RATING: rating,
}
