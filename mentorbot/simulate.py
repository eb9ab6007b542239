"""``mentorbot simulate``: a sample program run on a fake clock, through the console adapter.

A program with six pairs in three time zones; the executives (mentees) behave in seeded,
typical ways: some keep every session, some cancel, some go silent, some answer only when
reminded. Every hour of simulated time the cadence jobs run as the server runs them (tick,
digest, outbox), the messages go out through the console deliverer, and the participants
answer them the way a person would: by typing commands or pressing the buttons shown, in
their console chats. Week by week it prints what was sent, what became of the sessions
and which flags were raised, then a summary.
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from adapters.console.chat import ConsoleChat, user_id_for
from adapters.console.delivery import ConsoleDelivery
from bot.progress.periodic import write_periodic
from bot.cadence.flags import TITLES
from bot.cadence.nudges import render_nudge
from bot.cadence.tick import run_tick
from bot.clock import FakeClock
from bot.delivery import DeliveryResult
from bot.engine import MentorBot
from bot.messages import Address, Message
from scheduler.outbox import Outbox
from storage.db import Database
from storage.enums import EnrollmentStatus, FlagKind, PairStatus, SessionStatus
from storage.migrate import upgrade
from storage.models import Enrollment, Flag, MentoringSession, Nudge, Pair, Person, Profile, Program, ProgramAdmin
from storage.repository import Repository, tenant_for

START = datetime(2027, 1, 4, 0, 0, tzinfo=UTC)  # a Monday
STEP = timedelta(hours=1)
LONGEST_JUMP = timedelta(hours=6)
Write = Callable[[str], None]


@dataclass(frozen=True)
class Persona:
    """How an executive (and their mentor) deals with the program."""

    name: str
    schedules_when_asked: float  # chance of scheduling at the first ask (else at the reminder)
    cancels: float  # chance of calling off a session on its reminder
    no_show: float  # chance a session that was not called off did not happen
    answers: float  # chance of answering "did it happen?"


PERSONAS = {
    "steady": Persona("steady", 0.95, 0.0, 0.0, 0.95),
    "canceler": Persona("canceler", 0.9, 0.7, 0.1, 0.9),
    "silent": Persona("silent", 0.0, 0.0, 0.0, 0.0),
    "slow": Persona("slow", 0.3, 0.15, 0.2, 0.6),
}
RATED = {"checkin": "check-in", "pulse": "pulse", "fit": "fit question"}
"""Questions answered with a rating button, by their command, and what the summary calls them."""
CAST = [  # mentor, zone, mentee, zone, persona
    ("Amara Diallo", "Europe/Brussels", "Victor Lang", "Europe/Brussels", "steady"),
    ("Noah Peeters", "Europe/Brussels", "Helen Marsh", "America/New_York", "canceler"),
    ("Lina Chen", "Asia/Singapore", "Robert Tan", "Asia/Singapore", "slow"),
    ("Sam Okafor", "America/New_York", "Diane Price", "America/New_York", "silent"),
    ("Ines Duarte", "Europe/Brussels", "Marc Dubois", "Europe/Brussels", "steady"),
    ("Yuki Mori", "Asia/Singapore", "Frank Weber", "Europe/Brussels", "canceler"),
]


@dataclass
class Week:
    """What one simulated week brought."""

    sent: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)


class Participants:
    """The people of the sample program: a deliverer that shows what they get, and their answers."""

    platform = "console"

    def __init__(self, bot: MentorBot, clock: FakeClock, rng: random.Random, invites: Path, write: Write,
                 verbose: bool) -> None:
        self.bot, self.clock, self.rng = bot, clock, rng
        self.console = ConsoleDelivery(write if verbose else (lambda _line: None), invites_dir=invites)
        self.chats: dict[str, ConsoleChat] = {}
        self.personas: dict[str, Persona] = {}
        self.zones: dict[str, ZoneInfo] = {}
        self.inbox: list[tuple[str, Message]] = []
        self.invites = invites
        self.week = Week()

    def chat(self, name: str) -> ConsoleChat:
        """The console chat of ``name``."""
        if name not in self.chats:
            self.chats[name] = ConsoleChat(self.bot, name, invites_dir=self.invites)
        return self.chats[name]

    async def deliver(self, address: Address, message: Message) -> DeliveryResult:
        """Show the message (with ``--verbose``) and let its recipient answer it afterwards."""
        await self.console.deliver(address, message)
        name = next((n for n in self.chats if user_id_for(n) == address.user_id), address.user_id)
        self.week.sent[_kind(message)] += 1
        self.inbox.append((name, message))
        return DeliveryResult(ok=True, attempts=1)

    async def answer_all(self) -> None:
        """Everyone deals with what they got, the way their persona does."""
        inbox, self.inbox = self.inbox, []
        for name, message in inbox:
            persona = self.personas.get(name)
            if persona is not None:
                await self._answer(name, persona, message)

    async def _answer(self, name: str, persona: Persona, message: Message) -> None:
        commands = [b.value for b in message.buttons]
        chat = self.chat(name)
        if _kind(message) == "schedule request":
            again = "gentle reminder" in message.text
            # Asked a second time, most people who answer at all get to it.
            chance = max(persona.schedules_when_asked, persona.answers * 0.7) if again else persona.schedules_when_asked
            if self.rng.random() < chance:
                await chat.say(f"/mentoring schedule {self._slot(name)} 10:00 remote")
        elif any(c.startswith("cancel-session") for c in commands) and message.text.startswith("Reminder"):
            if self.rng.random() < persona.cancels:
                await chat.say("/mentoring cancel-session")
                self.week.notes.append(f"{name} canceled a session at the reminder")
        elif any(c.startswith("outcome ") for c in commands) and self.rng.random() < persona.answers:
            outcome = "no-show" if self.rng.random() < persona.no_show else "held"
            session = next(c.split()[1] for c in commands if c.startswith("outcome "))
            await chat.say(f"/mentoring outcome {session} {outcome}")
            if outcome == "held":  # the check-in that follows: a rating, then "That's all"
                await chat.say(str(self._rating(persona)))
                await chat.say("That's all")
        elif commands and commands[0].split()[0] in RATED and self.rng.random() < persona.answers:
            # A check-in, pulse or fit question: the persona taps a rating (a pulse then asks
            # two optional sentences, left empty).
            await chat.say("/mentoring " + commands[self._rating(persona) - 1])
            while chat.pending.field is not None:
                await chat.say("")

    def _rating(self, persona: Persona) -> int:
        """How a participant of ``persona`` rates what they are asked about, 1 to 5."""
        return self.rng.randint(2, 4) if persona.cancels > 0.5 else self.rng.randint(3, 5)

    def _slot(self, name: str) -> str:
        """A weekday four to seven days ahead, where ``name`` is."""
        day = self.clock.now().astimezone(self.zones[name]).date() + timedelta(days=self.rng.randint(4, 7))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day.isoformat()


def _kind(message: Message) -> str:
    commands = " ".join(b.value for b in message.buttons)
    first = commands.split()[0] if commands else ""
    if first in RATED:
        return RATED[first]
    if message.text.startswith("*Weekly digest"):
        return "digest"
    if message.text.startswith("*Flag"):
        return "flag"
    if "outcome " in commands:
        return "did it happen?"
    if message.text.startswith("Reminder"):
        return "reminder"
    if "schedule " in commands and ("calendar" in message.text or "propose" in message.text):
        return "schedule request"
    return "session news"


async def _next_event(db: Database, now: datetime) -> datetime:
    """When something can next happen: a pair due for a look or a nudge due, at least an hour
    on (the tick's resolution here) and at most ``LONGEST_JUMP`` (the digest job's)."""
    async with db.transaction() as session:
        check = await session.scalar(select(func.min(Pair.next_check_at)).where(Pair.status == PairStatus.ACTIVE))
        due = await session.scalar(select(func.min(Nudge.due_at)).where(Nudge.status == "pending"))
    soonest = min((t for t in (check, due) if t is not None), default=now + LONGEST_JUMP)
    return min(max(soonest, now + STEP), now + LONGEST_JUMP)


async def _seed(db: Database, participants: Participants, now: datetime) -> None:
    """The sample program: an admin, six pairs, everyone onboarded and active."""
    async with db.transaction() as session:
        tenant = await tenant_for(session, "console", "local", now)
        repo = Repository(session, tenant.id)
        program = repo.add(Program(name="Digital Leaders 2027", cadence="weekly", capacity=3, formats=["one-to-one"],
                                   topics=[], baseline_skills=[], reminder_hours=24, allow_same_level=False,
                                   match_weights={}, status="active", created_at=now))
        await repo.flush()
        admin = await _person(repo, "Ada Admin", "Europe/Brussels", now)
        repo.add(ProgramAdmin(program_id=program.id, person_id=admin.id, added_at=now))
        for mentor_name, mentor_zone, mentee_name, mentee_zone, persona in CAST:
            mentor = await _person(repo, mentor_name, mentor_zone, now, program.id, "mentor")
            mentee = await _person(repo, mentee_name, mentee_zone, now, program.id, "mentee")
            repo.add(Pair(program_id=program.id, mentor_id=mentor.id, mentee_id=mentee.id, status=PairStatus.ACTIVE,
                          proposed_at=now, started_at=now, reasons=[persona]))
            participants.personas[mentee_name] = PERSONAS[persona]
            participants.personas[mentor_name] = PERSONAS[persona if persona != "canceler" else "steady"]
            participants.zones |= {mentor_name: ZoneInfo(mentor_zone), mentee_name: ZoneInfo(mentee_zone)}
            participants.chat(mentor_name), participants.chat(mentee_name)
        participants.chat("Ada Admin")


async def _person(repo: Repository, name: str, zone: str, now: datetime, program_id: int | None = None,
                  role: str | None = None) -> Person:
    user_id = user_id_for(name)
    person = repo.add(Person(platform="console", user_id=user_id, display_name=name, name_confirmed_at=now,
                             address={"platform": "console", "tenant": "local", "user_id": user_id, "reference": None},
                             created_at=now))
    await repo.flush()
    repo.add(Profile(person_id=person.id, timezone=zone, work_start=time(9), work_end=time(17), updated_at=now))
    if program_id is not None:
        repo.add(Enrollment(program_id=program_id, person_id=person.id, role=role, status=EnrollmentStatus.ACTIVE,
                            joined_at=now, onboarded_at=now, confidentiality_accepted_at=now))
    return person


async def _week_report(db: Database, number: int, start: datetime, week: Week, write: Write) -> None:
    end = start + timedelta(days=7)
    async with db.transaction() as session:
        names = {p.id: p.display_name for p in await session.scalars(select(Person))}
        ended = list(await session.scalars(select(MentoringSession).where(
            MentoringSession.outcome_at >= start, MentoringSession.outcome_at < end,
            MentoringSession.status != SessionStatus.RESCHEDULED)))
        flags = list(await session.scalars(select(Flag).where(Flag.raised_at >= start, Flag.raised_at < end)))
        pairs = {p.id: p for p in await session.scalars(select(Pair))}
    write(f"Week {number} (from {start:%a %d %b %Y})")
    sent = ", ".join(f"{n} {kind}" for kind, n in sorted(week.sent.items())) or "none"
    write(f"  messages sent: {sent}")
    outcomes = Counter(s.status.replace("_", "-") for s in ended)
    canceled_by = sorted({names.get(s.canceled_by_id or 0, "?") for s in ended if s.status == SessionStatus.CANCELED})
    line = ", ".join(f"{n} {status}" for status, n in sorted(outcomes.items())) or "none recorded"
    write(f"  sessions: {line}" + (f" (canceled by {', '.join(canceled_by)})" if canceled_by else ""))
    for flag in flags:
        pair = pairs[flag.pair_id or 0]
        who = f"{names[pair.mentor_id]} & {names[pair.mentee_id]}"
        extra = f" ({names.get(flag.person_id or 0)})" if flag.person_id else ""
        write(f"  FLAG: {who}: {TITLES[FlagKind(flag.kind)]}{extra}")


async def _summary(db: Database, totals: Counter[str], write: Write) -> None:
    async with db.transaction() as session:
        names = {p.id: p.display_name for p in await session.scalars(select(Person))}
        pairs = list(await session.scalars(select(Pair).order_by(Pair.id)))
        rows = list(await session.scalars(select(MentoringSession)))
        flags = list(await session.scalars(select(Flag)))
        nudges = list(await session.scalars(select(Nudge.kind).where(Nudge.status == "sent")))
    write("Summary")
    write("  messages sent: " + ", ".join(f"{n} {kind}" for kind, n in sorted(totals.items())))
    write(f"  outbox rows sent: {len(nudges)} ({', '.join(f'{n} {k}' for k, n in sorted(Counter(nudges).items()))})")
    for pair in pairs:
        mine = Counter(s.status for s in rows if s.pair_id == pair.id)
        raised = [f.kind + (" (open)" if f.resolved_at is None else " (resolved)") for f in flags if f.pair_id == pair.id]
        write(f"  {names[pair.mentor_id]} & {names[pair.mentee_id]} [{pair.reasons[0]}]: "
              f"{mine[SessionStatus.HELD]} held, {mine[SessionStatus.CANCELED]} canceled, "
              f"{mine[SessionStatus.NO_SHOW]} no-show; flags: {', '.join(raised) or 'none'}")
    held = sum(1 for s in rows if s.status == SessionStatus.HELD)
    missed = sum(1 for s in rows if s.status in (SessionStatus.CANCELED, SessionStatus.NO_SHOW))
    write(f"  program: {held} sessions held, {missed} canceled or missed, {len(flags)} flags raised, "
          f"{sum(1 for f in flags if f.resolved_at is None)} still open")


async def simulate(weeks: int, seed: int, write: Write, verbose: bool = False) -> None:
    """Run the sample program for ``weeks`` weeks with randomness from ``seed``, printing as it goes."""
    clock = FakeClock(START)
    with tempfile.TemporaryDirectory(prefix="mentorbot-simulate-") as scratch:
        db = Database(f"sqlite+aiosqlite:///{Path(scratch) / 'simulate.db'}")
        try:
            await upgrade(db)
            participants = Participants(MentorBot(db, clock), clock, random.Random(seed), Path(scratch) / "invites",
                                        write, verbose)
            await _seed(db, participants, clock.now())
            outbox = Outbox(db, {"console": participants}, render_nudge, clock, "simulation")
            write(f"Simulating {weeks} weeks of \"Digital Leaders 2027\" (weekly, 6 pairs, seed {seed}).")
            totals: Counter[str] = Counter()
            for number in range(1, weeks + 1):
                start, participants.week = clock.now(), Week()
                while clock.now() < start + timedelta(days=7):
                    await run_tick(db, clock)
                    await write_periodic(db, clock)
                    await outbox.drain()
                    await participants.answer_all()
                    clock.set(min(await _next_event(db, clock.now()), start + timedelta(days=7)))
                await _week_report(db, number, start, participants.week, write)
                totals.update(participants.week.sent)
            await _summary(db, totals, write)
        finally:
            await db.close()

