"""How good and how fast the optimal matching is against a greedy and a random one.

    .venv/bin/python bench/matching.py [--sizes 1000,10000] [--seed 1] [--mentors-per-10k 2750] [--check]

For each size, one synthetic cohort (``bot.matching.synthetic.cohort``: mentors at capacity 4,
2,750 of them per 10,000 mentees by default, 275 for 1,000) is matched three ways:

* optimal: ``FitModel(cohort)`` + ``assign(model)`` + the reasons of every matched pair, as a
  real run does (most matched first, then the largest total fit; see bot/matching/solve.py);
* greedy: every allowed mentor-mentee edge sorted by fit, best first, taken when the mentee is
  still free and the mentor has a place left (the stronger of the simple greedy tools);
* random: what coffee-chat bots do: mentees in a random order, each given a random mentor
  with a place left, fit and hard rules ignored.

Each is timed from the Cohort object (its own FitModel, scoring and solving, with
``time.perf_counter``). Then, the same way for all three (untimed): share of mentees matched,
mean and total fit of the matched pairs (fits in [0, 1] from ``FitModel.fit_rows``; a random
pair that breaks a hard rule counts with the fit it would have without the rule), share of
mentees who got one of their top-5 mentors (by fit among the allowed mentors with a place at
the start; ties with the 5th best count), the largest mentor load, and the pairs that break
a hard rule.

The optimal total is checked against a plain min-cost flow over every allowed edge
(``assign(model, candidates=<all mentors>)``) on sizes up to 1,000, and with ``--check`` on
larger ones with 400 candidates a mentee (slower). The target: 10,000 mentees in under 5 s
end to end.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bot.matching.cohort import Cohort
from bot.matching.score import FIT_SCALE, NOT_ALLOWED, FitModel
from bot.matching.solve import Assignment, assign
from bot.matching.synthetic import cohort as synthetic_cohort

CAPACITY = 4
BLOCK = 1024  # mentees scored at a time
TOP = 5
TARGET_SECONDS = 5.0
TARGET_MENTEES = 10_000
CHECK_CANDIDATES = 400
CHUNK = 1 << 16  # sorted edges filtered at a time by the greedy
UNMATCHED = -1

Pairs = NDArray[np.intp]  # mentee index -> mentor index, UNMATCHED if none


@dataclass
class Run:
    """One assignment of a cohort and how long it took."""

    method: str
    mentor_of: Pairs
    seconds: float
    note: str = ""


@dataclass
class Quality:
    """The figures of one assignment, measured the same way for every method."""

    matched: int
    mean_fit: float
    top5: int
    max_load: int
    total_fit: float
    breaks: int


def blocks(mentees: int) -> Iterator[NDArray[np.intp]]:
    """Mentee indexes ``BLOCK`` at a time."""
    for start in range(0, mentees, BLOCK):
        yield np.arange(start, min(start + BLOCK, mentees), dtype=np.intp)


def capacities(cohort: Cohort) -> NDArray[np.int64]:
    """The places each mentor has left (never negative)."""
    return np.array([max(m.capacity, 0) for m in cohort.mentors], dtype=np.int64)


def as_array(mentor_of: dict[int, int], mentees: int) -> Pairs:
    """An assignment dict as a mentee -> mentor array."""
    out = np.full(mentees, UNMATCHED, dtype=np.intp)
    for i, j in mentor_of.items():
        out[i] = j
    return out


# --- the three methods ---------------------------------------------------------------------------------------


def optimal(cohort: Cohort) -> tuple[Run, Assignment, FitModel]:
    """Score, solve and explain every pair, timed end to end."""
    started = time.perf_counter()
    model = FitModel(cohort)
    scored = time.perf_counter()
    assignment = assign(model)
    solved = time.perf_counter()
    reasons = model.reasons_for(list(assignment.mentor_of.items()))
    ended = time.perf_counter()
    note = (f"FitModel {scored - started:.2f} s, assign {solved - scored:.2f} s "
            f"({assignment.rounds} rounds, {assignment.edges:,} edges), reasons {ended - solved:.2f} s "
            f"({sum(map(len, reasons)):,} for {len(reasons):,} pairs)")
    return Run("optimal", as_array(assignment.mentor_of, len(cohort.mentees)), ended - started, note), \
        assignment, model


def allowed_edges(model: FitModel, places: NDArray[np.int64]) -> tuple[NDArray[np.float32], Pairs, Pairs]:
    """Every allowed edge with a place at the mentor, as (fit, mentee, mentor) arrays."""
    fits, mentees, mentors = [], [], []
    for rows in blocks(len(model.cohort.mentees)):
        scored = model.fit_rows(rows)
        scored[:, places <= 0] = NOT_ALLOWED
        position, mentor = np.nonzero(scored > NOT_ALLOWED)
        fits.append(scored[position, mentor])
        mentees.append(rows[position])
        mentors.append(mentor)
    return np.concatenate(fits), np.concatenate(mentees), np.concatenate(mentors)


def greedy(cohort: Cohort) -> Run:
    """Edges best first, each taken if the mentee is free and the mentor has a place left."""
    started = time.perf_counter()
    places = capacities(cohort)
    fit, mentee, mentor = allowed_edges(FitModel(cohort), places)
    scored = time.perf_counter()
    order = np.argsort(-fit, kind="stable")
    mentee, mentor = mentee[order], mentor[order]
    ordered = time.perf_counter()
    mentor_of = np.full(len(cohort.mentees), UNMATCHED, dtype=np.intp)
    left = places.copy()
    wanted = min(len(cohort.mentees), int(left.sum()))
    matched = 0
    for start in range(0, len(order), CHUNK):
        # Matched mentees and full mentors stay so: filtering a chunk first changes nothing.
        i_chunk, j_chunk = mentee[start:start + CHUNK], mentor[start:start + CHUNK]
        open_ = (mentor_of[i_chunk] == UNMATCHED) & (left[j_chunk] > 0)
        for i, j in zip(i_chunk[open_].tolist(), j_chunk[open_].tolist(), strict=True):
            if mentor_of[i] == UNMATCHED and left[j] > 0:
                mentor_of[i] = j
                left[j] -= 1
                matched += 1
        if matched == wanted:
            break
    ended = time.perf_counter()
    return Run("greedy", mentor_of, ended - started, f"scoring {scored - started:.2f} s, sorting {len(order):,} "
               f"allowed edges {ordered - scored:.2f} s, taking {ended - ordered:.2f} s")


def shuffled(cohort: Cohort, seed: int) -> Run:
    """Mentees in random order, each with a random mentor that has a place left; then their fits."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    left = capacities(cohort)
    open_ = [int(j) for j in np.flatnonzero(left > 0)]
    mentor_of = np.full(len(cohort.mentees), UNMATCHED, dtype=np.intp)
    for i in rng.permutation(len(cohort.mentees)).tolist():
        if not open_:
            break
        k = int(rng.integers(len(open_)))
        j = open_[k]
        mentor_of[i] = j
        left[j] -= 1
        if left[j] == 0:
            open_[k] = open_[-1]
            open_.pop()
    model = FitModel(cohort)
    breaks = 0
    for rows in blocks(len(cohort.mentees)):
        picked = mentor_of[rows]
        scored = model.fit_rows(rows)[np.flatnonzero(picked >= 0), picked[picked >= 0]]
        breaks += int((scored == NOT_ALLOWED).sum())
    return Run("random", mentor_of, time.perf_counter() - started, f"{breaks:,} pairs break a hard rule")


