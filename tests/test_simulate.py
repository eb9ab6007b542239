"""``mentorbot simulate``: the demo runs a sample program on a fake clock and tells its story."""

from __future__ import annotations

from collections import Counter

import pytest

from mentorbot.cli import main
from mentorbot.simulate import simulate


@pytest.mark.slow  # two simulated weeks, twice
async def test_two_weeks_show_nudges_outcomes_flags_and_a_summary_and_a_seed_repeats_a_run() -> None:
    first: list[str] = []
    await simulate(2, seed=5, write=first.append)
    text = "\n".join(first)
    assert "Week 1 (from Mon 04 Jan 2027)" in text and "Week 2 (from Mon 11 Jan 2027)" in text
    assert "schedule request" in text and "reminder" in text and "did it happen?" in text
    assert "FLAG: Sam Okafor & Diane Price: stopped answering (Diane Price)" in text, "the silent executive"
    assert "Amara Diallo & Victor Lang [steady]: 1 held, 0 canceled" in text
    assert "Summary" in text and "flags raised" in text
    again: list[str] = []
    await simulate(2, seed=5, write=again.append)
    assert again == first


@pytest.mark.slow  # four simulated weeks
async def test_the_sample_program_runs_a_circle_and_a_lunch_and_learn_and_flags_a_member_who_keeps_missing() -> None:
    lines: list[str] = []
    await simulate(4, seed=5, write=lines.append)
    text = "\n".join(lines)
    assert 'Circle "AI at work" hosted by Amara Diallo and Ines Duarte: Victor Lang, Robert Tan, Diane Price, ' \
           "Helen Marsh." in text, "members proposed from what they want and the hours they share"
    assert "circle welcome" in text and "circle reminder" in text and "circle: did it meet?" in text
    assert "research assignment" in text and "lunch-and-learn invite" in text and "lunch-and-learn rating" in text
    assert 'FLAG: circle "AI at work": missed the circle\'s last two meetings (Diane Price)' in text, "the silent one"
    assert 'circle "AI at work": 3 held, 0 canceled, 6 attendances, 4 ratings' in text
    assert "lunch-and-learn: 1 held, 0 canceled, 5 attendances, 5 ratings" in text


@pytest.mark.slow  # two simulated weeks
async def test_the_story_says_who_is_simulated_and_its_tallies_and_words_agree() -> None:
    lines: list[str] = []
    await simulate(2, seed=3, write=lines.append)
    text = "\n".join(lines)
    assert "silent: schedules at the first ask 0% of the time" in text, "the personas are explained"
    assert "Noah Peeters (Brussels) → Helen Marsh (New York), canceler" in text, "pairs and cities are listed"
    weekly: Counter[str] = Counter()
    for line in lines:
        if line.startswith("  messages sent:") and "in all" not in line:
            weekly.update({" ".join(item.split()[1:]): int(item.split()[0]) for item in line.split(": ", 1)[1].split(", ")})
    summary = next(line for line in lines if line.startswith("  messages sent:") and "in all" in line)
    assert f"({sum(weekly.values())} in all)" in summary
    for kind, n in weekly.items():
        assert f"{n} {kind}" in summary
    flagged = [line.split(": ", 2)[2] for line in lines if line.startswith("  FLAG: ")]
    assert flagged and all(words in text.split("Summary", 1)[1] for words in flagged), "the same words for flags"
    held = sum(int(line.split(": ")[1].split(" held")[0]) for line in lines if line.startswith("  pair sessions:"))
    assert f"program: pair sessions {held} held" in text


async def test_one_week_is_one_week() -> None:
    lines: list[str] = []
    await simulate(1, seed=1, write=lines.append)
    assert lines[0].startswith('Simulating 1 week of "Digital Leaders 2027"')


def test_the_command_refuses_a_bad_number_of_weeks(capsys) -> None:  # type: ignore[no-untyped-def]
    for bad in ("0", "53", "two"):
        try:
            main(["simulate", "--weeks", bad])
        except SystemExit as exit_:
            assert exit_.code == 2
        assert "--weeks" in capsys.readouterr().err
