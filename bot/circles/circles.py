"""Circles: small group discussions where one or two young mentors host senior leaders
around a trend. Proposing one from the profiles, changing who is in it, starting it (everyone
is welcomed), ending it, and an admin's nudge.

Meetings (scheduling, "did it meet?", attendance and ratings) are in
:mod:`bot.circles.meetings`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from bot.i18n import N_, _, ngettext
from bot.i18n import formats
from bot.cadence.hours import WorkingHours, hours_of
from bot.cadence.outbox import add_nudge
from bot.catalog import cadence_label, word
from bot.circles import rules
from bot.errors import CommandError
from bot.turn import Turn
from storage import circles as queries
from storage.enums import (
    CircleRole,
    CircleStatus,
    EnrollmentStatus,
    FlagKind,
    MemberStatus,
    NudgeKind,
    NudgeStatus,
    ProgramFormat,
    Role,
    SessionStatus,
)
from storage.matching import active_on_side
from storage.models import Circle, CircleMember, MentoringSession, Nudge, Person, Profile, Program
from storage.repository import Repository

GROUND_RULES = (N_("Ground rules: mutual respect, openness, no ego: here the younger colleagues lead, and every "
                "question is a good one. Confidentiality: what is said in the circle stays in the circle."))
MAX_HOSTS = 2
MIN_MEMBERS = 2


def listed(names: Sequence[str]) -> str:
    """``Hana``, ``Hana and Zoe``, ``Ann, Bo and Cy``."""
    return formats.listed(names)


def role_word(role: str) -> str:
    """How a message refers to someone added: hosts host, members join."""
    return _("host") if role == CircleRole.HOST else _("member")


@dataclass(frozen=True)
class CircleView:
    """A circle with its program and its people (proposed and active, hosts first)."""

    circle: Circle
    program: Program
    people: Sequence[tuple[CircleMember, Person]]

    @property
    def ref(self) -> str:
        """How commands name the circle: ``#3``."""
        return f"#{self.circle.id}"

    @property
    def name(self) -> str:
        """``'AI at work'``."""
        return f"'{self.circle.title}'"

    @property
    def cadence(self) -> str:
        """The circle's cadence, else the program's."""
        return self.circle.cadence or self.program.cadence

    @property
    def cadence_text(self) -> str:
        """``every week``."""
        return cadence_label(self.cadence)

    @property
    def hosts(self) -> list[Person]:
        """The hosts, proposed or active."""
        return [person for member, person in self.people if member.role == CircleRole.HOST]

    @property
    def members(self) -> list[Person]:
        """The members, proposed or active."""
        return [person for member, person in self.people if member.role == CircleRole.MEMBER]

    @property
    def host_names(self) -> str:
        """``Hana and Zoe``."""
        return listed([p.display_name for p in self.hosts]) or _("nobody yet")

    def row_of(self, person_id: int) -> CircleMember | None:
        """A person's row, if they are in the circle (proposed or active)."""
        return next((member for member, person in self.people if person.id == person_id), None)

    def is_host(self, person_id: int) -> bool:
        """True for an active host."""
        row = self.row_of(person_id)
        return row is not None and row.role == CircleRole.HOST and row.status == MemberStatus.ACTIVE

    def admin_command(self, words: str, extra: str = "") -> str:
        """An admin command about the circle, scoped to its program (``circle confirm #3 program="..."``)."""
        return f'circle {words} {self.ref}{extra} program="{self.program.name}"'


async def view_of(repo: Repository, circle: Circle) -> CircleView | None:
    """The circle with its program and people, or None if its program is gone."""
    program = await repo.program(circle.program_id)
    if program is None:
        return None
    return CircleView(circle, program, await queries.people_of(repo, circle.id))


async def load(repo: Repository, circle_id: int | None) -> CircleView | None:
    """The circle ``circle_id`` of this tenant with its people."""
    circle = await queries.circle(repo, circle_id) if circle_id else None
    return await view_of(repo, circle) if circle is not None else None


async def taking_part(repo: Repository, view: CircleView) -> list[tuple[CircleMember, Person]]:
    """Active hosts and members whose enrollment in the program is active (not paused, not left)."""
    found = []
    for member, person in view.people:
        if member.status != MemberStatus.ACTIVE or person.erased_at is not None:
            continue
        enrollment = await repo.enrollment(view.program.id, person.id)
        if enrollment is not None and enrollment.status == EnrollmentStatus.ACTIVE:
            found.append((member, person))
    return found


