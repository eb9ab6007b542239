"""The research forms: the write-up, scheduling a lunch-and-learn, and "what will you try?".

Answers are kept as soon as they are valid, so a bad link (or a name the bot does not know)
asks again for that answer alone: nothing typed before is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.catalog import topic_label
from bot.i18n import N_, _, ngettext
from bot.cadence.when_and_where import venue_of, when, zone_of
from bot.flows.base import Flow, FormStep, Question, Step
from bot.messages import Button, ButtonStyle, FieldKind, FormField, Message, say
from bot.parsing import InvalidAnswer, as_text, parse_clock, parse_date
from bot.research import assignments as ops
from bot.research import lunch
from bot.research.assignments import LINK_LIMIT, MAX_LINKS, SUMMARY_LIMIT
from bot.research.timing import lunch_offer
from bot.turn import Turn
from storage import research as queries
from storage.enums import AssignmentStatus
from storage.models import ConversationState, MentoringSession, ResearchAssignment


def _clock(raw: Any) -> str:
    return f"{parse_clock(as_text(raw)):%H:%M}"


def _where(raw: Any) -> str:
    return as_text(raw)[:200] or "remote"


def _audience(raw: Any) -> str:
    return as_text(raw)[:2000]


async def writable(turn: Turn, assignment_id: int) -> ResearchAssignment | None:
    """The assignment, if the person speaking is one of its mentors and it is not canceled."""
    assignment = await queries.assignment(turn.repo, assignment_id)
    if assignment is None or assignment.status == AssignmentStatus.CANCELED:
        return None
    return assignment if turn.person.id in await queries.mentor_ids(turn.repo, assignment.id) else None


async def written(turn: Turn, assignment: ResearchAssignment, summary: str, links: list[str]) -> Message:
    """Keep a mentor's write-up and tell them what comes next."""
    await ops.store_writeup(turn, assignment, summary, links)
    count = len(links)
    lead = ngettext("Thanks! Your write-up on {topic} is in ({n} link). I've told the people who need to know.",
                    "Thanks! Your write-up on {topic} is in ({n} links). I've told the people who need to know.",
                    count, topic=topic_label(assignment.topic))
    if assignment.status in (AssignmentStatus.SCHEDULED, AssignmentStatus.PRESENTED):
        return say(lead)
    return say(lead + _(" Next: pick a date for the lunch-and-learn."),
               Button.for_command(_("Schedule the lunch-and-learn"), f"research schedule {ops.ref(assignment)}",
                                  ButtonStyle.PRIMARY))


class WriteupFlow(Flow):
    """A summary and the links worth reading, in one form."""

    name = "research_writeup"
    title = N_("Research write-up")

    async def steps(self, turn: Turn, data: Mapping[str, Any]) -> list[Step]:
        """One form: the summary, then the links."""
        return [FormStep("writeup", _("Research write-up"),
                         _("Your write-up on {topic}: a short summary and the links worth reading.", topic=data['topic']), [
                             Question(FormField("summary", _("Summary"), FieldKind.LONG_TEXT, max_length=SUMMARY_LIMIT,
                                                initial=data.get("summary") or None,
                                                hint=_("what it is, why it matters, what to try first")),
                                      ops.parse_summary),
                             Question(FormField("links", _("Links"), FieldKind.LONG_TEXT, optional=True,
                                                max_length=MAX_LINKS * (LINK_LIMIT + 1),
                                                hint=_("one per line, each starting with https:// (at most {max_links})", max_links=MAX_LINKS)),
                                      ops.parse_links),
                         ])]

    async def finish(self, turn: Turn, state: ConversationState) -> list[Message]:
        """Keep the write-up and tell who needs to know."""
        assignment = await writable(turn, int(state.data["assignment_id"]))
        if assignment is None:
            return [say(_("That research assignment is no longer yours (or was called off); nothing was saved."))]
        answers = state.data.get("answers", {})
        return [await written(turn, assignment, answers["summary"], list(answers.get("links") or []))]


WRITEUP = WriteupFlow()


async def start_writeup(turn: Turn, assignment: ResearchAssignment, links: list[str] | None = None) -> list[Message]:
    """Ask the mentor speaking for the write-up (the current one prefilled; ``links`` already given)."""
    data: dict[str, Any] = {"assignment_id": assignment.id, "topic": assignment.topic,
                            "summary": assignment.writeup or ""}
    if links is not None:
        data["answers"] = {"links": links}
    return await WRITEUP.start(turn, data, subject=f"assignment-{assignment.id}")


