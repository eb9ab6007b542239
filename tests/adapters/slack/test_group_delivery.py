"""One message to several people in Slack: a multi-person DM (conversations.open, then
chat.postMessage there), over real HTTP against the fake Slack Web API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from adapters.slack.app import SlackAdapter, SlackConfig
from adapters.slack.delivery import SlackDelivery
from bot.clock import FakeClock
from bot.engine import MentorBot
from bot.messages import Address, Message, Section
from scheduler.outbox import Outbox
from storage.enums import NudgeStatus
from storage.models import Person
from tests.kit.world import START
from tests.kit.fakes.slack_api import Call, FakeSlackApi
from tests.kit.fakes.slack_workspace import SIGNING_SECRET
from tests.kit.outbox import add_nudge, add_tenant, nudge, render

from tests.kit.slack import ACME, ACME_TOKEN
from tests.kit.platform_names import Platform

OPEN, POST = "conversations.open", "chat.postMessage"
INTRO = Message("Hana, meet Victor: you are matched for this round.",
                [Section("Hana, meet Victor: you are matched for this round.")])
HANA, VICTOR = Address(Platform.SLACK, ACME, "UHANA"), Address(Platform.SLACK, ACME, "UVICTOR")


@pytest.fixture
async def adapter(bot: MentorBot, slack_api: FakeSlackApi) -> AsyncIterator[SlackAdapter]:
    adapter = SlackAdapter(bot, SlackConfig(SIGNING_SECRET, slack_api.url, bot_token=ACME_TOKEN), bot.db.engine)
    yield adapter
    await adapter.close()


def _answer(method: str, *answers: web.Response):
    """A policy answering the next calls of ``method`` with ``answers``, then as the fake does."""
    queue = list(answers)

    async def policy(call: Call) -> web.Response | None:
        return queue.pop(0) if call.method == method and queue else None

    return policy


async def test_the_people_get_one_message_in_a_multi_person_dm(adapter: SlackAdapter, slack_api: FakeSlackApi) -> None:
    result = await adapter.deliver_group([HANA, VICTOR], INTRO)

    [opened] = slack_api.called(OPEN)
    [posted] = slack_api.called(POST)
    assert (opened.token, opened.body["users"]) == (ACME_TOKEN, "UHANA,UVICTOR")
    assert posted.body["channel"].startswith("G") and posted.body["text"] == INTRO.text
    assert result.ok and result.attempts == 2 and result.message_id


async def test_a_refused_open_fails_with_slacks_error_and_posts_nothing(adapter: SlackAdapter,
                                                                        slack_api: FakeSlackApi) -> None:
    slack_api.policy = _answer(OPEN, web.json_response({"ok": False, "error": "user_not_found"}))

    result = await adapter.deliver_group([HANA, Address(Platform.SLACK, ACME, "UGONE")], INTRO)

    assert (result.ok, result.attempts, result.error) == (False, 1, "user_not_found")
    assert len(slack_api.called(OPEN)) == 1 and slack_api.called(POST) == []


async def test_people_of_different_workspaces_are_refused_without_calling_slack(adapter: SlackAdapter,
                                                                                slack_api: FakeSlackApi) -> None:
    result = await adapter.deliver_group([HANA, Address(Platform.SLACK, "TOTHER", "UX")], INTRO)

    assert (result.ok, result.error) == (False, "not_one_workspace") and slack_api.calls == []


async def _token(team_id: str) -> str | None:
    return ACME_TOKEN if team_id == ACME else None


async def test_opening_is_retried_on_server_errors(slack_api: FakeSlackApi) -> None:
    slack_api.policy = _answer(OPEN, web.json_response({}, status=503), web.json_response({}, status=500))
    delivery = SlackDelivery(_token, slack_api.url, backoff_base=0.01)
    try:
        result = await delivery.open_conversation(ACME, ["UHANA", "ULEA"])
    finally:
        await delivery.close()

    assert result.ok and result.attempts == 3 and result.message_id.startswith("G")
    assert len(slack_api.called(OPEN)) == 3


async def test_a_together_nudge_goes_out_as_one_multi_person_dm(bot: MentorBot, clock: FakeClock,
                                                                 adapter: SlackAdapter,
                                                                 slack_api: FakeSlackApi) -> None:
    tenant = await add_tenant(bot.db, platform="slack", external_id=ACME)
    hana, victor = await _slack_person(bot, tenant, HANA), await _slack_person(bot, tenant, VICTOR)
    nudge_id = await add_nudge(bot.db, tenant, hana, "intro", text=INTRO.text, together=[victor])

    report = await Outbox(bot.db, {Platform.SLACK: adapter}, render, clock, "test-worker").drain()

    assert report.sent == 1 and (await nudge(bot.db, nudge_id)).status == NudgeStatus.SENT
    [opened] = slack_api.called(OPEN)
    [posted] = slack_api.called(POST)
    assert opened.body["users"] == "UHANA,UVICTOR" and posted.body["channel"].startswith("G")
    assert posted.body["text"] == INTRO.text


async def _slack_person(bot: MentorBot, tenant_id: int, address: Address) -> int:
    stored = {"platform": address.platform, "tenant": address.tenant, "user_id": address.user_id, "reference": None}
    async with bot.db.transaction() as session:
        person = Person(tenant_id=tenant_id, platform=address.platform, user_id=address.user_id,
                        display_name=address.user_id, address=stored, created_at=START)
        session.add(person)
        await session.flush()
        return person.id
