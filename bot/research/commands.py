"""The research commands: assignments (propose, assign, write up, nudge, move the due date),
their lunch-and-learns (schedule, move, call off, what became of them) and the audience's
one-tap rating (``lunch rate``, ``lunch try``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.catalog import topic_label
from bot.i18n import N_, _, ngettext
from bot.catalog import word
from bot.cadence.when_and_where import Venue, describe, local_today, venue_of, when, zone_of
from bot.commands.command_call import CommandCall
from bot.commands.grammar import Arg, ArgKind, CommandSpec
from bot.errors import CommandError
from bot.messages import LABEL_LIMIT, Button, ButtonStyle, Message, say
from bot.parsing import InvalidAnswer, parse_clock, parse_date
from bot.programs import adopt_format, target_program
from bot.ratings import HIGH, LOW
from bot.research import assignments as ops
from bot.research import lunch
from bot.research.assignments import day, joined, ref
from bot.research.flows import WILL_TRY, ask_will_try, audience_for, start_lunch, start_writeup, written
from bot.research.propose import propose_message
from bot.research.timing import lunch_offer
from bot.turn import Turn
from storage import research as queries
from storage.enums import AssignmentStatus, EnrollmentStatus, ProgramFormat, SessionStatus
from storage.models import MentoringSession, ResearchAssignment

MIN_RATINGS = 3
"""A mean rating is shown once at least this many people rated (fewer could be told apart)."""
STATUS_WORDS = {
    AssignmentStatus.ASSIGNED: N_("write-up awaited"),
    AssignmentStatus.WRITTEN: N_("write-up in, lunch-and-learn to schedule"),
    AssignmentStatus.SCHEDULED: N_("lunch-and-learn scheduled"),
    AssignmentStatus.PRESENTED: N_("presented"),
    AssignmentStatus.CANCELED: N_("called off"),
}


def _refused(problem: InvalidAnswer) -> CommandError:
    return CommandError(str(problem))


# --- admins: propose, assign, nudge, move the due date, cancel ---------------------------------


async def propose(call: CommandCall) -> Sequence[Message]:
    """``research propose``: the three topics mentees want most, each with a mentor and a button."""
    assert call.program is not None
    return [await propose_message(call.turn, call.program)]


async def assign(call: CommandCall) -> Sequence[Message]:
    """``research assign "TOPIC" mentors=A,B due=YYYY-MM-DD``."""
    turn, program = call.turn, call.program
    assert program is not None
    if "mentors" not in call.args or "due" not in call.args:
        raise CommandError(_('Give the mentors and the due date: `/mentoring research assign "Copilot in Excel" '
                           "mentors=Zoe due=YYYY-MM-DD`."))
    try:
        topic = ops.check_topic(call.args["topic"])
        due = ops.check_due(call.args["due"], await local_today(turn))
    except InvalidAnswer as problem:
        raise _refused(problem) from None
    chosen = await ops.resolve_mentors(turn, program, call.args["mentors"])
    assignment = await ops.assign(turn, program, topic, chosen, due)
    names = joined([p.display_name for p in chosen])
    adopted = adopt_format(program, ProgramFormat.RESEARCH)
    return [say(_("Assigned research {assignment} in {program}: *{topic}*, to {names}, due {due}. I've told " "them; they are reminded a week and a day before it is due, and you hear when the write-up " "is in.{adopted}", assignment=ref(assignment), program=program.name, topic=topic, names=names, due=day(due), adopted=adopted), Button.for_command(_("See it"), f"research show {ref(assignment)}"))]


async def _administered(call: CommandCall) -> ResearchAssignment:
    assignment = await ops.find(call.turn, call.args["assignment"])
    call.program = await ops.admin_of(call.turn, assignment)
    return assignment


async def nudge(call: CommandCall) -> Sequence[Message]:
    """``research nudge #ID``: remind the mentors now (in their working hours)."""
    assignment = await _administered(call)
    if not ops.live(assignment):
        return [say(_("Research {assignment} is {value}: nothing to nudge.", assignment=ref(assignment), value=_(STATUS_WORDS[AssignmentStatus(assignment.status)])))]
    lines = await ops.nudge_mentors(call.turn, assignment)
    return [say(_("Nudging the mentors of research {assignment} ({topic}):\n", assignment=ref(assignment), topic=topic_label(assignment.topic))
                + "\n".join(f"- {line}" for line in lines))]


