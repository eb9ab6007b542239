"""The assignment of mentees to mentors with the largest total fit under the mentors' capacities.

As many mentees as the hard rules and capacities allow are matched first; among those
assignments, the one with the largest total fit wins. It is a min-cost flow (OR-tools):
source -> each mentee (capacity 1) -> each candidate mentor (capacity 1, cost -fit) ->
sink (capacity: the places the mentor has left), solved for the maximum flow at least cost.

A cohort of 10,000 mentees has some 30 million mentor-mentee edges, too many to hand to a
solver. Each mentee keeps only its best ``candidates`` mentors, and the result is then
*proved* optimal on the whole graph by linear-programming duality (column generation): from
the solved flow we compute each mentor's price (the dual of its capacity: what one more
place there would be worth), and check every edge left out against those prices. An edge
that could still improve the total is added and the flow solved again; when none is left the
answer is the optimum over all edges, not an approximation. Usually one or two rounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

from bot.matching.score import FIT_SCALE, NOT_ALLOWED, FitModel

DEFAULT_CANDIDATES = 40
BLOCK = 512  # mentees scored at a time (bounds memory: BLOCK x mentors floats)


@dataclass
class Assignment:
    """Mentee index -> mentor index for every matched mentee, with how the solve went."""

    mentor_of: dict[int, int]
    fit_of: dict[int, float]
    edges: int = 0
    rounds: int = 0

    @property
    def total_fit(self) -> float:
        """The sum of the fits of the matched pairs."""
        return sum(self.fit_of.values())


@dataclass
class _Edges:
    """Each mentee's candidate mentors (best first) and their integer fits."""

    mentors: dict[int, NDArray[np.intp]] = field(default_factory=dict)
    fits: dict[int, NDArray[np.int64]] = field(default_factory=dict)
    complete: set[int] = field(default_factory=set)  # lists holding every allowed mentor
    # The best fit a mentor left out of a mentee's list can have (the shortlist's last fit);
    # edges added later do not change it.
    bound: dict[int, int] = field(default_factory=dict)
    allowed: dict[int, int] = field(default_factory=dict)


def assign(model: FitModel, candidates: int = DEFAULT_CANDIDATES) -> Assignment:
    """The optimal assignment of the model's mentees to its mentors (see the module docstring)."""
    mentees = len(model.cohort.mentees)
    capacity = np.array([max(m.capacity, 0) for m in model.cohort.mentors], dtype=np.int64)
    edges = _Edges()
    _shortlist(model, np.arange(mentees), candidates, capacity, edges)
    rounds = 0
    while True:
        rounds += 1
        mentor_of = _solve(edges, capacity, mentees)
        prices = _prices(edges, mentor_of, capacity, _bonus(mentees))
        improving = _improving_edges(model, edges, mentor_of, prices, capacity, _bonus(mentees))
        if not improving:
            break
        for i, (mentors, fits) in improving.items():
            _extend(edges, i, mentors, fits)
    fit_of = {i: float(edges.fits[i][list(edges.mentors[i]).index(j)]) / FIT_SCALE for i, j in mentor_of.items()}
    return Assignment(mentor_of, fit_of, sum(len(v) for v in edges.mentors.values()), rounds)


def _bonus(mentees: int) -> int:
    """What one more matched mentee is worth, in fit units: more than any change of fits, so
    that matching as many as possible comes first (the max-flow at min cost the solver finds)."""
    return FIT_SCALE * (mentees + 1)


def _shortlist(model: FitModel, rows: NDArray[np.intp], width: int, capacity: NDArray[np.int64],
               edges: _Edges) -> None:
    """Score ``rows`` against every mentor and keep each one's best ``width`` mentors with places."""
    for start in range(0, len(rows), BLOCK):
        block = rows[start:start + BLOCK]
        scaled = _scaled(model, block, capacity)
        allowed = scaled >= 0
        keep = min(width, scaled.shape[1])
        if keep < scaled.shape[1]:
            best = np.argpartition(-scaled, keep - 1, axis=1)[:, :keep]
        else:
            best = np.tile(np.arange(scaled.shape[1]), (len(block), 1))
        for position, row in enumerate(block):
            picked = best[position][allowed[position, best[position]]]
            order = np.argsort(-scaled[position, picked], kind="stable")
            edges.mentors[int(row)] = picked[order]
            edges.fits[int(row)] = scaled[position, picked[order]]
            edges.allowed[int(row)] = int(allowed[position].sum())
            edges.bound[int(row)] = int(edges.fits[int(row)][-1]) if len(picked) else -1
            if len(picked) == edges.allowed[int(row)]:
                edges.complete.add(int(row))


def _scaled(model: FitModel, rows: NDArray[np.intp], capacity: NDArray[np.int64]) -> NDArray[np.int64]:
    """Integer fits of mentees ``rows`` with every mentor; -1 where not allowed or no place is left."""
    fits = model.fit_rows(rows)
    fits[:, capacity <= 0] = NOT_ALLOWED
    return np.where(fits > NOT_ALLOWED, np.rint(fits * FIT_SCALE), -1).astype(np.int64)


