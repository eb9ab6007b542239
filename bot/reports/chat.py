"""``/mentoring report``: a program's figures as one chat message.

Everything shown comes from a :class:`ProgramReport`: counts, rates and means, the program's
own labels and the words of :func:`bot.registry.flag_title`; never what a participant wrote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.messages import Actions, Block, Button, ButtonStyle, Context, Fields, Message, Section, fallback_text
from bot.registry import flag_title
from bot.reports.figures import (
    FORMAT_NAMES,
    MIN_GROUP,
    SINCE_THE_START,
    VENUE_NAMES,
    Breakdown,
    Change,
    ProgramReport,
    Scores,
)
from storage.enums import Role

GAIN_NAMES = {"fluency": "digital fluency", "strategic": "strategic thinking", "business": "business sense",
              "access": "access to leaders"}
SIDE_NAMES = {Role.MENTOR: "Mentors", Role.MENTEE: "Mentees"}
NOT_SHOWN = f"fewer than {MIN_GROUP} people: not shown"
PRIVACY = (f"Aggregates only: no private notes, nothing a participant wrote. Groups of fewer than {MIN_GROUP} "
           "people are not shown.")


def report_message(report: ProgramReport) -> Message:
    """The chat report of a program, with buttons to its flags, its CSV files and its charts."""
    scope = f'program="{report.program}"'
    blocks: list[Block] = [
        Section(f"*Report: {report.program}* ({report.generated_at:%d %b %Y})"),
        Fields(_headline(report)),
        Section(_months(report)),
        Section(_progress(report)),
        Section(_feedback(report.scores)),
        Section(_breakdown(f"Formats side by side ({SINCE_THE_START})", report.formats, FORMAT_NAMES)),
        Section(_breakdown(f"By cohort ({SINCE_THE_START})", report.cohorts)),
        Section(_breakdown(f"Remote or in person ({SINCE_THE_START})", report.venues, VENUE_NAMES)),
        Context(PRIVACY),
        Actions([Button.for_command("Open flags", f"flagged {scope}", ButtonStyle.PRIMARY if report.at_risk else
                                    ButtonStyle.DEFAULT),
                 Button.for_command("Export CSV", f"export {scope}"),
                 Button.for_command("Report page with charts", f"report link {scope}")]),
    ]
    return Message(text=fallback_text(blocks), blocks=blocks)


def _percent(share: float) -> str:
    return f"{share:.0%}"


def _sessions(held: int, canceled: int) -> str:
    return f"{held} held, {canceled} canceled or missed"


def _headline(report: ProgramReport) -> list[tuple[str, str]]:
    month = report.this_month
    completion = (f"{_percent(report.completion)} of the sessions that took place" if report.completion is not None
                  else "no sessions yet")
    risks = ", ".join(f"{count} {flag_title(kind)}" for kind, count in sorted(report.risks.items()) if count)
    return [
        ("Active pairs", str(report.active_pairs)),
        ("Participants", str(report.participants)),
        (f"Sessions in {month.start:%B %Y}", _sessions(month.held, month.canceled)),
        ("Completion rate (since the start)", completion),
        ("Pairs at risk", f"{report.at_risk} (open flags: {risks})" if risks else str(report.at_risk)),
    ]


def _months(report: ProgramReport) -> str:
    lines = [f"- {p.start:%b %Y}: {_sessions(p.held, p.canceled)}" for p in report.months]
    return "*Sessions by month*\n" + "\n".join(lines)


def _change(change: Change, who: str) -> str:
    return (f"- {change.label} ({change.people} {who}): {change.start:.1f} → {change.now:.1f} "
            f"({change.now - change.start:+.1f})")


def _progress(report: ProgramReport) -> str:
    lines = ["*Progress against baselines* (mean self-rating 1 to 5, start → now)"]
    if report.goals is not None:
        lines.append(_change(Change("All goals", report.goals.people, report.goals.start, report.goals.now),
                             "mentees"))
    else:
        lines.append(f"- Goals: fewer than {MIN_GROUP} mentees have rated their progress yet: not shown")
    lines += [_change(skill, "people") for skill in report.skills]
    if not report.skills:
        lines.append(f"- Baseline skills: fewer than {MIN_GROUP} people rated at the start and at the end yet")
    return "\n".join(lines)


def _feedback(scores: Sequence[Scores]) -> str:
    lines = ["*Feedback* (means, 1 to 5)"]
    for side in scores:
        parts = [(name, value) for name, value in (("pulse", side.pulse), ("check-ins", side.usefulness),
                                                   ("pairing fit", side.fit)) if value is not None]
        parts += [(GAIN_NAMES.get(key, key), value) for key, value in side.gains.items()]
        shown = " · ".join(f"{name} {value:.1f}" for name, value in parts) or \
            f"not enough answers yet (each score needs {MIN_GROUP} people)"
        lines.append(f"- {SIDE_NAMES.get(Role(side.role), side.role)} ({side.answers} answers): {shown}")
    return "\n".join(lines)


def _breakdown(title: str, rows: Sequence[Breakdown], names: Mapping[str, str] | None = None) -> str:
    lines = [f"*{title}*"]
    for row in rows:
        label = (names or {}).get(row.label, row.label)
        lines.append(f"- {label}: {NOT_SHOWN}" if not row.shown else f"- {label} ({row.people} people): "
                     + " · ".join(_figures(row)))
    if not rows:
        lines.append("- nothing yet")
    return "\n".join(lines)


def _figures(row: Breakdown) -> list[str]:
    parts = [_sessions(row.held or 0, row.canceled or 0)]
    if row.completion is not None:
        parts.append(f"completion {_percent(row.completion)}")
    if row.usefulness is not None:
        parts.append(f"rating {row.usefulness:.1f}")
    if row.goal_change is not None:
        parts.append(f"goal change {row.goal_change:+.1f}")
    if row.attendance is not None:
        parts.append(f"attendance {_percent(row.attendance)}")
    return parts
