"""Lunch-and-learns: where a mentor presents their research assignment.

A lunch-and-learn is a :class:`~storage.models.MentoringSession` of the assignment (one hour,
remote or in person), for an audience: a channel (one post there) and/or a list of people
(each invited with a calendar file). Moving it keeps its calendar event (same UID, a higher
sequence) and invites again; calling it off sends the canceled event. Once held, the
audience is asked for a one-tap rating and what they will try, kept as
:class:`~storage.models.Attendance` rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import update

from bot.catalog import topic_label
from bot.i18n import N_, _
from bot.cadence.outbox import add_nudge, drop_pending
from bot.cadence.when_and_where import Venue, describe, zone_of
from bot.errors import CommandError
from bot.invites import new_calendar_uid, new_invite_token, session_invite
from bot.messages import Address, Button, Message, channel_reference, referenced_channel, say
from bot.parsing import InvalidAnswer, check_length
from bot.people import MAX_CHOICES, label, people_called
from bot.research.assignments import is_admin, joined, ref, tell
from bot.turn import Turn
from storage import research as queries
from storage.enums import AssignmentStatus, NudgeKind, SessionStatus
from storage.models import Attendance, MentoringSession, Nudge, ResearchAssignment
from storage.repository import Repository

MINUTES = 60
WILL_TRY_LIMIT = 500
HERE_IN_A_DM = (N_("`audience=here` means the channel you type the command in, and this is a direct chat with me. "
                "Type the command in the channel itself, mention the channel (audience=#general), or list "
                "people (audience=\"Victor, Carla\")."))
AUDIENCE_HINT = N_("here (this channel), a #channel, or names separated by commas")


def here_of(turn: Turn) -> dict[str, Any] | None:
    """The shared conversation the person speaking wrote in (None in a direct chat)."""
    channel = turn.inbound.channel
    return channel.as_dict() if channel is not None else None


def audience_people(assignment: ResearchAssignment) -> list[int]:
    """The people invited to the assignment's lunch-and-learn."""
    return [p for p in (assignment.audience or {}).get("people") or [] if isinstance(p, int)]


def audience_channel(assignment: ResearchAssignment) -> dict[str, Any] | None:
    """The channel the lunch-and-learn is posted in, if any."""
    channel = (assignment.audience or {}).get("channel")
    return channel if isinstance(channel, dict) else None


def channel_name(channel: Mapping[str, Any]) -> str:
    """A channel as people read it: a reference, which a platform with channel mentions shows as
    the channel's name."""
    return channel_reference(str(channel.get("user_id")), _("the channel where it was scheduled"))


async def resolve_audience(turn: Turn, text: str, here: dict[str, Any] | None, mentor_ids: list[int]) -> dict[str, Any]:
    """``here``, a channel reference (a mention) and/or names of people the bot knows,
    comma-separated, as ``{"people": [ids], "channel": address or None}``; the presenters are
    left out."""
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise InvalidAnswer(_("Who is the lunch-and-learn for? Give {audience_hint}.", audience_hint=_(AUDIENCE_HINT)))
    channels: list[dict[str, Any]] = []
    people: dict[int, None] = {}
    unknown, ambiguous = [], []
    for item in items:
        mentioned = referenced_channel(item)
        if item.lower() == "here":
            if here is None:
                raise InvalidAnswer(_(HERE_IN_A_DM))
            channels.append(here)
        elif mentioned:
            channels.append(Address(turn.person.platform, turn.tenant.external_id, mentioned).as_dict())
        else:
            found = await people_called(turn, item)
            if not found:
                unknown.append(item)
            elif len(found) > 1:
                ambiguous.append(_("'{item}' could be {items}", item=item, items=' or '.join(label(p) for p in found[:MAX_CHOICES])))
            else:
                people.setdefault(found[0].id)
    if unknown:
        raise InvalidAnswer(_("I don't know {joined} here: check the spelling, or give the email address. Nothing was " "scheduled.", joined=joined([repr(n) for n in unknown])))
    if ambiguous:
        raise InvalidAnswer(_("{items}: type more of the name, or the email address. Nothing was scheduled.", items='; '.join(ambiguous)))
    if len({(c['platform'], c['tenant'], c['user_id']) for c in channels}) > 1:
        raise InvalidAnswer(_("Give one channel at most (and names of people if you like)."))
    invited = [p for p in people if p not in mentor_ids]
    if not invited and not channels:
        raise InvalidAnswer(_("Those are the presenters themselves: who is the lunch-and-learn for?"))
    return {"people": invited, "channel": channels[0] if channels else None}


async def describe_audience(repo: Repository, audience: Mapping[str, Any]) -> str:
    """``Victor and Carla``, ``#general``, ``#general and Victor`` (the channel as a reference)."""
    parts = []
    channel = audience.get("channel")
    if isinstance(channel, dict):
        parts.append(channel_name(channel))
    names = [p.display_name for p in [await repo.person(i) for i in audience.get("people") or []] if p]
    if len(names) > 5:
        names = [*names[:4], _("{value} others", value=len(names) - 4)]
    return joined([*parts, *names]) or _("nobody yet")