async def move_due(call: CommandCall) -> Sequence[Message]:
    """``research due #ID YYYY-MM-DD``: a new due date (the mentors are told)."""
    turn = call.turn
    assignment = await _administered(call)
    if not ops.live(assignment):
        raise CommandError(_("Research {assignment} is {value}: its due date no longer matters.", assignment=ref(assignment), value=_(STATUS_WORDS[AssignmentStatus(assignment.status)])))
    try:
        due = ops.check_due(call.args["date"], await local_today(turn))
    except InvalidAnswer as problem:
        raise _refused(problem) from None
    await ops.set_due(turn, assignment, due)
    return [say(_("The write-up on {topic} is now due {due}. I've told the mentors.", topic=topic_label(assignment.topic), due=day(due)))]


async def cancel(call: CommandCall) -> Sequence[Message]:
    """``research cancel #ID``: call the assignment (and its lunch-and-learn) off."""
    turn = call.turn
    assignment = await _administered(call)
    if not ops.live(assignment):
        return [say(_("Research {assignment} is already {value}.", assignment=ref(assignment), value=_(STATUS_WORDS[AssignmentStatus(assignment.status)])))]
    session = await lunch.current(turn, assignment)
    if session is not None:
        await lunch.cancel(turn, assignment, session, tell_them=session.starts_at > turn.now)
    await ops.cancel(turn, assignment)
    return [say(_("Called off research {assignment} ({topic}). I've told the mentors", assignment=ref(assignment), topic=topic_label(assignment.topic))
                + (_(" and the lunch-and-learn's audience.") if session is not None else "."))]


# --- everyone: list and show -------------------------------------------------------------------


async def list_assignments(call: CommandCall) -> Sequence[Message]:
    """``research list``: admins see the program's assignments, mentors their own."""
    turn = call.turn
    runs = await turn.repo.admin_program_ids(turn.person.id)
    program = await target_program(turn, call.args.get("program")) if runs or call.args.get("program") else None
    if program is not None and program.id in runs:
        rows, title = list(await queries.of_program(turn.repo, program.id)), _("Research assignments in {program}", program=program.name)
    else:
        rows = [a for a in await queries.of_mentor(turn.repo, turn.person.id)
                if program is None or a.program_id == program.id]
        title = _("Your research assignments")
    if not rows:
        if program and program.id in runs:
            return [say(_("No research assignments yet. `/mentoring research propose` suggests topics mentees want."))]
        return [say(_("No research assignments yet."))]
    zone = await zone_of(turn)
    mentors = await queries.mentors_by_assignment(turn.repo, [a.id for a in rows])
    lunches = await queries.latest_lunches(turn.repo, [a.id for a in rows])
    ratings = await queries.ratings(turn.repo, [s.id for s in lunches.values()])
    lines = []
    for assignment in rows[:50]:
        names = ", ".join(p.display_name for p in await ops.people(turn, mentors.get(assignment.id, [])))
        session = lunches.get(assignment.id)
        lines.append(f"- {ref(assignment)} *{assignment.topic}* ({names}): "
                     + "; ".join(_facts(assignment, session, ratings.get(session.id, []) if session else [], zone)))
    return [say(f"{title}:\n" + "\n".join(lines))]


def _facts(assignment: ResearchAssignment, session: MentoringSession | None, given: list[int], zone: str) -> list[str]:
    facts = [_(STATUS_WORDS[AssignmentStatus(assignment.status)])]
    if assignment.due_on is not None:
        facts.append(_("due {due_on}", due_on=day(assignment.due_on)))
    if session is not None:
        state = "" if session.status in (SessionStatus.SCHEDULED, SessionStatus.HELD) else f" ({session.status})"
        facts.append(_("lunch-and-learn {session}{state}", session=describe(session, zone), state=state))
        if session.status == SessionStatus.HELD:
            facts.append(rating_summary(given))
    return facts


