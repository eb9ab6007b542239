"""A program's report as three PNG charts: sessions per week, skills from start to now, formats compared.

The report page shows them and the bot posts them in chat. Drawing uses matplotlib's
object API on the Agg canvas (no pyplot, no display, no global figure state), so charts
can be drawn in a worker thread; matplotlib is imported on first use, since importing it
takes a good part of a second. Labels come from the program's own settings (skill and
format names), never from what participants wrote.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.i18n import _
from bot.reports.figures import FORMAT_NAMES, MIN_GROUP, Breakdown, Change, ProgramReport

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WEEKLY, SKILLS, FORMATS = "weekly.png", "skills.png", "formats.png"
CHART_NAMES = (WEEKLY, SKILLS, FORMATS)
"""Every chart, in the order the page and the chat show them."""

HELD_COLOR, CANCELED_COLOR = "#0072B2", "#E69F00"  # Okabe-Ito blue and orange: safe for colour blindness
START_COLOR, NOW_COLOR = "#999999", "#009E73"
SIZE = (8.0, 4.2)  # inches, at DPI: 800 x 420 pixels
DPI = 100
LABEL_CHARS = 28


def chart_pngs(report: ProgramReport) -> dict[str, bytes]:
    """Every chart of ``report`` as PNG bytes, by file name (see :data:`CHART_NAMES`)."""
    return {name: chart_png(report, name) for name in CHART_NAMES}


def chart_png(report: ProgramReport, name: str) -> bytes:
    """One chart of ``report`` as PNG bytes; KeyError for a name not in :data:`CHART_NAMES`."""
    draw = DRAWERS[name]
    figure = _figure()
    draw(figure, report)
    # Fixed margins rather than a layout engine: a layout engine draws the figure twice and
    # measures every label, about half of the time a chart takes.
    figure.subplots_adjust(**MARGINS[name])
    figure.suptitle(_label(report.program, 60), fontsize=10, color="#555555", x=0.01, y=0.985, ha="left")
    return _png(figure)


def description(report: ProgramReport, name: str) -> str:
    """What a chart shows, in words: the alt text of its image."""
    if name == WEEKLY:
        held = sum(p.held for p in report.weeks)
        canceled = sum(p.canceled for p in report.weeks)
        return (_("Sessions per week over the last {count} weeks: {held} held, {canceled} canceled or missed.", count=len(report.weeks), held=held, canceled=canceled))
    if name == SKILLS:
        rows = _changes(report)
        if not rows:
            return _("Skills from start to now: not enough answers yet.")
        return _("Mean self-rating (1 to 5) at the start and now: ") + "; ".join(
            _("{c} {start:.1f} to {now:.1f}", c=c.label, start=c.start, now=c.now) for c in rows) + "."
    shown = _shown(report.formats)
    if not shown:
        return _("Formats compared: not enough people in any format yet.")
    return _("Formats compared: ") + "; ".join(
        _("{format_names}: {held} held, {canceled} canceled, completion {completion}", format_names=_(FORMAT_NAMES[b.label]) if b.label in FORMAT_NAMES else b.label, held=b.held, canceled=b.canceled, completion=percent(b.completion)) + (_(", attendance {attendance}", attendance=percent(b.attendance)) if b.attendance is not None else "")
        for b in shown) + "."


# --- one drawing per chart -----------------------------------------------------------------


def _weekly(figure: Figure, report: ProgramReport) -> None:
    axes = figure.add_subplot()
    labels = [p.label.split("-")[-1] for p in report.weeks]  # "2026-W48" -> "W48"
    _grouped_bars(axes, labels, [(_("Held"), [p.held for p in report.weeks], HELD_COLOR),
                                 (_("Canceled or missed"), [p.canceled for p in report.weeks], CANCELED_COLOR)])
    axes.set_title(_("Sessions per week"), loc="left", fontsize=12)
    axes.set_ylabel(_("Sessions"))
    _whole_numbers(axes)
    if not any(p.held or p.canceled for p in report.weeks):
        _note(axes, _("No sessions in these weeks yet"))


def _skills(figure: Figure, report: ProgramReport) -> None:
    axes = figure.add_subplot()
    rows = _changes(report)
    axes.set_title(_("Self-rating from start to now (1 to 5)"), loc="left", fontsize=12)
    if not rows:
        _empty(axes, _("Not enough answers yet\n(a skill is shown once {min_group} people have rated it)", min_group=MIN_GROUP))
        return
    rows = list(reversed(rows))  # barh draws bottom-up: keep the report's order top-down
    positions = range(len(rows))
    height = 0.38
    axes.barh([y + height / 2 for y in positions], [c.start for c in rows], height, label=_("Start"), color=START_COLOR)
    axes.barh([y - height / 2 for y in positions], [c.now for c in rows], height, label=_("Now"), color=NOW_COLOR)
    axes.set_yticks(list(positions), [f"{_label(c.label)} ({c.people})" for c in rows], fontsize=9)
    axes.set_xlim(0, 5.4)
    axes.set_xticks([1, 2, 3, 4, 5])
    axes.set_xlabel(_("Mean rating (people in brackets)"))
    for y, change in zip(positions, rows, strict=True):
        axes.text(max(change.start, change.now) + 0.08, y, f"{change.now - change.start:+.1f}", va="center", fontsize=9)
    axes.legend(loc="lower right", fontsize=9, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)


def _formats(figure: Figure, report: ProgramReport) -> None:
    shown = _shown(report.formats)
    if not shown:
        axes = figure.add_subplot()
        axes.set_title(_("Formats compared"), loc="left", fontsize=12)
        _empty(axes, _("Not enough people in any format yet\n(a format is shown from {min_group} people)", min_group=MIN_GROUP))
        return
    sessions, completion = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    labels = [_label(_(FORMAT_NAMES[b.label]) if b.label in FORMAT_NAMES else b.label, 16) for b in shown]
    _grouped_bars(sessions, labels, [(_("Held"), [b.held or 0 for b in shown], HELD_COLOR),
                                     (_("Canceled or missed"), [b.canceled or 0 for b in shown], CANCELED_COLOR)])
    sessions.set_title(_("Formats compared: sessions since the start"), loc="left", fontsize=12)
    _whole_numbers(sessions)
    # Attendance is known for circles and lunch-and-learns only: a pair's bar is left out.
    _grouped_bars(completion, labels, [(_("Completion"), [round(100 * (b.completion or 0)) for b in shown], NOW_COLOR),
                                       (_("Attendance"), [round(100 * (b.attendance or 0)) for b in shown], START_COLOR)])
    # A share stops at 100%: the legend goes below the bars instead of in headroom above them.
    completion.set_ylim(0, 100)
    completion.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2, fontsize=9, frameon=False)
    completion.set_title(_("Completion and attendance (%)"), loc="left", fontsize=12)


DRAWERS: dict[str, Callable[[Figure, ProgramReport], None]] = {WEEKLY: _weekly, SKILLS: _skills, FORMATS: _formats}
MARGINS: dict[str, dict[str, float]] = {
    WEEKLY: {"left": 0.08, "right": 0.98, "top": 0.84, "bottom": 0.09},
    # Skill names (28 characters at most, with the people counted) on the left.
    SKILLS: {"left": 0.31, "right": 0.97, "top": 0.84, "bottom": 0.13},
    # The completion chart's legend goes under its bars.
    FORMATS: {"left": 0.08, "right": 0.98, "top": 0.84, "bottom": 0.17, "wspace": 0.22},
}
"""Where each chart's axes sit in its 800 x 420 picture (fractions of the figure)."""