class LunchFlow(Flow):
    """The lunch-and-learn's date, time, place and audience, then it is scheduled (or moved)."""

    name = "research_lunch"
    title = N_("Lunch-and-learn")

    async def steps(self, turn: Turn, data: Mapping[str, Any]) -> list[Step]:
        """One form; the audience may stay as it was when moving."""
        zone = await zone_of(turn)
        moving = bool(data.get("moving"))
        questions = [
            Question(FormField("date", _("Date"), FieldKind.DATE, hint="YYYY-MM-DD"),
                     lambda raw: parse_date(raw, not_before=turn.today).isoformat()),
            Question(FormField("time", _("Start time ({zone})", zone=zone), FieldKind.TIME, hint=_("HH:MM; it lasts an hour")), _clock),
            Question(FormField("where", _("Where"), initial="remote", max_length=200,
                               hint=_("remote, in person, or a place such as Room 4.12")), _where),
            Question(FormField("audience", _("Who is it for?"), optional=moving, max_length=2000,
                               hint=_(lunch.AUDIENCE_HINT) + (_("; empty keeps the audience") if moving else "")),
                     _audience),
        ]
        verb = _("When does it take place now") if moving else _("When and for whom")
        return [FormStep("when", _("Lunch-and-learn"), _("The lunch-and-learn on {topic}: {verb}?", topic=data['topic'], verb=verb.lower()),
                         questions)]

    async def finish(self, turn: Turn, state: ConversationState) -> list[Message]:
        """Schedule (or move) it; a time passed or an unknown name asks that answer again."""
        data, answers = dict(state.data), dict(state.data.get("answers", {}))
        assignment = await queries.assignment(turn.repo, int(data["assignment_id"]))
        if assignment is None or not ops.live(assignment) or not await lunch.may_present(turn, assignment):
            return [say(_("That research assignment is no longer under way; nothing was scheduled."))]
        zone = await zone_of(turn)
        try:
            starts_at = when(parse_date(answers["date"]), parse_clock(answers["time"]), zone, turn.now)
        except InvalidAnswer as problem:
            return await self._again(turn, state, answers, ("date", "time"), str(problem))
        moving = await lunch.current(turn, assignment)
        try:
            audience = await audience_for(turn, assignment, answers.get("audience") or "", data.get("here"), moving)
        except InvalidAnswer as problem:
            return await self._again(turn, state, answers, ("audience",), str(problem))
        venue = venue_of(answers.get("where"))
        offer = await lunch_offer(turn, assignment, starts_at, audience, answers.get("where"))
        if offer is not None:
            return [offer]
        if moving is not None:
            session = await lunch.move(turn, assignment, moving, starts_at, zone, venue, audience)
            return [await lunch.confirmation(turn, assignment, session, _("Moved"))]
        session = await lunch.schedule(turn, assignment, starts_at, zone, venue, audience)
        return [await lunch.confirmation(turn, assignment, session, _("Scheduled"))]

    async def _again(self, turn: Turn, state: ConversationState, answers: dict[str, Any], names: tuple[str, ...],
                     problem: str) -> list[Message]:
        kept = {key: value for key, value in answers.items() if key not in names}
        return await self.start(turn, {**state.data, "answers": kept}, intro=problem, subject=state.subject)


LUNCH = LunchFlow()


async def audience_for(turn: Turn, assignment: ResearchAssignment, text: str, here: dict[str, Any] | None,
                       moving: MentoringSession | None) -> dict[str, Any]:
    """The audience ``text`` gives, or the one the lunch-and-learn has when moving it without one."""
    if not text.strip() and moving is not None and assignment.audience:
        return dict(assignment.audience)
    return await lunch.resolve_audience(turn, text, here, await queries.mentor_ids(turn.repo, assignment.id))


async def start_lunch(turn: Turn, assignment: ResearchAssignment, intro: str = "") -> list[Message]:
    """Ask for the lunch-and-learn's date, time, place and audience (remembering where the person
    is, for ``here``)."""
    moving = await lunch.current(turn, assignment)
    data = {"assignment_id": assignment.id, "topic": assignment.topic, "here": lunch.here_of(turn),
            "moving": moving.id if moving is not None else None}
    return await LUNCH.start(turn, data, intro=intro, subject=f"assignment-{assignment.id}")


class WillTryFlow(Flow):
    """After a rating: what will you try? (optional)."""

    name = "lunch_try"
    title = N_("Lunch-and-learn")

    async def steps(self, turn: Turn, data: Mapping[str, Any]) -> list[Step]:
        """One optional question."""
        return [FormStep("try", _("Lunch-and-learn"), _("One more question, optional:"), [
            Question(FormField("will_try", _("What will you try after it? (optional)"), FieldKind.LONG_TEXT,
                               optional=True, max_length=lunch.WILL_TRY_LIMIT,
                               hint=_("one sentence is plenty; at most {will_try_limit} characters", will_try_limit=lunch.WILL_TRY_LIMIT)),
                     lambda raw: lunch.check_will_try(as_text(raw))),
        ])]

    async def finish(self, turn: Turn, state: ConversationState) -> list[Message]:
        """Keep the answer (the presenters see it, without the numbers admins see)."""
        session = await queries.session(turn.repo, int(state.data["session_id"]))
        text = state.data.get("answers", {}).get("will_try")
        if session is None:
            return [say(_("That lunch-and-learn is gone; nothing was saved."))]
        if not text:
            return [say(_("Thanks! Your rating is in."))]
        await lunch.store_will_try(turn, session, text)
        return [say(_("Thanks! I'll pass that on to the presenters (only they see what people will try)."))]


WILL_TRY = WillTryFlow()


async def ask_will_try(turn: Turn, session: MentoringSession, topic: str, lead: str) -> list[Message]:
    """Ask the person who just rated what they will try."""
    return await WILL_TRY.start(turn, {"session_id": session.id, "topic": topic}, intro=lead,
                                subject=f"session-{session.id}")

FLOWS = (WRITEUP, LUNCH, WILL_TRY)
"""The research flows, registered in :mod:`bot.flows.active`."""
