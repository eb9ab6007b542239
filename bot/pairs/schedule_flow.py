"""The scheduling form: when, where, and whether to repeat at the pair's cadence.

Started by ``/mentoring schedule`` or ``reschedule`` without a date, by the "Schedule it"
button of a nudge, or by "we rescheduled" after a session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.i18n import _
from bot.cadence.when_and_where import confirmation, venue_of, zone_of
from bot.flows.scheduling import SchedulingFlow, answered_start
from bot.messages import Message, say
from bot.pairs import sessions as ops
from bot.pairs.timing import partner_offer
from bot.parsing import InvalidAnswer
from bot.turn import Turn
from storage.enums import SessionStatus
from storage.models import ConversationState, MentoringSession


class ScheduleFlow(SchedulingFlow):
    """Asks for a session's date, time and place, then schedules (or moves) it."""

    name = "schedule"

    def intro(self, data: Mapping[str, Any]) -> str:
        """When the pair meets next."""
        return _("When do you meet {data} next?", data=data.get('partner', 'your partner'))

    async def finish(self, turn: Turn, state: ConversationState) -> list[Message]:
        """Schedule (or move) the session with the answers."""
        data, answers = state.data, state.data.get("answers", {})
        pair = await ops.active_pair(turn, int(data["pair_id"]))
        partner = await turn.repo.person(ops.partner_of(pair, turn.person.id)) if pair else None
        if pair is None or partner is None:
            return [say(_("That pair has ended in the meantime; nothing was scheduled."))]
        zone = await zone_of(turn)
        try:
            starts_at = answered_start(turn, answers, zone)
        except InvalidAnswer as problem:
            return await self.start(turn, data, intro=str(problem), subject=state.subject)
        moving = await self._moving(turn, data)
        offer = await partner_offer(
            turn, pair, partner, starts_at, verb="reschedule" if moving is not None else "schedule",
            where=answers.get("where"), repeat=moving is None and answers.get("repeat") == "yes",
            session_id=moving.id if moving is not None else None,
            minutes=moving.duration_minutes if moving is not None else ops.DEFAULT_MINUTES)
        if offer is not None:
            return [offer]
        if moving is not None:
            session = await ops.reschedule(turn, pair, moving, starts_at, zone, venue_of(answers.get("where")))
            return [await confirmation(turn, session, partner, _("Moved"))]
        session = await ops.schedule(turn, pair, starts_at, zone, venue_of(answers.get("where")),
                                     recurring=answers.get("repeat") == "yes")
        return [await confirmation(turn, session, partner, _("Scheduled"))]

    async def _moving(self, turn: Turn, data: Mapping[str, Any]) -> MentoringSession | None:
        if not data.get("moving"):
            return None
        session = await turn.repo.one_or_none(
            turn.repo.scoped(MentoringSession).where(MentoringSession.id == int(data["moving"])))
        return session if session is not None and session.status == SessionStatus.SCHEDULED else None


SCHEDULING = ScheduleFlow()