async def working_hours(repo: Repository, person: Person) -> WorkingHours:
    """A person's working hours, from their profile."""
    return await hours_of(repo, person)


async def next_working(turn: Turn, person: Person) -> datetime:
    """The first moment from now inside the person's working hours."""
    return (await working_hours(turn.repo, person)).next_working(turn.now)


# --- proposing a circle -----------------------------------------------------------------------


def _candidate(person: Person, profile: Profile | None, topics: Sequence[str], circles: dict[int, int]) -> rules.Candidate:
    chose_group = profile is None or not profile.formats or ProgramFormat.GROUP in profile.formats
    return rules.Candidate(person.id, person.display_name, list(topics), WorkingHours.of(person, profile),
                           circles.get(person.id, 0), chose_group)


async def host_candidates(turn: Turn, program: Program, title: str,
                          named: Sequence[Person]) -> list[tuple[rules.Candidate, str]]:
    """The hosts given by name (each an active mentor of the program), or the one mentor the bot
    proposes for ``title``; each with why."""
    mentors = {person.id: (person, profile) for person, profile in
               await active_on_side(turn.repo, program.id, Role.MENTOR)}
    hosted = await queries.circle_counts(turn.repo, program.id, CircleRole.HOST)
    for person in named:
        if person.id not in mentors:
            raise CommandError(await not_eligible(turn, program, person, CircleRole.HOST))
    candidates = {person.id: _candidate(person, profile, profile.skills_offered if profile else [], hosted)
                  for person, profile in mentors.values()}
    if named:
        return [(candidates[p.id], _("named by the admin")) for p in named]
    found = rules.pick_host(title, list(candidates.values()))
    if found is None:
        raise CommandError(_("There is no active mentor in {program} to host a circle yet; once mentors have joined, " "name the hosts with hosts=NAME,NAME.", program=program.name))
    return [found]


async def not_eligible(turn: Turn, program: Program, person: Person, role: str) -> str:
    """Why ``person`` cannot be a circle's ``role`` in ``program``."""
    enrollment = await turn.repo.enrollment(program.id, person.id)
    name = person.display_name
    if enrollment is None or enrollment.status in (EnrollmentStatus.LEFT, EnrollmentStatus.ONBOARDING):
        return _("{name} is not a participant of {program}: only people enrolled in it can be in its " "circles.", name=name, program=program.name)
    if enrollment.status != EnrollmentStatus.ACTIVE:
        return _("{name} is {status} in {program}: they can join a circle once they are back.", name=name, status=word(enrollment.status), program=program.name)
    if role == CircleRole.HOST:
        return (_("{name} is a mentee in {program}: hosts are mentors, the younger colleagues who lead the " "discussion.", name=name, program=program.name))
    return _("{name} is a mentor in {program}: add them as a host instead (the word host after the " "name).", name=name, program=program.name)


async def create(turn: Turn, program: Program, title: str, size: int, cadence: str | None,
                 named_hosts: Sequence[Person]) -> tuple[CircleView, rules.Proposal]:
    """A proposed circle: its hosts (named, or the best-matching mentor) and up to ``size`` members
    from the profiles. Nobody is told anything until it is confirmed."""
    hosts = await host_candidates(turn, program, title, named_hosts)
    joined = await queries.circle_counts(turn.repo, program.id, CircleRole.MEMBER)
    mentees = [_candidate(person, profile, profile.topics_wanted if profile else [], joined)
               for person, profile in await active_on_side(turn.repo, program.id, Role.MENTEE)]
    proposal = rules.propose_members(title, [h for h, _ in hosts], mentees, size, rules.reference_day(turn.now))
    circle = turn.repo.add(Circle(program_id=program.id, title=title, size=size, cadence=cadence,
                                  status=CircleStatus.PROPOSED, created_at=turn.now, created_by_id=turn.person.id))
    await turn.repo.flush()
    for host, reason in hosts:
        turn.repo.add(CircleMember(circle_id=circle.id, person_id=host.person_id, role=CircleRole.HOST,
                                   status=MemberStatus.PROPOSED, reasons=[reason]))
    for pick in proposal.picks:
        turn.repo.add(CircleMember(circle_id=circle.id, person_id=pick.candidate.person_id, role=CircleRole.MEMBER,
                                   status=MemberStatus.PROPOSED, reasons=pick.reasons))
    await turn.repo.flush()
    view = await view_of(turn.repo, circle)
    assert view is not None
    return view, proposal


# --- who is in it -----------------------------------------------------------------------------


