"""A circle's meetings: scheduled, moved or called off (everyone else is told, with the
calendar invite), what became of them ("did it meet?" and who came), and the members' ratings.

Every meeting records where it takes place (remote, in person, a place). A held meeting
resolves the circle's open flags, and each member's absence flag once they came again.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import update

from bot.i18n import _
from bot.cadence.outbox import add_nudge, drop_pending
from bot.cadence.when_and_where import Venue, describe, zone_of
from bot.circles.circles import CircleView, listed, next_working, taking_part, tell_others
from bot.invites import new_calendar_uid, new_invite_token, session_invite
from bot.messages import Button, ButtonStyle, Message, say
from bot.turn import Turn
from storage import circles as queries
from storage.enums import CircleRole, FlagKind, NudgeKind, NudgeStatus, SessionStatus
from storage.models import Attendance, MentoringSession, Nudge, Person

DURATION_MINUTES = 60
WILL_TRY_LIMIT = 500


def meeting_buttons(view: CircleView) -> list[Button]:
    """What a host can do about the next meeting."""
    ref = f"circle={view.ref}"
    return [Button.for_command(_("Reschedule"), f"circle reschedule {ref}"),
            Button.for_command(_("Cancel it"), f"circle cancel-meeting {ref}")]


async def confirmation(turn: Turn, view: CircleView, session: MentoringSession, lead: str) -> Message:
    """What the person who scheduled (or moved) a meeting is told, with the calendar invite."""
    text = (_("{lead} {session}. I've told everyone else in the circle and will remind you all before it.", lead=lead, session=describe(session, await zone_of(turn))))
    message = say(text, *meeting_buttons(view))
    return Message(message.text, message.blocks, attachments=(await session_invite(turn.repo, session),))


async def schedule(turn: Turn, view: CircleView, starts_at: datetime, zone: str, venue: Venue,
                   recurring: bool = False) -> MentoringSession:
    """Put the circle's next meeting on the calendar (a series when ``recurring``)."""
    session = turn.repo.add(MentoringSession(
        program_id=view.program.id, circle_id=view.circle.id, starts_at=starts_at,
        duration_minutes=DURATION_MINUTES, mode=venue.mode, place=venue.place, recurring=recurring,
        status=SessionStatus.SCHEDULED, created_at=turn.now, created_by_id=turn.person.id, timezone=zone,
        calendar_uid=new_calendar_uid(), calendar_sequence=0, invite_token=new_invite_token(),
    ))
    await turn.repo.flush()
    await settle(turn, view, (NudgeKind.CIRCLE_SCHEDULE,))
    await tell_others(turn, view, session, "scheduled")
    return session


async def reschedule(turn: Turn, view: CircleView, old: MentoringSession, starts_at: datetime, zone: str,
                     venue: Venue) -> MentoringSession:
    """Move ``old``: the same calendar event, at its next sequence number (a moved occurrence of a
    series is an exception to it, not a new series)."""
    old.status, old.outcome_at, old.outcome_by_id = SessionStatus.RESCHEDULED, turn.now, turn.person.id
    session = turn.repo.add(MentoringSession(
        program_id=old.program_id, circle_id=view.circle.id, starts_at=starts_at,
        duration_minutes=old.duration_minutes, mode=venue.mode, place=venue.place, recurring=False,
        status=SessionStatus.SCHEDULED, created_at=turn.now, created_by_id=turn.person.id, timezone=zone,
        calendar_uid=old.calendar_uid or new_calendar_uid(), calendar_sequence=old.calendar_sequence + 1,
        invite_token=new_invite_token(), rescheduled_from_id=old.id,
    ))
    await turn.repo.flush()
    await drop_pending(turn, old.id)
    await settle(turn, view, (NudgeKind.CIRCLE_OUTCOME,), old.id)
    await settle(turn, view, (NudgeKind.CIRCLE_SCHEDULE,))
    await tell_others(turn, view, session, "rescheduled")
    return session