# --- helpers -------------------------------------------------------------------------------


def _figure() -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=SIZE, dpi=DPI)


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    # No "Software" stamp: the same report gives the same bytes whatever matplotlib draws it.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _grouped_bars(axes: Axes, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int], str]]) -> None:
    width = 0.8 / len(series)
    for n, (name, values, color) in enumerate(series):
        offset = (n - (len(series) - 1) / 2) * width
        axes.bar([x + offset for x in range(len(labels))], values, width, label=name, color=color)
    axes.set_xticks(list(range(len(labels))), labels, fontsize=9)
    # Headroom above the tallest bar for a one-line legend, so that it never hides a bar.
    tallest = max((v for _name, values, _color in series for v in values), default=0)
    axes.set_ylim(0, max(tallest * 1.25, tallest + 1, 1))
    axes.legend(loc="upper left", ncols=len(series), fontsize=9, frameon=False)
    _tidy(axes)


def _whole_numbers(axes: Axes) -> None:
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def _tidy(axes: Axes) -> None:
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)


def _note(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, transform=axes.transAxes, ha="center", va="center", fontsize=11, color="#555555")


def _empty(axes: Axes, text: str) -> None:
    axes.set_axis_off()
    _note(axes, text)


def _changes(report: ProgramReport) -> list[Change]:
    rows = list(report.skills)
    if report.goals is not None:
        rows.append(Change(_("All goals"), report.goals.people, report.goals.start, report.goals.now))
    return rows


def _shown(formats: Sequence[Breakdown]) -> list[Breakdown]:
    return [b for b in formats if b.shown]


def _label(text: str, limit: int = LABEL_CHARS) -> str:
    """A label cut to ``limit`` characters, with ``$`` escaped (matplotlib reads ``$...$`` as maths)."""
    cut = text if len(text) <= limit else text[:limit - 1] + "…"
    return cut.replace("$", r"\$")


def percent(share: float | None) -> str:
    """A share (0..1) as a whole percentage, ``n/a`` when unknown."""
    return "n/a" if share is None else f"{100 * share:.0f}%"