def rating_summary(given: list[int]) -> str:
    """``4 ratings, mean 4.3/5``; below three ratings the mean is not shown yet."""
    count = ngettext("{n} rating", "{n} ratings", len(given))
    if len(given) < MIN_RATINGS:
        return _("{count}, mean not shown yet", count=count)
    return _("{count}, mean {value:.1f}/{high}", count=count, value=sum(given) / len(given), high=HIGH)


async def _may_see(turn: Turn, assignment: ResearchAssignment, mentor_ids: list[int]) -> bool:
    if turn.person.id in mentor_ids or turn.person.id in lunch.audience_people(assignment):
        return True
    if await ops.is_admin(turn, assignment.program_id):
        return True
    enrollment = await turn.repo.enrollment(assignment.program_id, turn.person.id)
    return enrollment is not None and enrollment.status != EnrollmentStatus.LEFT


async def show(call: CommandCall) -> Sequence[Message]:
    """``research show #ID``: the topic, mentors, due date, write-up and lunch-and-learn."""
    turn = call.turn
    assignment = await ops.find(turn, call.args["assignment"])
    mentor_ids = await queries.mentor_ids(turn.repo, assignment.id)
    if not await _may_see(turn, assignment, mentor_ids):
        raise CommandError(_("I can't find research assignment {assignment} in your programs.", assignment=ref(assignment)))
    zone = await zone_of(turn)
    names = joined([p.display_name for p in await ops.people(turn, mentor_ids)])
    lines = [_("*Research {assignment}: {topic}*", assignment=ref(assignment), topic=topic_label(assignment.topic)), _("Mentors: {names}", names=names),
             _("Status: {value}", value=_(STATUS_WORDS[AssignmentStatus(assignment.status)]))]
    if assignment.due_on is not None:
        lines.append(_("Write-up due: {due_on}", due_on=day(assignment.due_on)))
    lines.append(_("Write-up: {writeup}", writeup=assignment.writeup) if assignment.writeup else _("Write-up: not in yet"))
    lines += [f"• {link}" for link in assignment.links]
    lines += await _lunch_lines(turn, assignment, zone, presenting=turn.person.id in mentor_ids)
    buttons = []
    if turn.person.id in mentor_ids and ops.live(assignment):
        # Once the write-up is in, the button offers to change it, not to send it.
        label = _("Update the write-up") if assignment.writeup else _("Send the write-up")
        buttons = [Button.for_command(label, f"research writeup {ref(assignment)}"),
                   Button.for_command(_("Schedule the lunch-and-learn"), f"research schedule {ref(assignment)}")]
    return [say("\n".join(lines), *buttons)]


async def _lunch_lines(turn: Turn, assignment: ResearchAssignment, zone: str, presenting: bool) -> list[str]:
    session = await queries.lunch_of(turn.repo, assignment.id)
    if session is None:
        return [_("Lunch-and-learn: not scheduled yet")]
    state = {SessionStatus.SCHEDULED: "on the calendar", SessionStatus.HELD: "held"}.get(
        SessionStatus(session.status), str(session.status))
    audience = await lunch.describe_audience(turn.repo, assignment.audience or {})
    lines = [_("Lunch-and-learn: {session} ({state}), for {audience}", session=describe(session, zone), state=state, audience=audience)]
    if session.status == SessionStatus.HELD:
        lines.append(_("Ratings: {rating_summary}", rating_summary=rating_summary((await queries.ratings(turn.repo, [session.id])).get(session.id, []))))
        tried = await queries.will_try(turn.repo, session.id)
        if presenting and tried:
            lines += [_("What people will try (only the presenters see this):"), *(f"• {text}" for text in tried)]
    return lines


# --- mentors: the write-up and the lunch-and-learn ---------------------------------------------


