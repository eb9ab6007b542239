"""The circles commands: admins propose, staff, start, end and nudge circles; the people in a
circle see it and run its meetings (see :mod:`bot.circles.meeting_commands`)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import N_, _
from bot.catalog import word
from bot.cadence.when_and_where import describe, zone_of
from bot.circles import circles as ops
from bot.circles import meeting_commands as meetings
from bot.circles.circles import CircleView, load
from bot.circles.rules import Proposal
from bot.commands.command_call import CommandCall
from bot.commands.grammar import Arg, ArgKind, CommandSpec, Handler
from bot.errors import CommandError
from bot.messages import LABEL_LIMIT, Button, ButtonStyle, Message, say
from bot.people import find_person
from bot.programs import adopt_format
from bot.ratings import HIGH, LOW
from storage import circles as queries
from storage.enums import Cadence, CircleRole, CircleStatus, ProgramFormat

TITLE_LIMIT = 120
SIZES = (3, 12)


async def _circle(call: CommandCall) -> CircleView:
    """The program's circle named by ``#ID``."""
    program = call.program
    assert program is not None
    ref = call.args["circle"]
    view = await load(call.turn.repo, meetings.circle_id(ref))
    if view is None or view.circle.program_id != program.id:
        raise CommandError(_("There is no circle {ref} in {program} (see `/mentoring circle list`).", ref=ref, program=program.name))
    return view


def _confirm_button(view: CircleView) -> Button:
    return Button.for_command(_("Confirm"), view.admin_command("confirm"), ButtonStyle.PRIMARY)


async def create(call: CommandCall) -> Sequence[Message]:
    """``circle create TITLE size=N [hosts=A,B] [cadence=...]``: propose a circle from the profiles."""
    turn, program, args = call.turn, call.program, call.args
    assert program is not None
    title = " ".join(args["title"].split())
    existing = await queries.open_circle_titled(turn.repo, program.id, title)
    if existing is not None:
        raise CommandError(_("The circle '{existing}' (#{id}) already exists in {program}; pick another title, or end " "that one first.", existing=existing.title, id=existing.id, program=program.name))
    hosts = [await find_person(turn, name) for name in args.get("hosts", [])]
    if len({p.id for p in hosts}) < len(hosts):
        raise CommandError(_("hosts: name each host once."))
    view, proposal = await ops.create(turn, program, title, args["size"], args.get("cadence"), hosts)
    adopted = adopt_format(program, ProgramFormat.GROUP)
    return [say(_proposal_text(view, proposal) + adopted, _confirm_button(view))]


def _proposal_text(view: CircleView, proposal: Proposal) -> str:
    circle = view.circle
    lines = [_("Proposed circle {ref} {name} in {program} (meets {cadence_text}; up to {size} members). " "Nobody is told anything until you confirm.", ref=view.ref, name=view.name, program=view.program.name, cadence_text=view.cadence_text, size=circle.size), _("Hosts:")]
    lines += [f"- {person.display_name}: {'; '.join(member.reasons)}" for member, person in view.people
              if member.role == CircleRole.HOST]
    lines.append(_("Members ({count} of {size}):", count=len(proposal.picks), size=circle.size))
    lines += [f"- {pick.candidate.name}: {'; '.join(pick.reasons)}" for pick in proposal.picks] or [_("- nobody yet")]
    if len(proposal.picks) < circle.size:
        why = "; ".join(proposal.left_out) if proposal.left_out else \
            _("{program} has no other active mentees", program=view.program.name)
        lines.append(_("Only {count} of {size} places could be filled: {why}.", count=len(proposal.picks), size=circle.size, why=why))
    elif proposal.also_possible:
        lines.append(_("{also_possible} more mentees could join if you make room.", also_possible=proposal.also_possible))
    lines.append(_("Change it with `/mentoring circle add {ref} NAME` (add `host` for a host) and `/mentoring " "circle remove {ref} NAME`, then confirm.", ref=view.ref))
    return "\n".join(lines)


async def add(call: CommandCall) -> Sequence[Message]:
    """``circle add #ID NAME [host]``: add a member (or a host)."""
    view = await _circle(call)
    text = await ops.add(call.turn, view, await find_person(call.turn, call.args["name"]), bool(call.args.get("host")))
    if view.circle.status == CircleStatus.PROPOSED:
        return [say(text, _confirm_button(view))]
    return [say(text)]


async def remove(call: CommandCall) -> Sequence[Message]:
    """``circle remove #ID NAME``: take someone out of the circle."""
    view = await _circle(call)
    return [say(await ops.remove(call.turn, view, await find_person(call.turn, call.args["name"])))]


async def confirm(call: CommandCall) -> Sequence[Message]:
    """``circle confirm #ID``: start the circle; everyone in it is welcomed."""
    return [say(await ops.confirm(call.turn, await _circle(call)))]


async def end(call: CommandCall) -> Sequence[Message]:
    """``circle end #ID``: end the circle; its upcoming meeting is called off."""
    return [say(await ops.end(call.turn, await _circle(call)))]


async def nudge(call: CommandCall) -> Sequence[Message]:
    """``circle nudge #ID [NAME]``: remind a member (or the hosts) now, in their working hours."""
    view = await _circle(call)
    name = call.args.get("name")
    person = await find_person(call.turn, name) if name else None
    lines = await ops.nudge(call.turn, view, person)
    who = person.display_name if person else _("the hosts of {name}", name=view.name)
    return [say(_("Nudging {who}:\n", who=who) + "\n".join(f"- {line}" for line in lines))]