# --- measuring them the same way -----------------------------------------------------------------------------


def raw_fits(model: FitModel, rows: NDArray[np.intp]) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
    """Fits of ``rows`` with every mentor as if no hard rule existed, and where the rules allow."""
    parts = model.parts(rows)
    weights = model.cohort.weights
    fit = sum((weights[name] * parts[name] for name in weights), np.zeros(parts["hours"].shape, np.float32))
    allowed = model.fit_rows(rows) > NOT_ALLOWED
    return fit.astype(np.float32), allowed


def top_threshold(fit: NDArray[np.float32], allowed: NDArray[np.bool_]) -> NDArray[np.float32]:
    """Per row, the 5th best allowed fit (the worst allowed one if fewer; +inf if none)."""
    masked = np.where(allowed, fit, -np.inf)
    kth = min(TOP, masked.shape[1])
    best = -np.partition(-masked, kth - 1, axis=1)[:, :kth]
    finite = np.where(np.isfinite(best), best, np.inf)
    return np.where(allowed.any(axis=1), finite.min(axis=1), np.inf).astype(np.float32)


def measure(model: FitModel, runs: list[Run]) -> list[Quality]:
    """The figures of each run, from one scoring pass over the cohort."""
    places = capacities(model.cohort)
    fits = [np.full(len(model.cohort.mentees), np.nan) for _ in runs]
    ok = [np.ones(len(model.cohort.mentees), dtype=bool) for _ in runs]
    top = [np.zeros(len(model.cohort.mentees), dtype=bool) for _ in runs]
    for rows in blocks(len(model.cohort.mentees)):
        fit, allowed = raw_fits(model, rows)
        threshold = top_threshold(fit, allowed & (places > 0)[None, :])
        for n, run in enumerate(runs):
            picked = run.mentor_of[rows]
            position = np.flatnonzero(picked != UNMATCHED)
            row_fit, row_ok = fit[position, picked[position]], allowed[position, picked[position]]
            fits[n][rows[position]] = row_fit
            ok[n][rows[position]] = row_ok
            top[n][rows[position]] = row_ok & (row_fit >= threshold[position])
    return [quality(run, fits[n], ok[n], top[n], len(places)) for n, run in enumerate(runs)]