async def add(turn: Turn, view: CircleView, person: Person, as_host: bool) -> str:
    """Put ``person`` in the circle as a host or a member; once it runs, they are welcomed."""
    role = CircleRole.HOST if as_host else CircleRole.MEMBER
    circle, name = view.circle, person.display_name
    if circle.status == CircleStatus.ENDED:
        raise CommandError(_("The circle {name} has ended.", name=view.name))
    if view.row_of(person.id) is not None:
        raise CommandError(_("{name} is already in the circle {name2}.", name=name, name2=view.name))
    enrollment = await turn.repo.enrollment(view.program.id, person.id)
    wanted = Role.MENTOR if as_host else Role.MENTEE
    if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE or enrollment.role != wanted:
        raise CommandError(await not_eligible(turn, view.program, person, role))
    if as_host and len(view.hosts) >= MAX_HOSTS:
        raise CommandError(_("The circle {name} already has two hosts ({host_names}): remove one first.", name=view.name, host_names=view.host_names))
    if not as_host and len(view.members) >= circle.size:
        raise CommandError(_("The circle {name} is full ({count} of {size} members): remove someone first.", name=view.name, count=len(view.members), size=circle.size))
    running = circle.status == CircleStatus.ACTIVE
    row = await queries.membership(turn.repo, circle.id, person.id)
    if row is None:
        row = turn.repo.add(CircleMember(circle_id=circle.id, person_id=person.id, role=role, reasons=[]))
    row.role, row.reasons = role, [_("added by the admin")]
    row.status = MemberStatus.ACTIVE if running else MemberStatus.PROPOSED
    row.joined_at = turn.now if running else None
    await turn.repo.flush()
    if running:
        await welcome(turn, view, person)
        circle.next_check_at = None
        return _("Added {name} to the circle {name2} as a {role}; I'm welcoming them now.", name=name, name2=view.name, role=role_word(role))
    members = len(view.members) + (0 if as_host else 1)
    return _("Added {name} to the proposed circle {name2} as a {role} ({members} of {size} members).", name=name, name2=view.name, role=role_word(role), members=members, size=circle.size)


async def remove(turn: Turn, view: CircleView, person: Person) -> str:
    """Take ``person`` out of the circle: nothing more is sent to them about it."""
    row, name = view.row_of(person.id), person.display_name
    if row is None:
        raise CommandError(_("{name} is not in the circle {name2}.", name=name, name2=view.name))
    running = view.circle.status == CircleStatus.ACTIVE
    if running and row.role == CircleRole.HOST and len(view.hosts) == 1:
        raise CommandError(_("{name} is the only host of {name2}: add another host first.", name=name, name2=view.name))
    row.status = MemberStatus.LEFT
    await turn.repo.session.execute(
        update(Nudge).where(Nudge.tenant_id == turn.tenant.id, Nudge.circle_id == view.circle.id,
                            Nudge.person_id == person.id, Nudge.status == NudgeStatus.PENDING)
        .values(status=NudgeStatus.CANCELED))
    await queries.resolve_flags(turn.repo, view.circle.id, turn.now, [FlagKind.REPEATED_ABSENCE], [person.id])
    view.circle.next_check_at = None
    return _("{name} is no longer in the circle {name2}.", name=name, name2=view.name)


async def confirm(turn: Turn, view: CircleView) -> str:
    """Start a proposed circle: everyone in it becomes active and is welcomed."""
    circle = view.circle
    if circle.status != CircleStatus.PROPOSED:
        raise CommandError(_("The circle {name} is already {value}.", name=view.name, value='running' if circle.status == CircleStatus.ACTIVE else 'ended'))
    if not 1 <= len(view.hosts) <= MAX_HOSTS:
        raise CommandError(_("A circle needs a host: add one with `/mentoring circle add {ref} NAME host`.", ref=view.ref))
    if len(view.members) < MIN_MEMBERS:
        raise CommandError(_("A circle needs at least {min_members} members to start; {name} has {count}. Add people " "with `/mentoring circle add {ref} NAME`.", min_members=MIN_MEMBERS, name=view.name, count=len(view.members), ref=view.ref))
    for member, _person in view.people:
        member.status, member.joined_at = MemberStatus.ACTIVE, turn.now
    circle.status, circle.started_at, circle.next_check_at = CircleStatus.ACTIVE, turn.now, None
    for _member, person in view.people:
        await welcome(turn, view, person)
    hosts = ngettext("{n} host", "{n} hosts", len(view.hosts))
    members = ngettext("{n} member", "{n} members", len(view.members))
    return _("The circle {name} is running: I'm welcoming its {hosts} and {members}, each in their working hours. "
             "{host_names} will schedule the first meeting; they meet {cadence}.", name=view.name, hosts=hosts,
             members=members, host_names=view.host_names, cadence=view.cadence_text)


