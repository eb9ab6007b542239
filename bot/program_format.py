"""What a program format gives the core: one object per format package, registered in
:mod:`bot.registry`.

A format (one-to-one pairs, circles, research assignments, or a new one) is one package under
``bot/``; its ``format.py`` builds a :class:`Format` from its commands, conversation flows,
nudge renderers, its part of the cadence tick and of the periodic nudges, and its flags. The core
(the command dispatcher, the flow lookup, the nudge renderer, the tick, the admins' flag
views) reads the registry and never names a format.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cadence.nudges import Renderer
from bot.cadence.tick import Tick
from bot.flows.base import Flow
from bot.messages import Message
from storage.models import Flag, Program
from storage.repository import Repository

if TYPE_CHECKING:
    from bot.commands.grammar import CommandSpec

FlagView = Callable[[Repository, Flag, ZoneInfo, datetime], Awaitable[Message | None]]
"""A flag as the program admins see it (with what to do), or None when it no longer applies."""

PeriodicNudges = Callable[[AsyncSession, Program, datetime], Awaitable[int]]
"""A format's nudges that come with the calendar, for one active program (the pairs' monthly
pulses, say): how many it wrote. Run hourly by the ``periodic_nudges`` job."""


@dataclass(frozen=True)
class Format:
    """One program format, as the core registers it."""

    name: str
    """The program format it runs (a :class:`storage.enums.ProgramFormat` value), or its own name."""
    commands: tuple[CommandSpec, ...] = ()
    flows: tuple[Flow, ...] = ()
    nudges: Mapping[str, Renderer] = field(default_factory=dict)
    """The renderer of each kind of nudge the format writes (kinds are unique across formats)."""
    tick: Tick | None = None
    periodic_nudges: PeriodicNudges | None = None
    owns_flag: Callable[[Flag], bool] = lambda flag: False
    """True for the flags this format raised (and shows with :attr:`flag_view`)."""
    flag_view: FlagView | None = None
    flag_titles: Mapping[str, str] = field(default_factory=dict)
    """How the digest, the reports and the simulation name each kind of flag the format raises."""
