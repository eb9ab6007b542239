"""Admin commands about pairs and their cadence: flags, nudging, pausing."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from bot.cadence import sessions as ops
from bot.cadence.digest import digest_message
from bot.cadence.flags import open_flags, pair_ref
from bot.formats.flag_views import describe_flag
from bot.cadence.hours import WorkingHours
from bot.commands.call import Call
from bot.commands.grammar import CommandError
from bot.commands.program_admin import find_person
from bot.commands.participation import local_today
from bot.messages import Message, say
from bot.turn import Turn
from storage.enums import NudgeKind, PairStatus
from storage.models import Pair, Program

PAIR_ID = re.compile(r"^#(\d{1,9})$")


async def find_pair(turn: Turn, program: Program, ref: str) -> Pair:
    """The program's running pair ``#ID``, or the one pair of the person named ``ref``."""
    query = turn.repo.scoped(Pair).where(Pair.program_id == program.id,
                                         Pair.status.in_((PairStatus.ACTIVE, PairStatus.PAUSED)))
    by_id = PAIR_ID.match(ref.strip())
    if by_id:
        pair = await turn.repo.one_or_none(query.where(Pair.id == int(by_id.group(1))))
        if pair is None:
            raise CommandError(f"There is no running pair {ref} in {program.name}.")
        return pair
    person = await find_person(turn, ref)
    pairs = [p for p in await turn.repo.all(query) if person.id in (p.mentor_id, p.mentee_id)]
    if not pairs:
        raise CommandError(f"{person.display_name} is not in a running pair in {program.name}.")
    if len(pairs) > 1:
        options = ", ".join([f"{pair_ref(p)} ({await _names(turn, p)})" for p in pairs])
        raise CommandError(f"{person.display_name} is in several pairs: name the pair instead: {options}.")
    return pairs[0]


async def _names(turn: Turn, pair: Pair) -> str:
    mentor, mentee = await turn.repo.person(pair.mentor_id), await turn.repo.person(pair.mentee_id)
    return f"{mentor.display_name if mentor else '?'} & {mentee.display_name if mentee else '?'}"


async def _zone(turn: Turn) -> WorkingHours:
    return WorkingHours.of(turn.person, await turn.repo.profile(turn.person.id))


async def flagged(call: Call) -> Sequence[Message]:
    """``flagged``: the program's open flags, each with what to do about it."""
    turn, program = call.turn, call.program
    assert program is not None
    flags = await open_flags(turn.repo, program.id)
    if not flags:
        return [say(f"No open flags in {program.name}: every pair is on track.")]
    zone = (await _zone(turn)).zone
    messages = [say(f"{len(flags)} open flag{'s' if len(flags) > 1 else ''} in {program.name}:")]
    for flag in flags[:20]:
        message = await describe_flag(turn.repo, flag, zone, turn.now)
        if message is not None:
            messages.append(message)
    return messages


async def nudge(call: Call) -> Sequence[Message]:
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
        hours = WorkingHours.of(person, await turn.repo.profile(person_id))
        due = hours.next_working(turn.now)
        await ops.add_nudge(turn, person_id, NudgeKind.MANUAL, f"manual:{pair.id}:{turn.now:%Y%m%dT%H%M%S}:{person_id}",
                            due, pair_id=pair.id, payload={"by": turn.person.id})
        moment = "now" if due <= turn.now else f"at {hours.local(due):%a %H:%M} their time (working hours)"
        lines.append(f"{person.display_name}: {moment}.")
    return [say(f"Nudging {await _names(turn, pair)}:\n" + "\n".join(f"- {line}" for line in lines))]


async def pause_pair(call: Call) -> Sequence[Message]:
    """``pair pause NAME [until=DATE]``: no nudges for the pair until then (default: four weeks)."""
    turn, program = call.turn, call.program
    assert program is not None
    pair = await find_pair(turn, program, call.args["name"])
    today = await local_today(turn)
    until: date = call.args.get("until") or today + timedelta(days=28)
    if until <= today:
        raise CommandError(f"{until.isoformat()} is not after today: pick a later date.")
    pair.status, pair.paused_until = PairStatus.PAUSED, until
    return [say(f"Paused {await _names(turn, pair)} until {until.isoformat()}: they get no nudges until then.")]


async def resume_pair(call: Call) -> Sequence[Message]:
    """``pair resume NAME``: nudges start again."""
    turn, program = call.turn, call.program
    assert program is not None
    pair = await find_pair(turn, program, call.args["name"])
    if pair.status != PairStatus.PAUSED:
        return [say(f"{await _names(turn, pair)} is not paused.")]
    pair.status, pair.paused_until, pair.resumed_at, pair.next_check_at = PairStatus.ACTIVE, None, turn.now, None
    return [say(f"{await _names(turn, pair)} is running again.")]


async def set_pair(call: Call) -> Sequence[Message]:
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
    return [say(f"{await _names(turn, pair)} now meets at {shown} cadence.")]


async def digest(call: Call) -> Sequence[Message]:
    """``digest``: the weekly digest of the program, now."""
    assert call.program is not None
    return [await digest_message(call.turn.repo, call.program, (await _zone(call.turn)).zone, call.turn.now)]