async def current(turn: Turn, assignment: ResearchAssignment) -> MentoringSession | None:
    """The assignment's lunch-and-learn still on the calendar (or awaiting its outcome)."""
    lunch = await queries.lunch_of(turn.repo, assignment.id)
    return lunch if lunch is not None and lunch.status == SessionStatus.SCHEDULED else None


async def may_present(turn: Turn, assignment: ResearchAssignment) -> bool:
    """True for the assignment's mentors and its program's admins."""
    return turn.person.id in await queries.mentor_ids(turn.repo, assignment.id) or await is_admin(
        turn, assignment.program_id)


async def refusal(turn: Turn, assignment: ResearchAssignment) -> Message | None:
    """Why the person speaking may not act on the assignment's lunch-and-learn (only its mentors
    and its program's admins may; a refusal is audited), or None when they may."""
    if await may_present(turn, assignment):
        return None
    turn.audit("research.lunch.refused", False, assignment.program_id, assignment=assignment.id)
    return say(_("Only the mentors of research {assignment} or a program admin can schedule, move or call " "off its lunch-and-learn.", assignment=ref(assignment)))


# --- on the calendar ---------------------------------------------------------------------------


async def schedule(turn: Turn, assignment: ResearchAssignment, starts_at: datetime, zone: str, venue: Venue,
                   audience: dict[str, Any]) -> MentoringSession:
    """Put the lunch-and-learn on the calendar and invite its audience and the co-mentor."""
    session = turn.repo.add(MentoringSession(
        program_id=assignment.program_id, assignment_id=assignment.id, starts_at=starts_at, duration_minutes=MINUTES,
        mode=venue.mode, place=venue.place, recurring=False, status=SessionStatus.SCHEDULED, created_at=turn.now,
        created_by_id=turn.person.id, timezone=zone, calendar_uid=new_calendar_uid(), calendar_sequence=0,
        invite_token=new_invite_token()))
    await turn.repo.flush()
    await _placed(turn, assignment, session, audience, "scheduled")
    return session


async def move(turn: Turn, assignment: ResearchAssignment, old: MentoringSession, starts_at: datetime, zone: str,
               venue: Venue, audience: dict[str, Any]) -> MentoringSession:
    """Move the lunch-and-learn: the same calendar event at its next sequence number."""
    old.status, old.outcome_at, old.outcome_by_id = SessionStatus.RESCHEDULED, turn.now, turn.person.id
    session = turn.repo.add(MentoringSession(
        program_id=old.program_id, assignment_id=assignment.id, starts_at=starts_at,
        duration_minutes=old.duration_minutes, mode=venue.mode, place=venue.place, recurring=False,
        status=SessionStatus.SCHEDULED, created_at=turn.now, created_by_id=turn.person.id, timezone=zone,
        calendar_uid=old.calendar_uid or new_calendar_uid(), calendar_sequence=old.calendar_sequence + 1,
        invite_token=new_invite_token(), rescheduled_from_id=old.id))
    await turn.repo.flush()
    await _settle(turn, old.id)
    await _placed(turn, assignment, session, audience, "moved")
    return session


async def _placed(turn: Turn, assignment: ResearchAssignment, session: MentoringSession, audience: dict[str, Any],
                  event: str) -> None:
    assignment.audience, assignment.status, assignment.next_check_at = audience, AssignmentStatus.SCHEDULED, None
    await _tell_everyone(turn, assignment, session, NudgeKind.LUNCH_INVITE, event, expires_at=session.starts_at)


async def cancel(turn: Turn, assignment: ResearchAssignment, session: MentoringSession, tell_them: bool = True) -> None:
    """Call the lunch-and-learn off (its audience gets the canceled event when ``tell_them``)."""
    session.status, session.outcome_at, session.outcome_by_id = SessionStatus.CANCELED, turn.now, turn.person.id
    session.canceled_by_id = turn.person.id
    await _settle(turn, session.id)
    if assignment.status == AssignmentStatus.SCHEDULED:
        assignment.status = AssignmentStatus.WRITTEN if assignment.writeup else AssignmentStatus.ASSIGNED
    assignment.next_check_at = None
    if tell_them:
        await _tell_everyone(turn, assignment, session, NudgeKind.LUNCH_INVITE, "canceled")


async def held(turn: Turn, assignment: ResearchAssignment, session: MentoringSession) -> int:
    """The lunch-and-learn took place: the assignment is presented and its audience asked for a
    rating (one post for a channel). How many people (or channels) were asked."""
    session.status, session.outcome_at, session.outcome_by_id = SessionStatus.HELD, turn.now, turn.person.id
    await _settle(turn, session.id)
    assignment.status, assignment.next_check_at = AssignmentStatus.PRESENTED, None
    return await _tell_everyone(turn, assignment, session, NudgeKind.LUNCH_RATING, "held", mentors=False)