async def cancel(turn: Turn, view: CircleView, session: MentoringSession) -> None:
    """Call a meeting off, recording who did; everyone else gets the canceled invite."""
    session.status, session.outcome_at, session.outcome_by_id = SessionStatus.CANCELED, turn.now, turn.person.id
    session.canceled_by_id = turn.person.id
    await drop_pending(turn, session.id)
    await settle(turn, view, (NudgeKind.CIRCLE_OUTCOME,), session.id)
    await tell_others(turn, view, session, "canceled")


async def settle(turn: Turn, view: CircleView, kinds: Collection[NudgeKind], session_id: int | None = None) -> None:
    """Questions this action answers count as answered and are no longer sent (the other host's
    "did it meet?" once one host answered), and the tick looks at the circle again."""
    query = update(Nudge).where(Nudge.tenant_id == turn.tenant.id, Nudge.circle_id == view.circle.id,
                                Nudge.kind.in_(list(kinds)))
    if session_id is not None:
        query = query.where(Nudge.session_id == session_id)
    await turn.repo.session.execute(query.where(Nudge.answered_at.is_(None)).values(answered_at=turn.now))
    await turn.repo.session.execute(query.where(Nudge.status == NudgeStatus.PENDING)
                                    .values(status=NudgeStatus.CANCELED))
    view.circle.next_check_at = None


async def expected(turn: Turn, view: CircleView) -> list[Person]:
    """The members expected at a meeting: active in the circle and in the program."""
    return [person for member, person in await taking_part(turn.repo, view) if member.role == CircleRole.MEMBER]


async def record_held(turn: Turn, view: CircleView, session: MentoringSession,
                      came_ids: Collection[int]) -> tuple[list[Person], list[Person]]:
    """The meeting was held: attendance of every expected member (hosts came), the circle's flags
    resolved (a member's absence flag once they came), and a rating asked of each member who came.
    The members who came, and those who missed it."""
    taking = await taking_part(turn.repo, view)
    for member, person in taking:
        if member.role == CircleRole.HOST:
            await _attendance(turn, session, person.id, True)
    came: list[Person] = []
    missed: list[Person] = []
    for person in await expected(turn, view):
        there = person.id in came_ids
        await _attendance(turn, session, person.id, there)
        (came if there else missed).append(person)
    session.status, session.outcome_at, session.outcome_by_id = SessionStatus.HELD, turn.now, turn.person.id
    await drop_pending(turn, session.id)
    await settle(turn, view, (NudgeKind.CIRCLE_OUTCOME,), session.id)
    await queries.resolve_flags(turn.repo, view.circle.id, turn.now, [FlagKind.CANCELED_TWICE, FlagKind.SILENT])
    await queries.resolve_flags(turn.repo, view.circle.id, turn.now, [FlagKind.REPEATED_ABSENCE],
                                [p.id for p in came])
    for person in came:
        await add_nudge(turn, person.id, NudgeKind.CIRCLE_RATING, f"circle_rating:{session.id}:{person.id}",
                        await next_working(turn, person), circle_id=view.circle.id, session_id=session.id,
                        payload={"session_id": session.id})
    return came, missed


async def _attendance(turn: Turn, session: MentoringSession, person_id: int, attended: bool) -> Attendance:
    row = await queries.attendance_row(turn.repo, session.id, person_id)
    if row is None:
        row = turn.repo.add(Attendance(session_id=session.id, person_id=person_id, recorded_at=turn.now))
    row.attended, row.recorded_at = attended, turn.now
    return row


async def after_held(turn: Turn, view: CircleView, came: list[Person], missed: list[Person]) -> Message:
    """What the host who recorded a held meeting is told."""
    total = len(came) + len(missed)
    text = _("Noted: the circle {name} met, {count} of {total} members came", name=view.name, count=len(came), total=total)
    text += _(" ({listed} missed it).", listed=listed([p.display_name for p in missed])) if missed else "."
    if came:
        text += _(" I've asked those who came how it was.")
    if await queries.upcoming(turn.repo, view.circle.id, turn.now) is not None:
        return say(text)
    return say(text + _(" Nothing is on the calendar yet:"),
               Button.for_command(_("Schedule the next one"), f"circle schedule circle={view.ref}", ButtonStyle.PRIMARY))