async def writeup(call: CommandCall) -> Sequence[Message]:
    """``research writeup [#ID] [summary="..." links="https://a, https://b"]``."""
    turn = call.turn
    assignment = await ops.find_mine(turn, call.args.get("assignment"), _("write up"))
    mentor_ids = await queries.mentor_ids(turn.repo, assignment.id)
    if turn.person.id not in mentor_ids:
        # Answered rather than raised: a raised refusal would take its audit entry back with it.
        turn.audit("research.writeup.refused", False, assignment.program_id, assignment=assignment.id)
        names = joined([p.display_name for p in await ops.people(turn, mentor_ids)])
        return [say(_("Only the mentors of research {assignment} ({names}) can send its write-up.", assignment=ref(assignment), names=names))]
    if assignment.status == AssignmentStatus.CANCELED:
        raise CommandError(_("Research {assignment} was called off: no write-up needed.", assignment=ref(assignment)))
    try:
        links = ops.parse_links(call.args["links"]) if "links" in call.args else None
        summary = ops.parse_summary(call.args["summary"]) if "summary" in call.args else None
    except InvalidAnswer as problem:
        raise _refused(problem) from None
    if summary is not None:
        return [await written(turn, assignment, summary, links or [])]
    return await start_writeup(turn, assignment, links)


WHEN_NAMES = ("assignment", "date", "time", "where")


def _when_args(args: dict[str, Any]) -> dict[str, str]:
    """The positionals of ``research schedule``: ``#ID`` may be left out, the date then comes first."""
    given = [args[name] for name in WHEN_NAMES if name in args]
    if given and not ops.ID.match(given[0]):
        given.insert(0, "")
    return {name: value for name, value in zip(WHEN_NAMES, given, strict=False) if value}


def _starts_at(found: dict[str, str], zone: str, now: datetime) -> datetime:
    if "time" not in found:
        raise CommandError(_("TIME is missing: give the date and the start time, like 2027-01-12 12:30."))
    try:
        return when(parse_date(found["date"]), parse_clock(found["time"]), zone, now)
    except InvalidAnswer as problem:
        raise _refused(problem) from None


async def schedule(call: CommandCall) -> Sequence[Message]:
    """``research schedule [#ID] [DATE TIME [WHERE]] [audience=...]``: put the lunch-and-learn on the
    calendar, or move it when it already is."""
    turn = call.turn
    found = _when_args(call.args)
    assignment = await ops.find_mine(turn, found.get("assignment"), "schedule")
    refused = await lunch.refusal(turn, assignment)
    if refused is not None:
        return [refused]
    if not ops.live(assignment):
        raise CommandError(_("Research {assignment} is {value}: there is no lunch-and-learn to schedule.", assignment=ref(assignment), value=_(STATUS_WORDS[AssignmentStatus(assignment.status)])))
    if "date" not in found:
        return await start_lunch(turn, assignment)
    zone = await zone_of(turn)
    starts_at = _starts_at(found, zone, turn.now)
    moving = await lunch.current(turn, assignment)
    text = call.args.get("audience")
    if text is None and moving is None:
        raise CommandError(_("Who is it for? Add audience=here (typed in the channel), a channel "
                           "(audience=#general) or names (audience=\"Victor, Carla\")."))
    try:
        audience = await audience_for(turn, assignment, text or "", lunch.here_of(turn), moving)
    except InvalidAnswer as problem:
        raise _refused(problem) from None
    where = found.get("where")
    venue = venue_of(where) if where is not None or moving is None else Venue.of(moving)
    if not call.args.get("anyway"):
        offer = await lunch_offer(turn, assignment, starts_at, audience, where)
        if offer is not None:
            return [offer]
    if moving is not None:
        session = await lunch.move(turn, assignment, moving, starts_at, zone, venue, audience)
        return [await lunch.confirmation(turn, assignment, session, _("Moved"))]
    session = await lunch.schedule(turn, assignment, starts_at, zone, venue, audience)
    return [await lunch.confirmation(turn, assignment, session, _("Scheduled"))]


