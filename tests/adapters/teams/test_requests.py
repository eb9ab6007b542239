"""What reaches /api/messages: tokens, malformed activities, retries, tenants."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator

import pytest
from botframework.connector.auth import ChannelValidation
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from adapters.teams.app import TeamsConfig
from bot.engine import MentorBot
from bot.messages import Inbound, Message
from storage.models import Person, ProcessedEvent, Tenant
from tests.kit.fakes.teams_client import TeamsDriver, serving
from tests.kit.fakes.teams_connector import FakeConnector
from tests.kit.fakes.teams_tokens import BOT_TOKEN, FakeEntraCredentials, FakeTokenIssuer
from tests.kit.scripts import CREATE_PROGRAM

from tests.kit.teams import CONTOSO, HANA, VICTOR

APP_ID = "0f8b6c2e-3d4a-4b5c-9e7f-1a2b3c4d5e6f"
FABRIKAM = "b1a2c3d4-0000-4e5f-8a9b-fab000000001"


@pytest.fixture
def issuer(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTokenIssuer]:
    """The Bot Framework's token issuer, where botbuilder looks for its keys."""
    with FakeTokenIssuer() as fake:
        monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", fake.openid_url)
        yield fake


def _config(issuer: FakeTokenIssuer, **changes: str) -> TeamsConfig:
    settings = {"app_id": APP_ID, "app_password": "not-a-real-secret", "app_type": "MultiTenant",
                "app_tenant_id": "", **changes}
    return TeamsConfig(**settings, credentials_factory=FakeEntraCredentials(APP_ID))  # type: ignore[arg-type]


@pytest.fixture
async def secured(bot: MentorBot, connector: FakeConnector, issuer: FakeTokenIssuer) -> AsyncIterator[TeamsDriver]:
    """Contoso talking to a server with a bot registration: every request carries a token."""
    async with serving(bot, connector, _config(issuer)) as (url, adapter):
        yield TeamsDriver(url, connector, CONTOSO, adapter.drain, lambda: issuer.token(APP_ID, connector.url))


async def _stored(bot: MentorBot) -> tuple[int, int]:
    async with bot.db.transaction() as session:
        people = await session.scalar(select(func.count()).select_from(Person))
        events = await session.scalar(select(func.count()).select_from(ProcessedEvent))
    return people or 0, events or 0


async def test_a_request_with_a_valid_token_is_answered_with_the_bots_own_token(
    secured: TeamsDriver, connector: FakeConnector
) -> None:
    replies = await secured.say(HANA, "mentoring help")
    assert "Commands you can use" in replies[0].text
    assert replies[0].authorization == f"Bearer {BOT_TOKEN}"


