"""What each outbox row says when it goes out, written from the data as it is then.

A row whose reason has gone (the session was moved, the pair paused, the flag resolved)
renders as None and is not sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.cadence.digest import digest_message
from bot.cadence.hours import WorkingHours
from bot.cadence.sessions import partner_of
from bot.cadence.wording import describe
from bot.calendar import session_invite
from bot.catalog import CADENCE_LABELS
from bot.matching.intro import introduction, pair_ended
from bot.messages import Button, ButtonStyle, Message, say
from bot.formats import circle_prompts, research_prompts
from bot.formats.flag_views import describe_flag
from bot.progress import prompts
from storage.enums import Cadence, EnrollmentStatus, NudgeKind, PairStatus, SessionStatus
from storage.models import Flag, MentoringSession, Nudge, Pair, Person, Program
from storage.repository import Repository

Renderer = Callable[["Context"], Awaitable[Message | None]]


class Context:
    """A nudge being rendered, with what every kind needs."""

    def __init__(self, repo: Repository, nudge: Nudge, person: Person, zone: ZoneInfo, now: datetime) -> None:
        self.repo, self.nudge, self.person, self.zone, self.now = repo, nudge, person, zone, now

    async def pair(self) -> tuple[Pair, Person, Program] | None:
        """The nudge's pair with the recipient's partner, if the pair still runs and nobody in it
        is paused."""
        pair = await self.repo.one_or_none(self.repo.scoped(Pair).where(Pair.id == self.nudge.pair_id))
        if pair is None or pair.status != PairStatus.ACTIVE:
            return None
        program = await self.repo.program(pair.program_id)
        partner = await self.repo.person(partner_of(pair, self.person.id))
        if program is None or partner is None:
            return None
        for person_id in (pair.mentor_id, pair.mentee_id):
            enrollment = await self.repo.enrollment(pair.program_id, person_id)
            if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
                return None
        return pair, partner, program

    async def session(self) -> MentoringSession | None:
        """The session the nudge is about."""
        return await self.repo.one_or_none(
            self.repo.scoped(MentoringSession).where(MentoringSession.id == self.nudge.session_id))

    def when(self, session: MentoringSession) -> str:
        """The session's time in the recipient's zone."""
        return describe(session, self.zone.key)


async def render_nudge(repo: Repository, nudge: Nudge, now: datetime) -> Message | None:
    """The message for an outbox row, or None when it should no longer go out."""
    person = await repo.person(nudge.person_id)
    if person is None or person.erased_at is not None:
        return None
    zone = WorkingHours.of(person, await repo.profile(person.id)).zone
    return await RENDERERS[NudgeKind(nudge.kind)](Context(repo, nudge, person, zone, now))


async def _schedule(ctx: Context) -> Message | None:
    found = await ctx.pair()
    if found is None or await ctx.repo.next_session([found[0].id], ctx.now) is not None:
        return None
    pair, partner, program = found
    cadence = CADENCE_LABELS[Cadence(pair.cadence or program.cadence)]
    button = Button.for_command("Schedule it", f'schedule with="{partner.display_name}"', ButtonStyle.PRIMARY)
    if ctx.nudge.payload.get("step") == "again":
        text = (f"A gentle reminder: nothing is on the calendar with {partner.display_name} yet. Ten minutes "
                "now keeps the program going: pick a date.")
    elif ctx.person.id == pair.mentee_id:
        text = (f"Time to put your next session with {partner.display_name} on the calendar (you meet "
                f"{cadence}). Pick a date that suits you both.")
    else:
        text = (f"Nothing is on the calendar with {partner.display_name} yet (you meet {cadence}). Could you "
                "propose a time?")
    return say(text, button)


async def _reminder(ctx: Context) -> Message | None:
    session = await ctx.session()
    found = await ctx.pair()
    if session is None or found is None or session.status != SessionStatus.SCHEDULED or session.starts_at <= ctx.now:
        return None
    _pair, partner, _program = found
    name = partner.display_name
    return say(f"Reminder: your session with {name} is on {ctx.when(session)}. Please keep it on your calendar.",
               Button.for_command("Reschedule", f'reschedule with="{name}"'),
               Button.for_command("Cancel it", f'cancel-session with="{name}"'),
               Button.for_command("Calendar invite", f'invite with="{name}"'))


async def _outcome(ctx: Context) -> Message | None:
    session = await ctx.session()
    found = await ctx.pair()
    if session is None or found is None or session.status != SessionStatus.SCHEDULED:
        return None
    _pair, partner, _program = found
    name, command = partner.display_name, f"outcome {session.id}"
    return say(f"Did your session with {name} on {ctx.when(session)} take place?",
               Button.for_command("Yes, it happened", f"{command} held", ButtonStyle.PRIMARY),
               Button.for_command("We moved it", f"{command} rescheduled"),
               Button.for_command("I canceled", f"{command} canceled by=me"),
               Button.for_command(f"{name} canceled"[:75], f"{command} canceled by=partner"),
               Button.for_command("No-show", f"{command} no-show"))


async def _news(ctx: Context) -> Message | None:
    session = await ctx.session()
    found = await ctx.pair()
    if session is None or found is None:
        return None
    _pair, partner, _program = found
    name, event = partner.display_name, ctx.nudge.payload.get("event")
    if event in ("scheduled", "rescheduled"):
        if session.status != SessionStatus.SCHEDULED:
            return None
        verb = "scheduled your next session" if event == "scheduled" else "moved your session"
        text = f"{name} {verb}: {ctx.when(session)}."
        message = say(text, Button.for_command("That doesn't work for me", f'reschedule with="{name}"'))
        return Message(message.text, message.blocks, attachments=(await session_invite(ctx.repo, session),))
    if event == SessionStatus.CANCELED:
        return say(f"{name} canceled your session of {ctx.when(session)}. Pick a new date together?",
                   Button.for_command("Pick a new date", f'schedule with="{name}"', ButtonStyle.PRIMARY))
    return say(f"{name} recorded your session of {ctx.when(session)} as {str(event).replace('_', '-')}.")


async def _manual(ctx: Context) -> Message | None:
    found = await ctx.pair()
    if found is None:
        return None
    pair, partner, _program = found
    upcoming = await ctx.repo.next_session([pair.id], ctx.now)
    name = partner.display_name
    if upcoming is not None:
        return say(f"Your program admin asked me to check in: your next session with {name} is on "
                   f"{ctx.when(upcoming)}. Still on?",
                   Button.for_command("Reschedule", f'reschedule with="{name}"'))
    return say(f"Your program admin asked me to check in: nothing is on the calendar with {name}. Pick a date?",
               Button.for_command("Schedule it", f'schedule with="{name}"', ButtonStyle.PRIMARY))


async def _flag(ctx: Context) -> Message | None:
    flag = await ctx.repo.one_or_none(ctx.repo.scoped(Flag).where(Flag.id == ctx.nudge.payload.get("flag_id")))
    if flag is None or flag.resolved_at is not None:
        return None
    return await describe_flag(ctx.repo, flag, ctx.zone, ctx.now)


async def _digest(ctx: Context) -> Message | None:
    program = await ctx.repo.program(int(ctx.nudge.payload.get("program_id", 0)))
    if program is None or program.status != "active":
        return None
    return await digest_message(ctx.repo, program, ctx.zone, ctx.now)


async def _intro(ctx: Context) -> Message | None:
    found = await ctx.pair()
    if found is None:
        return None
    pair, _partner, program = found
    return await introduction(ctx.repo, pair, program)


async def _pair_ended(ctx: Context) -> Message | None:
    pair = await ctx.repo.one_or_none(ctx.repo.scoped(Pair).where(Pair.id == ctx.nudge.pair_id))
    if pair is None or pair.status != PairStatus.ENDED:
        return None
    return await pair_ended(ctx.repo, pair, ctx.person)


RENDERERS: dict[NudgeKind, Renderer] = {
    NudgeKind.SCHEDULE: _schedule, NudgeKind.REMINDER: _reminder, NudgeKind.OUTCOME: _outcome,
    NudgeKind.SESSION_NEWS: _news, NudgeKind.MANUAL: _manual, NudgeKind.FLAG: _flag, NudgeKind.DIGEST: _digest,
    NudgeKind.INTRO: _intro, NudgeKind.PAIR_ENDED: _pair_ended,
    NudgeKind.CHECKIN: prompts.checkin, NudgeKind.GOALS: prompts.goals, NudgeKind.PULSE: prompts.pulse_ask,
    NudgeKind.PULSE_SHARED: prompts.pulse_shared, NudgeKind.FIT: prompts.fit, NudgeKind.EVALUATION: prompts.evaluation,
    **circle_prompts.RENDERERS, **research_prompts.RENDERERS,
}
