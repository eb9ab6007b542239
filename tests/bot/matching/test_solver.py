"""The assignment is the optimum: as many matched as possible, then the largest total fit."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, time

import numpy as np
import pytest

from bot.matching.cohort import WEIGHT_NAMES, Candidate, Cohort, weights_of
from bot.matching.explain import unmatched_mentee
from bot.matching.score import FIT_SCALE, FitModel
from bot.matching.solve import assign
from bot.matching.synthetic import cohort

DAY = date(2027, 1, 13)


def brute_force(model: FitModel) -> tuple[int, int]:
    """(mentees matched, total integer fit) of the best assignment, by trying them all."""
    mentees, mentors = len(model.cohort.mentees), len(model.cohort.mentors)
    fits = model.fit_rows(np.arange(mentees))
    scaled = np.where(fits >= 0, np.rint(fits * FIT_SCALE), -1).astype(int)
    capacity = [m.capacity for m in model.cohort.mentors]
    best = (0, 0)
    for choice in itertools.product([None, *range(mentors)], repeat=mentees):
        if any(j is not None and scaled[i, j] < 0 for i, j in enumerate(choice)):
            continue
        if any(choice.count(j) > capacity[j] for j in range(mentors)):
            continue
        picked = [scaled[i, j] for i, j in enumerate(choice) if j is not None]
        best = max(best, (len(picked), int(sum(picked))))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_equals_the_brute_force_optimum_on_small_cohorts(seed: int) -> None:
    small = cohort(mentees=6, mentors=3, capacity=1 + seed % 2, seed=seed, reporting_share=0.3)
    model = FitModel(small)
    # One candidate per mentee at first: the optimum needs the dual check to add the rest.
    result = assign(model, candidates=1)
    matched, total = brute_force(model)
    assert len(result.mentor_of) == matched
    assert round(result.total_fit * FIT_SCALE) == total


def test_a_large_cohort_gets_the_same_optimum_with_short_or_complete_candidate_lists() -> None:
    model = FitModel(cohort(mentees=300, mentors=80, capacity=4, seed=5))
    short, complete = assign(model, candidates=3), assign(model, candidates=80)
    assert len(short.mentor_of) == len(complete.mentor_of) == 300
    assert round(short.total_fit * FIT_SCALE) == round(complete.total_fit * FIT_SCALE)
    assert short.rounds > 1


def test_no_mentor_takes_more_than_their_places() -> None:
    model = FitModel(cohort(mentees=50, mentors=10, capacity=3, seed=2))
    result = assign(model)
    loads = np.bincount(list(result.mentor_of.values()), minlength=10)
    assert loads.max() <= 3
    assert len(result.mentor_of) == 30


def person(person_id: int, **changes: object) -> Candidate:
    base = Candidate(person_id=person_id, name=f"P{person_id}", level=4, topics=frozenset({"Video meetings"}),
                     style="direct", formats=frozenset({"one-to-one"}), location="remote",
                     timezone="Europe/Brussels", work_start=time(9), work_end=time(17), languages=frozenset({"en"}))
    return replace(base, **changes)  # type: ignore[arg-type]


def test_hard_rules_keep_pairs_apart() -> None:
    boss = person(1, name="Boss")
    mentors = [
        person(10, name="Reports to Boss", level=1, line=frozenset({1})),
        person(11, name="Too senior", level=5),
        person(12, name="Speaks Dutch only", level=1, languages=frozenset({"nl"})),
        person(13, name="In Auckland", level=1, timezone="Pacific/Auckland"),
        person(14, name="Paired before", level=1),
    ]
    model = FitModel(Cohort(mentors, [boss], DAY, past={(14, 1)}))
    assert model.fit_rows(np.array([0])).max() < 0
    assert [model.broken_rule(0, j) for j in range(5)] == [
        "Reports to Boss and Boss are in the same reporting line",
        "Too senior is not junior to Boss",
        "Speaks Dutch only and Boss share no language",
        "In Auckland and Boss share less than an hour of working time",
        "Paired before and Boss were paired before (one way or the other)",
    ]
    assert assign(model).mentor_of == {}


def test_same_level_is_allowed_when_the_program_relaxes_it() -> None:
    peers = Cohort([person(10, level=4)], [person(1, level=4)], DAY, allow_same_level=True)
    assert assign(FitModel(peers)).mentor_of == {0: 0}


def test_the_best_fitting_mentor_wins_and_says_why() -> None:
    mentee = person(1, name="Victor", topics=frozenset({"AI assistants and prompt writing", "Video meetings"}))
    mentors = [person(10, name="Hana", level=1, topics=frozenset({"AI assistants and prompt writing"}),
                      style="structured"),
               person(11, name="Ola", level=1, topics=frozenset({"Cybersecurity basics"}), location="in_person")]
    model = FitModel(Cohort(mentors, [mentee], DAY))
    result = assign(model)
    assert result.mentor_of == {0: 0}
    assert model.reasons(0, 0) == [
        "Hana teaches AI assistants and prompt writing, which Victor wants to learn",
        "8 shared working hours",
        "both prefer remote",
    ]


def test_shared_hours_follow_time_zones() -> None:
    brussels = person(1, name="Victor")
    new_york = person(10, name="Ana", level=1, timezone="America/New_York")
    model = FitModel(Cohort([new_york], [brussels], DAY))
    # 09:00-17:00 in Brussels (08:00-16:00 UTC) and in New York (14:00-22:00 UTC): two hours.
    assert "2 shared working hours" in model.reasons(0, 0)


def test_empty_cohorts_give_an_empty_assignment() -> None:
    assert assign(FitModel(Cohort([], [person(1)], DAY))).mentor_of == {}
    assert assign(FitModel(Cohort([person(10, level=1)], [], DAY))).mentor_of == {}


def test_a_past_pair_blocks_both_directions() -> None:
    """Rule: people once paired are never paired again, whichever side each is on now (after a
    promotion, or with same-level pairs allowed)."""
    promoted = person(1, name="Once mentor", level=4)
    former_mentee = person(10, name="Once mentee", level=3)
    model = FitModel(Cohort([former_mentee], [promoted], DAY, past={(1, 10)}))
    assert model.broken_rule(0, 0) == "Once mentee and Once mentor were paired before (one way or the other)"
    assert assign(model).mentor_of == {}


def test_a_person_is_proposed_only_for_formats_they_chose() -> None:
    """Rule: someone who chose group discussions only is not matched one-to-one, and the
    admin is told why."""
    group_only = person(1, name="Group only", formats=frozenset({"group"}))
    mentor = person(10, name="Hana", level=1)
    model = FitModel(Cohort([mentor], [group_only], DAY))
    assert assign(model).mentor_of == {}
    assert unmatched_mentee(model, 0).startswith("did not choose one-to-one sessions")
    model = FitModel(Cohort([replace(mentor, formats=frozenset({"research"}))], [person(1)], DAY))
    assert assign(model).mentor_of == {}
    assert model.broken_rule(0, 0) == "Hana or P1 did not choose one-to-one sessions"


@pytest.mark.parametrize(("mentor", "mentee", "reason"), [
    ("remote", "remote", "both prefer remote"),
    ("in_person", "in_person", "both like to meet in person"),
    ("either", "either", "both happy to meet remotely or in person"),
    ("either", "remote", "both fine with meeting remotely"),
    ("in_person", "either", "both fine with meeting in person"),
])
def test_where_to_meet_reads_true_of_both_profiles(mentor: str, mentee: str, reason: str) -> None:
    """Rule: a reason is never shown when a profile contradicts it ("remotely or in person" for
    someone who chose remote only)."""
    model = FitModel(Cohort([person(10, level=1, location=mentor)], [person(1, location=mentee)], DAY))
    assert reason in model.reasons(0, 0, limit=10)
    others = {"both prefer remote", "both like to meet in person", "both happy to meet remotely or in person",
              "both fine with meeting remotely", "both fine with meeting in person"} - {reason}
    assert not others & set(model.reasons(0, 0, limit=10))


def test_remote_and_in_person_give_no_reason_about_where() -> None:
    model = FitModel(Cohort([person(10, level=1, location="remote")], [person(1, location="in_person")], DAY))
    assert not [r for r in model.reasons(0, 0, limit=10) if "remote" in r or "person" in r]


def test_a_zero_weight_hides_a_factor_from_the_score_not_from_the_reasons() -> None:
    weights = weights_of({"hours": 0, "languages": 0})
    model = FitModel(Cohort([person(10, level=1)], [person(1)], DAY, weights=weights))
    reasons = model.reasons(0, 0, limit=10)
    assert "8 shared working hours" in reasons and "both speak English" in reasons
    # The weighted factors come first; the facts weighted 0 follow.
    assert reasons.index("both prefer remote") < reasons.index("8 shared working hours")
    everything_zero = weights_of({name: 0 for name in WEIGHT_NAMES})
    assert FitModel(Cohort([person(10, level=1)], [person(1)], DAY, weights=everything_zero)).reasons(0, 0)
