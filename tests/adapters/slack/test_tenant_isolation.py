"""No workspace acts in another's name: a request is served in the workspace Bolt authorised, or
refused, whatever the other workspace fields of its body say.

Rule (tenant isolation): the tenant of a request is the workspace whose token Bolt authorised
it with (``adapters.slack.app.tenant_served``); every row it writes carries that tenant, every
call it makes uses that token, and nothing it answers comes from another workspace.

The matrix: every kind of inbound request (event, slash command, button, form submission,
options), each workspace field of its body set to one workspace while the others name another
(both ways round), plus org-wide claims; with the OAuth install flow (both workspaces
installed) and with a single token.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from adapters.slack.app import SlackAdapter, SlackConfig
from bot.engine import MentorBot
from storage.models import Enrollment, Person, Program, Tenant
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_workspace import SIGNING_SECRET, SlackDriver, fixture, jobs_done, serving

from tests.kit.slack import ACME, ACME_TOKEN
from .test_workspaces import CLIENT_ID, CLIENT_SECRET, GLOBEX, GLOBEX_TOKEN, install

WORKSPACES = {ACME_TOKEN: ACME, GLOBEX_TOKEN: GLOBEX}
PROGRAM = "Acme Inner Circle"
CREATE = f'program create "{PROGRAM}" cadence=monthly capacity=3'
_users = itertools.count(1)

Setter = Callable[[dict[str, Any], str], None]


def _set(*path: str | int) -> Setter:
    def setter(body: dict[str, Any], value: str) -> None:
        target: Any = body
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return setter


@dataclass(frozen=True)
class Kind:
    """One kind of inbound request: how to build it for a user, and its workspace fields."""

    name: str
    build: Callable[[str], dict[str, Any]]
    fields: dict[str, Setter]
    form: bool  # sent as payload=… (interactions) rather than JSON or a slash command's form


def _event(user: str) -> dict[str, Any]:
    body = fixture("message_im")
    body["event"].update(user=user, text="/mentoring join", channel=f"D{user}", user_team=ACME)
    body["event_id"] = f"Ev{user}"
    return body


def _command(user: str) -> dict[str, Any]:
    body = {**fixture("slash_command"), "user_id": user, "text": "join", "response_url": "set later"}
    body.pop("enterprise_id")
    return body


def _action(user: str) -> dict[str, Any]:
    body = fixture("block_actions")
    body["user"]["id"] = user
    body["container"] = {"type": "view", "view_id": "V1"}
    body["view"] = {"id": "V1", "type": "home", "team_id": ACME, "app_installed_team_id": ACME, "callback_id": "",
                    "private_metadata": ""}
    body["actions"][0].update(action_id="command#1", value="join")
    return body


def _submission(user: str) -> dict[str, Any]:
    body = fixture("view_submission")
    body["user"]["id"] = user
    body["view"]["app_installed_team_id"] = ACME
    return body


def _options(user: str) -> dict[str, Any]:
    return {"type": "block_suggestion", "user": {"id": user, "team_id": ACME}, "team": {"id": ACME},
            "action_id": "topics", "block_id": "topics", "value": "dig", "api_app_id": "A123456",
            "view": {"id": "V1", "type": "modal", "team_id": ACME, "callback_id": "onboarding.topics"}}


KINDS = [
    Kind("event", _event, {"team_id": _set("team_id"), "authorizations[0].team_id": _set("authorizations", 0, "team_id"),
                           "event.team": _set("event", "team"), "event.user_team": _set("event", "user_team")},
         form=False),
    Kind("command", _command, {"team_id": _set("team_id")}, form=False),
    Kind("action", _action, {"team.id": _set("team", "id"), "user.team_id": _set("user", "team_id"),
                             "view.team_id": _set("view", "team_id"),
                             "view.app_installed_team_id": _set("view", "app_installed_team_id")}, form=True),
    Kind("submission", _submission, {"team.id": _set("team", "id"), "user.team_id": _set("user", "team_id"),
                                     "view.team_id": _set("view", "team_id"),
                                     "view.app_installed_team_id": _set("view", "app_installed_team_id")}, form=True),
    Kind("options", _options, {"team.id": _set("team", "id"), "user.team_id": _set("user", "team_id"),
                               "view.team_id": _set("view", "team_id")}, form=True),
]


def variants(kind: Kind) -> list[tuple[str, dict[str, str], bool]]:
    """(label, field -> workspace, org-wide claim): all fields agreeing (both workspaces), each
    field disagreeing with the others (both ways round), and an org-wide claim."""
    names = list(kind.fields)
    found = [(f"all {ws}", dict.fromkeys(names, ws), False) for ws in (ACME, GLOBEX)]
    for field_name in names if len(names) > 1 else []:
        for one, rest in ((ACME, GLOBEX), (GLOBEX, ACME)):
            found.append((f"{field_name}={one}, others {rest}", {n: one if n == field_name else rest for n in names},
                          False))
    found.append(("org-wide claim", dict.fromkeys(names, GLOBEX), True))
    return found


def _claim_org_wide(body: dict[str, Any], kind: Kind) -> None:
    if kind.name == "event":
        body["authorizations"][0].update(enterprise_id="EACME", is_enterprise_install=True)
    elif kind.name == "command":
        body.update(enterprise_id="EACME", is_enterprise_install="true")
    else:
        body.update(enterprise={"id": "EACME"}, is_enterprise_install=True)


@dataclass
class Outcome:
    """What one request led to."""

    status: int
    tokens: set[str]
    tenants: set[str]
    enrolled_in_acme: bool
    answers: list[str]


class Matrix:
    """Sends the variants to a server and reads back what each did."""

    def __init__(self, url: str, api: FakeSlackApi, bot: MentorBot) -> None:
        self.url = url
        self.driver = SlackDriver(url, api, ACME)
        self.api = api
        self.bot = bot

    async def send(self, kind: Kind, fields: dict[str, str], org_wide: bool) -> Outcome:
        user = f"UX{next(_users):04d}"
        for token in WORKSPACES:
            self.api.add_user(token, user, f"Person {user}")
        body = kind.build(user)
        for name, workspace in fields.items():
            kind.fields[name](body, workspace)
        if org_wide:
            _claim_org_wide(body, kind)
        if "response_url" in body:
            body["response_url"] = self.api.response_url(user)
        start = len(self.api.calls)
        if kind.form:
            reply = await self.driver.post(urlencode({"payload": json.dumps(body)}), "application/x-www-form-urlencoded")
        elif kind.name == "command":
            reply = await self.driver.post(urlencode(body), "application/x-www-form-urlencoded")
        else:
            reply = await self.driver.post(json.dumps(body), "application/json")
        await jobs_done(self.url)
        await _settle(self.api)
        calls = self.api.calls[start:]
        tokens = {call.token for call in calls if call.token and call.method != "auth.test"}
        answers = [str(call.body.get("text", "")) for call in calls
                   if call.method in ("response_url", "chat.postMessage")] + [reply.text]
        async with self.bot.db.transaction() as session:
            tenants = set(await session.scalars(
                select(Tenant.external_id).join(Person, Person.tenant_id == Tenant.id).where(Person.user_id == user)))
            enrolled = await session.scalar(
                select(Enrollment.id).join(Person, Enrollment.person_id == Person.id)
                .join(Program, Enrollment.program_id == Program.id).where(Person.user_id == user))
        return Outcome(reply.status, tokens, tenants, enrolled is not None, answers)


async def _settle(api: FakeSlackApi, quiet: float = 0.15) -> None:
    seen = -1
    while seen != len(api.calls):
        seen = len(api.calls)
        await asyncio.sleep(quiet)


def assert_served_in_authorised_workspace(outcome: Outcome, label: str, single_token: str | None) -> bool:
    """The rule, for one request; True when it was served, False when refused."""
    assert outcome.status < 500, label
    assert len(outcome.tokens) <= 1, f"{label}: calls with several workspaces' tokens {outcome.tokens}"
    if not outcome.tokens:
        assert outcome.tenants == set(), f"{label}: rows written without any authorised workspace"
        assert not outcome.enrolled_in_acme, label
        return False
    [token] = outcome.tokens
    if single_token is not None:
        assert token == single_token, label
    served = WORKSPACES[token]
    assert outcome.tenants <= {served}, f"{label}: authorised {served} but wrote rows in {outcome.tenants}"
    if served != ACME:
        assert not outcome.enrolled_in_acme, f"{label}: enrolled in another workspace's program"
        assert not any(PROGRAM in text or "Hana" in text for text in outcome.answers), \
            f"{label}: answered with another workspace's data"
    return bool(outcome.tenants)


@pytest.fixture
async def globex_api(slack_api: FakeSlackApi) -> FakeSlackApi:
    slack_api.add_workspace(GLOBEX, GLOBEX_TOKEN, "Globex")
    slack_api.add_user(GLOBEX_TOKEN, "UGUS", "Gus Grant", "Asia/Tokyo")
    return slack_api


@pytest.fixture(params=["oauth", "single token"])
async def server(request: pytest.FixtureRequest, bot: MentorBot, globex_api: FakeSlackApi
                 ) -> AsyncIterator[tuple[str, str | None]]:
    """A server with both workspaces installed (OAuth) or Acme's token alone; Acme has a program."""
    if request.param == "oauth":
        config = SlackConfig(signing_secret=SIGNING_SECRET, api_url=globex_api.url, client_id=CLIENT_ID,
                             client_secret=CLIENT_SECRET)
    else:
        config = SlackConfig(signing_secret=SIGNING_SECRET, api_url=globex_api.url, bot_token=ACME_TOKEN)
    async with serving(bot, globex_api, config) as url:
        if request.param == "oauth":
            await install(url, ACME_TOKEN)
            await install(url, GLOBEX_TOKEN)
        await SlackDriver(url, globex_api, ACME).command("UHANA", CREATE)
        await globex_api.wait_for("response_url")
        yield url, (ACME_TOKEN if request.param == "single token" else None)


