"""The check-in after a held session: how useful it was, what was covered, how the goals
moved, and a private note that only the two of them can read.

Two taps for the common case: a rating, then "That's all". "Add details" opens one form
with the topics, a rating per goal (the mentee's) and the private note. The rating is
stored as soon as it is given, so a check-in left half-way still counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.catalog import topic_label
from bot.i18n import N_, _
from bot.cadence.hours import hours_of
from bot.cadence.outbox import add_nudge
from bot.cadence.when_and_where import describe, zone_of
from bot.flows.base import Choice, ChoiceStep, Flow, FormStep, Question, Step
from bot.messages import Button, ButtonStyle, FieldKind, FormField, Message, Option, say, short
from bot.parsing import as_text, check_length, parse_choices, parse_text
from bot.progress.common import PairView, pair_view
from bot.progress.fit_question import ask_fit
from bot.ratings import HIGH, parse_rating, rating_choices
from bot.turn import Turn
from storage import progress as queries
from storage.enums import NudgeKind
from storage.models import CheckIn, ConversationState, GoalUpdate, MentoringSession

NOTE_LIMIT = 1000
TOPICS_LIMIT = 500


def _topics(options: Sequence[Option]) -> Any:
    if options:
        return lambda raw: parse_choices(raw, options, optional=True)
    return lambda raw: [t.strip() for t in check_length(as_text(raw), TOPICS_LIMIT).split(",") if t.strip()]


def _details(data: Mapping[str, Any]) -> FormStep:
    options = [Option(str(i), short(topic_label(topic))) for i, topic in enumerate(data.get("topics", []))]
    topics = FormField("topics", _("Topics you covered"), FieldKind.MULTI_SELECT if options else FieldKind.TEXT,
                       options, optional=True, hint="" if options else "comma-separated",
                       max_length=None if options else TOPICS_LIMIT)
    questions = [Question(topics, _topics(options))]
    for goal in data.get("goals", []):
        field = FormField(f"goal{goal['id']}", _("Where are you now on: {short}", short=short(goal['title'])), FieldKind.RATING,
                          initial=str(goal["now"]), hint=_("you started at {start}/{high}", start=goal['start'], high=HIGH))
        questions.append(Question(field, parse_rating))
    note = FormField("note", _("Private note (only you and {partner} can read it)", partner=data['partner']), FieldKind.LONG_TEXT,
                     optional=True, max_length=NOTE_LIMIT)
    questions.append(Question(note, lambda raw: parse_text(raw, NOTE_LIMIT, optional=True)))
    return FormStep("details", _("Check-in"), _("A few details, all optional but the goals:"), questions)


class CheckInFlow(Flow):
    """Usefulness (a tap), then done or details (a form)."""

    name = "checkin"
    title = N_("Check-in")

    async def steps(self, turn: Turn, data: Mapping[str, Any]) -> list[Step]:
        """Usefulness, "anything to add?", and the details form when asked for."""
        partner = data["partner"]
        steps: list[Step] = [
            ChoiceStep("useful", _("How useful was your session with {partner} ({when})?", partner=partner, when=data['when']),
                       rating_choices("not useful", "very useful")),
            ChoiceStep("more", _("Thanks! Anything to add: topics you covered, progress on your goals, or a private note " "that only you and {partner} can read?", partner=partner),
                       [Choice("done", _("That's all"), ButtonStyle.PRIMARY, aliases=("no", "done", "nothing")),
                        Choice("details", _("Add details"), aliases=("yes", "details"))]),
        ]
        if data.get("more") == "details":
            steps.append(_details(data))
        return steps

    async def chose(self, turn: Turn, state: ConversationState, step: ChoiceStep, value: str) -> list[Message] | None:
        """Store the rating at once; remember whether details follow."""
        if step.name == "useful":
            checkin = await _checkin(turn, int(state.data["session_id"]))
            checkin.usefulness = int(value)
        self.go_to(turn, state, step.name, **{step.name: value})
        return None

    async def finish(self, turn: Turn, state: ConversationState) -> list[Message]:
        """Store the details, move the goals, and offer what comes next."""
        view = await pair_view(turn, int(state.data["pair_id"]))
        if view is None:
            return [say(_("That pair has ended in the meantime; nothing more was saved."))]
        answers = state.data.get("answers", {})
        checkin = await _checkin(turn, int(state.data["session_id"]))
        if state.data.get("more") == "details":
            topics = state.data.get("topics", [])
            picked = answers.get("topics") or []
            checkin.topics = [topics[int(p)] if p.isdigit() and int(p) < len(topics) else p for p in picked]
            checkin.private_note = answers.get("note")
            await _move_goals(turn, view.pair.id, checkin, answers)
        return [await _thanks(turn, view)]


async def _checkin(turn: Turn, session_id: int) -> CheckIn:
    found = await queries.checkin_of(turn.repo, session_id, turn.person.id)
    if found is None:
        found = turn.repo.add(CheckIn(session_id=session_id, person_id=turn.person.id, topics=[],
                                      created_at=turn.now))
        await turn.repo.flush()
    return found


async def _move_goals(turn: Turn, pair_id: int, checkin: CheckIn, answers: Mapping[str, Any]) -> None:
    """The mentee's new rating of each goal (goals dropped meanwhile are left alone)."""
    for goal in await queries.goals_of(turn.repo, pair_id):
        rating = answers.get(f"goal{goal.id}")
        if rating is None:
            continue
        goal.current_rating, goal.updated_at = int(rating), turn.now
        turn.repo.add(GoalUpdate(goal_id=goal.id, checkin_id=checkin.id, rating=int(rating), created_at=turn.now))