async def _settle(turn: Turn, session_id: int) -> None:
    """Nothing more goes out about a session that changed; its "did it take place?" is answered."""
    await drop_pending(turn, session_id)
    await turn.repo.session.execute(
        update(Nudge).where(Nudge.tenant_id == turn.tenant.id, Nudge.session_id == session_id,
                            Nudge.kind == NudgeKind.LUNCH_OUTCOME, Nudge.answered_at.is_(None))
        .values(answered_at=turn.now))


async def _tell_everyone(turn: Turn, assignment: ResearchAssignment, session: MentoringSession, kind: NudgeKind,
                         event: str, mentors: bool = True, expires_at: datetime | None = None) -> int:
    """A ``kind`` nudge about ``session`` to the co-mentors (when ``mentors``), to each audience
    person, and one post in the audience channel; the person speaking is answered directly."""
    mentor_ids = await queries.mentor_ids(turn.repo, assignment.id)
    recipients = [m for m in mentor_ids if mentors] + [p for p in audience_people(assignment) if p not in mentor_ids]
    payload = {"session_id": session.id, "event": event}
    told = 0
    for person_id in dict.fromkeys(recipients):
        if person_id == turn.person.id:
            continue
        await tell(turn, person_id, kind, f"{kind}:{session.id}:{event}:{person_id}", assignment, payload,
                   session_id=session.id, expires_at=expires_at)
        told += 1
    channel = audience_channel(assignment)
    if channel is not None:
        await add_nudge(turn, turn.person.id, kind, f"{kind}:{session.id}:{event}:channel", turn.now,
                        session_id=session.id, assignment_id=assignment.id, payload={**payload, "channel": channel},
                        expires_at=expires_at)
        told += 1
    return told


async def confirmation(turn: Turn, assignment: ResearchAssignment, session: MentoringSession, verb: str) -> Message:
    """What the person who scheduled (or moved) the lunch-and-learn is told, with the calendar file."""
    zone = await zone_of(turn)
    audience = await describe_audience(turn.repo, assignment.audience or {})
    message = say(_("{verb} the lunch-and-learn on {topic}: {session}. I've invited {audience} and will remind " "everyone {value} before it.", verb=verb, topic=topic_label(assignment.topic), session=describe(session, zone), audience=audience, value=await _reminder(turn, assignment)),
                  Button.for_command(_("Move it"), f"research schedule {ref(assignment)}"),
                  Button.for_command(_("Call it off"), f"research cancel-lunch {ref(assignment)}"))
    return Message(message.text, message.blocks, attachments=(await session_invite(turn.repo, session),))


async def _reminder(turn: Turn, assignment: ResearchAssignment) -> str:
    program = await turn.repo.program(assignment.program_id)
    return f"{program.reminder_hours} h" if program is not None else _("a day")


# --- after it ----------------------------------------------------------------------------------


async def ratable(turn: Turn, session_id: int) -> tuple[MentoringSession, ResearchAssignment]:
    """A held lunch-and-learn the person speaking may rate (its audience: the people invited, or
    anyone for a channel; never its presenters)."""
    session = await queries.session(turn.repo, session_id)
    assignment = await queries.assignment(turn.repo, session.assignment_id or 0) if session else None
    if session is None or assignment is None:
        raise CommandError(_("I can't find that lunch-and-learn."))
    if session.status != SessionStatus.HELD:
        raise CommandError(_("The lunch-and-learn on {topic} is not recorded as held, so there is nothing to rate yet.", topic=topic_label(assignment.topic)))
    if turn.person.id in await queries.mentor_ids(turn.repo, assignment.id):
        raise CommandError(_("You presented it: the ratings are for the audience. `/mentoring research show " "{assignment}` shows what they said.", assignment=ref(assignment)))
    if audience_channel(assignment) is None and turn.person.id not in audience_people(assignment):
        raise CommandError(_("Only the people invited to the lunch-and-learn on {topic} can rate it.", topic=topic_label(assignment.topic)))
    return session, assignment


async def rate(turn: Turn, session: MentoringSession, rating: int) -> int | None:
    """Record the person's rating (they attended); the rating it replaces, if any."""
    row = await queries.attendance_of(turn.repo, session.id, turn.person.id)
    if row is None:
        row = turn.repo.add(Attendance(session_id=session.id, person_id=turn.person.id, recorded_at=turn.now))
    before = row.rating
    row.attended, row.rating, row.recorded_at = True, rating, turn.now
    await turn.repo.flush()
    return before


def check_will_try(text: str) -> str | None:
    """What the person will try: optional, at most 500 characters."""
    cleaned = check_length(text.strip(), WILL_TRY_LIMIT)
    return cleaned or None


async def store_will_try(turn: Turn, session: MentoringSession, text: str | None) -> None:
    """Keep what the person will try (they attended)."""
    row = await queries.attendance_of(turn.repo, session.id, turn.person.id)
    if row is None:
        row = turn.repo.add(Attendance(session_id=session.id, person_id=turn.person.id, attended=True,
                                       recorded_at=turn.now))
    row.will_try = text
    await turn.repo.flush()


def describe_invalid(problem: InvalidAnswer) -> CommandError:
    """A parser's complaint as a command's answer."""
    return CommandError(str(problem))