def quality(run: Run, fit: NDArray[np.float64], ok: NDArray[np.bool_], top: NDArray[np.bool_],
            mentors: int) -> Quality:
    """One run's figures from its per-mentee fits (NaN when unmatched)."""
    matched = run.mentor_of != UNMATCHED
    loads = np.bincount(run.mentor_of[matched], minlength=mentors)
    total = float(np.nansum(fit))
    return Quality(int(matched.sum()), total / max(int(matched.sum()), 1), int(top.sum()),
                   int(loads.max(initial=0)), total, int((~ok).sum()))


# --- printing ------------------------------------------------------------------------------------------------


def table(mentees: int, runs: list[Run], figures: list[Quality]) -> None:
    """The fixed-width table of one size."""
    print(f"\n{'method':8} {'seconds':>8} {'matched %':>10} {'mean fit':>9} {'top-5 %':>8} {'max load':>9}"
          f" {'total fit':>10} {'hard-rule breaks':>17}")
    for run, q in zip(runs, figures, strict=True):
        print(f"{run.method:8} {run.seconds:>8.3f} {100 * q.matched / mentees:>10.1f} {q.mean_fit:>9.4f}"
              f" {100 * q.top5 / mentees:>8.1f} {q.max_load:>9} {q.total_fit:>10.2f} {q.breaks:>17,}")
    for run in runs:
        print(f"  {run.method}: {run.note}")


def scaled_total(assignment: Assignment) -> int:
    """The solver's own total, in integer fit units (exact to compare)."""
    return sum(round(fit * FIT_SCALE) for fit in assignment.fit_of.values())


def reference(model: FitModel, assignment: Assignment, candidates: int) -> None:
    """Solve again with longer lists and compare the totals."""
    started = time.perf_counter()
    again = assign(model, candidates=candidates)
    seconds = time.perf_counter() - started
    mine, theirs = scaled_total(assignment), scaled_total(again)
    equal = (mine, len(assignment.mentor_of)) == (theirs, len(again.mentor_of))
    print(f"  reference (candidates={candidates:,}, {seconds:.1f} s, {again.rounds} rounds, {again.edges:,} edges): "
          f"total {theirs / FIT_SCALE:.3f} against {mine / FIT_SCALE:.3f} (matched {len(again.mentor_of):,} "
          f"against {len(assignment.mentor_of):,}); equal: {'yes' if equal else 'no'}")


def sanity(figures: list[Quality]) -> None:
    """Say so if the optimal is not at least as good as the greedy (most matched, then total fit)."""
    best, greedy_ = figures[0], figures[1]
    if (best.matched, best.total_fit) < (greedy_.matched, greedy_.total_fit):
        print("  WARNING: the optimal assignment is worse than the greedy one: a bug")
    elif best.matched == greedy_.matched and best.total_fit <= greedy_.total_fit:
        print("  WARNING: the optimal total fit is not above the greedy one")
    else:
        print(f"  optimal over greedy: {best.matched - greedy_.matched:+,} matched, "
              f"{best.total_fit - greedy_.total_fit:+.2f} total fit "
              f"({100 * (best.total_fit / greedy_.total_fit - 1):+.2f}%)")


def size(mentees: int, args: argparse.Namespace) -> float:
    """Build, match three ways, print; return the optimal's seconds."""
    mentors = round(mentees * args.mentors_per_10k / 10_000)
    cohort = synthetic_cohort(mentees, mentors, capacity=CAPACITY, seed=args.seed)
    places = int(capacities(cohort).sum())
    print(f"\n{mentees:,} mentees, {mentors:,} mentors at capacity {CAPACITY} ({places:,} places; "
          f"at most {min(mentees, places):,} can be matched), seed {args.seed}")
    first, assignment, model = optimal(cohort)
    runs = [first, greedy(cohort), shuffled(cohort, args.seed)]
    figures = measure(model, runs)
    table(mentees, runs, figures)
    sanity(figures)
    if mentees <= 1_000:
        reference(model, assignment, len(cohort.mentors))
    elif args.check:
        reference(model, assignment, CHECK_CANDIDATES)
    return first.seconds


def numbers(text: str) -> list[int]:
    """Comma-separated sizes."""
    return [int(n) for n in text.split(",") if n.strip()]


def main() -> None:
    """Parse the options, run every size, say whether the target is met."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=numbers, default=[1_000, 10_000], help="mentees, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mentors-per-10k", type=int, default=2_750, help="mentors per 10,000 mentees")
    parser.add_argument("--check", action="store_true",
                        help=f"on sizes over 1,000, check the optimal total with {CHECK_CANDIDATES} candidates")
    args = parser.parse_args()
    seconds = {mentees: size(mentees, args) for mentees in args.sizes}
    if TARGET_MENTEES in seconds:
        met = "met" if seconds[TARGET_MENTEES] < TARGET_SECONDS else "NOT met"
        print(f"\ntarget: 10,000 mentees in under 5 s end to end: {met} ({seconds[TARGET_MENTEES]:.2f} s)")
    else:
        print("\ntarget: 10,000 mentees in under 5 s end to end: not measured (add 10000 to --sizes)")


if __name__ == "__main__":
    main()