async def _thanks(turn: Turn, view: PairView) -> Message:
    buttons = []
    if await turn.repo.next_session([view.pair.id], turn.now) is None:
        buttons.append(Button.for_command(_("Schedule the next one"), f"schedule with=#{view.pair.id}",
                                          ButtonStyle.PRIMARY))
    text = _("Noted, thank you.")
    if not await queries.goals_of(turn.repo, view.pair.id):
        if view.is_mentee:
            text += _(" Now is a good moment to set your goals with {partner}: where you start, and where you " "want to be.", partner=view.partner.display_name)
            buttons.append(Button.for_command(_("Set our goals"), f"goals add with=#{view.pair.id}"))
        else:
            text += _(" {partner} will set their goals; you'll see them with `/mentoring goals`.", partner=view.partner.display_name)
    return say(text, *buttons)


CHECKIN = CheckInFlow()


async def start_checkin(turn: Turn, view: PairView, session: MentoringSession, useful: int | None = None,
                        intro: str = "") -> list[Message]:
    """Ask the person speaking for their check-in on ``session`` (from "more" when ``useful`` is given)."""
    goals = await queries.goals_of(turn.repo, view.pair.id) if view.is_mentee else []
    data = {
        "session_id": session.id, "pair_id": view.pair.id, "partner": view.partner.display_name,
        "when": describe(session, await zone_of(turn)),
        "topics": list(dict.fromkeys([*view.program.topics, *(g.title for g in goals)])),
        "goals": [{"id": g.id, "title": g.title, "start": g.baseline_rating,
                   "now": g.current_rating or g.baseline_rating} for g in goals],
    }
    if useful is not None:
        checkin = await _checkin(turn, session.id)
        checkin.usefulness = useful
        data["useful"] = str(useful)
    return await CHECKIN.start(turn, data, intro=intro, subject=f"session-{session.id}",
                               at="more" if useful is not None else None)


async def ask_partner(turn: Turn, view: PairView, session: MentoringSession) -> None:
    """The partner gets their own check-in question, in their working hours."""
    partner = view.partner
    hours = await hours_of(turn.repo, partner)
    await add_nudge(turn, partner.id, NudgeKind.CHECKIN, f"checkin:{session.id}:{partner.id}",
                    hours.next_working(turn.now), pair_id=view.pair.id, session_id=session.id,
                    payload={"by": turn.person.id})



async def after_held(turn: Turn, view: PairView, session: MentoringSession) -> list[Message]:
    """A session was recorded as held: the person speaking checks in now, the partner is asked,
    and after the pair's first session both get the fit question."""
    await ask_partner(turn, view, session)
    if await queries.held_count(turn.repo, view.pair.id) == 1:
        await ask_fit(turn, view)
    return await start_checkin(turn, view, session, intro=_("Great, noted as held."))
