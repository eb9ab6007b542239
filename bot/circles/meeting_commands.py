"""Circle commands for the people in a circle: what it is, its meetings (hosts schedule, move
and call them off, and say whether they took place), the calendar invite, and ratings."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import update

from bot.i18n import N_, _
from bot.catalog import word
from bot.cadence.when_and_where import Venue, describe, venue_of, zone_of
from bot.circles import meetings
from bot.circles.circles import CircleView, listed, load, may_run_meetings, role_word, view_of
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
        raise CommandError(_("'{ref}' is not a circle: name it by its number, like #3 (see `/mentoring circles`).", ref=ref))
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
            raise CommandError(_("I can't find the circle {ref} among yours (see `/mentoring circles`).", ref=ref))
        return view
    mine = await queries.circles_of_person(turn.repo, turn.person.id)
    if not mine:
        hint = _(" As an admin, name the circle: circle=#ID (see `/mentoring circle list`).") \
            if await turn.repo.admin_program_ids(turn.person.id) else ""
        raise CommandError(_("You are not in a circle yet.") + hint)
    if len(mine) > 1:
        options = ", ".join(_("circle=#{id} for '{found}'", id=found.id, found=found.title) for found, _member in mine)
        raise CommandError(_("You are in several circles: say which one ({options}).", options=options))
    view = await view_of(turn.repo, mine[0][0])
    assert view is not None
    return view


async def _hosted(call: CommandCall, action: str) -> CircleView | Message:
    """The running circle whose meetings the person speaking runs (a host, or an admin), or the
    refusal to send (audited)."""
    turn = call.turn
    view = await my_circle(turn, call.args.get("circle"))
    if view.circle.status != CircleStatus.ACTIVE:
        if view.circle.status == CircleStatus.PROPOSED:
            raise CommandError(_("The circle {name} is not confirmed yet, so it has no meetings to run.", name=view.name))
        raise CommandError(_("The circle {name} is over, so it has no meetings to run.", name=view.name))
    if not await may_run_meetings(turn, view):
        turn.audit(f"circle {action}.refused", False, view.program.id, circle=view.circle.id)
        return say(_("Only the circle's hosts ({host_names}) or a program admin can run its meetings.",
                     host_names=view.host_names))
    return view


def _schedule_button(view: CircleView, label: str = N_("Schedule a meeting")) -> Button:
    return Button.for_command(_(label), f"circle schedule circle={view.ref}", ButtonStyle.PRIMARY)


async def schedule(call: CommandCall) -> Sequence[Message]:
    """``circle schedule [DATE TIME [WHERE]] [repeat] [circle=#ID]``: the circle's next meeting."""
    turn, view = call.turn, await _hosted(call, "schedule")
    if isinstance(view, Message):
        return [view]
    upcoming = await queries.upcoming(turn.repo, view.circle.id, turn.now)
    if upcoming is not None:
        return [say(_("The circle {name} already has a meeting: {upcoming}.", name=view.name, upcoming=describe(upcoming, await zone_of(turn))),
                    Button.for_command(_("Reschedule it"), f"circle reschedule circle={view.ref}"))]
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
    return [await meetings.confirmation(turn, view, session, _("Scheduled the next meeting of the circle {name}:", name=view.name))]


async def reschedule(call: CommandCall) -> Sequence[Message]:
    """``circle reschedule [DATE TIME [WHERE]] [circle=#ID] [meeting=ID]``: move the next meeting
    (or, by its id, a meeting still waiting for its outcome)."""
    turn, view = call.turn, await _hosted(call, "reschedule")
    if isinstance(view, Message):
        return [view]
    upcoming = await _meeting_to_move(turn, view, call.args.get("meeting"))
    if upcoming is None:
        return [say(_("Nothing is on the calendar for the circle {name} to move.", name=view.name), _schedule_button(view))]
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
    return [await meetings.confirmation(turn, view, session, _("Moved the meeting of the circle {name} to", name=view.name))]


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
        return [say(_("Nothing is on the calendar for the circle {name} to cancel.", name=view.name))]
    await meetings.cancel(turn, view, upcoming)
    return [say(_("Canceled the meeting of the circle {name} ({upcoming}); I've told everyone, with the " "cancellation for their calendars. A new date keeps the circle going:", name=view.name, upcoming=describe(upcoming, await zone_of(turn))),
                _schedule_button(view, N_("Pick a new date")))]


async def invite(call: CommandCall) -> Sequence[Message]:
    """``circle invite [circle=#ID]``: the calendar invite for the next meeting again."""
    turn = call.turn
    view = await my_circle(turn, call.args.get("circle"))
    upcoming = await queries.upcoming(turn.repo, view.circle.id, turn.now)
    if upcoming is None:
        return [say(_("Nothing is on the calendar for the circle {name} yet.", name=view.name))]
    text = _("The calendar invite for the circle {name}: {upcoming}.", name=view.name, upcoming=describe(upcoming, await zone_of(turn)))
    return [Message(text, say(text).blocks, attachments=(await session_invite(turn.repo, upcoming),))]


async def _meeting_of(turn: Turn, session_id: int) -> tuple[MentoringSession, CircleView]:
    session = await queries.meeting(turn.repo, session_id)
    view = await load(turn.repo, session.circle_id) if session is not None else None
    if session is None or view is None or not (_takes_part(turn, view) or await _is_admin(turn, view)):
        raise CommandError(_("I can't find that meeting among your circles'."))
    return session, view


async def outcome(call: CommandCall) -> Sequence[Message]:
    """``circle outcome SESSION held|rescheduled|canceled``: what became of a meeting (hosts, admins)."""
    turn = call.turn
    session, view = await _meeting_of(turn, call.args["session"])
    if not await may_run_meetings(turn, view):
        turn.audit("circle outcome.refused", False, view.program.id, session=session.id)
        return [say(_("Only the circle's hosts ({host_names}) record what became of a meeting; they have been " "asked. Thanks!", host_names=view.host_names))]
    if view.circle.status != CircleStatus.ACTIVE:
        raise CommandError(_("The circle {name} is not running any more.", name=view.name))
    if session.status != SessionStatus.SCHEDULED:
        return [say(_("Already recorded: that meeting was {status}. Thanks!", status=word(session.status)))]
    if session.starts_at > turn.now:
        raise CommandError(_("That meeting has not taken place yet."))
    what = call.args["what"]
    if what == "held":
        return await start_attendance(turn, view, session)
    if what == "rescheduled":
        return await start_scheduling(turn, view, moving=session, intro=_("When does it take place now?"))
    await meetings.cancel(turn, view, session)
    return [say(_("Noted as canceled. A new date keeps the circle going:"), _schedule_button(view, N_("Pick a new date")))]


async def rate(call: CommandCall) -> Sequence[Message]:
    """``circle rate SESSION N``: how useful a meeting you came to was, 1 to 5; then what you will try."""
    turn = call.turn
    session, view = await _meeting_of(turn, call.args["session"])
    if session.status != SessionStatus.HELD:
        raise CommandError(_("That meeting is not recorded as held, so there is nothing to rate yet."))
    row = await queries.attendance_row(turn.repo, session.id, turn.person.id)
    if row is None or not row.attended:
        turn.audit("circle rate.refused", False, view.program.id, session=session.id)
        return [say(_("You weren't recorded as there for that meeting, so I can't take a rating for it. If " "that's a mistake, tell {host_names}: they recorded who came.", host_names=view.host_names))]
    rating = int(call.args["rating"])
    row.rating = rating
    query = update(Nudge).where(Nudge.tenant_id == turn.tenant.id, Nudge.person_id == turn.person.id,
                                Nudge.session_id == session.id, Nudge.kind == NudgeKind.CIRCLE_RATING)
    await turn.repo.session.execute(query.where(Nudge.answered_at.is_(None)).values(answered_at=turn.now))
    await turn.repo.session.execute(query.where(Nudge.status == NudgeStatus.PENDING)
                                    .values(status=NudgeStatus.CANCELED))
    return await start_will_try(turn, session, intro=_("Thanks: {rating}/5 noted.", rating=rating))


async def show(call: CommandCall) -> Sequence[Message]:
    """``circle show [#ID]``: the circle, its next and past meetings; hosts and admins also see
    each member's attendance."""
    turn = call.turn
    view = await my_circle(turn, call.args.get("circle"))
    zone = await zone_of(turn)
    insider = await may_run_meetings(turn, view)
    members = [p.display_name for p in view.members]
    lines = [_("*Circle {ref} {name}* ({program}, {status}, meets {cadence_text})", ref=view.ref, name=view.name, program=view.program.name, status=word(view.circle.status), cadence_text=view.cadence_text),
             _("Hosts: {host_names}", host_names=view.host_names),
             _("Members ({count} of {size}): {value}", count=len(members), size=view.circle.size, value=listed(members) or 'nobody yet')]
    upcoming = await queries.upcoming(turn.repo, view.circle.id, turn.now)
    lines.append(_("Next meeting: {value}", value=describe(upcoming, zone) if upcoming else _('nothing on the calendar yet')))
    lines += await _past(turn, view, zone)
    if insider:
        lines += await _attendance(turn, view)
    buttons = []
    if upcoming is not None:
        buttons.append(Button.for_command(_("Calendar invite"), f"circle invite circle={view.ref}"))
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
            state = _("held, {came} of {recorded} members came", came=came, recorded=recorded)
        elif session.status == SessionStatus.SCHEDULED:
            state = _("waiting for the hosts to say whether it took place")
        else:
            state = session.status.replace("_", "-")
        lines.append(f"- {local}: {state}")
    return [_("Past meetings:"), *lines] if lines else []


async def _attendance(turn: Turn, view: CircleView) -> list[str]:
    shares = await queries.attendance_by(turn.repo, [view.circle.id], per_person=True)
    lines = [_("- {p}: {value} of {value2}", p=p.display_name, value=shares[p.id][0], value2=shares[p.id][1]) for p in view.members if p.id in shares]
    return [_("Attendance so far (hosts and admins see this):"), *lines] if lines else []


async def mine(call: CommandCall) -> Sequence[Message]:
    """``circles``: the circles you are in, with their next meeting."""
    turn = call.turn
    zone = await zone_of(turn)
    lines = []
    for found, member in await queries.circles_of_person(turn.repo, turn.person.id):
        upcoming = await queries.upcoming(turn.repo, found.id, turn.now)
        when = _("next meeting {upcoming}", upcoming=describe(upcoming, zone)) if upcoming else _("nothing on the calendar yet")
        lines.append(f"- #{found.id} '{found.title}' ({role_word(member.role)}): {when}")
    if not lines:
        hint = _(" Admins see every circle with `/mentoring circle list`.") \
            if await turn.repo.admin_program_ids(turn.person.id) else ""
        return [say(_("You are not in any circle yet: your program admin puts circles together.") + hint)]
    return [say(_("Your circles:\n") + "\n".join(lines))]
