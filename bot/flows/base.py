"""The machinery shared by every flow: form steps, choice steps, persisted progress.

A flow is a list of steps. A :class:`FormStep` asks questions (form fields with a parser
each); answers are validated one by one and kept in the database as soon as they are
valid, so a person who quits in the middle resumes at the first unanswered question. A
:class:`ChoiceStep` shows text and buttons. Flows never call a platform: they return
:class:`~bot.messages.Message` objects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.messages import (
    Actions,
    Button,
    ButtonStyle,
    Context,
    Fields,
    Form,
    FormField,
    FormValue,
    InboundKind,
    Message,
    Section,
)
from bot.i18n import _, ngettext
from bot.parsing import NO, YES, InvalidAnswer, words_for
from bot.turn import Turn
from storage.models import ConversationState

log = logging.getLogger(__name__)

Parser = Callable[[FormValue | None], Any]


@dataclass(frozen=True)
class Question:
    """A form field and the parser that turns its raw answer into a stored value."""

    field: FormField
    parse: Parser


@dataclass(frozen=True)
class FormStep:
    """A step that asks one or more questions."""

    name: str
    title: str
    intro: str
    questions: Sequence[Question]


@dataclass(frozen=True)
class Choice:
    """A button of a choice step."""

    value: str
    label: str
    style: ButtonStyle = ButtonStyle.DEFAULT
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChoiceStep:
    """A step that explains something and waits for a button."""

    name: str
    text: str
    choices: Sequence[Choice]
    fields: Sequence[tuple[str, str]] = ()


Step = FormStep | ChoiceStep


class Flow:
    """Base class of every flow; subclasses say which steps there are and what happens."""

    name: ClassVar[str]
    title: ClassVar[str]
    """What the flow is called (English, marked with ``N_``; :meth:`label` translates it)."""

    def label(self) -> str:
        """The flow's title in the reader's language."""
        return _(self.title)

    async def steps(self, turn: Turn, data: Mapping[str, Any]) -> list[Step]:
        """The flow's steps, which may depend on what was answered so far."""
        raise NotImplementedError

    async def chose(self, turn: Turn, state: ConversationState, step: ChoiceStep, value: str) -> list[Message] | None:
        """A button of a choice step was picked; return messages to stop there, None to go on."""
        return None

    async def finish(self, turn: Turn, state: ConversationState) -> list[Message]:
        """All steps are done."""
        raise NotImplementedError

    def took(self, turn: Turn, name: str, value: Any) -> None:
        """An answer to question ``name`` was accepted (before it is stored with the others)."""

    # --- driving the flow ----------------------------------------------------------------

    async def start(
        self, turn: Turn, data: Mapping[str, Any], intro: str = "", subject: str = "", at: str | None = None
    ) -> list[Message]:
        """Begin the flow for the person speaking (at step ``at``, or the first), replacing the
        same flow on the same subject."""
        steps = await self.steps(turn, data)
        state = await turn.repo.conversation(turn.person.id, self.name, subject)
        if state is None:
            state = turn.repo.add(ConversationState(person_id=turn.person.id, flow=self.name, subject=subject))
        state.step = at if at in {step.name for step in steps} else steps[0].name
        state.data = {"answers": {}, **data}
        state.started_at = state.updated_at = turn.now
        return [await self.prompt(turn, state, prefix=intro)]

    async def handle(self, turn: Turn, state: ConversationState) -> list[Message]:
        """Take what the person did as an answer to the current step."""
        step = await self.current_step(turn, state)
        if step is None:
            # The flow's steps changed under a person mid-way (an upgrade): pick up from the
            # first question still open; answers already given are kept.
            log.warning("person %s was at unknown step %s.%s", turn.person.id, state.flow, state.step)
            return await self._next(turn, state)
        if isinstance(step, FormStep):
            return await self._answer_form(turn, state, step)
        return await self._answer_choice(turn, state, step)

    async def current_step(self, turn: Turn, state: ConversationState) -> Step | None:
        """The step the person is at (None if the flow's steps changed under it)."""
        for step in await self.steps(turn, state.data):
            if step.name == state.step:
                return step
        return None

    async def prompt(
        self,
        turn: Turn,
        state: ConversationState,
        errors: Mapping[str, str] | None = None,
        prefix: str = "",
    ) -> Message:
        """The current step as a message: its text and its form or buttons."""
        steps = await self.steps(turn, state.data)
        index = next((i for i, s in enumerate(steps) if s.name == state.step), 0)
        step = steps[index]
        progress = Context(self._progress(state, steps, index))
        lead = [Section(prefix)] if prefix else []
        if isinstance(step, ChoiceStep):
            return self._choice_message(state, step, lead, progress)
        return self._form_message(state, step, errors or {}, lead, progress)

    # --- internals -----------------------------------------------------------------------

    def _progress(self, state: ConversationState, steps: list[Step], index: int) -> str:
        """Where the person is, truthfully: ``step 2 of 4``, or in a flow of one form, how many of
        its questions are left (not "step 1 of 1" over four questions)."""
        step = steps[index]
        if len(steps) > 1 or not isinstance(step, FormStep):
            return _("{flow}: step {step} of {steps}", flow=self.label(), step=index + 1, steps=len(steps))
        answers = state.data.get("answers", {})
        left = sum(1 for q in step.questions if q.field.name not in answers)
        return ngettext("{flow}: {n} question left", "{flow}: {n} questions left", left, flow=self.label())

    def form_id(self, state: ConversationState, step: Step) -> str:
        """The id a submitted form or pressed button carries: ``flow.step`` or ``flow.step@subject``."""
        suffix = f"@{state.subject}" if state.subject else ""
        return f"{self.name}.{step.name}{suffix}"

    def _choice_message(self, state: ConversationState, step: ChoiceStep, lead: list[Any], progress: Context) -> Message:
        buttons = [Button(c.label, self.form_id(state, step), c.value, c.style) for c in step.choices]
        blocks: list[Any] = [*lead, Section(step.text)]
        if step.fields:
            blocks.append(Fields(step.fields))
        blocks += [Actions(buttons), progress]
        options = " / ".join(c.label for c in step.choices)
        fallback = "\n\n".join(
            [*(b.text for b in lead), step.text, *(f"{k}: {v}" for k, v in step.fields), f"({options})"]
        )
        return Message(text=fallback, blocks=blocks)

    def _form_message(
        self,
        state: ConversationState,
        step: FormStep,
        errors: Mapping[str, str],
        lead: list[Any],
        progress: Context,
    ) -> Message:
        answers = state.data.get("answers", {})
        missing = [q.field for q in step.questions if q.field.name not in answers]
        form = Form(self.form_id(state, step), step.title, missing, errors=dict(errors))
        problems = [f"{_label(step, name)}: {error}" for name, error in errors.items()]
        first = missing[0] if missing else None
        ask = _question_text(first) if first else ""
        # The intro opens a step; the next questions of a step under way, and a question asked
        # again after a wrong answer, go without it.
        intro = step.intro if lead or (len(missing) == len(step.questions) and not errors) else ""
        fallback = "\n\n".join(part for part in [*(b.text for b in lead), *problems, intro, ask] if part)
        blocks = [*lead, *([Section(intro)] if intro else []), progress]
        return Message(text=fallback, blocks=blocks, form=form)

    async def _answer_form(self, turn: Turn, state: ConversationState, step: FormStep) -> list[Message]:
        inbound = turn.inbound
        answers = dict(state.data.get("answers", {}))
        missing = [q for q in step.questions if q.field.name not in answers]
        if inbound.kind is InboundKind.FORM and inbound.form_id == self.form_id(state, step):
            given: Mapping[str, FormValue] = inbound.values
        elif inbound.kind is InboundKind.TEXT and missing:
            given = {missing[0].field.name: inbound.text}
        else:
            return [await self.prompt(turn, state, prefix=_("Let's finish this step first."))]
        errors: dict[str, str] = {}
        for question in step.questions:
            name = question.field.name
            if name not in given:
                continue
            try:
                answers[name] = question.parse(given[name])
            except InvalidAnswer as problem:
                errors[name] = str(problem)
            else:
                self.took(turn, name, answers[name])
        self._save(turn, state, answers=answers)
        if errors:
            log.info("person %s: invalid answers to %s: %s", turn.person.id, self.form_id(state, step), sorted(errors))
        if errors or any(q.field.name not in answers for q in step.questions):
            return [await self.prompt(turn, state, errors=errors)]
        return await self._next(turn, state)

    async def _answer_choice(self, turn: Turn, state: ConversationState, step: ChoiceStep) -> list[Message]:
        inbound = turn.inbound
        value: str | None = None
        if inbound.kind is InboundKind.ACTION and inbound.action_id == self.form_id(state, step):
            value = inbound.value
        elif inbound.kind is InboundKind.TEXT:
            typed = inbound.text.strip().lower()
            for choice in step.choices:
                if typed in (choice.value.lower(), choice.label.lower(), *choice.aliases) \
                        or ("yes" in choice.aliases and typed in words_for(YES)) \
                        or ("no" in choice.aliases and typed in words_for(NO)):
                    value = choice.value
        if value is None or value not in {c.value for c in step.choices}:
            return [await self.prompt(turn, state, prefix=_("Please pick one of the buttons below."))]
        stop = await self.chose(turn, state, step, value)
        if stop is not None:
            return stop
        return await self._next(turn, state)

    async def _next(self, turn: Turn, state: ConversationState) -> list[Message]:
        """Move to the next step that still has something to ask, or finish."""
        steps = await self.steps(turn, state.data)
        names = [s.name for s in steps]
        index = names.index(state.step) if state.step in names else -1
        answers = state.data.get("answers", {})
        for step in steps[index + 1:]:
            if isinstance(step, ChoiceStep) or any(q.field.name not in answers for q in step.questions):
                self._save(turn, state, step=step.name)
                return [await self.prompt(turn, state)]
        return await self._done(turn, state)

    async def _done(self, turn: Turn, state: ConversationState) -> list[Message]:
        await turn.repo.drop_conversation(state)
        return await self.finish(turn, state)

    def _save(self, turn: Turn, state: ConversationState, step: str | None = None, **data: Any) -> None:
        state.data = {**state.data, **data}
        if step is not None:
            state.step = step
        state.updated_at = turn.now

    def hold(self, turn: Turn, state: ConversationState) -> None:
        """Put the flow aside: answers are kept, but what the person types is no longer taken
        as an answer until :meth:`resume`."""
        self._save(turn, state, on_hold=True)

    async def resume(self, turn: Turn, state: ConversationState, prefix: str) -> Message:
        """Take a flow off hold and ask its current question again."""
        self._save(turn, state, on_hold=False)
        return await self.prompt(turn, state, prefix=prefix)

    def go_to(self, turn: Turn, state: ConversationState, step: str, **data: Any) -> None:
        """Move the flow to ``step``, merging ``data`` into what it keeps."""
        self._save(turn, state, step=step, **data)


def on_hold(state: ConversationState) -> bool:
    """True when the flow was put aside (declined for now, or canceled)."""
    return bool(state.data.get("on_hold"))


def _label(step: FormStep, name: str) -> str:
    for question in step.questions:
        if question.field.name == name:
            return question.field.label
    return name


def _question_text(field: FormField) -> str:
    text = field.label
    if field.options:
        text += " (" + " / ".join(option.label for option in field.options) + ")"
    if field.hint:
        text += f"\n{field.hint}"
    return text
