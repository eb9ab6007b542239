"""The research assignments' part of the cadence tick (to be written)."""

from __future__ import annotations

from datetime import datetime

from bot.cadence.batch import TickReport
from storage.db import Database


async def tick_assignments(db: Database, now: datetime, report: TickReport) -> None:
    """Look at every research assignment that is due and write its due nudges and flags."""
