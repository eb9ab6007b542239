"""Research assignments as a format: a young mentor studies an emerging tool or trend and
presents it to senior leaders at a lunch-and-learn."""

from __future__ import annotations

from bot.program_format import Format
from bot.research import commands, flags, nudges
from bot.research.flows import FLOWS
from bot.research.tick import tick_assignments
from storage.enums import ProgramFormat

FORMAT = Format(
    name=ProgramFormat.RESEARCH,
    commands=commands.COMMANDS,
    flows=FLOWS,
    nudges=nudges.RENDERERS,
    tick=tick_assignments,
    owns_flag=lambda flag: flag.assignment_id is not None,
    flag_view=flags.flag_message,
    flag_titles=flags.TITLES,
)