def _solve(edges: _Edges, capacity: NDArray[np.int64], mentees: int) -> dict[int, int]:
    """Max-flow at min cost over the candidate edges: mentee index -> mentor index."""
    mentors = len(capacity)
    source, sink = mentees + mentors, mentees + mentors + 1
    rows = [i for i in range(mentees) if len(edges.mentors.get(i, ())) > 0]
    tails = [np.full(len(rows), source), np.repeat(rows, [len(edges.mentors[i]) for i in rows]),
             mentees + np.arange(mentors)]
    heads = [np.array(rows, dtype=np.int64), mentees + np.concatenate([edges.mentors[i] for i in rows] or [np.zeros(0, np.intp)]),
             np.full(mentors, sink)]
    caps = [np.ones(len(rows)), np.ones(len(tails[1])), capacity]
    costs = [np.zeros(len(rows)), -np.concatenate([edges.fits[i] for i in rows] or [np.zeros(0, np.int64)]), np.zeros(mentors)]
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails).astype(np.int32), np.concatenate(heads).astype(np.int32),
        np.concatenate(caps).astype(np.int64), np.concatenate(costs).astype(np.int64))
    flow.set_node_supply(source, len(rows))
    flow.set_node_supply(sink, -len(rows))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"the matching solver failed (status {status})")
    middle = arcs[len(rows):len(rows) + len(tails[1])]
    used = flow.flows(middle) > 0
    return {int(t): int(h) - mentees for t, h in zip(tails[1][used], heads[1][used], strict=True)}


def _prices(edges: _Edges, mentor_of: dict[int, int], capacity: NDArray[np.int64], bonus: int) -> NDArray[np.int64]:
    """Each mentor's dual price for the solved flow: the least prices that make it provably optimal.

    Complementary slackness fixes the mentees' duals from the prices, which leaves difference
    constraints between mentors: for a mentee ``i`` placed with ``a`` and a candidate ``b``,
    ``price[b] - price[a] >= fit(i, b) - fit(i, a)``; for an unmatched mentee, ``price[b] >=
    bonus + fit(i, b)``; every price >= 0. The least solution is a longest-path problem,
    solved by Bellman-Ford relaxation, vectorised over all edges at once.
    """
    floor = np.zeros(len(capacity), dtype=np.int64)
    tails, heads, gains = [], [], []
    for i, listed in edges.mentors.items():
        fits = edges.fits[i]
        if i not in mentor_of:
            np.maximum.at(floor, listed, bonus + fits)
            continue
        own = listed == mentor_of[i]
        tails.append(np.full(int((~own).sum()), mentor_of[i]))
        heads.append(listed[~own])
        gains.append(fits[~own] - fits[own][0])
    price = floor.copy()
    if not tails:
        return price
    tail, head, gain = (np.concatenate(a) for a in (tails, heads, gains))
    order = np.argsort(head, kind="stable")
    tail, head, gain = tail[order], head[order], gain[order]
    targets, starts = np.unique(head, return_index=True)
    for _ in range(len(capacity) + 1):
        best = np.maximum.reduceat(price[tail] + gain, starts)
        raised = np.maximum(price[targets], best)
        if np.array_equal(raised, price[targets]):
            return price
        price[targets] = raised
    raise RuntimeError("the matching solver's flow is not optimal (a positive cycle in the prices)")


def _improving_edges(model: FitModel, edges: _Edges, mentor_of: dict[int, int], prices: NDArray[np.int64],
                     capacity: NDArray[np.int64], bonus: int) -> dict[int, tuple[NDArray[np.intp], NDArray[np.int64]]]:
    """Edges left out of the lists that break the dual constraints (they could improve the total).

    A mentee whose list is complete has none. A placed mentee whose mentor's price is at most
    its fit there minus the best fit left out of its shortlist has none either (prices are never negative).
    The others are scored again against every mentor and checked edge by edge.
    """
    doubtful = []
    for i, listed in edges.mentors.items():
        if i in edges.complete:
            continue
        if i in mentor_of:
            own_fit = int(edges.fits[i][listed == mentor_of[i]][0])
            if prices[mentor_of[i]] <= own_fit - edges.bound[i]:
                continue
        doubtful.append(i)
    found: dict[int, tuple[NDArray[np.intp], NDArray[np.int64]]] = {}
    for start in range(0, len(doubtful), BLOCK):
        block = np.array(doubtful[start:start + BLOCK])
        scaled = _scaled(model, block, capacity)
        for position, i in enumerate(block):
            row = scaled[position]
            if i in mentor_of:
                j = mentor_of[i]
                gain = prices - prices[j] < row - row[j]
            else:
                gain = prices < bonus + row
            gain &= row >= 0
            gain[edges.mentors[i]] = False
            if gain.any():
                picked = np.flatnonzero(gain)
                found[int(i)] = picked, row[picked]
    return found


def _extend(edges: _Edges, i: int, mentors: NDArray[np.intp], fits: NDArray[np.int64]) -> None:
    """Add mentors to mentee ``i``'s list, keeping it sorted best first."""
    merged_mentors = np.concatenate([edges.mentors[i], mentors])
    merged_fits = np.concatenate([edges.fits[i], fits])
    order = np.argsort(-merged_fits, kind="stable")
    edges.mentors[i], edges.fits[i] = merged_mentors[order], merged_fits[order]
    if len(merged_mentors) == edges.allowed[i]:
        edges.complete.add(i)
