"""The check a message passes when it is about to go out (rules 2 and 3 of docs/cadence.md).

A nudge's due time was inside its recipient's working hours when it was written; by the time it
goes out the bot may have been down for hours, or the recipient may have moved to another zone,
changed their hours or paused. So the sender asks :func:`send_check` first, with the recipient's
profile and enrollment as they are now: send it now, hold it until their next working moment
(with everyone it goes to together, at a moment all of them work), or drop it as stale or
meant for someone who is paused. Never at night, never on a weekend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.cadence.hours import WorkingHours, hours_of
from bot.cadence.slots import shared_windows
from storage.enums import EnrollmentStatus, NudgeKind
from storage.models import Circle, Nudge, Pair, Person, ResearchAssignment
from storage.repository import Repository

STALE_AFTER = timedelta(days=14)
"""A message later than this is dropped: what it asked or said has been overtaken."""
STALE_AFTER_KIND: dict[str, timedelta] = {NudgeKind.DIGEST: timedelta(days=6)}  # the next digest is due a week after
FOR_ANYONE = frozenset({NudgeKind.FLAG, NudgeKind.DIGEST, NudgeKind.PAIR_ENDED, NudgeKind.INVITATION})
"""Kinds that go out whatever the recipient's pause: to admins, or news that ends a pairing."""
LOOK_AHEAD = timedelta(days=14)


@dataclass(frozen=True)
class SendCheck:
    """What to do with a nudge now: send it (``ok``), hold it ``until`` a later moment, or drop
    it (``dropped`` says why; ``expired`` when its own end has come)."""

    ok: bool = False
    until: datetime | None = None
    dropped: str | None = None
    expired: bool = False


SEND = SendCheck(ok=True)


async def send_check(repo: Repository, nudge: Nudge, person: Person, now: datetime) -> SendCheck:
    """Whether ``nudge`` goes out to ``person`` at ``now``, waits, or is dropped."""
    if nudge.kind not in FOR_ANYONE and await _paused(repo, nudge, person.id):
        return SendCheck(dropped="the recipient is paused or has left the program")
    people = [await hours_of(repo, person)]
    for other_id in nudge.payload.get("together") or []:
        other = await repo.person(int(other_id))
        if other is not None and other.erased_at is None:
            people.append(await hours_of(repo, other))
    moment = _next_moment(people, now)
    if nudge.expires_at is not None and moment >= nudge.expires_at:
        return SendCheck(dropped="its moment passed while it waited for working hours", expired=True)
    if moment - nudge.due_at > STALE_AFTER_KIND.get(nudge.kind, STALE_AFTER):
        return SendCheck(dropped=f"stale: it was due {nudge.due_at:%Y-%m-%d %H:%M} UTC")
    return SEND if moment <= now else SendCheck(until=moment)


def _next_moment(people: list[WorkingHours], now: datetime) -> datetime:
    """``now`` when everyone is at work, else the next moment they all are (their own next
    working moment for the first when they never are, together, in the coming two weeks)."""
    if len(people) == 1:
        return people[0].next_working(now)
    windows = shared_windows(people, now, now + LOOK_AHEAD)
    return windows[0][0] if windows else people[0].next_working(now)


async def _paused(repo: Repository, nudge: Nudge, person_id: int) -> bool:
    """True when the recipient is paused in (or has left) the program the nudge is about."""
    program_id = await _program_of(repo, nudge)
    if program_id is None:
        return False
    enrollment = await repo.enrollment(program_id, person_id)
    return enrollment is not None and enrollment.status in (EnrollmentStatus.PAUSED, EnrollmentStatus.LEFT)


async def _program_of(repo: Repository, nudge: Nudge) -> int | None:
    """The program of the pair, circle or research assignment a nudge is about."""
    if nudge.pair_id is not None:
        query = select(Pair.program_id).where(Pair.tenant_id == repo.tenant_id, Pair.id == nudge.pair_id)
    elif nudge.circle_id is not None:
        query = select(Circle.program_id).where(Circle.tenant_id == repo.tenant_id, Circle.id == nudge.circle_id)
    elif nudge.assignment_id is not None:
        query = select(ResearchAssignment.program_id).where(
            ResearchAssignment.tenant_id == repo.tenant_id, ResearchAssignment.id == nudge.assignment_id)
    else:
        return None
    return await repo.session.scalar(query)
