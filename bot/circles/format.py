"""Circles as a format: one or two young mentors host a small group of senior leaders who
debate a trend, meeting at the program's cadence."""

from __future__ import annotations

from bot.circles import commands, flags, nudges
from bot.circles.flows import CIRCLE_FLOWS
from bot.circles.tick import tick_circles
from bot.program_format import Format
from storage.enums import ProgramFormat

FORMAT = Format(
    name=ProgramFormat.GROUP,
    commands=commands.COMMANDS,
    flows=CIRCLE_FLOWS,
    nudges=nudges.RENDERERS,
    tick=tick_circles,
    owns_flag=lambda flag: flag.circle_id is not None,
    flag_view=flags.flag_message,
    flag_titles=flags.TITLES,
)
