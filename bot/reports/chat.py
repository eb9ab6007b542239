"""``/mentoring report``: a program's figures as one chat message.

Everything shown comes from a :class:`ProgramReport`: counts, rates and means, the program's
own labels and the words of :func:`bot.registry.flag_title`; never what a participant wrote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.i18n import N_, _, ngettext
from bot.i18n import formats
from bot.messages import Actions, Block, Button, ButtonStyle, Context, Fields, Message, Section, fallback_text
from bot.registry import flag_title
from bot.reports.figures import (
    FORMAT_NAMES,
    GAIN_NAMES,
    SIDE_NAMES,
    MIN_GROUP,
    SINCE_THE_START,
    VENUE_NAMES,
    Breakdown,
    Change,
    ProgramReport,
    Scores,
)
from storage.enums import Role

NOT_SHOWN = N_("fewer than {n} people: not shown")
PRIVACY = N_("Aggregates only: no private notes, nothing a participant wrote. Groups of fewer than {n} people are not "
             "shown.")


def report_message(report: ProgramReport) -> Message:
    """The chat report of a program, with buttons to its flags, its CSV files and its charts."""
    scope = f'program="{report.program}"'
    blocks: list[Block] = [
        Section(_("*Report: {program}* ({day})", program=report.program, day=formats.date_only(report.generated_at))),
        Fields(_headline(report)),
        Section(_months(report)),
        Section(_progress(report)),
        Section(_feedback(report.scores)),
        Section(_breakdown(_("Formats side by side ({since_the_start})", since_the_start=_(SINCE_THE_START)), report.formats, FORMAT_NAMES)),
        Section(_breakdown(_("By cohort ({since_the_start})", since_the_start=_(SINCE_THE_START)), report.cohorts)),
        Section(_breakdown(_("Remote or in person ({since_the_start})", since_the_start=_(SINCE_THE_START)), report.venues, VENUE_NAMES)),
        Context(_(PRIVACY, n=MIN_GROUP)),
        Actions([Button.for_command(_("Open flags"), f"flagged {scope}", ButtonStyle.PRIMARY if report.at_risk else
                                    ButtonStyle.DEFAULT),
                 Button.for_command(_("Export CSV"), f"export {scope}"),
                 Button.for_command(_("Report page with charts"), f"report link {scope}")]),
    ]
    return Message(text=fallback_text(blocks), blocks=blocks)


def _percent(share: float) -> str:
    return f"{share:.0%}"


def _sessions(held: int, canceled: int) -> str:
    return _("{held} held, {canceled} canceled or missed", held=held, canceled=canceled)


def _headline(report: ProgramReport) -> list[tuple[str, str]]:
    month = report.this_month
    completion = (_("{completion} of the sessions that took place", completion=_percent(report.completion)) if report.completion is not None
                  else _("no sessions yet"))
    risks = ", ".join(f"{count} {_(flag_title(kind))}" for kind, count in sorted(report.risks.items()) if count)
    return [
        (_("Active pairs"), str(report.active_pairs)),
        (_("Participants"), str(report.participants)),
        (_("Sessions in {month}", month=formats.month(month.start)), _sessions(month.held, month.canceled)),
        (_("Completion rate (since the start)"), completion),
        (_("Pairs at risk"), _("{at_risk} (open flags: {risks})", at_risk=report.at_risk, risks=risks) if risks else str(report.at_risk)),
    ]


def _months(report: ProgramReport) -> str:
    lines = [f"- {formats.short_month(p.start)}: {_sessions(p.held, p.canceled)}" for p in report.months]
    return _("*Sessions by month*\n") + "\n".join(lines)


def _change(change: Change, who: str) -> str:
    people = (ngettext("{n} mentee", "{n} mentees", change.people) if who == "mentees"
              else ngettext("{n} person", "{n} people", change.people))
    return (f"- {change.label} ({people}): {change.start:.1f} → {change.now:.1f} "
            f"({change.now - change.start:+.1f})")


def _progress(report: ProgramReport) -> str:
    lines = [_("*Progress against baselines* (mean self-rating 1 to 5, start → now)")]
    if report.goals is not None:
        lines.append(_change(Change(_("All goals"), report.goals.people, report.goals.start, report.goals.now),
                             "mentees"))
    else:
        lines.append(_("- Goals: fewer than {min_group} mentees have rated their progress yet: not shown", min_group=MIN_GROUP))
    lines += [_change(skill, "people") for skill in report.skills]
    if not report.skills:
        lines.append(_("- Baseline skills: fewer than {min_group} people rated at the start and at the end yet", min_group=MIN_GROUP))
    return "\n".join(lines)


def _feedback(scores: Sequence[Scores]) -> str:
    lines = [_("*Feedback* (means, 1 to 5)")]
    for side in scores:
        parts = [(name, value) for name, value in ((_("pulse"), side.pulse), (_("check-ins"), side.usefulness),
                                                   (_("pairing fit"), side.fit)) if value is not None]
        parts += [(_(GAIN_NAMES[key]) if key in GAIN_NAMES else key, value) for key, value in side.gains.items()]
        shown = " · ".join(f"{name} {value:.1f}" for name, value in parts) or \
            _("not enough answers yet (each score needs {min_group} people)", min_group=MIN_GROUP)
        lines.append(_("- {side_names} ({answers} answers): {shown}", side_names=_(SIDE_NAMES[Role(side.role)]) if side.role in SIDE_NAMES else side.role, answers=side.answers, shown=shown))
    return "\n".join(lines)


def _breakdown(title: str, rows: Sequence[Breakdown], names: Mapping[str, str] | None = None) -> str:
    lines = [f"*{title}*"]
    for row in rows:
        label = _(names[row.label]) if names and row.label in names else row.label
        if not row.shown:
            lines.append("- " + label + ": " + _(NOT_SHOWN, n=MIN_GROUP))
        else:
            people = ngettext("{n} person", "{n} people", row.people)
            lines.append(f"- {label} ({people}): " + " · ".join(_figures(row)))
    if not rows:
        lines.append(_("- nothing yet"))
    return "\n".join(lines)


def _figures(row: Breakdown) -> list[str]:
    parts = [_sessions(row.held or 0, row.canceled or 0)]
    if row.completion is not None:
        parts.append(_("completion {completion}", completion=_percent(row.completion)))
    if row.usefulness is not None:
        parts.append(_("rating {usefulness:.1f}", usefulness=row.usefulness))
    if row.goal_change is not None:
        parts.append(_("goal change {goal_change:+.1f}", goal_change=row.goal_change))
    if row.attendance is not None:
        parts.append(_("attendance {attendance}", attendance=_percent(row.attendance)))
    return parts
