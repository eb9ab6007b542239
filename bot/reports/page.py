"""The report page behind an admin's signed link: key figures, three charts, breakdowns, CSV downloads.

The page is self-contained (inline CSS, no script, no outside assets) and shows only what
:class:`~bot.reports.figures.ProgramReport` holds: counts, averages and the program's own
labels, never a participant's words. Every text is HTML-escaped. The link's token is part
of every URL on the page, so the page asks not to be indexed and not to send referrers.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from html import escape

from bot.i18n import N_, SUPPORTED, _, current_locale
from bot.registry import flag_title
from bot.reports.charts import CHART_NAMES, FORMATS, SKILLS, WEEKLY, description, percent
from bot.reports.export import FILE_NAMES
from bot.reports.figures import (
    FORMAT_NAMES,
    GAIN_NAMES,
    MIN_GROUP,
    SIDE_NAMES,
    SINCE_THE_START,
    VENUE_NAMES,
    Breakdown,
    ProgramReport,
    Scores,
)
from storage.enums import Role

REFUSED = N_("This report link is not valid or has expired. Ask mentorbot for a new one: /mentoring report link")
CHART_TITLES = {WEEKLY: N_("Sessions per week"), SKILLS: N_("Skills from start to now"),
                FORMATS: N_("Formats compared")}
CHART_SIZE = (800, 420)  # pixels, as bot.reports.charts draws them

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1d1f;background:#f6f6f7}
main{max-width:860px;margin:0 auto;padding:24px 16px 48px}
h1{font-size:1.6rem;margin:0 0 4px}h2{font-size:1.2rem;margin:32px 0 8px}
.meta{color:#555;margin:0 0 16px}.note{color:#555;font-size:.9rem}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:12px;margin:0;padding:0}
.figures div{background:#fff;border-radius:8px;padding:12px;box-shadow:0 1px 2px #0002}
.figures dt{font-size:.85rem;color:#555}.figures dd{margin:4px 0 0;font-size:1.5rem;font-weight:600}
figure{margin:0;background:#fff;border-radius:8px;padding:8px;box-shadow:0 1px 2px #0002}
img{max-width:100%;height:auto;display:block}
table{border-collapse:collapse;background:#fff;width:100%}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e3e3e6}td.n,thead th+th{text-align:right}
.refused{max-width:560px;margin:15vh auto;background:#fff;padding:24px 28px;border-radius:8px}
"""


def report_page(report: ProgramReport, token_path: str, charts: Mapping[str, bytes] | None = None) -> str:
    """The report page; its charts and CSV files live under ``token_path`` (``/report/TOKEN``).

    With ``charts`` (PNG bytes by name) the images are embedded instead, so that the page
    can be read from a saved file; the CSV files are then only named, as they are served.
    """
    generated = report.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    body = [
        f"<h1>{escape(report.program)}</h1>",
        '<p class="meta">' + escape(_("Mentoring report, figures as of {generated}. Aggregates only: no private notes "
                                      "or free text, and no group of fewer than {n} people.", generated=generated,
                                      n=MIN_GROUP)) + "</p>",
        _key_figures(report),
        *(_chart(report, name, _chart_source(name, token_path, charts)) for name in CHART_NAMES),
        _breakdown(_("Formats side by side ({since})", since=_(SINCE_THE_START)), report.formats, FORMAT_NAMES),
        _breakdown(_("By cohort (the quarter a pair started; {since})", since=_(SINCE_THE_START)), report.cohorts),
        _breakdown(_("Remote or in person ({since})", since=_(SINCE_THE_START)), report.venues, VENUE_NAMES),
        _scores(report.scores),
        _downloads(token_path, linked=charts is None),
    ]
    return _document(_("Mentoring report: {program}", program=report.program), "\n".join(body))


def refusal_page(reason: str = "", title: str = "") -> str:
    """A short page that says why nothing is shown (an expired or forged link, an unknown file)."""
    reason, title = reason or _(REFUSED), title or _("Report link refused")
    return _document(title, f'<div class="refused"><h1>{escape(title)}</h1><p>{escape(reason)}</p></div>')


# --- sections ------------------------------------------------------------------------------


