"""The circles commands (to be written)."""

from __future__ import annotations

from bot.commands.grammar import CommandSpec

COMMANDS: tuple[CommandSpec, ...] = ()