@pytest.mark.parametrize("kind", KINDS, ids=[kind.name for kind in KINDS])
async def test_every_request_is_served_in_the_authorised_workspace_or_refused(
    server: tuple[str, str | None], globex_api: FakeSlackApi, bot: MentorBot, kind: Kind
) -> None:
    url, single_token = server
    matrix = Matrix(url, globex_api, bot)
    served = []
    for label, fields, org_wide in variants(kind):
        outcome = await matrix.send(kind, copy.deepcopy(fields), org_wide)
        if assert_served_in_authorised_workspace(outcome, f"{kind.name}: {label}", single_token):
            served.append(label)
        if org_wide:
            assert outcome.tenants == set(), "no org-wide install exists: refused"
    if kind.name not in ("options",):
        assert f"all {ACME}" in served, "a well-formed request is served (the matrix can tell)"
    if single_token is not None:
        assert f"all {GLOBEX}" not in served, "a single token serves its own workspace only"


async def test_an_org_wide_install_serves_the_organization_as_one_tenant(
    bot: MentorBot, slack_api: FakeSlackApi
) -> None:
    org_token = "xoxb-grid-org"
    slack_api.add_workspace(None, org_token, "Grid", enterprise_id="EGRID")
    slack_api.add_user(org_token, "WVERA", "Vera Grid", "Europe/Warsaw")
    config = SlackConfig(signing_secret=SIGNING_SECRET, api_url=slack_api.url, client_id=CLIENT_ID,
                         client_secret=CLIENT_SECRET)
    async with serving(bot, slack_api, config) as url:
        assert (await install(url, org_token)).startswith("200")
        body = {**_command("WVERA"), "team_id": "TGRIDSALES", "enterprise_id": "EGRID",
                "is_enterprise_install": "true", "response_url": slack_api.response_url("vera"),
                "text": CREATE}
        reply = await SlackDriver(url, slack_api, "TGRIDSALES").post(urlencode(body),
                                                                      "application/x-www-form-urlencoded")
        assert reply.status == 200
        [answer] = await slack_api.wait_for("response_url")
    assert "you are its admin" in answer.body["text"]
    assert {call.token for call in slack_api.called("users.info")} == {org_token}
    async with bot.db.transaction() as session:
        assert list(await session.scalars(select(Tenant.external_id))) == ["EGRID"]


