"""The DATE TIME of a scheduling command, in the caller's zone (pairs' sessions and circles' meetings)."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import _
from bot.cadence.when_and_where import when
from bot.commands.command_call import CommandCall
from bot.errors import CommandError
from bot.parsing import InvalidAnswer, parse_clock, parse_date


def session_start(call: CommandCall, zone: str) -> datetime:
    """The moment the command's ``date`` and ``time`` give in ``zone``: ahead, within a year."""
    if "time" not in call.args:
        raise CommandError(_("TIME is missing: give the date and the start time."))
    try:
        day = parse_date(call.args["date"])
        clock = parse_clock(call.args["time"])
        return when(day, clock, zone, call.turn.now)
    except InvalidAnswer as problem:
        raise CommandError(str(problem)) from None
