"""Arguments several commands share (the core's and the formats'), defined once."""

from __future__ import annotations

from bot.commands.grammar import Arg
from bot.messages import LABEL_LIMIT
from storage.enums import Cadence

CADENCES = tuple(c.value for c in Cadence)
PROGRAM_OPTION = Arg("program")
PARTNER = Arg("with", max_length=LABEL_LIMIT)
REASON = Arg("reason", max_length=500)
WHEN = (Arg("date", max_length=20), Arg("time", max_length=10), Arg("where", max_length=200))
"""``DATE TIME [WHERE]`` of a session or meeting."""
