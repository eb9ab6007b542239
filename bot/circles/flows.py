"""The circles' forms: when a meeting takes place, who came to it, and what a member will try
after it.

Started by ``/mentoring circle schedule`` (or ``reschedule``) without a date, by "we moved it"
or "yes, we met" after a meeting, and by a member's rating.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.i18n import N_, _
from bot.catalog import word
from bot.cadence.when_and_where import describe, venue_of, zone_of
from bot.circles import meetings
from bot.circles.circles import CircleView, load, may_run_meetings
from bot.circles.timing import circle_offer
from bot.flows.base import Flow, FormStep, Question, Step
from bot.flows.scheduling import SchedulingFlow, answered_start
from bot.messages import FieldKind, FormField, Message, Option, say
from bot.parsing import InvalidAnswer, parse_choices, parse_text
from bot.turn import Turn
from storage import circles as queries
from storage.enums import CircleStatus, SessionStatus
from storage.models import ConversationState, MentoringSession

GONE = N_("That circle is not running any more; nothing was saved.")


async def _running(turn: Turn, data: Mapping[str, Any]) -> CircleView | None:
    view = await load(turn.repo, int(data["circle_id"]))
    return view if view is not None and view.circle.status == CircleStatus.ACTIVE else None


async def _meeting(turn: Turn, data: Mapping[str, Any], key: str = "session_id") -> MentoringSession | None:
    return await queries.meeting(turn.repo, int(data[key])) if data.get(key) else None


class CircleScheduleFlow(SchedulingFlow):
    """Asks for a circle meeting's date, time and place, then schedules (or moves) it."""

    name = "circle-schedule"
    form_title = N_("Schedule a meeting")

    def intro(self, data: Mapping[str, Any]) -> str:
        """When the circle meets next."""
        return _("When does the circle {title} meet next?", title=data['title'])

    async def finish(self, turn: Turn, state: ConversationState) -> list[Message]:
        """Schedule (or move) the meeting with the answers."""
        data, answers = state.data, state.data.get("answers", {})
        view = await _running(turn, data)
        if view is None or not await may_run_meetings(turn, view):
            return [say(_("That circle is not running any more, or you no longer host it; nothing was scheduled."))]
        zone = await zone_of(turn)
        try:
            starts_at = answered_start(turn, answers, zone)
        except InvalidAnswer as problem:
            return await self.start(turn, data, intro=str(problem), subject=state.subject)
        venue = venue_of(answers.get("where"))
        moving = await _meeting(turn, data, "moving")
        moving = moving if moving is not None and moving.status == SessionStatus.SCHEDULED else None
        offer = await circle_offer(
            turn, view, starts_at, verb="reschedule" if moving is not None else "schedule", where=answers.get("where"),
            repeat=moving is None and answers.get("repeat") == "yes", meeting_id=moving.id if moving else None,
            minutes=moving.duration_minutes if moving is not None else meetings.DURATION_MINUTES)
        if offer is not None:
            return [offer]
        if moving is not None:
            session = await meetings.reschedule(turn, view, moving, starts_at, zone, venue)
            return [await meetings.confirmation(turn, view, session, _("Moved the meeting of the circle {name} to", name=view.name))]
        if await queries.upcoming(turn.repo, view.circle.id, turn.now) is not None:
            return [say(_("The circle {name} already has a meeting on the calendar; nothing was added.", name=view.name))]
        session = await meetings.schedule(turn, view, starts_at, zone, venue, recurring=answers.get("repeat") == "yes")
        return [await meetings.confirmation(turn, view, session, _("Scheduled the next meeting of the circle {name}:", name=view.name))]


