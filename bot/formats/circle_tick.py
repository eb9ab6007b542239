"""The circles' part of the cadence tick (to be written)."""

from __future__ import annotations

from datetime import datetime

from bot.cadence.batch import TickReport
from storage.db import Database


async def tick_circles(db: Database, now: datetime, report: TickReport) -> None:
    """Look at every circle that is due and write its due nudges and flags."""
