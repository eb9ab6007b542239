"""The scheduling form: when, where, and whether to repeat at the pair's cadence.

Started by ``/mentoring schedule`` or ``reschedule`` without a date, by the "Schedule it"
button of a nudge, or by "we rescheduled" after a session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.answers import InvalidAnswer, as_text, parse_choice, parse_clock, parse_date
from bot.cadence import sessions as ops
from bot.cadence.wording import confirmation, venue_of, when, zone_of
from bot.flows.base import Flow, FormStep, Question, Step
from bot.messages import FieldKind, FormField, Message, Option, say
from bot.turn import Turn
from storage.enums import SessionStatus
from storage.models import ConversationState, MentoringSession

REPEAT = (Option("yes", "Yes, repeat at our cadence"), Option("no", "No, just this one"))


def _clock(raw: Any) -> str:
    return f"{parse_clock(as_text(raw)):%H:%M}"


def _where(raw: Any) -> str:
    return as_text(raw)[:200] or "remote"


class ScheduleFlow(Flow):
    """Asks for a session's date, time and place, then schedules (or moves) it."""

    name = "schedule"
    title = "Scheduling"

    async def steps(self, turn: Turn, data: Mapping[str, Any]) -> list[Step]:
        """One form; the repeat question only for a new session."""
        zone = await zone_of(turn)
        questions = [
            Question(FormField("date", "Date", FieldKind.DATE, hint="YYYY-MM-DD"),
                     lambda raw: parse_date(raw, not_before=turn.today).isoformat()),
            Question(FormField("time", f"Start time ({zone})", FieldKind.TIME, hint="HH:MM"), _clock),
            Question(FormField("where", "Where", initial="remote", hint="remote, in person, or a place such as Room 4.12",
                               max_length=200), _where),
        ]
        if not data.get("moving"):
            questions.append(Question(FormField("repeat", "Repeat at your cadence?", FieldKind.SELECT, REPEAT,
                                                initial="no"), lambda raw: parse_choice(raw, REPEAT)))
        partner = data.get("partner", "your partner")
        intro = f"When do you meet {partner} next?"
        return [FormStep("when", "Schedule a session", intro, questions)]

    async def finish(self, turn: Turn, state: ConversationState) -> list[Message]:
        """Schedule (or move) the session with the answers."""
        data, answers = state.data, state.data.get("answers", {})
        pair = await ops.active_pair(turn, int(data["pair_id"]))
        partner = await turn.repo.person(ops.partner_of(pair, turn.person.id)) if pair else None
        if pair is None or partner is None:
            return [say("That pair has ended in the meantime; nothing was scheduled.")]
        zone = await zone_of(turn)
        try:
            starts_at = when(parse_date(answers["date"]), parse_clock(answers["time"]), zone, turn.now)
        except InvalidAnswer as problem:
            return await self.start(turn, data, intro=str(problem), subject=state.subject)
        moving = await self._moving(turn, data)
        if moving is not None:
            session = await ops.reschedule(turn, pair, moving, starts_at, zone, venue_of(answers.get("where")))
            return [await confirmation(turn, session, partner, "Moved")]
        session = await ops.schedule(turn, pair, starts_at, zone, venue_of(answers.get("where")),
                                     recurring=answers.get("repeat") == "yes")
        return [await confirmation(turn, session, partner, "Scheduled")]

    async def _moving(self, turn: Turn, data: Mapping[str, Any]) -> MentoringSession | None:
        if not data.get("moving"):
            return None
        session = await turn.repo.one_or_none(
            turn.repo.scoped(MentoringSession).where(MentoringSession.id == int(data["moving"])))
        return session if session is not None and session.status == SessionStatus.SCHEDULED else None
