"""Why someone was left unmatched, in words an admin can act on."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.i18n import N_, _, ngettext
from bot.matching.cohort import Candidate
from bot.matching.score import RULES, FitModel, chose_one_to_one

# How each hard rule reads when it rules out every mentor, and when it rules out some.
ALL_RULED_OUT = {
    "format": N_("no mentor who chose one-to-one sessions"),
    "junior": N_("no mentor is junior to them"),
    "line": N_("only mentors in their reporting line"),
    "past": N_("every mentor was paired with them before (one way or the other)"),
    "language": N_("no mentor speaks their language"),
    "hours": N_("no shared working hours with any mentor"),
}
SOME_RULED_OUT = {
    "format": N_("{n} who did not choose one-to-one sessions"),
    "junior": N_("{n} not junior to them"),
    "line": N_("{n} in their reporting line"),
    "past": N_("{n} paired with them before"),
    "language": N_("{n} without a shared language"),
    "hours": N_("{n} without shared working hours"),
}


def incomplete(person: Candidate) -> str:
    """Why an incomplete profile cannot be matched."""
    return _("profile incomplete (no {missing}): ask them to run `/mentoring profile edit`",
             missing=_(", no ").join(person.missing()))


def unmatched_mentee(model: FitModel, i: int, places: Sequence[int] | None = None) -> str:
    """Why mentee ``i`` of the model got no mentor (the model's mentors include full ones);
    ``places`` left per mentor after a run (default: their capacity in the cohort)."""
    mentors = model.cohort.mentors
    if not chose_one_to_one(model.cohort.mentees[i]):
        return _("did not choose one-to-one sessions in their profile (circles and research suit them)")
    if not mentors:
        return _("no mentor has finished onboarding yet")
    rows = np.array([i])
    held = model.rules(rows, model.parts(rows)["_minutes"])
    suitable = np.logical_and.reduce([held[rule][0] for rule in RULES])
    left = np.array(places if places is not None else [m.capacity for m in mentors])
    with_places = suitable & (left > 0)
    if with_places.any():
        return _("joined after the last run (a mentor with a place suits them): run `/mentoring match` again")
    if suitable.any():
        count = int(suitable.sum())
        return ngettext("no mentor with a place left ({n} suits them, all taken): raise the capacity "
                        "(`/mentoring program set capacity=4`) or recruit mentors",
                        "no mentor with a place left ({n} suit them, all taken): raise the capacity "
                        "(`/mentoring program set capacity=4`) or recruit mentors", count)
    first_broken = _first_broken(held)
    counts = {rule: int((first_broken == position).sum()) for position, rule in enumerate(RULES)}
    ruled = {rule: n for rule, n in counts.items() if n}
    if len(ruled) == 1:
        return ALL_RULED_OUT[next(iter(ruled))]
    parts = [SOME_RULED_OUT[rule].format(n=n) for rule, n in sorted(ruled.items(), key=lambda kv: -kv[1])]
    return _("no suitable mentor among {count}: ", count=len(mentors)) + ", ".join(parts)


def _first_broken(held: dict[str, np.ndarray]) -> np.ndarray:
    """For every mentor, the position in :data:`RULES` of the first rule broken (len(RULES) if none)."""
    first = np.full(held[RULES[0]].shape[1], len(RULES))
    for position in reversed(range(len(RULES))):
        first = np.where(~held[RULES[position]][0], position, first)
    return first
