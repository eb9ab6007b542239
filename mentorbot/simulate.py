"""``mentorbot simulate``: a sample program run on a fake clock, through the console adapter.

A program with six pairs in three time zones, a circle and a research assignment; the
executives (mentees) behave in seeded, typical ways: some keep every session, some cancel,
some go silent, some answer only when reminded. On the first morning the admin creates the
circle "AI at work" (the bot proposes its members, the admin confirms them) and assigns the
research topic mentees want most, as the bot proposes it; the hosts then run weekly
meetings and record who came, and the research mentor writes up and presents a
lunch-and-learn to the executives, who rate it. Every hour of simulated time the cadence jobs run as the server runs them (tick,
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
from bot.clock import FakeClock
from bot.delivery import DeliveryResult
from bot.engine import MentorBot
from bot.messages import Address, Message
from bot.registry import flag_title, render_nudge, run_tick, write_periodic_nudges
from scheduler.outbox import Outbox
from storage.db import Database
from storage.enums import (
    AssignmentStatus,
    CircleStatus,
    EnrollmentStatus,
    MemberStatus,
    NudgeKind,
    PairStatus,
    SessionStatus,
)
from storage.migrate import upgrade
from storage.models import (
    Attendance,
    Circle,
    CircleMember,
    Enrollment,
    Flag,
    MentoringSession,
    Nudge,
    Pair,
    Person,
    Profile,
    Program,
    ProgramAdmin,
    ResearchAssignment,
)
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
    attends: float  # chance of coming to a circle meeting or a lunch-and-learn


PERSONAS = {
    "steady": Persona("steady", 0.95, 0.0, 0.0, 0.95, 0.95),
    "canceler": Persona("canceler", 0.9, 0.7, 0.1, 0.9, 0.5),
    "silent": Persona("silent", 0.0, 0.0, 0.0, 0.0, 0.0),
    "slow": Persona("slow", 0.3, 0.15, 0.2, 0.6, 0.7),
}
RATED = {"checkin": "check-in", "pulse": "pulse", "fit": "fit question", "circle rate": "circle rating",
         "lunch rate": "lunch-and-learn rating"}
"""Questions answered with a rating button, by their command, and what the summary calls them."""
ADMIN = "Ada Admin"
CIRCLE = ("AI at work", ("Amara Diallo", "Ines Duarte"))  # the title and its hosts
WANTED = {"Victor Lang": ["AI assistants", "Video meetings"], "Helen Marsh": ["AI assistants"],
          "Robert Tan": ["AI assistants", "Video meetings"], "Diane Price": ["AI assistants"],
          "Marc Dubois": ["Video meetings"], "Frank Weber": ["Video meetings", "Social media"]}
OFFERED = {"Amara Diallo": ["AI assistants"], "Ines Duarte": ["AI assistants", "Video meetings"],
           "Noah Peeters": ["Video meetings"], "Lina Chen": ["Social media"]}
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
        self.circle_members: list[str] = []
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
        kind = _kind(message)
        if kind == "schedule request":
            again = "gentle reminder" in message.text
            # Asked a second time, most people who answer at all get to it.
            chance = max(persona.schedules_when_asked, persona.answers * 0.7) if again else persona.schedules_when_asked
            if self.rng.random() < chance:
                await _schedule(chat, f"/mentoring schedule {self._slot(name)} 10:00 remote")
        elif name == CIRCLE[1][0] and (kind == "circle schedule request" or _command(commands, "circle schedule")):
            await _schedule(chat, f"/mentoring circle schedule {self._slot(name)} 11:00 remote repeat")
        elif kind == "circle: did it meet?":
            await self._record_circle(name, _command(commands, "circle outcome").split()[2])
        elif kind == "research reminder":
            await self._present(name, _command(commands, "research writeup").split()[2])
        elif kind == "lunch-and-learn: did it happen?":  # a presenter always knows
            await chat.say("/mentoring " + _command(commands, "research outcome").rsplit(" ", 1)[0] + " held")
        elif any(c.startswith("cancel-session") for c in commands) and message.text.startswith("Reminder"):
            if self.rng.random() < persona.cancels:
                await chat.say("/mentoring cancel-session")
                self.week.notes.append(f"{name} canceled a session at the reminder")
        elif kind == "did it happen?" and self.rng.random() < persona.answers:
            outcome = "no-show" if self.rng.random() < persona.no_show else "held"
            session = next(c.split()[1] for c in commands if c.startswith("outcome "))
            await chat.say(f"/mentoring outcome {session} {outcome}")
            if outcome == "held":  # the check-in that follows: a rating, then "That's all"
                await chat.say(str(self._rating(persona)))
                await chat.say("That's all")
        elif kind in RATED.values() and self.rng.random() < persona.answers:
            await self._rate(chat, persona, commands)

    async def _rate(self, chat: ConsoleChat, persona: Persona, commands: list[str]) -> None:
        """A check-in, pulse, fit question, circle or lunch-and-learn rating: the persona taps a
        rating; what follows (a pulse's two sentences, what they will try) is left empty, or, after
        a group session, says what they will try."""
        await chat.say("/mentoring " + commands[self._rating(persona) - 1])
        while chat.pending.field is not None:
            tries = chat.pending.field.name == "will_try" and self.rng.random() < 0.5
            await chat.say(self.rng.choice(TRIES) if tries else "")

    async def _record_circle(self, host: str, session: str) -> None:
        """A host says whether the circle met and who came (each member as their persona does)."""
        chat = self.chat(host)
        members = [n for n in self.circle_members if n not in CIRCLE[1]]
        came = [n for n in members if self.rng.random() < self.personas[n].attends]
        if not came:
            await chat.say(f"/mentoring circle outcome {session} canceled")
            return
        await chat.say(f"/mentoring circle outcome {session} held")
        await chat.say(", ".join(came))

    async def _present(self, mentor: str, assignment: str) -> None:
        """The research mentor sends the write-up and puts the lunch-and-learn on the calendar
        for the program's executives."""
        chat = self.chat(mentor)
        await chat.say(f'/mentoring research writeup {assignment} summary="What it is, who uses it here, and three '
                       f'things to try first." links="https://example.org/guide, https://example.org/demo"')
        audience = ", ".join(n for n, p in self.personas.items() if n in WANTED)
        await _schedule(chat, f'/mentoring research schedule {assignment} {self._slot(mentor)} 12:30 "Room 2" '
                              f'audience="{audience}"')

    def _rating(self, persona: Persona) -> int:
        """How a participant of ``persona`` rates what they are asked about, 1 to 5."""
        return self.rng.randint(2, 4) if persona.cancels > 0.5 else self.rng.randint(3, 5)

    def _slot(self, name: str) -> str:
        """A weekday four to seven days ahead, where ``name`` is."""
        day = self.clock.now().astimezone(self.zones[name]).date() + timedelta(days=self.rng.randint(4, 7))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day.isoformat()


KINDS = (  # the first words of a message's first button, and what the summary calls the message
    ("circle outcome", "circle: did it meet?"), ("research outcome", "lunch-and-learn: did it happen?"),
    ("outcome", "did it happen?"),
)
TEXTS = (  # how a message begins, and what the summary calls it
    ("*Weekly digest", "digest"), ("*Flag", "flag"), ("Reminder: the circle", "circle reminder"),
    ("Reminder: you present the lunch-and-learn", "lunch-and-learn reminder"),
    ("Reminder: the lunch-and-learn", "lunch-and-learn reminder"), ("A reminder: your write-up", "research reminder"),
    ("You have a research assignment", "research assignment"), ("Reminder", "reminder"),
    ("Time to put the next meeting of the circle", "circle schedule request"),
    ("Welcome to the reverse-mentoring circle", "circle welcome"), ("You host the reverse-mentoring circle", "circle welcome"),
    ("You're invited to the lunch-and-learn", "lunch-and-learn invite"),
)
KIND_WORDS: dict[str, str] = {
    NudgeKind.SCHEDULE: "schedule request", NudgeKind.REMINDER: "reminder", NudgeKind.OUTCOME: "did it happen?",
    NudgeKind.DIGEST: "digest", NudgeKind.FLAG: "flag", NudgeKind.MANUAL: "admin's nudge",
    NudgeKind.SESSION_NEWS: "session news", NudgeKind.INTRO: "introduction", NudgeKind.PAIR_ENDED: "pair ended",
    NudgeKind.CHECKIN: "check-in", NudgeKind.GOALS: "goals", NudgeKind.PULSE: "pulse",
    NudgeKind.PULSE_SHARED: "pulse shared", NudgeKind.FIT: "fit question", NudgeKind.EVALUATION: "evaluation",
    NudgeKind.CIRCLE_WELCOME: "circle welcome", NudgeKind.CIRCLE_SCHEDULE: "circle schedule request",
    NudgeKind.CIRCLE_REMINDER: "circle reminder", NudgeKind.CIRCLE_OUTCOME: "circle: did it meet?",
    NudgeKind.CIRCLE_NEWS: "circle news", NudgeKind.CIRCLE_RATING: "circle rating",
    NudgeKind.RESEARCH_ASSIGNED: "research assignment", NudgeKind.RESEARCH_DUE: "research reminder",
    NudgeKind.LUNCH_INVITE: "lunch-and-learn invite", NudgeKind.LUNCH_REMINDER: "lunch-and-learn reminder",
    NudgeKind.LUNCH_OUTCOME: "lunch-and-learn: did it happen?", NudgeKind.LUNCH_RATING: "lunch-and-learn rating",
    NudgeKind.RESEARCH_NEWS: "research news", NudgeKind.INVITATION: "invitation",
}
"""What the weekly lines and the summary call each kind of message (the same words in both)."""
TRIES = ("Ask the assistant to draft my weekly update", "Run my next staff meeting on video", "Share my calendar")


async def _schedule(chat: ConsoleChat, command: str) -> None:
    """Type a scheduling command; when the time does not suit everyone, take the first time
    offered (or, when none suits everyone, schedule anyway: the only button then)."""
    reply = await chat.say(command)
    if "Schedule anyway" in reply:
        await chat.say("1")


def _command(commands: list[str], prefix: str) -> str:
    """The first of ``commands`` that starts with ``prefix`` ("" when none does)."""
    return next((c for c in commands if c.startswith(prefix + " ")), "")


def _kind(message: Message) -> str:
    commands = [b.value for b in message.buttons]
    words = commands[0].split() if commands else []
    for rated in RATED:
        if " ".join(words[:len(rated.split())]) == rated:
            return RATED[rated]
    for prefix, kind in KINDS:
        if any(c.startswith(prefix + " ") for c in commands):
            return kind
    for start, kind in TEXTS:
        if message.text.startswith(start):
            return kind
    if "lunch-and-learn" in message.text:
        return "lunch-and-learn news"
    if "circle" in message.text:
        return "circle news"
    if any(c.startswith("schedule ") for c in commands) and ("calendar" in message.text or "propose" in message.text):
        return "schedule request"
    return "session news"


async def _next_event(db: Database, now: datetime) -> datetime:
    """When something can next happen: a pair, circle or assignment due for a look or a nudge
    due, at least an hour on (the tick's resolution here) and at most ``LONGEST_JUMP`` (the
    digest job's)."""
    async with db.transaction() as session:
        checks = [
            await session.scalar(select(func.min(Pair.next_check_at)).where(Pair.status == PairStatus.ACTIVE)),
            await session.scalar(select(func.min(Circle.next_check_at)).where(Circle.status == CircleStatus.ACTIVE)),
            await session.scalar(select(func.min(ResearchAssignment.next_check_at)).where(
                ResearchAssignment.status.not_in((AssignmentStatus.PRESENTED, AssignmentStatus.CANCELED)))),
            await session.scalar(select(func.min(Nudge.due_at)).where(Nudge.status == "pending")),
        ]
    soonest = min((t for t in checks if t is not None), default=now + LONGEST_JUMP)
    return min(max(soonest, now + STEP), now + LONGEST_JUMP)


async def _seed(db: Database, participants: Participants, now: datetime) -> None:
    """The sample program: an admin, six pairs, everyone onboarded and active."""
    async with db.transaction() as session:
        tenant = await tenant_for(session, "console", "local", now)
        repo = Repository(session, tenant.id)
        program = repo.add(Program(name="Digital Leaders 2027", cadence="weekly", capacity=3,
                                   formats=["one-to-one", "group", "research"],
                                   topics=["AI assistants", "Video meetings", "Social media"], baseline_skills=[],
                                   reminder_hours=24, allow_same_level=False, match_weights={}, status="active",
                                   created_at=now))
        await repo.flush()
        admin = await _person(repo, ADMIN, "Europe/Brussels", now)
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
        participants.chat(ADMIN)


async def _launch_formats(participants: Participants, write: Write) -> None:
    """The admin's first morning: a circle (members as the bot proposes them, then confirmed)
    and the research topic mentees want most, assigned as the bot proposes it."""
    admin = participants.chat(ADMIN)
    title, hosts = CIRCLE
    await admin.say(f'/mentoring circle create "{title}" size=4 hosts="{", ".join(hosts)}"')
    await admin.say("/mentoring circle confirm #1")
    async with participants.bot.db.transaction() as session:
        rows = await session.execute(select(Person.display_name).join(CircleMember, CircleMember.person_id == Person.id)
                                     .where(CircleMember.status == MemberStatus.ACTIVE).order_by(CircleMember.id))
        participants.circle_members = list(rows.scalars())
    proposal = await admin.say("/mentoring research propose")
    assign = next((line for line in proposal.splitlines() if "Assign" in line), "")
    await admin.say(assign.split("]")[0].lstrip("[").strip() if assign.startswith("[") else "1")
    write(f"Circle \"{title}\" hosted by {' and '.join(hosts)}: "
          f"{', '.join(n for n in participants.circle_members if n not in hosts)}.")


async def _person(repo: Repository, name: str, zone: str, now: datetime, program_id: int | None = None,
                  role: str | None = None) -> Person:
    user_id = user_id_for(name)
    person = repo.add(Person(platform="console", user_id=user_id, display_name=name, name_confirmed_at=now,
                             address={"platform": "console", "tenant": "local", "user_id": user_id, "reference": None},
                             created_at=now))
    await repo.flush()
    repo.add(Profile(person_id=person.id, timezone=zone, work_start=time(9), work_end=time(17), updated_at=now,
                     topics_wanted=WANTED.get(name, []), skills_offered=OFFERED.get(name, [])))
    if program_id is not None:
        repo.add(Enrollment(program_id=program_id, person_id=person.id, role=role, status=EnrollmentStatus.ACTIVE,
                            joined_at=now, onboarded_at=now, confidentiality_accepted_at=now))
    return person


async def _sent_by_kind(db: Database, start: datetime | None = None, end: datetime | None = None) -> Counter[str]:
    """Messages sent (outbox rows), by what :data:`KIND_WORDS` calls them, between ``start`` and ``end``."""
    query = select(Nudge.kind).where(Nudge.status == "sent")
    if start is not None and end is not None:
        query = query.where(Nudge.sent_at >= start, Nudge.sent_at < end)
    async with db.transaction() as session:
        return Counter(KIND_WORDS.get(kind, kind.replace("_", " ")) for kind in await session.scalars(query))


def _tally(counts: Counter[str]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "none"


def _outcomes(sessions: list[MentoringSession]) -> str:
    """``2 held, 1 canceled, 0 no-show`` of pair sessions, the same words every line uses."""
    counts = Counter(s.status for s in sessions)
    return (f"{counts[SessionStatus.HELD]} held, {counts[SessionStatus.CANCELED]} canceled, "
            f"{counts[SessionStatus.NO_SHOW]} no-show")


async def _week_report(db: Database, number: int, start: datetime, week: Week, write: Write) -> Counter[str]:
    end = start + timedelta(days=7)
    async with db.transaction() as session:
        names = {p.id: p.display_name for p in await session.scalars(select(Person))}
        ended = list(await session.scalars(select(MentoringSession).where(
            MentoringSession.pair_id.is_not(None), MentoringSession.outcome_at >= start,
            MentoringSession.outcome_at < end, MentoringSession.status != SessionStatus.RESCHEDULED)))
        flags = list(await session.scalars(select(Flag).where(Flag.raised_at >= start, Flag.raised_at < end)))
        pairs = {p.id: p for p in await session.scalars(select(Pair))}
    sent = await _sent_by_kind(db, start, end)
    write(f"Week {number} (from {start:%a %d %b %Y})")
    write(f"  messages sent: {_tally(sent)}")
    canceled_by = sorted({names.get(s.canceled_by_id or 0, "?") for s in ended if s.status == SessionStatus.CANCELED})
    write(f"  pair sessions: {_outcomes(ended)}" + (f" (canceled by {', '.join(canceled_by)})" if canceled_by else ""))
    for note in week.notes:
        write(f"  {note}")
    for flag in flags:
        write(f"  FLAG: {_subject(flag, pairs, names)}: {_flag_words(flag, names)}")
    return sent


def _flag_words(flag: Flag, names: dict[int, str]) -> str:
    """How a flag is named in the weekly lines and the summary alike."""
    return flag_title(flag.kind) + (f" ({names.get(flag.person_id, '?')})" if flag.person_id else "")


def _subject(flag: Flag, pairs: dict[int, Pair], names: dict[int, str]) -> str:
    """What a flag is about: a pair's two names, the circle, or the research assignment."""
    if flag.circle_id is not None:
        return f"circle \"{CIRCLE[0]}\""
    if flag.assignment_id is not None:
        return "research assignment"
    pair = pairs[flag.pair_id or 0]
    return f"{names[pair.mentor_id]} & {names[pair.mentee_id]}"


async def _summary(db: Database, weekly: Counter[str], write: Write) -> None:
    async with db.transaction() as session:
        names = {p.id: p.display_name for p in await session.scalars(select(Person))}
        pairs = list(await session.scalars(select(Pair).order_by(Pair.id)))
        rows = list(await session.scalars(select(MentoringSession).where(
            MentoringSession.status != SessionStatus.RESCHEDULED)))
        flags = list(await session.scalars(select(Flag).order_by(Flag.id)))
        attendance = list(await session.scalars(select(Attendance)))
    sent = await _sent_by_kind(db)
    write("Summary")
    write(f"  messages sent: {_tally(sent)} ({sum(sent.values())} in all"
          + ("" if sent == weekly else "; the weeks above count them in the week they went out") + ")")

    def listed(found: list[Flag]) -> str:
        return ", ".join(_flag_words(f, names) + (" (open)" if f.resolved_at is None else " (resolved)")
                         for f in found) or "none"

    for pair in pairs:
        mine = [s for s in rows if s.pair_id == pair.id and s.outcome_at is not None]
        write(f"  {names[pair.mentor_id]} & {names[pair.mentee_id]} [{pair.reasons[0]}]: {_outcomes(mine)}; "
              f"flags: {listed([f for f in flags if f.pair_id == pair.id])}")
    for label, column in (("circle \"" + CIRCLE[0] + "\"", "circle_id"), ("lunch-and-learn", "assignment_id")):
        meetings = [row for row in rows if getattr(row, column) is not None]
        ids = {row.id for row in meetings}
        came = [a for a in attendance if a.session_id in ids and a.attended and a.person_id not in _hosts(names)]
        ratings = [a.rating for a in came if a.rating is not None]
        mean = f", mean rating {sum(ratings) / len(ratings):.1f}" if ratings else ""
        counts = Counter(row.status for row in meetings)
        write(f"  {label}: {counts[SessionStatus.HELD]} held, {counts[SessionStatus.CANCELED]} canceled, "
              f"{len(came)} attendances, {len(ratings)} ratings{mean}; flags: "
              + listed([f for f in flags if getattr(f, column) is not None]))
    ended = [s for s in rows if s.pair_id is not None and s.outcome_at is not None]
    write(f"  program: pair sessions {_outcomes(ended)}; {len(flags)} flags raised, "
          f"{sum(1 for f in flags if f.resolved_at is None)} still open")


def _hosts(names: dict[int, str]) -> set[int]:
    return {person_id for person_id, name in names.items() if name in CIRCLE[1]}


def _introduce(weeks: int, seed: int, write: Write) -> None:
    """What is simulated: the program, the personas, and the pairs with their cities."""
    write(f"Simulating {weeks} week{'s' if weeks != 1 else ''} of \"Digital Leaders 2027\" (weekly, {len(CAST)} "
          f"pairs, a circle, a research assignment, seed {seed}). Everyone works 09:00-17:00 in their own city.")
    write("Personas: how each executive (mentee) deals with the program; their mentors behave the same way, "
          "except that a canceler's mentor keeps every session.")
    for persona in PERSONAS.values():
        write(f"  {persona.name}: {_describe(persona)}")
    write("Pairs (mentor → mentee, persona):")
    for mentor, mentor_zone, mentee, mentee_zone, persona_name in CAST:
        write(f"  {mentor} ({_city(mentor_zone)}) → {mentee} ({_city(mentee_zone)}), {persona_name}")


def _describe(persona: Persona) -> str:
    """A persona's behaviour in words."""
    return (f"schedules at the first ask {persona.schedules_when_asked:.0%} of the time, cancels "
            f"{persona.cancels:.0%} of sessions at the reminder, misses {persona.no_show:.0%} of the others, "
            f"answers {persona.answers:.0%} of the questions, comes to {persona.attends:.0%} of group sessions")


def _city(zone: str) -> str:
    """``America/New_York`` -> ``New York``."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


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
            _introduce(weeks, seed, write)
            clock.set(START + timedelta(hours=9))  # the admin's first morning, Brussels time
            await _launch_formats(participants, write)
            totals: Counter[str] = Counter()
            for number in range(1, weeks + 1):
                start, participants.week = clock.now(), Week()
                while clock.now() < start + timedelta(days=7):
                    await run_tick(db, clock)
                    await write_periodic_nudges(db, clock)
                    await outbox.drain()
                    await participants.answer_all()
                    clock.set(min(await _next_event(db, clock.now()), start + timedelta(days=7)))
                totals.update(await _week_report(db, number, start, participants.week, write))
            await _summary(db, totals, write)
        finally:
            await db.close()

