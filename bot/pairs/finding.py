"""Finding a running pair of a program: by ``#ID``, or by the name of one of its people."""

from __future__ import annotations

import re

from bot.i18n import _
from bot.errors import CommandError
from bot.pairs.flags import pair_ref
from bot.people import find_person
from bot.turn import Turn
from storage.enums import PairStatus
from storage.models import Pair, Program

PAIR_ID = re.compile(r"^#(\d{1,9})$")


async def find_pair(turn: Turn, program: Program, ref: str) -> Pair:
    """The program's running pair ``#ID``, or the one pair of the person named ``ref``."""
    query = turn.repo.scoped(Pair).where(Pair.program_id == program.id,
                                         Pair.status.in_((PairStatus.ACTIVE, PairStatus.PAUSED)))
    by_id = PAIR_ID.match(ref.strip())
    if by_id:
        pair = await turn.repo.one_or_none(query.where(Pair.id == int(by_id.group(1))))
        if pair is None:
            raise CommandError(_("There is no running pair {ref} in {program}.", ref=ref, program=program.name))
        return pair
    person = await find_person(turn, ref)
    pairs = [p for p in await turn.repo.all(query) if person.id in (p.mentor_id, p.mentee_id)]
    if not pairs:
        raise CommandError(_("{person} is not in a running pair in {program}.", person=person.display_name, program=program.name))
    if len(pairs) > 1:
        options = ", ".join([f"{pair_ref(p)} ({await pair_names(turn, p)})" for p in pairs])
        raise CommandError(_("{person} is in several pairs: name the pair instead: {options}.", person=person.display_name, options=options))
    return pairs[0]


async def pair_names(turn: Turn, pair: Pair) -> str:
    """``Hana & Victor``: the pair's mentor and mentee."""
    mentor, mentee = await turn.repo.person(pair.mentor_id), await turn.repo.person(pair.mentee_id)
    return f"{mentor.display_name if mentor else '?'} & {mentee.display_name if mentee else '?'}"
