"""One-to-five ratings, as every format asks for them: buttons with the ends explained."""

from __future__ import annotations

from bot.flows.base import Choice
from bot.messages import ButtonStyle, FormValue
from bot.parsing import parse_int

LOW, HIGH = 1, 5


def rating_choices(low: str, high: str) -> list[Choice]:
    """Buttons 1 to 5, the ends explained (``1 · not useful`` … ``5 · very useful``)."""
    words = {LOW: low, HIGH: high}
    return [Choice(str(n), f"{n} · {words[n]}" if n in words else str(n), ButtonStyle.DEFAULT, aliases=(str(n),))
            for n in range(LOW, HIGH + 1)]


def parse_rating(raw: FormValue | None) -> int:
    """A rating from 1 to 5."""
    return parse_int(raw, LOW, HIGH)
