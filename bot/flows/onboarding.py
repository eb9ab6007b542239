"""Onboarding (joining a program) and profile editing.

Onboarding explains the program and the role reversal for the role picked, asks for the
confidentiality statement to be accepted, collects the profile and asks for a last
review. Editing the profile asks the same profile questions, prefilled.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.i18n import N_, _
from bot import briefing, parsing
from bot.catalog import ROLES, cadence_label, format_label, translated
from bot.flows.base import Choice, ChoiceStep, Flow, FormStep, Question, Step
from bot.languages import choose_language
from bot.messages import Button, ButtonStyle, FieldKind, FormField, Message, say
from bot.profiles import answers_fields, answers_from, profile_steps, save_profile
from bot.turn import Turn
from storage.enums import EnrollmentStatus
from storage.models import ConversationState, Person, Profile, Program

PROFILE_KEYS = ("level", "department", "manager", "name", "topics", "topics_free_text", "style", "formats",
                "location", "timezone", "hours", "languages", "language")


def describe_program(program: Program) -> str:
    """One line on how a program runs."""
    formats = ", ".join(format_label(f).lower() for f in program.formats)
    return _("*{program}* meets {value}, as {formats}.", program=program.name, value=cadence_label(program.cadence), formats=formats)


def _review_step(values: Mapping[str, Any], role: str) -> ChoiceStep:
    return ChoiceStep(
        "review",
        _("Here is your profile. Is everything right?"),
        [
            Choice("confirm", _("Confirm"), ButtonStyle.PRIMARY, aliases=("yes", "ok", "correct")),
            Choice("change", _("Change something"), aliases=("no", "change", "edit")),
        ],
        fields=answers_fields(values, role),
    )


async def _program(turn: Turn, data: Mapping[str, Any]) -> Program:
    """The program a flow is about (programs are never deleted)."""
    program = await turn.repo.program(data["program_id"])
    assert program is not None
    return program


def _restart_profile(flow: Flow, turn: Turn, state: ConversationState) -> None:
    """Go back to the first profile question, keeping the answers as suggestions."""
    given = dict(state.data.get("answers", {}))
    previous = {key: given.pop(key) for key in PROFILE_KEYS if key in given}
    flow.go_to(turn, state, "about", answers=given, previous=previous)


def _took_language(turn: Turn, name: str, value: Any) -> None:
    """The language question is answered: the person reads the rest in that language."""
    if name == "language" and isinstance(value, str):
        choose_language(turn, value)


class OnboardingFlow(Flow):
    """Joining a program, from the welcome to a saved profile."""

    name = "onboarding"
    title = N_("Onboarding")

    def took(self, turn: Turn, name: str, value: Any) -> None:
        _took_language(turn, name, value)

    async def steps(self, turn: Turn, data: Mapping[str, Any]) -> list[Step]:
        program = await _program(turn, data)
        given = data.get("answers", {})
        role = given.get("role", "mentee")
        initial = data.get("previous", {})
        role_step = FormStep(
            "role",
            _("Your role"),
            _("{what_it_is}\n\n{program}\n\nWhich side are you on?", what_it_is=_(briefing.WHAT_IT_IS), program=describe_program(program)),
            [
                Question(
                    FormField("role", _("Your role"), kind=FieldKind.SELECT, options=translated(ROLES),
                              initial=initial.get("role")),
                    lambda raw: parsing.parse_choice(raw, translated(ROLES)),
                )
            ],
        )
        reversal = ChoiceStep(
            "reversal",
            _(briefing.ROLE_REVERSAL[role]) + "\n\n" + _(briefing.GROUND_RULES),
            [
                Choice("ok", _("Got it"), ButtonStyle.PRIMARY, aliases=("ok", "yes", _("got it"))),
                Choice("back", _("Pick the other role"), aliases=("back", "change")),
            ],
        )
        confidentiality = ChoiceStep(
            "confidentiality",
            _(briefing.CONFIDENTIALITY),
            [
                Choice("accept", _("I accept"), ButtonStyle.PRIMARY, aliases=("yes", "accept", _("i agree"), "agree")),
                Choice("decline", _("Not now"), aliases=("no", _("not now"), "later")),
            ],
        )
        profile = profile_steps(role, program, initial, turn.limits)
        return [role_step, reversal, confidentiality, *profile, _review_step(given, role)]

    async def chose(self, turn: Turn, state: ConversationState, step: ChoiceStep, value: str) -> list[Message] | None:
        if step.name == "reversal" and value == "back":
            given = dict(state.data.get("answers", {}))
            previous = {**state.data.get("previous", {}), "role": given.pop("role", None)}
            self.go_to(turn, state, "role", answers=given, previous=previous)
            return [await self.prompt(turn, state)]
        if step.name == "confidentiality":
            if value == "decline":
                self.hold(turn, state)
                return [say(
                    _("No problem. Your onboarding waits at this point: say `/mentoring join` when you are "
                    "ready and we carry on from here. Nothing is shared until you accept."),
                    Button.for_command(_("Continue onboarding"), "join"),
                )]
            enrollment = await turn.repo.enrollment(state.data["program_id"], turn.person.id)
            if enrollment is not None:
                enrollment.confidentiality_accepted_at = turn.now
        if step.name == "review" and value == "change":
            _restart_profile(self, turn, state)
            return [await self.prompt(turn, state, prefix=_("Let's go through it again; your answers are kept as suggestions."))]
        return None

    async def finish(self, turn: Turn, state: ConversationState) -> list[Message]:
        given = state.data["answers"]
        program = await turn.repo.program(state.data["program_id"])
        enrollment = await turn.repo.enrollment(state.data["program_id"], turn.person.id)
        if program is None or enrollment is None:
            return [say(_("That program is gone, so I could not finish your onboarding."))]
        await save_profile(turn.repo, turn.person, given["role"], given, turn.now)
        enrollment.role = given["role"]
        enrollment.status = EnrollmentStatus.ACTIVE
        enrollment.onboarded_at = turn.now
        text = (
            _("You're all set, {person}: welcome to {program}. The program admins will match you soon " "and I will introduce you to your partner. You can review your profile any time with " "`/mentoring profile`.", person=turn.person.display_name, program=program.name)
        )
        return [say(text, Button.for_command(_("My profile"), "profile"), Button.for_command(_("Help"), "help"))]


class ProfileFlow(Flow):
    """Changing a saved profile: the same questions as onboarding, prefilled."""

    name = "profile"
    title = N_("Your profile")

    def took(self, turn: Turn, name: str, value: Any) -> None:
        _took_language(turn, name, value)

    async def steps(self, turn: Turn, data: Mapping[str, Any]) -> list[Step]:
        program = await _program(turn, data)
        role = data["role"]
        profile = profile_steps(role, program, data.get("previous", {}), turn.limits)
        return [*profile, _review_step(data.get("answers", {}), role)]

    async def chose(self, turn: Turn, state: ConversationState, step: ChoiceStep, value: str) -> list[Message] | None:
        if value == "change":
            _restart_profile(self, turn, state)
            return [await self.prompt(turn, state)]
        return None

    async def finish(self, turn: Turn, state: ConversationState) -> list[Message]:
        await save_profile(turn.repo, turn.person, state.data["role"], state.data["answers"], turn.now)
        return [say(_("Your profile is updated."))]

    @staticmethod
    def data_for(program_id: int, role: str, person: Person, profile: Profile) -> dict[str, Any]:
        """What the flow starts with: the program, the role and the current answers."""
        return {"program_id": program_id, "role": role, "previous": answers_from(person, profile, role)}
