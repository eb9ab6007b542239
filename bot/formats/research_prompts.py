"""What the research nudges say when they go out (to be written)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.messages import Message
from storage.enums import NudgeKind
from storage.models import Flag
from storage.repository import Repository

if TYPE_CHECKING:
    from bot.cadence.nudges import Renderer

RENDERERS: dict[NudgeKind, Renderer] = {}


async def flag_message(repo: Repository, flag: Flag, zone: ZoneInfo, now: datetime) -> Message | None:
    """A research flag with what an admin needs to act on it, or None when it no longer applies."""
    return None
