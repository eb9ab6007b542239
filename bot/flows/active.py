"""Which flow a person's next message belongs to."""

from __future__ import annotations

from bot.flows.base import Flow, on_hold
from bot.flows.circles import CIRCLE_FLOWS
from bot.flows.onboarding import OnboardingFlow, ProfileFlow
from bot.flows.schedule import ScheduleFlow
from bot.formats import research_flows
from bot.progress.checkin import CHECKIN
from bot.progress.evaluation import EVALUATION
from bot.progress.goals import GOALS
from bot.progress.pulse import PULSE
from bot.turn import Turn
from storage.models import ConversationState

ONBOARDING = OnboardingFlow()
PROFILE = ProfileFlow()
SCHEDULING = ScheduleFlow()
FLOWS: dict[str, Flow] = {flow.name: flow for flow in (ONBOARDING, PROFILE, SCHEDULING, GOALS, CHECKIN, PULSE, EVALUATION)}
FLOWS.update({flow.name: flow for flow in research_flows.FLOWS})
FLOWS.update({flow.name: flow for flow in CIRCLE_FLOWS})

Active = tuple[Flow, ConversationState]


async def latest_flow(turn: Turn, include_held: bool = False) -> Active | None:
    """The flow the person was most recently busy with (typed text goes there)."""
    for state in await turn.repo.conversations(turn.person.id):
        flow = FLOWS.get(state.flow)
        if flow is not None and (include_held or not on_hold(state)):
            return flow, state
    return None


async def flow_for(turn: Turn, form_id: str) -> Active | None:
    """The flow a submitted form or pressed button belongs to (``flow.step[@subject]``)."""
    name, _, rest = form_id.partition(".")
    _step, _, subject = rest.partition("@")
    flow = FLOWS.get(name)
    if flow is None:
        return None
    state = await turn.repo.conversation(turn.person.id, name, subject)
    if state is None or on_hold(state):
        return None
    return flow, state
