"""The scheduling form every format shares: a date, a start time in the person's own zone, a
place, and (for a new session) whether it repeats at the cadence. Each format subclasses
:class:`SchedulingFlow` with what the form is about and what finishing it does."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.catalog import translated
from bot.i18n import N_, _
from bot.cadence.when_and_where import when, zone_of
from bot.flows.base import Flow, FormStep, Question, Step
from bot.messages import FieldKind, FormField, Option
from bot.parsing import as_text, parse_choice, parse_clock, parse_date
from bot.turn import Turn

REPEAT = (Option("yes", N_("Yes, repeat at our cadence")), Option("no", N_("No, just this one")))


def _clock(raw: Any) -> str:
    return f"{parse_clock(as_text(raw)):%H:%M}"


def _where(raw: Any) -> str:
    return as_text(raw)[:200] or "remote"


class SchedulingFlow(Flow):
    """Asks for a session's date, time and place; subclasses say what it is about and finish it."""

    title = N_("Scheduling")
    form_title = N_("Schedule a session")

    def intro(self, data: Mapping[str, Any]) -> str:
        """The question the form opens with."""
        raise NotImplementedError

    async def steps(self, turn: Turn, data: Mapping[str, Any]) -> list[Step]:
        """One form; the repeat question only for a new session."""
        zone = await zone_of(turn)
        questions = [
            Question(FormField("date", _("Date"), FieldKind.DATE, hint="YYYY-MM-DD"),
                     lambda raw: parse_date(raw, not_before=turn.today).isoformat()),
            Question(FormField("time", _("Start time ({zone})", zone=zone), FieldKind.TIME, hint="HH:MM"), _clock),
            Question(FormField("where", _("Where"), initial="remote", hint=_("remote, in person, or a place such as Room 4.12"),
                               max_length=200), _where),
        ]
        if not data.get("moving"):
            questions.append(Question(FormField("repeat", _("Repeat at your cadence?"), FieldKind.SELECT, translated(REPEAT),
                                                initial="no"), lambda raw: parse_choice(raw, translated(REPEAT))))
        return [FormStep("when", _(self.form_title), self.intro(data), questions)]


def answered_start(turn: Turn, answers: Mapping[str, Any], zone: str) -> datetime:
    """The moment the form's date and time give in ``zone`` (ahead, within a year; else
    :class:`~bot.parsing.InvalidAnswer`)."""
    return when(parse_date(answers["date"]), parse_clock(answers["time"]), zone, turn.now)
