"""Circle commands for the people in a circle: what it is, its meetings (hosts schedule, move
and call them off, and say whether they took place), the calendar invite, and ratings."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import update

from bot.cadence.when_and_where import Venue, describe, venue_of, zone_of
from bot.circles import meetings
from bot.circles.circles import CircleView, listed, load, may_run_meetings, view_of
from bot.circles.flows import start_attendance, start_scheduling, start_will_try
from bot.circles.timing import circle_offer
from bot.commands.command_call import CommandCall
from bot.commands.session_start import session_start
from bot.errors import CommandError
from bot.invites import session_invite
from bot.messages import Button, ButtonStyle, Message, say
from bot.turn import Turn
from storage import circles as queries
from storage.enums import CircleStatus, MemberStatus, NudgeKind, NudgeStatus, SessionStatus
from storage.models import MentoringSession, Nudge

CIRCLE_REF = re.compile(r"^#?(\d{1,9})$")
OUTCOMES = ("held", "rescheduled", "canceled")


def circle_id(ref: str) -> int:
    """The id in ``#3`` (or ``3``)."""
    found = CIRCLE_REF.match(ref.strip())
    if found is None:
        raise CommandError(f"'{ref}' is not a circle: name it by its number, like #3 (see `/mentoring circles`).")
    return int(found.group(1))


async def _is_admin(turn: Turn, view: CircleView) -> bool:
    return view.program.id in await turn.repo.admin_program_ids(turn.person.id)


def _takes_part(turn: Turn, view: CircleView) -> bool:
    row = view.row_of(turn.person.id)
    return row is not None and row.status == MemberStatus.ACTIVE


async def my_circle(turn: Turn, ref: str | None) -> CircleView:
    """The circle a participant command is about: ``ref`` (``#ID``, theirs or one their program's),
    or else the one running circle they are in."""
    if ref:
        view = await load(turn.repo, circle_id(ref))
        if view is None or not (_takes_part(turn, view) or await _is_admin(turn, view)):
            raise CommandError(f"I can't find the circle {ref} among yours (see `/mentoring circles`).")
        return view
    mine = await queries.circles_of_person(turn.repo, turn.person.id)
    if not mine:
        hint = " As an admin, name the circle: circle=#ID (see `/mentoring circle list`)." \
            if await turn.repo.admin_program_ids(turn.person.id) else ""
        raise CommandError("You are not in a circle yet." + hint)
    if len(mine) > 1:
        options = ", ".join(f"circle=#{found.id} for '{found.title}'" for found, _member in mine)
        raise CommandError(f"You are in several circles: say which one ({options}).")
    view = await view_of(turn.repo, mine[0][0])
    assert view is not None
    return view


async def _hosted(call: CommandCall, action: str) -> CircleView | Message:
    """The running circle whose meetings the person speaking runs (a host, or an admin), or the
    refusal to send (audited)."""
    turn = call.turn
    view = await my_circle(turn, call.args.get("circle"))
    if view.circle.status != CircleStatus.ACTIVE:
        state = "not confirmed yet" if view.circle.status == CircleStatus.PROPOSED else "over"
        raise CommandError(f"The circle {view.name} is {state}, so it has no meetings to {action}.")
    if not await may_run_meetings(turn, view):
        turn.audit(f"circle {action}.refused", False, view.program.id, circle=view.circle.id)
        return say(f"Only the circle's hosts ({view.host_names}) or a program admin can {action} its meetings.")
    return view


def _schedule_button(view: CircleView, label: str = "Schedule a meeting") -> Button:
    return Button.for_command(label, f"circle schedule circle={view.ref}", ButtonStyle.PRIMARY)


async def schedule(call: CommandCall) -> Sequence[Message]:
    """``circle schedule [DATE TIME [WHERE]] [repeat] [circle=#ID]``: the circle's next meeting."""
    turn, view = call.turn, await _hosted(call, "schedule")
    if isinstance(view, Message):
        return [view]
    upcoming = await queries.upcoming(turn.repo, view.circle.id, turn.now)
    if upcoming is not None:
        return [say(f"The circle {view.name} already has a meeting: {describe(upcoming, await zone_of(turn))}.",
                    Button.for_command("Reschedule it", f"circle reschedule circle={view.ref}"))]
    if "date" not in call.args:
        return await start_scheduling(turn, view)
    zone = await zone_of(turn)
    starts_at = session_start(call, zone)
    if not call.args.get("anyway"):
        offer = await circle_offer(turn, view, starts_at, verb="schedule", where=call.args.get("where"),
                                   repeat=bool(call.args.get("repeat")))
        if offer is not None:
            return [offer]
    session = await meetings.schedule(turn, view, starts_at, zone, venue_of(call.args.get("where")),
                                      recurring=bool(call.args.get("repeat")))
    return [await meetings.confirmation(turn, view, session, f"Scheduled the next meeting of the circle {view.name}:")]