class AttendanceFlow(Flow):
    """Who came: every expected member ticked, untick who missed it."""

    name = "circle-came"
    title = N_("Attendance")

    async def steps(self, turn: Turn, data: Mapping[str, Any]) -> list[Step]:
        """One multi-select of the members expected."""
        options = [Option(str(person_id), name) for person_id, name in data["members"]]
        came = FormField("came", _("Who came?"), FieldKind.MULTI_SELECT, options, optional=True,
                         initial=[o.value for o in options], hint=_("everyone is ticked: untick who missed it"))
        return [FormStep("came", _("Who came?"), _("Who came to the {title} meeting on {when}?", title=data['title'], when=data['when']),
                         [Question(came, lambda raw: parse_choices(raw, options, optional=True))])]

    async def finish(self, turn: Turn, state: ConversationState) -> list[Message]:
        """Record the meeting as held, with everyone's attendance."""
        view, session = await _running(turn, state.data), await _meeting(turn, state.data)
        if view is None or session is None or not await may_run_meetings(turn, view):
            return [say(_(GONE))]
        if session.status != SessionStatus.SCHEDULED:
            return [say(_("Already recorded: that meeting was {status}. Thanks!", status=word(session.status)))]
        came_ids = {int(value) for value in state.data.get("answers", {}).get("came", [])}
        came, missed = await meetings.record_held(turn, view, session, came_ids)
        return [await meetings.after_held(turn, view, came, missed)]


class WillTryFlow(Flow):
    """After a member's rating: what they will try after the discussion (optional)."""

    name = "circle-try"
    title = N_("After the circle")

    async def steps(self, turn: Turn, data: Mapping[str, Any]) -> list[Step]:
        """One optional text."""
        limit = meetings.WILL_TRY_LIMIT
        field = FormField("will_try", _("What will you try after this discussion?"), FieldKind.LONG_TEXT,
                          optional=True, max_length=limit, hint=_("optional, up to {limit} characters", limit=limit))
        return [FormStep("try", _("After the circle"), "", [Question(field, lambda raw: parse_text(raw, limit, True))])]

    async def finish(self, turn: Turn, state: ConversationState) -> list[Message]:
        """Store what they will try on their attendance."""
        row = await queries.attendance_row(turn.repo, int(state.data["session_id"]), turn.person.id)
        if row is None:
            return [say(_(GONE))]
        row.will_try = state.data.get("answers", {}).get("will_try")
        if row.will_try:
            return [say(_("Noted, thank you. Trying it out is how it sticks: tell the circle how it went next time."))]
        return [say(_("Thanks for your rating!"))]


CIRCLE_SCHEDULING = CircleScheduleFlow()
ATTENDANCE = AttendanceFlow()
WILL_TRY = WillTryFlow()
CIRCLE_FLOWS: tuple[Flow, ...] = (CIRCLE_SCHEDULING, ATTENDANCE, WILL_TRY)


async def start_scheduling(turn: Turn, view: CircleView, moving: MentoringSession | None = None,
                           intro: str = "") -> list[Message]:
    """Ask the person speaking when the circle meets (moving ``moving`` when given)."""
    data = {"circle_id": view.circle.id, "title": view.name, "partner": _("the circle {name}", name=view.name),
            "moving": moving.id if moving is not None else None}
    return await CIRCLE_SCHEDULING.start(turn, data, intro=intro, subject=f"circle-{view.circle.id}")


async def start_attendance(turn: Turn, view: CircleView, session: MentoringSession) -> list[Message]:
    """Ask the host speaking who came to ``session``."""
    members = [[person.id, person.display_name] for person in await meetings.expected(turn, view)]
    data = {"circle_id": view.circle.id, "session_id": session.id, "title": view.name, "members": members,
            "when": describe(session, await zone_of(turn))}
    return await ATTENDANCE.start(turn, data, subject=f"session-{session.id}")


async def start_will_try(turn: Turn, session: MentoringSession, intro: str) -> list[Message]:
    """Ask the member speaking what they will try after ``session``."""
    return await WILL_TRY.start(turn, {"session_id": session.id}, intro=intro, subject=f"session-{session.id}")
