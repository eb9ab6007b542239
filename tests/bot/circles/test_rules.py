"""The circles' pure rules on a fake clock: working time shared across zones, who is proposed,
the silent flag, and absences counted only from meetings whose attendance is known."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.cadence.hours import WorkingHours, zone_named
from bot.cadence.rules import SessionState, Side
from bot.circles.rules import (
    Candidate,
    CircleState,
    evaluate,
    pick_host,
    propose_members,
    reference_day,
    shared_minutes,
    words,
)
from storage.enums import FlagKind, NudgeKind

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WEDNESDAY = date(2026, 11, 25)


def hours(zone: str, start: int = 9, end: int = 17) -> WorkingHours:
    return WorkingHours(zone_named(zone), time(start), time(end))


def side(person_id: int, role: str = "member", active: bool = True) -> Side:
    return Side(person_id, role, hours("Europe/Brussels"), active)


def held(session_id: int, days_ago: int) -> SessionState:
    starts = NOW - timedelta(days=days_ago)
    return SessionState(session_id, starts, timedelta(hours=1), "held", starts - timedelta(days=2))


def test_shared_working_time_follows_each_zone_across_the_date_line() -> None:
    brussels, tokyo, new_york = hours("Europe/Brussels"), hours("Asia/Tokyo"), hours("America/New_York")
    assert reference_day(NOW) == WEDNESDAY
    assert shared_minutes([brussels, new_york], WEDNESDAY) == 120
    assert shared_minutes([brussels, tokyo], WEDNESDAY) == 0
    assert shared_minutes([hours("Asia/Tokyo", 9, 18), hours("America/Los_Angeles", 8, 17)], WEDNESDAY) == 60
    assert shared_minutes([brussels, hours("Europe/London"), new_york], WEDNESDAY) == 120


def test_the_title_s_words_pick_the_host_and_rank_the_members() -> None:
    assert words("AI assistants at work") == {"ai", "assistant"}
    hana = Candidate(1, "Hana", ["AI assistants"], hours("Europe/Brussels"), circles=1)
    zoe = Candidate(2, "Zoe", ["Social media"], hours("Europe/Brussels"))
    assert pick_host("AI at work", [zoe, hana]) == (hana, "teaches AI assistants; hosts 1 other circle")
    assert pick_host("Quantum", [hana, zoe]) == (zoe, "hosts no other circle")  # fewest circles hosted
    mentees = [Candidate(3, "Omar", ["Social media"], hours("Europe/Brussels")),
               Candidate(4, "Carla", ["AI assistants"], hours("Europe/Brussels")),
               Candidate(5, "Kenji", ["AI assistants"], hours("Asia/Tokyo"))]
    proposal = propose_members("AI at work", [hana], mentees, 1, WEDNESDAY)
    assert [p.candidate.name for p in proposal.picks] == ["Carla"] and proposal.also_possible == 1
    assert proposal.left_out == ["Kenji shares no working hours with Hana"]


def test_a_circle_with_nothing_held_for_twice_its_cadence_is_flagged_silent() -> None:
    state = CircleState(1, "weekly", timedelta(hours=24), NOW - timedelta(days=13), [side(10, "host")], [side(11)])
    verdict = evaluate(state, NOW)
    assert not [f for f in verdict.flags if f.kind == FlagKind.SILENT]
    assert verdict.next_check_at is not None and verdict.next_check_at <= NOW + timedelta(days=1)
    later = evaluate(state, NOW + timedelta(days=1))
    assert [f.key for f in later.flags if f.kind == FlagKind.SILENT] == ["circle_silent:1:0"]
    assert [n.kind for n in later.nudges] == [NudgeKind.CIRCLE_SCHEDULE]


def test_absences_count_only_recorded_meetings_and_never_flag_a_paused_member() -> None:
    sessions = [held(1, 14), held(2, 7)]
    known = {1: {11: False, 12: False}, 2: {11: False, 12: False}}
    state = CircleState(1, "weekly", timedelta(hours=24), NOW - timedelta(days=20), [side(10, "host")],
                        [side(11), side(12, active=False)], sessions, known, {11: 0})
    flags = [f for f in evaluate(state, NOW).flags if f.kind == FlagKind.REPEATED_ABSENCE]
    assert [(f.person_id, f.key) for f in flags] == [(11, "repeated_absence:1:11:0")]
    unknown = CircleState(1, "weekly", timedelta(hours=24), NOW - timedelta(days=20), [side(10, "host")],
                          [side(11)], sessions, {2: {11: False}})
    assert not [f for f in evaluate(unknown, NOW).flags if f.kind == FlagKind.REPEATED_ABSENCE]


def test_only_people_who_chose_group_discussions_are_proposed_for_a_circle() -> None:
    """Rule: a person is proposed only for formats they chose; the admin sees why not."""
    hana = Candidate(1, "Hana", ["AI assistants"], hours("Europe/Brussels"))
    solo = Candidate(2, "Solo", ["AI assistants"], hours("Europe/Brussels"), chose_group=False)
    mentees = [Candidate(3, "Omar", ["AI assistants"], hours("Europe/Brussels")),
               Candidate(4, "Carla", ["AI assistants"], hours("Europe/Brussels"), chose_group=False)]
    proposal = propose_members("AI at work", [hana], mentees, 4, WEDNESDAY)
    assert [p.candidate.name for p in proposal.picks] == ["Omar"]
    assert proposal.left_out == ["Carla did not choose group discussions in their profile"]
    found = pick_host("AI at work", [solo, hana])
    assert found is not None and found[0].name == "Hana"
