"""What the progress flows share: ratings as buttons, the pair a flow is about, short labels."""

from __future__ import annotations

from dataclasses import dataclass

from bot.answers import parse_int
from bot.cadence.sessions import partner_of
from bot.flows.base import Choice
from bot.messages import ButtonStyle, FormValue
from bot.turn import Turn
from storage.enums import PairStatus, Role
from storage.models import Pair, Person, Program

LOW, HIGH = 1, 5
POOR = 2
"""A pairing-fit answer at or below this offers the admins a rematch."""
LABEL = 60
"""How much of a goal's title goes into a form label or a button."""


@dataclass(frozen=True)
class PairView:
    """A pair as one of its two people sees it."""

    pair: Pair
    partner: Person
    program: Program
    role: Role

    @property
    def is_mentee(self) -> bool:
        """True when the person looking is the pair's mentee."""
        return self.role == Role.MENTEE


def rating_choices(low: str, high: str) -> list[Choice]:
    """Buttons 1 to 5, the ends explained (``1 · not useful`` … ``5 · very useful``)."""
    words = {LOW: low, HIGH: high}
    return [Choice(str(n), f"{n} · {words[n]}" if n in words else str(n), ButtonStyle.DEFAULT, aliases=(str(n),))
            for n in range(LOW, HIGH + 1)]


def parse_rating(raw: FormValue | None) -> int:
    """A rating from 1 to 5."""
    return parse_int(raw, LOW, HIGH)


def short(text: str, limit: int = LABEL) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


async def pair_view(turn: Turn, pair_id: int) -> PairView | None:
    """The pair ``pair_id`` as the person speaking sees it, if they are in it and it runs."""
    pair = await turn.repo.one_or_none(turn.repo.scoped(Pair).where(Pair.id == pair_id))
    if pair is None or turn.person.id not in (pair.mentor_id, pair.mentee_id):
        return None
    if pair.status not in (PairStatus.ACTIVE, PairStatus.PAUSED):
        return None
    partner = await turn.repo.person(partner_of(pair, turn.person.id))
    program = await turn.repo.program(pair.program_id)
    if partner is None or program is None:
        return None
    role = Role.MENTOR if pair.mentor_id == turn.person.id else Role.MENTEE
    return PairView(pair, partner, program, role)
