"""Goals with a starting point: one to three per pair, set by the mentee, and the program's
baseline skills rated at the start.

For each goal the mentee says where they start (a self-rating 1 to 5 and a sentence) and
where they want to be. Check-ins move the current rating; the end-of-cycle evaluation
sets the final one. Goals are the pair's own: admins only ever see them as figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.i18n import N_, _
from bot.cadence.hours import hours_of
from bot.cadence.outbox import add_nudge
from bot.flows.base import Choice, ChoiceStep, Flow, FormStep, Question, Step
from bot.messages import Button, ButtonStyle, FieldKind, FormField, Message, say, short
from bot.parsing import parse_text
from bot.progress.common import PairView, pair_view
from bot.ratings import HIGH, parse_rating
from bot.turn import Turn
from storage import progress as queries
from storage.enums import GoalStatus, NudgeKind, SkillStage
from storage.models import ConversationState, Goal, Pair

MAX_GOALS = 3
TITLE_LIMIT = 200
NOTE_LIMIT = 500


def goal_line(goal: Goal) -> str:
    """``• title: started at 2/5, now 3/5`` (the final rating once there is one)."""
    now = next((r for r in (goal.final_rating, goal.current_rating) if r is not None), goal.baseline_rating)
    return _("• {goal}: started at {baseline_rating}/{high}, now {now}/{high}", goal=goal.title, baseline_rating=goal.baseline_rating, high=HIGH, now=now)


def _text(limit: int, optional: bool = False) -> Any:
    return lambda raw: parse_text(raw, limit, optional)


def _goal_step(n: int, partner: str) -> FormStep:
    intro = (_("Goal {n_value}: what do you want to get better at with {partner}? Say where you start (1 " "= new to it, {high} = confident) and where you want to be.", n_value=n, partner=partner, high=HIGH)) if n > 1 else (
        _("Let's set your goals with {partner}: one to three. For each, say where you start (1 = new " "to it, {high} = confident, and a sentence) and where you want to be.", partner=partner, high=HIGH))
    return FormStep(f"goal{n}", _("A goal"), intro, [
        Question(FormField(f"title{n}", _("Goal {n_value}", n_value=n), hint=_("for example: run my own Teams meetings"),
                           max_length=TITLE_LIMIT), _text(TITLE_LIMIT)),
        Question(FormField(f"start{n}", _("Where you start (1 to 5)"), FieldKind.RATING), parse_rating),
        Question(FormField(f"start_note{n}", _("Where you start, in a sentence"), FieldKind.LONG_TEXT,
                           max_length=NOTE_LIMIT), _text(NOTE_LIMIT)),
        Question(FormField(f"target{n}", _("Where you want to be"), FieldKind.LONG_TEXT, max_length=NOTE_LIMIT),
                 _text(NOTE_LIMIT)),
    ])


def _skills_step(skills: Sequence[str]) -> FormStep:
    return FormStep("skills", _("Your starting point"),
                    _("And the program's common skills: where do you start on each (1 = new to it, {high} = " "confident)? You rate them again at the end of the cycle.", high=HIGH),
                    [Question(FormField(f"skill{i}", short(skill), FieldKind.RATING), parse_rating)
                     for i, skill in enumerate(skills)])


class GoalsFlow(Flow):
    """The mentee sets one to three goals, then rates the program's baseline skills."""

    name = "goals"
    title = N_("Goals")

    async def steps(self, turn: Turn, data: Mapping[str, Any]) -> list[Step]:
        """A form per goal with an "another one?" in between, then the baseline skills."""
        room, partner = int(data["room"]), str(data["partner"])
        steps: list[Step] = []
        for n in range(1, room + 1):
            if n > 1 and data.get(f"more{n - 1}") != "add":
                break
            steps.append(_goal_step(n, partner))
            if n < room:
                steps.append(ChoiceStep(f"more{n}", _("Saved. Another goal?"), [
                    Choice("done", _("That's all"), ButtonStyle.PRIMARY, aliases=("no", "done")),
                    Choice("add", _("Add another goal"), aliases=("yes", "another", "add"))]))
        if data.get("skills"):
            steps.append(_skills_step(data["skills"]))
        return steps

    async def chose(self, turn: Turn, state: ConversationState, step: ChoiceStep, value: str) -> list[Message] | None:
        """Remember whether another goal follows."""
        self.go_to(turn, state, step.name, **{step.name: value})
        return None

    async def finish(self, turn: Turn, state: ConversationState) -> list[Message]:
        """Store the goals and the starting ratings; tell the partner."""
        view = await pair_view(turn, int(state.data["pair_id"]))
        if view is None:
            return [say(_("That pair has ended in the meantime; no goals were saved."))]
        answers = state.data.get("answers", {})
        goals = _save_goals(turn, view.pair, answers, int(state.data["room"]))
        for i, skill in enumerate(state.data.get("skills", [])):
            if f"skill{i}" in answers:
                await queries.rate_skill(turn.repo, view.program.id, turn.person.id, skill, SkillStage.START,
                                         int(answers[f"skill{i}"]), turn.now)
        if goals:
            await _tell_partner(turn, view, len(goals))
        everything = await queries.goals_of(turn.repo, view.pair.id)
        text = (_("Saved. Your goals with {partner}:\n", partner=view.partner.display_name) + "\n".join(goal_line(g) for g in everything)
                + _("\nAfter each session I ask how they are moving; at the end of the cycle you rate them again."))
        return [say(text, Button.for_command(_("See our goals"), f"goals with=#{view.pair.id}"))]


