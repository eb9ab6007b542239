"""Which flow a person's next message belongs to: the core's (onboarding, the profile) or a
registered format's."""

from __future__ import annotations

from bot import registry
from bot.flows.base import Flow, on_hold
from bot.flows.onboarding import OnboardingFlow, ProfileFlow
from bot.turn import Turn
from storage.models import ConversationState

ONBOARDING = OnboardingFlow()
PROFILE = ProfileFlow()
CORE: dict[str, Flow] = {flow.name: flow for flow in (ONBOARDING, PROFILE)}

Active = tuple[Flow, ConversationState]


def flows() -> dict[str, Flow]:
    """Every flow by name: the core's and each registered format's."""
    return {**CORE, **registry.flows()}


async def latest_flow(turn: Turn, include_held: bool = False) -> Active | None:
    """The flow the person was most recently busy with (typed text goes there)."""
    known = flows()
    for state in await turn.repo.conversations(turn.person.id):
        flow = known.get(state.flow)
        if flow is not None and (include_held or not on_hold(state)):
            return flow, state
    return None


async def flow_for(turn: Turn, form_id: str) -> Active | None:
    """The flow a submitted form or pressed button belongs to (``flow.step[@subject]``)."""
    name, _, rest = form_id.partition(".")
    _step, _, subject = rest.partition("@")
    flow = flows().get(name)
    if flow is None:
        return None
    state = await turn.repo.conversation(turn.person.id, name, subject)
    if state is None or on_hold(state):
        return None
    return flow, state