async def cancel_lunch(call: CommandCall) -> Sequence[Message]:
    """``research cancel-lunch [#ID]``: call the lunch-and-learn off (everyone invited is told)."""
    turn = call.turn
    assignment = await ops.find_mine(turn, call.args.get("assignment"), _("call off"))
    refused = await lunch.refusal(turn, assignment)
    if refused is not None:
        return [refused]
    session = await lunch.current(turn, assignment)
    if session is None:
        return [say(_("Nothing is on the calendar for research {assignment} to call off.", assignment=ref(assignment)))]
    await lunch.cancel(turn, assignment, session)
    audience = await lunch.describe_audience(turn.repo, assignment.audience or {})
    return [say(_("Called off the lunch-and-learn on {topic} ({session}). I've told {audience}. Pick a new " "date?", topic=topic_label(assignment.topic), session=describe(session, await zone_of(turn)), audience=audience),
                Button.for_command(_("Pick a new date"), f"research schedule {ref(assignment)}", ButtonStyle.PRIMARY))]


OUTCOMES = ("held", "rescheduled", "canceled")


async def outcome(call: CommandCall) -> Sequence[Message]:
    """``research outcome SESSION held|rescheduled|canceled``: what became of a lunch-and-learn."""
    turn = call.turn
    session = await queries.session(turn.repo, call.args["session"])
    assignment = await queries.assignment(turn.repo, session.assignment_id or 0) if session else None
    if session is None or assignment is None or not await lunch.may_present(turn, assignment):
        raise CommandError(_("I can't find that lunch-and-learn among yours."))
    if session.status != SessionStatus.SCHEDULED:
        return [say(_("Already recorded: that lunch-and-learn was {status}. Thanks!", status=word(session.status)))]
    if session.starts_at > turn.now:
        raise CommandError(_("That lunch-and-learn has not taken place yet."))
    what = call.args["what"]
    if what == "rescheduled":
        return await start_lunch(turn, assignment, intro=_("When does it take place now?"))
    if what == "canceled":
        await lunch.cancel(turn, assignment, session, tell_them=False)
        return [say(_("Noted as canceled. A new date keeps the research alive: pick one for {topic}?", topic=topic_label(assignment.topic)),
                    Button.for_command(_("Pick a new date"), f"research schedule {ref(assignment)}",
                                       ButtonStyle.PRIMARY))]
    asked = await lunch.held(turn, assignment, session)
    audience = await lunch.describe_audience(turn.repo, assignment.audience or {})
    more = _(" I've asked {audience} how useful it was and what they will try.", audience=audience) if asked else ""
    return [say(_("Well done: the lunch-and-learn on {topic} is recorded as held.{more} `/mentoring research " "show {assignment}` shows the ratings once three people have given one.", topic=topic_label(assignment.topic), more=more, assignment=ref(assignment)))]


# --- the audience: one-tap rating and what they will try ---------------------------------------


async def rate(call: CommandCall) -> Sequence[Message]:
    """``lunch rate SESSION N``: one tap, 1 to 5 (again: the rating is updated)."""
    turn = call.turn
    session, assignment = await lunch.ratable(turn, call.args["session"])
    rating = int(call.args["rating"])
    before = await lunch.rate(turn, session, rating)
    if before is not None:
        lead = _("Updated your rating of the lunch-and-learn on {topic} to {rating}/{high} (it was " "{before}).", topic=topic_label(assignment.topic), rating=rating, high=HIGH, before=before)
    else:
        lead = _("Thanks: {rating}/{high} for the lunch-and-learn on {topic}.", rating=rating, high=HIGH, topic=topic_label(assignment.topic))
    mine = await queries.attendance_of(turn.repo, session.id, turn.person.id)
    if mine is not None and mine.will_try:
        return [say(lead)]
    return await ask_will_try(turn, session, assignment.topic, lead)


async def will_try(call: CommandCall) -> Sequence[Message]:
    """``lunch try SESSION "TEXT"``: what you will try after the lunch-and-learn."""
    turn = call.turn
    session, assignment = await lunch.ratable(turn, call.args["session"])
    try:
        text = lunch.check_will_try(call.args["text"])
    except InvalidAnswer as problem:
        raise _refused(problem) from None
    await lunch.store_will_try(turn, session, text)
    state = await turn.repo.conversation(turn.person.id, WILL_TRY.name, f"session-{session.id}")
    if state is not None:
        await turn.repo.drop_conversation(state)
    return [say(_("Thanks! I'll pass that on to the presenters of {topic} (only they see it).", topic=topic_label(assignment.topic)))]