async def welcome(turn: Turn, view: CircleView, person: Person) -> None:
    """The welcome to the circle, in the person's working hours."""
    await add_nudge(turn, person.id, NudgeKind.CIRCLE_WELCOME,
                    f"circle_welcome:{view.circle.id}:{person.id}:{turn.now:%Y%m%dT%H%M%S}",
                    await next_working(turn, person), circle_id=view.circle.id,
                    payload={"circle_id": view.circle.id})


async def end(turn: Turn, view: CircleView) -> str:
    """End the circle: its upcoming meeting is called off (everyone is told), nothing more is sent."""
    circle = view.circle
    if circle.status == CircleStatus.ENDED:
        raise CommandError(_("The circle {name} has already ended.", name=view.name))
    await turn.repo.session.execute(
        update(Nudge).where(Nudge.tenant_id == turn.tenant.id, Nudge.circle_id == circle.id,
                            Nudge.status == NudgeStatus.PENDING).values(status=NudgeStatus.CANCELED))
    upcoming = await queries.upcoming(turn.repo, circle.id, turn.now)
    was_running = circle.status == CircleStatus.ACTIVE
    circle.status, circle.ended_at = CircleStatus.ENDED, turn.now
    await queries.resolve_flags(turn.repo, circle.id, turn.now, [k.value for k in FlagKind])
    if upcoming is not None:
        upcoming.status, upcoming.outcome_at, upcoming.outcome_by_id = SessionStatus.CANCELED, turn.now, turn.person.id
        upcoming.canceled_by_id = turn.person.id
    if was_running:
        await tell_others(turn, view, upcoming, "ended")
    return _("The circle {name} has ended", name=view.name) + (
        _("; its upcoming meeting is canceled and everyone in it is told.") if upcoming else
        _("; everyone in it is told.") if was_running else ".")


async def nudge(turn: Turn, view: CircleView, person: Person | None) -> list[str]:
    """An admin's reminder now (in working hours): to ``person``, or to the hosts."""
    if view.circle.status != CircleStatus.ACTIVE:
        raise CommandError(_("The circle {name} is not running, so there is nobody to nudge.", name=view.name))
    if person is not None:
        row = view.row_of(person.id)
        if row is None or row.status != MemberStatus.ACTIVE:
            raise CommandError(_("{person} is not in the circle {name}.", person=person.display_name, name=view.name))
    targets = [person] if person is not None else view.hosts
    active = {p.id for _m, p in await taking_part(turn.repo, view)}
    lines = []
    for target in targets:
        if target.id not in active:
            lines.append(_("{target} is paused or has left the program: not nudged.", target=target.display_name))
            continue
        hours = await working_hours(turn.repo, target)
        due = hours.next_working(turn.now)
        await add_nudge(turn, target.id, NudgeKind.CIRCLE_REMINDER,
                        f"circle_manual:{view.circle.id}:{turn.now:%Y%m%dT%H%M%S}:{target.id}", due,
                        circle_id=view.circle.id, payload={"manual": True, "by": turn.person.id})
        moment = _("now") if due <= turn.now else _("at {when} their time (working hours)",
                                                    when=formats.weekday_time(hours.local(due)))
        lines.append(f"{target.display_name}: {moment}.")
    return lines


async def tell_others(turn: Turn, view: CircleView, session: MentoringSession | None, event: str) -> int:
    """Let everyone else taking part in the circle know what the person speaking did (a meeting
    scheduled, moved or canceled; the circle ended), each in their working hours. How many."""
    told = 0
    for _member, person in await taking_part(turn.repo, view):
        if person.id == turn.person.id:
            continue
        subject = session.id if session is not None else "circle"
        told += await add_nudge(turn, person.id, NudgeKind.CIRCLE_NEWS,
                                f"circle_news:{view.circle.id}:{subject}:{event}:{person.id}",
                                await next_working(turn, person), circle_id=view.circle.id,
                                session_id=session.id if session is not None else None,
                                payload={"circle_id": view.circle.id, "event": event, "by": turn.person.id})
    return told


async def may_run_meetings(turn: Turn, view: CircleView) -> bool:
    """True for an active host of the circle, or an admin of its program."""
    return view.is_host(turn.person.id) or view.program.id in await turn.repo.admin_program_ids(turn.person.id)
