"""The report's charts as PNG images: one per name, small, drawn even when there is nothing to show."""

from __future__ import annotations

import struct

import pytest

from bot.reports.charts import CHART_NAMES, chart_png, chart_pngs, description
from bot.reports.figures import Breakdown
from tests.kit.reports import sample_report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 100_000


def _size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@pytest.mark.parametrize("empty", [False, True], ids=["with-figures", "empty"])
def test_every_chart_is_a_small_png(empty: bool) -> None:
    charts = chart_pngs(sample_report(empty))

    assert list(charts) == ["weekly.png", "skills.png", "formats.png"] == list(CHART_NAMES)
    for name, png in charts.items():
        assert png.startswith(PNG_SIGNATURE), name
        assert 5_000 < len(png) <= MAX_BYTES, (name, len(png))
        assert _size(png) == (800, 420), name


def test_the_same_report_draws_the_same_bytes() -> None:
    assert chart_pngs(sample_report()) == chart_pngs(sample_report())


def test_an_empty_report_draws_a_different_picture_that_says_so() -> None:
    full, empty = chart_pngs(sample_report()), chart_pngs(sample_report(empty=True))

    assert all(full[name] != empty[name] for name in CHART_NAMES)
    assert "not enough answers yet" in description(sample_report(empty=True), "skills.png")
    assert "not enough people" in description(sample_report(empty=True), "formats.png")


def test_a_program_name_with_dollars_and_a_long_skill_name_still_draw() -> None:
    report = sample_report(program="Budget $100 to $200 " + "x" * 200)

    assert chart_png(report, "skills.png").startswith(PNG_SIGNATURE)


def test_descriptions_give_the_figures_and_leave_hidden_formats_out() -> None:
    report = sample_report()

    assert description(report, "weekly.png") == "Sessions per week over the last 12 weeks: 37 held, 12 canceled or missed."
    assert "Shared calendars 2.0 to 3.5" in description(report, "skills.png")
    assert "All goals 2.2 to 3.4" in description(report, "skills.png")
    formats = description(report, "formats.png")
    assert "One-to-one pairs: 30 held, 6 canceled, completion 83%;" in formats
    assert "Group circles: 8 held, 3 canceled, completion 72%" in formats
    assert "lunch-and-learn" not in formats


def test_an_unknown_chart_name_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        chart_png(sample_report(), "secrets.png")


def test_the_completion_axis_stops_at_100_percent() -> None:
    from matplotlib.figure import Figure

    from bot.reports.charts import DRAWERS, FORMATS

    report = sample_report()
    report.formats[0] = Breakdown("one-to-one", 12, True, 30, 0, 1.0, 4.1, 1.2)  # every session held
    figure = Figure()
    DRAWERS[FORMATS](figure, report)
    completion = next(axes for axes in figure.axes if axes.get_title(loc="left").startswith("Completion"))
    assert completion.get_ylim() == (0.0, 100.0)
    sessions = next(axes for axes in figure.axes if axes.get_title(loc="left").startswith("Formats compared"))
    assert "since the start" in sessions.get_title(loc="left"), "it says what the counts cover"