def _save_goals(turn: Turn, pair: Pair, answers: Mapping[str, Any], room: int) -> list[Goal]:
    goals = []
    for n in range(1, room + 1):
        if f"title{n}" not in answers:
            break
        goals.append(turn.repo.add(Goal(
            pair_id=pair.id, title=answers[f"title{n}"], baseline_rating=int(answers[f"start{n}"]),
            baseline_note=answers.get(f"start_note{n}"), target_note=answers.get(f"target{n}"),
            status=GoalStatus.OPEN, created_at=turn.now, updated_at=turn.now)))
    return goals


async def _tell_partner(turn: Turn, view: PairView, count: int) -> None:
    partner = view.partner
    hours = await hours_of(turn.repo, partner)
    await add_nudge(turn, partner.id, NudgeKind.GOALS, f"goals:{view.pair.id}:{turn.now:%Y%m%d%H%M%S}:{partner.id}",
                    hours.next_working(turn.now), pair_id=view.pair.id, payload={"count": count})


GOALS = GoalsFlow()


async def start_goals(turn: Turn, view: PairView) -> list[Message]:
    """Offer the mentee the goals flow for what is left: goals up to three, unrated skills."""
    existing = await queries.goals_of(turn.repo, view.pair.id)
    rated = await queries.skill_ratings(turn.repo, view.program.id, turn.person.id, SkillStage.START)
    data = {"pair_id": view.pair.id, "partner": view.partner.display_name, "room": MAX_GOALS - len(existing),
            "skills": [s for s in view.program.baseline_skills if s not in rated]}
    if not data["room"] and not data["skills"]:
        return [await goals_message(turn, view,
                                    lead=_("You have {max_goals} goals already: the most a pair works on at once.", max_goals=MAX_GOALS))]
    return await GOALS.start(turn, data, subject=f"pair-{view.pair.id}")


async def goals_message(turn: Turn, view: PairView, lead: str = "") -> Message:
    """The pair's goals and the mentee's baseline skills, as either side sees them."""
    goals = await queries.goals_of(turn.repo, view.pair.id)
    mentee = turn.person if view.is_mentee else view.partner
    lines = [lead] if lead else []
    if goals:
        lines.append(_("*Your goals* (with {partner}):", partner=view.partner.display_name) if view.is_mentee
                     else _("*{mentee}'s goals* (with you):", mentee=mentee.display_name))
        for goal in goals:
            target = _(" Wants to get to: {target_note}", target_note=goal.target_note) if goal.target_note else ""
            lines.append(goal_line(goal) + "." + target)
    else:
        lines.append(_("No goals yet.") + (_(" Set one to three with your mentor: where you start and where you want "
                                         "to be.") if view.is_mentee else _(" {mentee} sets them, ideally with you in a session.", mentee=mentee.display_name)))
    lines += await _skill_lines(turn, view, mentee.id)
    buttons = []
    if view.is_mentee and len(goals) < MAX_GOALS:
        buttons.append(Button.for_command(_("Add a goal") if goals else _("Set our goals"),
                                          f"goals add with=#{view.pair.id}", ButtonStyle.PRIMARY))
    return say("\n".join(lines), *buttons)


async def _skill_lines(turn: Turn, view: PairView, mentee_id: int) -> list[str]:
    start = await queries.skill_ratings(turn.repo, view.program.id, mentee_id, SkillStage.START)
    end = await queries.skill_ratings(turn.repo, view.program.id, mentee_id, SkillStage.END)
    if not start:
        return []
    lines = [_("*Baseline skills* (start → end of cycle):")]
    for skill, rating in start.items():
        later = f" → {end[skill]}/{HIGH}" if skill in end else ""
        lines.append(_("• {skill}: {rating}/{high}{later}", skill=skill, rating=rating, high=HIGH, later=later))
    return lines
