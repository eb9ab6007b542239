"""What the progress flows share: the pair a flow is about, as one of its people sees it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.pairs.sessions import partner_of
from bot.turn import Turn
from storage.enums import PairStatus, Role
from storage.models import Pair, Person, Program

POOR = 2
"""A pairing-fit answer at or below this offers the admins a rematch."""


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