async def reschedule(call: CommandCall) -> Sequence[Message]:
    """``circle reschedule [DATE TIME [WHERE]] [circle=#ID] [meeting=ID]``: move the next meeting
    (or, by its id, a meeting still waiting for its outcome)."""
    turn, view = call.turn, await _hosted(call, "reschedule")
    if isinstance(view, Message):
        return [view]
    upcoming = await _meeting_to_move(turn, view, call.args.get("meeting"))
    if upcoming is None:
        return [say(f"Nothing is on the calendar for the circle {view.name} to move.", _schedule_button(view))]
    if "date" not in call.args:
        return await start_scheduling(turn, view, moving=upcoming)
    zone, where = await zone_of(turn), call.args.get("where")
    venue = venue_of(where) if where is not None else Venue.of(upcoming)
    starts_at = session_start(call, zone)
    if not call.args.get("anyway"):
        offer = await circle_offer(turn, view, starts_at, verb="reschedule", where=where,
                                   meeting_id=call.args.get("meeting"), minutes=upcoming.duration_minutes)
        if offer is not None:
            return [offer]
    session = await meetings.reschedule(turn, view, upcoming, starts_at, zone, venue)
    return [await meetings.confirmation(turn, view, session, f"Moved the meeting of the circle {view.name} to")]


async def _meeting_to_move(turn: Turn, view: CircleView, meeting_id: int | None) -> MentoringSession | None:
    """The circle's next meeting, or the one with ``meeting_id`` when it is still scheduled."""
    if meeting_id is None:
        return await queries.upcoming(turn.repo, view.circle.id, turn.now)
    session = await queries.meeting(turn.repo, meeting_id)
    ok = session is not None and session.circle_id == view.circle.id and session.status == SessionStatus.SCHEDULED
    return session if ok else None


async def cancel_meeting(call: CommandCall) -> Sequence[Message]:
    """``circle cancel-meeting [circle=#ID]``: call the next meeting off."""
    turn, view = call.turn, await _hosted(call, "cancel")
    if isinstance(view, Message):
        return [view]
    upcoming = await queries.upcoming(turn.repo, view.circle.id, turn.now)
    if upcoming is None:
        return [say(f"Nothing is on the calendar for the circle {view.name} to cancel.")]
    await meetings.cancel(turn, view, upcoming)
    return [say(f"Canceled the meeting of the circle {view.name} ({describe(upcoming, await zone_of(turn))}); "
                "I've told everyone, with the cancellation for their calendars. A new date keeps the circle going:",
                _schedule_button(view, "Pick a new date"))]


async def invite(call: CommandCall) -> Sequence[Message]:
    """``circle invite [circle=#ID]``: the calendar invite for the next meeting again."""
    turn = call.turn
    view = await my_circle(turn, call.args.get("circle"))
    upcoming = await queries.upcoming(turn.repo, view.circle.id, turn.now)
    if upcoming is None:
        return [say(f"Nothing is on the calendar for the circle {view.name} yet.")]
    text = f"The calendar invite for the circle {view.name}: {describe(upcoming, await zone_of(turn))}."
    return [Message(text, say(text).blocks, attachments=(await session_invite(turn.repo, upcoming),))]


async def _meeting_of(turn: Turn, session_id: int) -> tuple[MentoringSession, CircleView]:
    session = await queries.meeting(turn.repo, session_id)
    view = await load(turn.repo, session.circle_id) if session is not None else None
    if session is None or view is None or not (_takes_part(turn, view) or await _is_admin(turn, view)):
        raise CommandError("I can't find that meeting among your circles'.")
    return session, view


async def outcome(call: CommandCall) -> Sequence[Message]:
    """``circle outcome SESSION held|rescheduled|canceled``: what became of a meeting (hosts, admins)."""
    turn = call.turn
    session, view = await _meeting_of(turn, call.args["session"])
    if not await may_run_meetings(turn, view):
        turn.audit("circle outcome.refused", False, view.program.id, session=session.id)
        return [say(f"Only the circle's hosts ({view.host_names}) record what became of a meeting; they have "
                    "been asked. Thanks!")]
    if view.circle.status != CircleStatus.ACTIVE:
        raise CommandError(f"The circle {view.name} is not running any more.")
    if session.status != SessionStatus.SCHEDULED:
        return [say(f"Already recorded: that meeting was {session.status.replace('_', '-')}. Thanks!")]
    if session.starts_at > turn.now:
        raise CommandError("That meeting has not taken place yet.")
    what = call.args["what"]
    if what == "held":
        return await start_attendance(turn, view, session)
    if what == "rescheduled":
        return await start_scheduling(turn, view, moving=session, intro="When does it take place now?")
    await meetings.cancel(turn, view, session)
    return [say("Noted as canceled. A new date keeps the circle going:", _schedule_button(view, "Pick a new date"))]


