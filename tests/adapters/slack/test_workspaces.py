"""Many workspaces: the OAuth install flow, installations in our database, tenant isolation."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from sqlalchemy import MetaData, inspect, select

from adapters.slack.app import SlackConfig
from bot.engine import MentorBot
from storage.models import Program, Tenant
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_workspace import SIGNING_SECRET, SlackDriver, serving
from tests.kit.scripts import CREATE_PROGRAM

from tests.kit.slack import ACME_TOKEN

GLOBEX, GLOBEX_TOKEN = "TGLOBEX", "xoxb-globex"
CLIENT_ID, CLIENT_SECRET = "1111.2222", "client-secret-not-a-real-one"


@pytest.fixture
async def server(bot: MentorBot, slack_api: FakeSlackApi) -> AsyncIterator[str]:
    """``mentorbot serve`` with the OAuth install flow on (SLACK_CLIENT_ID and SECRET set)."""
    slack_api.add_workspace(GLOBEX, GLOBEX_TOKEN, "Globex")
    slack_api.add_user(GLOBEX_TOKEN, "UGUS", "Gus Grant", "Asia/Tokyo")
    config = SlackConfig(signing_secret=SIGNING_SECRET, api_url=slack_api.url,
                         client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    async with serving(bot, slack_api, config) as url:
        yield url


async def install(url: str, token: str) -> str:
    """Go through /slack/install and /slack/oauth_redirect as a workspace admin's browser does
    (the fake Slack API exchanges the code ``code-<token>`` for that workspace's token)."""
    async with aiohttp.ClientSession() as browser:
        async with browser.get(f"{url}/slack/install") as page:
            assert page.status == 200
            state = re.search(r"state=([\w-]+)", await page.text())
            assert state, "the install page links to Slack's authorize URL with a state"
            # The state cookie is marked Secure (https in production): hand it back by hand.
            cookie = page.headers["Set-Cookie"].split(";")[0]
        async with browser.get(f"{url}/slack/oauth_redirect", headers={"Cookie": cookie},
                               params={"code": f"code-{token}", "state": state.group(1)}) as done:
            return f"{done.status} {await done.text()}"


async def test_a_workspace_installs_the_app_and_its_bot_token_is_stored_in_our_database(
    server: str, bot: MentorBot
) -> None:
    assert (await install(server, ACME_TOKEN)).startswith("200")
    store = AsyncSQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=bot.db.engine)
    found = await store.async_find_bot(enterprise_id=None, team_id="TACME")
    assert found is not None and found.bot_token == ACME_TOKEN


async def test_a_forged_oauth_callback_installs_nothing(server: str, bot: MentorBot) -> None:
    async with aiohttp.ClientSession() as browser:
        async with browser.get(f"{server}/slack/oauth_redirect",
                               params={"code": f"code-{ACME_TOKEN}", "state": "made-up"}) as done:
            assert done.status >= 400
    store = AsyncSQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=bot.db.engine)
    assert await store.async_find_bot(enterprise_id=None, team_id="TACME") is None


async def test_a_workspace_never_reads_or_changes_another_workspaces_data(
    server: str, slack_api: FakeSlackApi, bot: MentorBot
) -> None:
    await install(server, ACME_TOKEN)
    await install(server, GLOBEX_TOKEN)
    acme, globex = SlackDriver(server, slack_api, "TACME"), SlackDriver(server, slack_api, GLOBEX)

    await acme.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
    await slack_api.wait_for("response_url")
    await globex.command("UGUS", "join")
    [_, answer] = await slack_api.wait_for("response_url", 2)
    assert "There is no program to join yet" in answer.body["text"]
    await globex.command("UGUS", 'admin add "Hana Kim"')
    await slack_api.wait_for("response_url", 3)

    tokens = {call.body.get("user"): call.token for call in slack_api.called("users.info")}
    assert tokens == {"UHANA": ACME_TOKEN, "UGUS": GLOBEX_TOKEN}, "each workspace's calls use its own token"
    async with bot.db.transaction() as session:
        tenants = {t.external_id: t.id for t in (await session.scalars(select(Tenant))).all()}
        programs = (await session.scalars(select(Program))).all()
    assert set(tenants) == {"TACME", GLOBEX}
    assert [(p.name, p.tenant_id) for p in programs] == [("Digital Leaders 2027", tenants["TACME"])]


async def test_a_workspace_that_has_not_installed_the_app_gets_nothing(
    server: str, slack_api: FakeSlackApi, bot: MentorBot
) -> None:
    stranger = SlackDriver(server, slack_api, "TSTRANGER")
    reply = await stranger.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
    assert reply.status == 200
    [answer] = await slack_api.wait_for("response_url")
    assert "not installed in this workspace" in answer.body["text"]
    assert slack_api.called("users.info") == [], "no token, no call on its behalf"
    async with bot.db.transaction() as session:
        assert (await session.scalars(select(Program))).all() == []


async def test_the_installation_tables_have_the_shape_slack_sdk_expects(bot: MentorBot) -> None:
    expected = AsyncSQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=bot.db.engine)
    wanted = {table.name: {c.name for c in table.columns} for table in (expected.installations, expected.bots)}

    def columns(connection: object) -> dict[str, set[str]]:
        found = inspect(connection)
        return {name: {c["name"] for c in found.get_columns(name)} for name in wanted}

    async with bot.db.engine.connect() as connection:
        assert await connection.run_sync(columns) == wanted
    assert MetaData  # the store builds its tables on its own metadata: ours come from the migration
