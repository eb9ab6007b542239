"""What a command handler receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.turn import Turn
from storage.models import Program


@dataclass
class CommandCall:
    """A parsed command being run: the turn, its arguments and the program it targets."""

    turn: Turn
    args: dict[str, Any]
    program: Program | None = None
