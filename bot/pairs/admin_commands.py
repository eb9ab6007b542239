"""Admin commands about pairs and their cadence: nudging a pair, pausing and resuming it, its own cadence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.i18n import N_, _
from bot.i18n import formats
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
        raise CommandError(_("That pair is paused until {paused_until}; resume it first (`pair resume`).", paused_until=pair.paused_until))
    lines = []
    for person_id in (pair.mentee_id, pair.mentor_id):
        person = await turn.repo.person(person_id)
        if person is None:
            continue
        enrollment = await turn.repo.enrollment(program.id, person_id)
        if enrollment is not None and enrollment.paused_until is not None:
            lines.append(_("{person} is paused until {paused_until}: not nudged.", person=person.display_name, paused_until=enrollment.paused_until))
            continue
        hours = await hours_of(turn.repo, person)
        due = hours.next_working(turn.now)
        await add_nudge(turn, person_id, NudgeKind.MANUAL, f"manual:{pair.id}:{turn.now:%Y%m%dT%H%M%S}:{person_id}",
                            due, pair_id=pair.id, payload={"by": turn.person.id})
        moment = _("now") if due <= turn.now else _("at {when} their time (working hours)",
                                                    when=formats.weekday_time(hours.local(due)))
        lines.append(f"{person.display_name}: {moment}.")
    return [say(_("Nudging {value}:\n", value=await pair_names(turn, pair)) + "\n".join(f"- {line}" for line in lines))]


async def pause_pair(call: CommandCall) -> Sequence[Message]:
    """``pair pause NAME [until=DATE]``: no nudges for the pair until then (default: four weeks)."""
    turn, program = call.turn, call.program
    assert program is not None
    pair = await find_pair(turn, program, call.args["name"])
    today = await local_today(turn)
    until: date = call.args.get("until") or today + timedelta(days=28)
    if until <= today:
        raise CommandError(_("{until} is not after today: pick a later date.", until=until.isoformat()))
    pair.status, pair.paused_until = PairStatus.PAUSED, until
    return [say(_("Paused {value} until {until}: they get no nudges until then.", value=await pair_names(turn, pair), until=until.isoformat()))]


async def resume_pair(call: CommandCall) -> Sequence[Message]:
    """``pair resume NAME``: nudges start again."""
    turn, program = call.turn, call.program
    assert program is not None
    pair = await find_pair(turn, program, call.args["name"])
    if pair.status != PairStatus.PAUSED:
        return [say(_("{value} is not paused.", value=await pair_names(turn, pair)))]
    pair.status, pair.paused_until, pair.resumed_at, pair.next_check_at = PairStatus.ACTIVE, None, turn.now, None
    return [say(_("{value} is running again.", value=await pair_names(turn, pair)))]


async def set_pair(call: CommandCall) -> Sequence[Message]:
    """``pair set NAME cadence=...``: the pair's own cadence (``program`` to follow the program's)."""
    turn, program = call.turn, call.program
    assert program is not None
    pair = await find_pair(turn, program, call.args["name"])
    cadence = call.args.get("cadence")
    if cadence is None:
        raise CommandError(_("Nothing to change: give cadence=weekly, biweekly, monthly or program."))
    pair.cadence = None if cadence == "program" else cadence
    pair.next_check_at = None
    shown = _("the program's ({cadence})", cadence=program.cadence) if pair.cadence is None else pair.cadence
    return [say(_("{value} now meets at {shown} cadence.", value=await pair_names(turn, pair), shown=shown))]


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(("nudge",), N_("nudge a pair now (a participant's name, or #PAIR)"), "/mentoring nudge Victor",
                nudge, positionals=(Arg("name", required=True),), options=(PROGRAM_OPTION,),
                admin=True, program_scoped=True),
    CommandSpec(("pair", "pause"), N_("pause a pair: no nudges until a date (default four weeks)"),
                "/mentoring pair pause Victor until=2027-02-01", pause_pair,
                positionals=(Arg("name", required=True),), options=(PROGRAM_OPTION, Arg("until", ArgKind.DATE)),
                admin=True, program_scoped=True),
    CommandSpec(("pair", "resume"), N_("resume a paused pair"), "/mentoring pair resume Victor", resume_pair,
                positionals=(Arg("name", required=True),), options=(PROGRAM_OPTION,), admin=True, program_scoped=True),
    CommandSpec(("pair", "set"), N_("a pair's own cadence (or cadence=program)"), "/mentoring pair set Victor cadence=weekly",
                set_pair, positionals=(Arg("name", required=True),),
                options=(PROGRAM_OPTION, Arg("cadence", ArgKind.CHOICE, choices=(*CADENCES, "program"))),
                admin=True, program_scoped=True),
)