def _key_figures(report: ProgramReport) -> str:
    month = report.this_month
    items = [
        (_("Active pairs"), str(report.active_pairs)),
        (_("Participants"), str(report.participants)),
        (_("Held this month ({month})", month=month.label), str(month.held)),
        (_("Canceled or missed this month ({month})", month=month.label), str(month.canceled)),
        (_("Completion rate"), percent(report.completion) if report.completion is not None else _("no sessions yet")),
        (_("Pairs at risk"), str(report.at_risk)),
    ]
    if report.goals is not None:
        items.append((_("Goals, mean rating ({n} mentees)", n=report.goals.people),
                      f"{report.goals.start:.1f} → {report.goals.now:.1f}"))
    cells = "".join(f"<div><dt>{escape(label)}</dt><dd>{escape(value)}</dd></div>" for label, value in items)
    risks = ", ".join(f"{escape(_(flag_title(kind)))}: {count}" for kind, count in sorted(report.risks.items()))
    flagged = _("Open flags: {risks}.", risks=risks)
    at_risk = f'<p class="note">{flagged}</p>' if risks else ""
    title = _("Key figures")
    return f'<h2>{escape(title)}</h2><dl class="figures">{cells}</dl>{at_risk}'


def _chart(report: ProgramReport, name: str, source: str) -> str:
    width, height = CHART_SIZE
    alt = description(report, name)
    return (f'<h2>{escape(_(CHART_TITLES[name]))}</h2><figure><img src="{escape(source)}" alt="{escape(alt)}" '
            f'width="{width}" height="{height}" id="chart-{escape(name.removesuffix(".png"))}"></figure>')


def _chart_source(name: str, token_path: str, charts: Mapping[str, bytes] | None) -> str:
    if charts is None:
        return f"{token_path}/charts/{name}"
    return "data:image/png;base64," + base64.b64encode(charts[name]).decode("ascii")


def _breakdown(title: str, rows: Sequence[Breakdown], names: Mapping[str, str] | None = None) -> str:
    if not rows:
        nothing = _("Nothing to compare yet.")
        return f'<h2>{escape(title)}</h2><p class="note">{escape(nothing)}</p>'
    head = ("", _("People"), _("Held"), _("Canceled or missed"), _("Completion"), _("Attendance"), _("Rating (1-5)"), _("Goal change"))
    label = {b.label: _(names[b.label]) if names and b.label in names else b.label for b in rows}
    lines = [_row((label[b.label], _("not shown: fewer than {n} people", n=MIN_GROUP), "", "", "", "", "", "")) if not b.shown
             else _row((label[b.label], str(b.people), _number(b.held), _number(b.canceled), percent(b.completion),
                        percent(b.attendance), _mean(b.usefulness), _signed(b.goal_change))) for b in rows]
    return f"<h2>{escape(title)}</h2>{_table(head, lines)}"


def _scores(scores: Sequence[Scores]) -> str:
    if not scores:
        return ""
    head = ("", _("Answers"), _("Monthly pulse"), _("Usefulness"), _("Pairing fit"), _("End of cycle: gained"))
    lines = [_row((_(SIDE_NAMES[Role(s.role)]) if s.role in set(Role) else s.role, str(s.answers), _mean(s.pulse), _mean(s.usefulness), _mean(s.fit),
                   ", ".join(f"{_(GAIN_NAMES[key]) if key in GAIN_NAMES else key} {value:.1f}"
                             for key, value in sorted(s.gains.items())) or _("n/a")))
             for s in scores]
    title = _("Feedback (mean scores, 1 to 5)")
    return f'<h2>{escape(title)}</h2>{_table(head, lines)}'


def _downloads(token_path: str, linked: bool) -> str:
    title = _("Download")
    if not linked:
        names = ", ".join(FILE_NAMES)
        note = _("The CSV files ({names}) are on the report page that mentorbot serves at {path} while the link is "
                 "valid.", names=names, path=token_path)
        return f'<h2>{escape(title)}</h2><p class="note">{escape(note)}</p>'
    items = "".join(f'<li><a href="{escape(f"{token_path}/export/{name}")}" download>{escape(name)}</a></li>'
                    for name in FILE_NAMES)
    return f'<h2>{escape(title)}</h2><ul class="downloads">{items}</ul>'


# --- helpers -------------------------------------------------------------------------------


def _html_lang() -> str:
    code = current_locale()
    return code if code in SUPPORTED else "en"


def _document(title: str, body: str) -> str:
    return (
        f'<!doctype html>\n<html lang="{_html_lang()}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">'
        '<link rel="icon" href="data:,">'  # no request for /favicon.ico
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n"
        f"<body><main>\n{body}\n</main></body></html>\n"
    )


def _table(head: Iterable[str], rows: Iterable[str]) -> str:
    cells = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _row(values: Sequence[str]) -> str:
    label, *figures = values
    return f'<tr><th scope="row">{escape(label)}</th>' + "".join(
        f'<td class="n">{escape(v)}</td>' for v in figures) + "</tr>"


def _mean(value: float | None) -> str:
    return _("n/a") if value is None else f"{value:.1f}"


def _signed(value: float | None) -> str:
    return _("n/a") if value is None else f"{value:+.1f}"


def _number(value: int | None) -> str:
    return _("n/a") if value is None else str(value)
