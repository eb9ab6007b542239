"""Any flag as the program admins see it: about a pair, a circle or a research assignment."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.cadence.flags import flag_message
from bot.formats import circle_prompts, research_prompts
from bot.messages import Message
from storage.models import Flag
from storage.repository import Repository


async def describe_flag(repo: Repository, flag: Flag, zone: ZoneInfo, now: datetime) -> Message | None:
    """The flag with the context an admin needs to act, or None when what it is about is gone."""
    if flag.circle_id is not None:
        return await circle_prompts.flag_message(repo, flag, zone, now)
    if flag.assignment_id is not None:
        return await research_prompts.flag_message(repo, flag, zone, now)
    return await flag_message(repo, flag, zone, now)