async def rate(call: CommandCall) -> Sequence[Message]:
    """``circle rate SESSION N``: how useful a meeting you came to was, 1 to 5; then what you will try."""
    turn = call.turn
    session, view = await _meeting_of(turn, call.args["session"])
    if session.status != SessionStatus.HELD:
        raise CommandError("That meeting is not recorded as held, so there is nothing to rate yet.")
    row = await queries.attendance_row(turn.repo, session.id, turn.person.id)
    if row is None or not row.attended:
        turn.audit("circle rate.refused", False, view.program.id, session=session.id)
        return [say("You weren't recorded as there for that meeting, so I can't take a rating for it. If that's "
                    f"a mistake, tell {view.host_names}: they recorded who came.")]
    rating = int(call.args["rating"])
    row.rating = rating
    query = update(Nudge).where(Nudge.tenant_id == turn.tenant.id, Nudge.person_id == turn.person.id,
                                Nudge.session_id == session.id, Nudge.kind == NudgeKind.CIRCLE_RATING)
    await turn.repo.session.execute(query.where(Nudge.answered_at.is_(None)).values(answered_at=turn.now))
    await turn.repo.session.execute(query.where(Nudge.status == NudgeStatus.PENDING)
                                    .values(status=NudgeStatus.CANCELED))
    return await start_will_try(turn, session, intro=f"Thanks: {rating}/5 noted.")


async def show(call: CommandCall) -> Sequence[Message]:
    """``circle show [#ID]``: the circle, its next and past meetings; hosts and admins also see
    each member's attendance."""
    turn = call.turn
    view = await my_circle(turn, call.args.get("circle"))
    zone = await zone_of(turn)
    insider = await may_run_meetings(turn, view)
    members = [p.display_name for p in view.members]
    lines = [f"*Circle {view.ref} {view.name}* ({view.program.name}, {view.circle.status}, meets {view.cadence_text})",
             f"Hosts: {view.host_names}",
             f"Members ({len(members)} of {view.circle.size}): {listed(members) or 'nobody yet'}"]
    upcoming = await queries.upcoming(turn.repo, view.circle.id, turn.now)
    lines.append(f"Next meeting: {describe(upcoming, zone) if upcoming else 'nothing on the calendar yet'}")
    lines += await _past(turn, view, zone)
    if insider:
        lines += await _attendance(turn, view)
    buttons = []
    if upcoming is not None:
        buttons.append(Button.for_command("Calendar invite", f"circle invite circle={view.ref}"))
    elif insider and view.circle.status == CircleStatus.ACTIVE:
        buttons.append(_schedule_button(view))
    return [say("\n".join(lines), *buttons)]


async def _past(turn: Turn, view: CircleView, zone: str) -> list[str]:
    past = await queries.past_meetings(turn.repo, view.circle.id, turn.now)
    counts = await queries.came_counts(turn.repo, [s.id for s in past])
    lines = []
    for session in past:
        local = describe(session, zone).split(" (")[0]
        if session.status == SessionStatus.HELD:
            came, recorded = counts.get(session.id, (0, 0))
            state = f"held, {came} of {recorded} members came"
        elif session.status == SessionStatus.SCHEDULED:
            state = "waiting for the hosts to say whether it took place"
        else:
            state = session.status.replace("_", "-")
        lines.append(f"- {local}: {state}")
    return ["Past meetings:", *lines] if lines else []


async def _attendance(turn: Turn, view: CircleView) -> list[str]:
    shares = await queries.attendance_by(turn.repo, [view.circle.id], per_person=True)
    lines = [f"- {p.display_name}: {shares[p.id][0]} of {shares[p.id][1]}" for p in view.members if p.id in shares]
    return ["Attendance so far (hosts and admins see this):", *lines] if lines else []


async def mine(call: CommandCall) -> Sequence[Message]:
    """``circles``: the circles you are in, with their next meeting."""
    turn = call.turn
    zone = await zone_of(turn)
    lines = []
    for found, member in await queries.circles_of_person(turn.repo, turn.person.id):
        upcoming = await queries.upcoming(turn.repo, found.id, turn.now)
        when = f"next meeting {describe(upcoming, zone)}" if upcoming else "nothing on the calendar yet"
        lines.append(f"- #{found.id} '{found.title}' ({member.role}): {when}")
    if not lines:
        hint = " Admins see every circle with `/mentoring circle list`." \
            if await turn.repo.admin_program_ids(turn.person.id) else ""
        return [say("You are not in any circle yet: your program admin puts circles together." + hint)]
    return [say("Your circles:\n" + "\n".join(lines))]
