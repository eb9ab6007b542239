"""One-to-one pairs as a format: a young mentor and a senior mentee meet at the program's
cadence, set goals, check in and give feedback (the progress questions are the pairs' own)."""

from __future__ import annotations

from bot.pairs import admin_commands, commands, flags, nudges
from bot.pairs.schedule_flow import SCHEDULING
from bot.pairs.tick import tick_pairs
from bot.program_format import Format
from bot.progress import commands as progress_commands
from bot.progress import nudges as progress_nudges
from bot.progress.checkin import CHECKIN
from bot.progress.evaluation import EVALUATION
from bot.progress.goals import GOALS
from bot.progress.periodic import write_pair_questions
from bot.progress.pulse import PULSE
from storage.enums import ProgramFormat

FORMAT = Format(
    name=ProgramFormat.ONE_TO_ONE,
    commands=(*commands.COMMANDS, *progress_commands.COMMANDS, *admin_commands.COMMANDS),
    flows=(SCHEDULING, GOALS, CHECKIN, PULSE, EVALUATION),
    nudges={**nudges.RENDERERS, **progress_nudges.RENDERERS},
    tick=tick_pairs,
    periodic_nudges=write_pair_questions,
    owns_flag=lambda flag: flag.pair_id is not None,
    flag_view=flags.flag_message,
    flag_titles=flags.TITLES,
)
