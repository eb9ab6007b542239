"""Admin commands about pairs and their cadence: nudging a pair, pausing and resuming it, its own cadence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.cadence.hours import hours_of
from bot.cadence.outbox import add_nudge
from bot.cadence.when_and_where import local_today
from bot.commands.arguments import CADENCES, PROGRAM_OPTION
from bot.commands.command_call import CommandCall
from bot.commands.grammar import Arg, ArgKind, CommandSpec
from bot.errors import CommandError
from bot.messages import Message, say
from bot.pairs.finding import find_pair, pair_names
from storage.enums import NudgeKind, PairStatus


async def nudge(call: CommandCall) -> Sequence[Message]:
    """``nudge NAME``: ask a pair, now (in their working hours), to get its next session going."""
    turn, program = call.turn, call.program
    assert program is not None
    pair = await find_pair(turn, program, call.args["name"])
    if pair.status == PairStatus.PAUSED:
        raise CommandError(f"That pair is paused until {pair.paused_until}; resume it first (`pair resume`).")
    lines = []
    for person_id in (pair.mentee_id, pair.mentor_id):
        person = await turn.repo.person(person_id)
        if person is None:
            continue
        enrollment = await turn.repo.enrollment(program.id, person_id)
        if enrollment is not None and enrollment.paused_until is not None:
            lines.append(f"{person.display_name} is paused until {enrollment.paused_until}: not nudged.")
            continue
        hours = await hours_of(turn.repo, person)
        due = hours.next_working(turn.now)
        await add_nudge(turn, person_id, NudgeKind.MANUAL, f"manual:{pair.id}:{turn.now:%Y%m%dT%H%M%S}:{person_id}",
                            due, pair_id=pair.id, payload={"by": turn.person.id})
        moment = "now" if due <= turn.now else f"at {hours.local(due):%a %H:%M} their time (working hours)"
        lines.append(f"{person.display_name}: {moment}.")
    return [say(f"Nudging {await pair_names(turn, pair)}:\n" + "\n".join(f"- {line}" for line in lines))]


async def pause_pair(call: CommandCall) -> Sequence[Message]:
    """``pair pause NAME [until=DATE]``: no nudges for the pair until then (default: four weeks)."""
    turn, program = call.turn, call.program
    assert program is not None
    pair = await find_pair(turn, program, call.args["name"])
    today = await local_today(turn)
    until: date = call.args.get("until") or today + timedelta(days=28)
    if until <= today:
        raise CommandError(f"{until.isoformat()} is not after today: pick a later date.")
    pair.status, pair.paused_until = PairStatus.PAUSED, until
    return [say(f"Paused {await pair_names(turn, pair)} until {until.isoformat()}: they get no nudges until then.")]


async def resume_pair(call: CommandCall) -> Sequence[Message]:
    """``pair resume NAME``: nudges start again."""
    turn, program = call.turn, call.program
    assert program is not None
    pair = await find_pair(turn, program, call.args["name"])
    if pair.status != PairStatus.PAUSED:
        return [say(f"{await pair_names(turn, pair)} is not paused.")]
    pair.status, pair.paused_until, pair.resumed_at, pair.next_check_at = PairStatus.ACTIVE, None, turn.now, None
    return [say(f"{await pair_names(turn, pair)} is running again.")]


async def set_pair(call: CommandCall) -> Sequence[Message]:
    """``pair set NAME cadence=...``: the pair's own cadence (``program`` to follow the program's)."""
    turn, program = call.turn, call.program
    assert program is not None
    pair = await find_pair(turn, program, call.args["name"])
    cadence = call.args.get("cadence")
    if cadence is None:
        raise CommandError("Nothing to change: give cadence=weekly, biweekly, monthly or program.")
    pair.cadence = None if cadence == "program" else cadence
    pair.next_check_at = None
    shown = f"the program's ({program.cadence})" if pair.cadence is None else pair.cadence
    return [say(f"{await pair_names(turn, pair)} now meets at {shown} cadence.")]


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(("nudge",), "nudge a pair now (a participant's name, or #PAIR)", "/mentoring nudge Victor",
                nudge, positionals=(Arg("name", required=True),), options=(PROGRAM_OPTION,),
                admin=True, program_scoped=True),
    CommandSpec(("pair", "pause"), "pause a pair: no nudges until a date (default four weeks)",
                "/mentoring pair pause Victor until=2027-02-01", pause_pair,
                positionals=(Arg("name", required=True),), options=(PROGRAM_OPTION, Arg("until", ArgKind.DATE)),
                admin=True, program_scoped=True),
    CommandSpec(("pair", "resume"), "resume a paused pair", "/mentoring pair resume Victor", resume_pair,
                positionals=(Arg("name", required=True),), options=(PROGRAM_OPTION,), admin=True, program_scoped=True),
    CommandSpec(("pair", "set"), "a pair's own cadence (or cadence=program)", "/mentoring pair set Victor cadence=weekly",
                set_pair, positionals=(Arg("name", required=True),),
                options=(PROGRAM_OPTION, Arg("cadence", ArgKind.CHOICE, choices=(*CADENCES, "program"))),
                admin=True, program_scoped=True),
)
