"""What program admins watch: the open flags of every format, the weekly digest, on demand, and the bot's health."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import _, ngettext
from bot import registry
from bot.cadence.digest import digest_message
from bot.cadence.flags import open_flags
from bot.cadence.hours import hours_of
from bot.health import status_message
from bot.commands.command_call import CommandCall
from bot.messages import Message, say


async def flagged(call: CommandCall) -> Sequence[Message]:
    """``flagged``: the program's open flags, each with what to do about it."""
    turn, program = call.turn, call.program
    assert program is not None
    flags = await open_flags(turn.repo, program.id)
    if not flags:
        return [say(_("No open flags in {program}: every pair is on track.", program=program.name))]
    zone = (await hours_of(turn.repo, turn.person)).zone
    messages = [say(ngettext("{n} open flag in {program}:", "{n} open flags in {program}:", len(flags), program=program.name))]
    for flag in flags[:20]:
        message = await registry.describe_flag(turn.repo, flag, zone, turn.now)
        if message is not None:
            messages.append(message)
    return messages


async def digest(call: CommandCall) -> Sequence[Message]:
    """``digest``: the weekly digest of the program, now."""
    assert call.program is not None
    zone = (await hours_of(call.turn.repo, call.turn.person)).zone
    return [await digest_message(call.turn.repo, call.program, zone, call.turn.now, registry.flag_titles())]


async def status(call: CommandCall) -> Sequence[Message]:
    """``status``: the bot's health (last tick, backlog, failures, people it cannot reach)."""
    return [await status_message(call.turn.repo, call.turn.now)]