ASSIGNMENT = Arg("assignment", max_length=12)
PROGRAM = Arg("program")
SESSION = Arg("session", ArgKind.INT, required=True, low=1, high=2**31 - 1)

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(("research", "propose"), N_("the topics mentees want most, each with a mentor to assign it to"),
                "/mentoring research propose", propose, options=(PROGRAM,), admin=True, program_scoped=True),
    CommandSpec(("research", "assign"), N_("give one or two mentors an emerging tool or trend to study and present"),
                '/mentoring research assign "Copilot in Excel" mentors=Hana,Zoe due=2027-01-15', assign,
                positionals=(Arg("topic", required=True, max_length=ops.TOPIC_LIMIT),),
                options=(PROGRAM, Arg("mentors", ArgKind.LIST, max_items=10, item_max_length=LABEL_LIMIT),
                         Arg("due", ArgKind.DATE)),
                admin=True, program_scoped=True),
    CommandSpec(("research", "list"), N_("research assignments: status, mentors, due date, lunch-and-learn, ratings"),
                "/mentoring research list", list_assignments, options=(PROGRAM,)),
    CommandSpec(("research", "show"), N_("one research assignment: the write-up, its links and the lunch-and-learn"),
                "/mentoring research show #12", show, positionals=(Arg("assignment", required=True, max_length=12),)),
    CommandSpec(("research", "writeup"), N_("mentors: send the write-up of your research (a summary and links)"),
                '/mentoring research writeup #12 summary="What it is and why it matters" links="https://example.com"',
                writeup, positionals=(ASSIGNMENT,),
                options=(Arg("summary", max_length=ops.SUMMARY_LIMIT),
                         Arg("links", max_length=ops.MAX_LINKS * (ops.LINK_LIMIT + 2)))),
    CommandSpec(("research", "schedule"), N_("mentors: put the lunch-and-learn on the calendar (or move it) and invite "
                "its audience"), '/mentoring research schedule #12 2027-01-19 12:30 remote audience="Victor, Carla"',
                schedule, positionals=(ASSIGNMENT, Arg("date", max_length=20), Arg("time", max_length=10),
                                       Arg("where", max_length=200)),
                flags=("anyway",), options=(Arg("audience", max_length=2000),)),
    CommandSpec(("research", "cancel-lunch"), N_("call off the lunch-and-learn (everyone invited is told)"),
                "/mentoring research cancel-lunch #12", cancel_lunch, positionals=(ASSIGNMENT,)),
    CommandSpec(("research", "outcome"), N_("what became of a lunch-and-learn"), "/mentoring research outcome 42 held",
                outcome, positionals=(SESSION, Arg("what", ArgKind.CHOICE, required=True, choices=OUTCOMES)),
                hidden=True),
    CommandSpec(("research", "nudge"), N_("remind the mentors of a research assignment now"),
                "/mentoring research nudge #12", nudge,
                positionals=(Arg("assignment", required=True, max_length=12),), admin=True),
    CommandSpec(("research", "due"), N_("move the due date of a research assignment's write-up"),
                "/mentoring research due #12 2027-01-29", move_due,
                positionals=(Arg("assignment", required=True, max_length=12), Arg("date", ArgKind.DATE, required=True)),
                admin=True),
    CommandSpec(("research", "cancel"), N_("call off a research assignment (and its lunch-and-learn)"),
                "/mentoring research cancel #12", cancel,
                positionals=(Arg("assignment", required=True, max_length=12),), admin=True),
    CommandSpec(("lunch", "rate"), N_("rate a lunch-and-learn you attended, 1 to 5"), "/mentoring lunch rate 42 4", rate,
                positionals=(SESSION, Arg("rating", ArgKind.INT, required=True, low=LOW, high=HIGH))),
    CommandSpec(("lunch", "try"), N_("after a lunch-and-learn: what you will try (only its presenters see it)"),
                '/mentoring lunch try 42 "Summarise my inbox with Copilot"', will_try,
                positionals=(SESSION, Arg("text", required=True, max_length=lunch.WILL_TRY_LIMIT))),
)