async def test_a_workspace_of_a_grid_organization_gets_its_own_token_for_nudges(
    bot: MentorBot, slack_api: FakeSlackApi
) -> None:
    slack_api.add_workspace("TGRIDWS", "xoxb-grid-ws", "Grid workspace", enterprise_id="EGRID")
    slack_api.add_workspace(None, "xoxb-grid-org", "Grid", enterprise_id="EGRID")
    config = SlackConfig(signing_secret=SIGNING_SECRET, api_url=slack_api.url, client_id=CLIENT_ID,
                         client_secret=CLIENT_SECRET)
    adapter = SlackAdapter(bot, config, bot.db.engine)
    async with serving(bot, slack_api, config) as url:
        await install(url, "xoxb-grid-ws")
        await install(url, "xoxb-grid-org")
    assert await adapter.token_for("TGRIDWS") == "xoxb-grid-ws"
    assert await adapter.token_for("EGRID") == "xoxb-grid-org"
    assert await adapter.token_for("TNOWHERE") is None
    await adapter.close()


async def test_a_single_token_refuses_an_org_wide_request(
    acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot
) -> None:
    body = {**_command("UHANA"), "team_id": ACME, "enterprise_id": "EACME", "is_enterprise_install": "true",
            "response_url": slack_api.response_url("x"), "text": CREATE}
    reply = await acme.post(urlencode(body), "application/x-www-form-urlencoded")
    assert reply.status == 403
    async with bot.db.transaction() as session:
        assert list(await session.scalars(select(Program))) == []


async def test_a_button_from_a_workspace_without_the_app_gets_no_error_even_if_its_response_url_fails(
    bot: MentorBot, slack_api: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    config = SlackConfig(signing_secret=SIGNING_SECRET, api_url=slack_api.url, client_id=CLIENT_ID,
                         client_secret=CLIENT_SECRET)
    body = _action("UHANA")
    body["response_url"] = "http://127.0.0.1:1/closed"
    async with serving(bot, slack_api, config) as url:
        reply = await SlackDriver(url, slack_api, "TSTRANGER").post(
            urlencode({"payload": json.dumps(body)}), "application/x-www-form-urlencoded")
    assert reply.status == 200
    assert "Traceback" not in caplog.text and "could not answer on the request's response_url" in caplog.text