@pytest.mark.parametrize("authorization", [
    None, "Bearer not-a-jwt", "Basic aGFuYTpzZWNyZXQ=", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
])
async def test_a_request_without_a_valid_token_gets_401_and_changes_nothing(
    secured: TeamsDriver, bot: MentorBot, connector: FakeConnector, authorization: str | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    headers = {"Content-Type": "application/json", **({"Authorization": authorization} if authorization else {})}
    reply = await secured.post(secured.activity("message_personal", HANA, text="mentoring help"), headers)
    await secured.settle()
    assert reply.status == 401
    assert await _stored(bot) == (0, 0) and connector.posts == []
    assert "without a valid token" in caplog.text


async def test_forged_expired_and_misdirected_tokens_get_401(
    secured: TeamsDriver, bot: MentorBot, issuer: FakeTokenIssuer, connector: FakeConnector
) -> None:
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tokens = {
        "forged": issuer.token(APP_ID, connector.url, key=forger),
        "expired": issuer.token(APP_ID, connector.url, expires_in=-3600),
        "for another bot": issuer.token("11111111-2222-3333-4444-555555555555", connector.url),
        "for another service url": issuer.token(APP_ID, "https://evil.example.com/"),
        "from another issuer": issuer.token(APP_ID, connector.url, issuer="https://sts.example.com/"),
    }
    for what, token in tokens.items():
        activity = secured.activity("message_personal", HANA, text="mentoring help")
        reply = await secured.post(activity, {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        assert reply.status == 401, what
    assert await _stored(bot) == (0, 0)


@pytest.mark.parametrize(("body", "content_type", "problem"), [
    ("{not json", "application/json", "not JSON"),
    ('["an", "array"]', "application/json", "not a JSON object"),
    ('{"type": "message"}', "application/json", "missing"),
    ("text=hello", "application/x-www-form-urlencoded", "content type"),
])
async def test_a_malformed_request_gets_400_and_changes_nothing(
    contoso: TeamsDriver, bot: MentorBot, body: str, content_type: str, problem: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    reply = await contoso.post(body, {"Content-Type": content_type})
    assert reply.status == 400 and problem in json.loads(reply.text)["error"]
    assert await _stored(bot) == (0, 0)
    assert "refused a malformed Teams request" in caplog.text


@pytest.mark.parametrize("change", [
    {"from": "Hana"}, {"conversation": {"id": 42}}, {"text": ["mentoring", "help"]},
    {"serviceUrl": "file:///etc/passwd"}, {"membersAdded": "everyone"}, {"channelData": "tenant"},
])
async def test_an_activity_with_wrong_types_gets_400(contoso: TeamsDriver, bot: MentorBot,
                                                     change: dict[str, object]) -> None:
    activity = {**contoso.activity("message_personal", HANA), **change}
    reply = await contoso.post(activity)
    assert reply.status == 400
    assert await _stored(bot) == (0, 0)


async def test_an_activity_without_a_tenant_is_refused_when_tokens_are_checked(
    secured: TeamsDriver, bot: MentorBot
) -> None:
    activity = secured.activity("message_personal", HANA, text="mentoring help")
    del activity["channelData"]["tenant"]
    reply = await secured.post(activity)
    assert reply.status == 400 and "tenant" in reply.text
    assert await _stored(bot) == (0, 0)


async def test_a_single_tenant_bot_refuses_other_tenants(
    bot: MentorBot, connector: FakeConnector, issuer: FakeTokenIssuer
) -> None:
    config = _config(issuer, app_type="SingleTenant", app_tenant_id=CONTOSO)
    async with serving(bot, connector, config) as (url, adapter):
        token = lambda: issuer.token(APP_ID, connector.url)  # noqa: E731
        fabrikam = TeamsDriver(url, connector, FABRIKAM, adapter.drain, token)
        reply = await fabrikam.post(fabrikam.activity("message_personal", HANA, text="mentoring help"))
        assert reply.status == 403
        contoso = TeamsDriver(url, connector, CONTOSO, adapter.drain, token)
        assert "Commands you can use" in (await contoso.say(HANA, "mentoring help"))[0].text
    assert await _stored(bot) == (1, 1)


async def test_a_repeated_activity_takes_effect_once(contoso: TeamsDriver, connector: FakeConnector,
                                                     bot: MentorBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    activity = contoso.activity("message_personal", HANA, text=CREATE_PROGRAM.removeprefix("/"))
    first = await contoso.send(HANA, activity)
    again = await contoso.send(HANA, activity)
    assert "Digital Leaders 2027" in first[0].text
    assert again == [], "the retry is acknowledged and ignored"
    assert "ignored a retry of teams event" in caplog.text
    listed = await contoso.say(HANA, "mentoring program list")
    assert listed[0].text.count("Digital Leaders 2027") == 1


async def test_activities_the_bot_has_nothing_to_say_to_are_acknowledged(
    contoso: TeamsDriver, connector: FakeConnector, bot: MentorBot
) -> None:
    typing = contoso.activity("message_personal", HANA, type="typing")
    reaction = contoso.activity("message_personal", HANA, type="messageReaction")
    removed = contoso.activity("installation_update_add", HANA, action="remove")
    for activity in (typing, reaction, removed):
        assert (await contoso.post(activity)).status == 202
    invoke = contoso.activity("message_personal", HANA, type="invoke", name="adaptiveCard/action")
    assert (await contoso.post(invoke)).status == 200
    await contoso.settle()
    assert connector.posts == []


async def test_huge_text_gets_a_clear_answer_and_nothing_is_saved(contoso: TeamsDriver, bot: MentorBot) -> None:
    replies = await contoso.say(HANA, "x" * 50_000)
    assert "50,000 characters" in replies[0].text and "Nothing was saved" in replies[0].text
    people, _ = await _stored(bot)
    assert people == 0


async def test_tenants_are_isolated(bot: MentorBot, connector: FakeConnector) -> None:
    async with serving(bot, connector) as (url, adapter):
        contoso = TeamsDriver(url, connector, CONTOSO, adapter.drain)
        fabrikam = TeamsDriver(url, connector, FABRIKAM, adapter.drain)
        await contoso.say(HANA, CREATE_PROGRAM.removeprefix("/"))
        listed = await fabrikam.say(VICTOR, "mentoring program list")
    assert "Digital Leaders 2027" not in listed[0].text
    async with bot.db.transaction() as session:
        tenants = (await session.scalars(select(Tenant.external_id).order_by(Tenant.id))).all()
    assert tenants == [CONTOSO, FABRIKAM]


async def test_the_activity_is_acknowledged_before_slow_work_and_answered_after(
    contoso: TeamsDriver, connector: FakeConnector, bot: MentorBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = asyncio.Event()
    answer = bot.answer

    async def slow(inbound: Inbound, again: bool = False) -> list[Message]:
        await release.wait()
        return await answer(inbound, again)

    monkeypatch.setattr(bot, "answer", slow)
    reply = await contoso.post(contoso.activity("message_personal", HANA, text="mentoring help"))
    assert reply.status == 202 and connector.posts == [], "acknowledged while the turn is still running"
    release.set()
    [answer] = await connector.wait_for(1)
    assert "Commands you can use" in answer.text


@pytest.mark.parametrize(("body", "problem"), [
    ("[" * 200_000, "nested too deeply"),
    ('{"type": "message", "x": ' + "[" * 100 + "]" * 100 + "}", "nested too deeply"),
    ('{"type": "message", "value": NaN}', "NaN"),
    ('{"type": "message", "value": -Infinity}', "Infinity"),
])
async def test_deep_or_nan_json_gets_400_before_the_token_is_looked_at(
    secured: TeamsDriver, bot: MentorBot, body: str, problem: str, caplog: pytest.LogCaptureFixture
) -> None:
    reply = await secured.post(body, {"Content-Type": "application/json"})
    assert reply.status == 400 and problem in json.loads(reply.text)["error"]
    assert await _stored(bot) == (0, 0)
    assert "Traceback" not in caplog.text
