"""The end-of-cycle evaluation: the mentee re-rates every goal and baseline skill against the
starting point; both sides say what they gained.

The mentee rates their digital fluency; the mentor rates what reverse mentoring gives the
young side: strategic thinking, business sense and access to leaders. Scores are figures
for the reports; what they write stays theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.i18n import N_, _
from bot.flows.base import Flow, FormStep, Question, Step
from bot.messages import FieldKind, FormField, Message, say, short
from bot.parsing import parse_text
from bot.progress.common import PairView, pair_view
from bot.ratings import HIGH, parse_rating
from bot.turn import Turn
from storage import progress as queries
from storage.enums import FeedbackKind, SkillStage
from storage.models import ConversationState, GoalUpdate

PERIOD = "end"
TEXT_LIMIT = 1000
MENTEE_GAINS = (("fluency", N_("How much has your digital fluency grown?")),)
MENTOR_GAINS = (("strategic", N_("Strategic thinking: how much did you gain?")),
                ("business", N_("Business sense: how much did you gain?")),
                ("access", N_("Access to leaders: how much did you gain?")))
SCALE = N_("1 = nothing, {high} = a lot")


def _rating(name: str, label: str, hint: str) -> Question:
    return Question(FormField(name, label, FieldKind.RATING, hint=hint), parse_rating)


def _gains(role_gains: tuple[tuple[str, str], ...]) -> FormStep:
    questions = [_rating(key, _(label), _(SCALE, high=HIGH)) for key, label in role_gains]
    questions.append(Question(FormField("gained", _("In a sentence or two: what did you gain?"), FieldKind.LONG_TEXT,
                                        optional=True, max_length=TEXT_LIMIT),
                              lambda raw: parse_text(raw, TEXT_LIMIT, optional=True)))
    return FormStep("gains", _("What you gained"), _("Last: what the program gave you."), questions)


class EvaluationFlow(Flow):
    """Goals and skills again (the mentee), then what each side gained."""

    name = "evaluation"
    title = N_("End-of-cycle evaluation")

    async def steps(self, turn: Turn, data: Mapping[str, Any]) -> list[Step]:
        """The mentee's goals and skills against their start, then the gains."""
        if data["role"] != "mentee":
            return [_gains(MENTOR_GAINS)]
        steps: list[Step] = []
        if data["goals"]:
            steps.append(FormStep("goals", _("Your goals"), _("The cycle is ending: where are you now on each goal?"), [
                _rating(f"goal{g['id']}", _("Now, on: {goal}", goal=short(g['title'])),
                        _("you started at {start}/{high}", start=g['start'], high=HIGH))
                for g in data["goals"]]))
        if data["skills"]:
            steps.append(FormStep("skills", _("Your skills"), _("And on the program's common skills?"), [
                _rating(f"skill{i}", short(skill), _("you started at {start}/{high}", start=start, high=HIGH) if start
                        else _("not rated at the start")) for i, (skill, start) in enumerate(data["skills"])]))
        return [*steps, _gains(MENTEE_GAINS)]

    async def finish(self, turn: Turn, state: ConversationState) -> list[Message]:
        """Store the final ratings and the gains."""
        view = await pair_view(turn, int(state.data["pair_id"]))
        if view is None:
            return [say(_("That pair has ended in the meantime; nothing was saved."))]
        answers = state.data.get("answers", {})
        gains = MENTEE_GAINS if view.is_mentee else MENTOR_GAINS
        if view.is_mentee:
            await _final_ratings(turn, view, state.data, answers)
        row = await queries.feedback_row(turn.repo, view.pair, turn.person.id, FeedbackKind.EVALUATION, PERIOD,
                                         turn.now)
        row.answers = {**{key: int(answers[key]) for key, _label in gains}, "gained": answers.get("gained") or ""}
        return [say(_("Thank you, {person}: your evaluation is in. It helps the program admins see what works " "(they see figures only, never what you wrote).", person=turn.person.display_name))]


async def _final_ratings(turn: Turn, view: PairView, data: Mapping[str, Any], answers: Mapping[str, Any]) -> None:
    for goal in await queries.goals_of(turn.repo, view.pair.id):
        rating = answers.get(f"goal{goal.id}")
        if rating is not None:
            goal.final_rating, goal.updated_at = int(rating), turn.now
            turn.repo.add(GoalUpdate(goal_id=goal.id, rating=int(rating), note=None, created_at=turn.now))
    for i, (skill, _start) in enumerate(data["skills"]):
        if f"skill{i}" in answers:
            await queries.rate_skill(turn.repo, view.program.id, turn.person.id, skill, SkillStage.END,
                                     int(answers[f"skill{i}"]), turn.now)


EVALUATION = EvaluationFlow()


async def start_evaluation(turn: Turn, view: PairView) -> list[Message]:
    """The evaluation for the person speaking about ``view``'s pair (once)."""
    done = await queries.feedback_of(turn.repo, view.pair.id, turn.person.id, FeedbackKind.EVALUATION, PERIOD)
    if done is not None and done.answers:
        return [say(_("You already sent your end-of-cycle evaluation for this pair. Thank you!"))]
    data: dict[str, Any] = {"pair_id": view.pair.id, "role": str(view.role), "goals": [], "skills": []}
    if view.is_mentee:
        goals = await queries.goals_of(turn.repo, view.pair.id)
        data["goals"] = [{"id": g.id, "title": g.title, "start": g.baseline_rating} for g in goals]
        start = await queries.skill_ratings(turn.repo, view.program.id, turn.person.id, SkillStage.START)
        data["skills"] = [(skill, start.get(skill)) for skill in dict.fromkeys([*start, *view.program.baseline_skills])]
    intro = _("End of the cycle with {partner}: a short evaluation.", partner=view.partner.display_name)
    return await EVALUATION.start(turn, data, intro=intro, subject=f"pair-{view.pair.id}")
