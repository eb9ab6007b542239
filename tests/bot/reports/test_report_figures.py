"""Report figures of the seeded program, checked against numbers worked out by hand."""

from __future__ import annotations

from dataclasses import astuple, fields, is_dataclass, replace
from datetime import date
from typing import Any

from pytest import approx

from bot.reports.chat import report_message
from bot.reports.figures import Breakdown, Change, Period
from tests.kit.world import World
from tests.kit.reports import SECRET, Seed, report_of


def rounded(value: Any) -> Any:
    """``value`` with every float in it (in lists and dataclasses too) rounded to 9 places."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, list):
        return [rounded(item) for item in value]
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: rounded(getattr(value, f.name)) for f in fields(value)})
    return value


async def test_sessions_by_month_and_week(seed: Seed) -> None:
    report = await report_of(seed.world)
    # Moved, still scheduled, a proposed pair's and another program's sessions never count.
    assert [(p.label, p.start, p.held, p.canceled) for p in report.months] == [
        ("2026-06", date(2026, 6, 1), 1, 0), ("2026-07", date(2026, 7, 1), 0, 0),
        ("2026-08", date(2026, 8, 1), 0, 0), ("2026-09", date(2026, 9, 1), 2, 0),
        ("2026-10", date(2026, 10, 1), 3, 1), ("2026-11", date(2026, 11, 1), 4, 3)]
    assert report.this_month == Period("2026-11", date(2026, 11, 1), 4, 3)
    assert [p.label for p in report.weeks] == [f"2026-W{week}" for week in range(37, 49)]
    assert report.weeks[0].start == date(2026, 9, 7) and report.weeks[-1].start == date(2026, 11, 23)
    assert [(p.held, p.canceled) for p in report.weeks] == [
        (1, 0), (1, 0), (0, 0), (0, 0), (1, 0), (1, 1), (1, 0), (0, 0), (1, 2), (2, 1), (1, 0), (0, 0)]
    assert report.completion == approx(10 / 14)


async def test_pairs_people_and_flags(seed: Seed) -> None:
    report = await report_of(seed.world)
    assert report.program == "Digital Leaders"
    assert report.generated_at == seed.world.clock.now()
    assert report.active_pairs == 3  # the ended and the proposed pair are not active
    assert report.participants == 8
    assert report.at_risk == 1  # two open flags on one pair; the resolved one and the other program's are out
    assert report.risks == {"canceled_twice": 1, "poor_fit": 1}


async def test_goals_and_skills_against_their_baselines(seed: Seed) -> None:
    report = await report_of(seed.world)
    # Goals with a latest rating (final, else current): 2→4, 1→2, 2→4, 3→3, 1→3 of four mentees.
    assert rounded(report.goals) == rounded(Change("goals", 4, 9 / 5, 16 / 5))
    # Video meetings: three people rated at start and end; AI assistant: only two; calendars: no end yet.
    assert rounded(report.skills) == rounded([Change("Video meetings", 3, 2.0, 11 / 3)])


async def test_feedback_scores_of_both_sides(seed: Seed) -> None:
    mentors, mentees = (await report_of(seed.world)).scores
    assert (mentors.role, mentees.role) == ("mentor", "mentee")
    # 4 pulses (the empty one does not count), 4 fit answers, 3 evaluations, 7 rated check-ins.
    assert mentors.answers == 4 + 4 + 3 + 7
    assert mentors.pulse == approx(15 / 4)
    assert mentors.usefulness == approx(26 / 7)
    assert mentors.fit == approx(15 / 4)
    assert mentors.gains == {"strategic": approx(4.0)}  # business and access: two mentors only
    assert mentees.answers == 4 + 3 + 3 + 7
    assert mentees.pulse == approx(16 / 4)
    assert mentees.usefulness == approx(29 / 7)
    assert mentees.fit == approx(9 / 3)
    assert mentees.gains == {"fluency": approx(4.0)}


async def test_breakdowns_by_format_and_cohort__attendance_counts_members(seed: Seed) -> None:
    report = await report_of(seed.world)
    assert rounded(report.formats) == rounded([
        Breakdown("one-to-one", 8, True, held=8, canceled=4, completion=8 / 12, usefulness=55 / 14,
                  goal_change=7 / 5),
        # The circle's members are Victor and Carla: their goals moved 2→4, 1→2 and 2→4. Victor came
        # and Carla did not: attendance counts members, not the host Hana (rule 9 of docs/cadence.md).
        Breakdown("group", 3, True, held=1, canceled=0, completion=1.0, usefulness=4.5, goal_change=5 / 3,
                  attendance=1 / 2),
        Breakdown("research", 2, False),
    ])
    assert rounded(report.cohorts) == rounded([
        Breakdown("2026-Q2", 2, False),
        Breakdown("2026-Q3", 4, True, held=5, canceled=3, completion=5 / 8, usefulness=35 / 9, goal_change=5 / 3),
        # Bert's and Dora's pairs and the circle (Victor, Carla): goals 3→3, 1→3, 2→4, 1→2, 2→4.
        Breakdown("2026-Q4", 7, True, held=4, canceled=1, completion=4 / 5, usefulness=29 / 7, goal_change=7 / 5,
                  attendance=1 / 2),
    ])
    # Pair and lunch-and-learn sessions were remote, the circle's in person.
    assert rounded(report.venues) == rounded([
        Breakdown("remote", 8, True, held=9, canceled=4, completion=9 / 13),
        Breakdown("in_person", 3, True, held=1, canceled=0, completion=1.0),
    ])


async def test_rows_under_three_people_carry_no_figures(seed: Seed) -> None:
    report = await report_of(seed.world)
    hidden = [row for row in report.formats + report.cohorts if not row.shown]
    assert [row.label for row in hidden] == ["research", "2026-Q2"]
    assert all(value is None for row in hidden for value in astuple(row)[3:])
    assert all(change.people >= 3 for change in report.skills)


async def test_nothing_a_participant_wrote_is_in_the_report(seed: Seed) -> None:
    report = await report_of(seed.world)
    message = report_message(report)
    shown = repr(report) + message.text + repr(message.blocks)
    assert SECRET not in shown
    assert "SECRET" not in shown


async def test_an_empty_program_has_a_sensible_report(world: World) -> None:
    report = await report_of(world)
    assert report.completion is None
    assert [(p.held, p.canceled) for p in report.months + report.weeks] == [(0, 0)] * 18
    assert (report.active_pairs, report.participants, report.at_risk, report.risks) == (0, 0, 0, {})
    assert report.goals is None and report.skills == []
    assert [(s.role, s.answers, s.pulse, s.usefulness, s.fit, s.gains) for s in report.scores] == [
        ("mentor", 0, None, None, None, {}), ("mentee", 0, None, None, None, {})]
    assert report.formats == [] and report.cohorts == []
    text = report_message(report).text
    assert "Completion rate (since the start): no sessions yet" in text
    assert "fewer than 3 mentees have rated their progress yet" in text