async def list_circles(call: CommandCall) -> Sequence[Message]:
    """``circle list``: every circle of the program, with its next meeting and attendance so far."""
    turn, program = call.turn, call.program
    assert program is not None
    circles = await queries.circles_of_program(turn.repo, program.id)
    if not circles:
        return [say(_('No circles in {program} yet. Propose one: `/mentoring circle create "AI at work" size=6`.', program=program.name))]
    zone = await zone_of(turn)
    shares = await queries.attendance_by(turn.repo, [c.id for c in circles])
    lines = []
    for circle in circles:
        view = await ops.view_of(turn.repo, circle)
        if view is None:
            continue
        upcoming = await queries.upcoming(turn.repo, circle.id, turn.now)
        came, recorded = shares.get(circle.id, (0, 0))
        attendance = _("attendance {round}% ({came} of {recorded})", round=round(100 * came / recorded), came=came, recorded=recorded) if recorded \
            else _("no attendance recorded yet")
        nxt = _("next meeting {upcoming}", upcoming=describe(upcoming, zone)) if upcoming else _("nothing on the calendar")
        lines.append(_("- {ref} {name}: {status}; hosts {host_names}; {count} members; {nxt}; {attendance}", ref=view.ref, name=view.name, status=word(circle.status), host_names=view.host_names, count=len(view.members), nxt=nxt, attendance=attendance))
    return [say(_("Circles of {program}:\n", program=program.name) + "\n".join(lines))]


PROGRAM = Arg("program")
CIRCLE = Arg("circle", required=True, max_length=12)
CIRCLE_OPTION = Arg("circle", max_length=12)
NAME = Arg("name", required=True, max_length=LABEL_LIMIT)
WHEN = (Arg("date", max_length=20), Arg("time", max_length=10), Arg("where", max_length=200))
SESSION = Arg("session", ArgKind.INT, required=True, low=1, high=2**31 - 1)


def _admin(words: str, summary: str, example: str, handler: Handler, *positionals: Arg,
           options: tuple[Arg, ...] = (), flags: tuple[str, ...] = ()) -> CommandSpec:
    return CommandSpec(("circle", *words.split()), summary, example, handler, positionals=positionals,
                       options=(*options, PROGRAM), flags=flags, admin=True, program_scoped=True)


COMMANDS: tuple[CommandSpec, ...] = (
    _admin("create", N_("propose a circle: one or two mentors host a small group of senior leaders around a trend"),
           '/mentoring circle create "AI at work" size=6 hosts=Hana,Zoe', create,
           Arg("title", required=True, max_length=TITLE_LIMIT),
           options=(Arg("size", ArgKind.INT, required=True, low=SIZES[0], high=SIZES[1]),
                    Arg("hosts", ArgKind.LIST, max_length=300, item_max_length=LABEL_LIMIT, max_items=2),
                    Arg("cadence", ArgKind.CHOICE, choices=tuple(c.value for c in Cadence)))),
    _admin("add", N_("add someone to a circle (the word host for a host)"), "/mentoring circle add #3 Victor",
           add, CIRCLE, NAME, flags=("host",)),
    _admin("remove", N_("take someone out of a circle"), "/mentoring circle remove #3 Victor", remove, CIRCLE, NAME),
    _admin("confirm", N_("start a proposed circle: everyone in it is welcomed"), "/mentoring circle confirm #3",
           confirm, CIRCLE),
    _admin("end", N_("end a circle (its upcoming meeting is called off)"), "/mentoring circle end #3", end, CIRCLE),
    _admin("list", N_("every circle: hosts, members, next meeting, attendance so far"), "/mentoring circle list",
           list_circles),
    _admin("nudge", N_("remind a circle member now (without a name: its hosts)"), "/mentoring circle nudge #3 Victor",
           nudge, CIRCLE, Arg("name", max_length=LABEL_LIMIT)),
    CommandSpec(("circles",), N_("your circles and their next meeting"), "/mentoring circles", meetings.mine),
    CommandSpec(("circle", "show"), N_("a circle: its people, next and past meetings"), "/mentoring circle show #3",
                meetings.show, positionals=(Arg("circle", max_length=12),)),
    CommandSpec(("circle", "schedule"), N_("hosts: put the circle's next meeting on the calendar (remote, in person "
                "or a place)"), "/mentoring circle schedule 2027-01-12 15:00 remote", meetings.schedule,
                positionals=WHEN, flags=("repeat", "anyway"), options=(CIRCLE_OPTION,)),
    CommandSpec(("circle", "reschedule"), N_("hosts: move the circle's next meeting"),
                "/mentoring circle reschedule 2027-01-19 15:00", meetings.reschedule, positionals=WHEN,
                flags=("anyway",), options=(CIRCLE_OPTION, Arg("meeting", ArgKind.INT, low=1, high=2**31 - 1))),
    CommandSpec(("circle", "cancel-meeting"), N_("hosts: call off the circle's next meeting"),
                "/mentoring circle cancel-meeting", meetings.cancel_meeting, options=(CIRCLE_OPTION,)),
    CommandSpec(("circle", "invite"), N_("the calendar invite (.ics) for your circle's next meeting"),
                "/mentoring circle invite", meetings.invite, options=(CIRCLE_OPTION,)),
    CommandSpec(("circle", "outcome"), N_("hosts: what became of a circle meeting"), "/mentoring circle outcome 42 held",
                meetings.outcome, positionals=(SESSION, Arg("what", ArgKind.CHOICE, required=True,
                                                             choices=meetings.OUTCOMES)), hidden=True),
    CommandSpec(("circle", "rate"), N_("how useful a circle meeting you came to was, 1 to 5"),
                "/mentoring circle rate 42 4", meetings.rate,
                positionals=(SESSION, Arg("rating", ArgKind.INT, required=True, low=LOW, high=HIGH))),
)
