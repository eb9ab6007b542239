"""Keeping the Socket Mode connection: starting (and refusing to start), back-off while Slack is
away, a token revoked while running, and what /healthz and /readyz say meanwhile."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select

from adapters.platform import StartFailed
from adapters.slack.config import LinkTiming
from adapters.slack.settings import SlackSettings
from adapters.slack.socket_mode import CONNECTED, CONNECTING, REFUSED, Link, pause_after
from bot.engine import MentorBot
from storage.models import Person
from tests.kit.fakes.slack_api import Call, FakeSlackApi, Policy
from tests.kit.fakes.slack_socket import APP_TOKEN, FakeSocketMode
from tests.kit.fakes.slack_workspace import SocketDriver, serving, socket_config
from tests.kit.slack import ACME, ACME_TOKEN

TIMING = LinkTiming(ping=1.0, first=1.0, most=8.0, refused=300.0)


class Pauses:
    """Stands in for asyncio.sleep: records each pause, waits only a moment."""

    def __init__(self) -> None:
        self.taken: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.taken.append(seconds)
        await asyncio.sleep(0.01)


@pytest.fixture
async def link_parts(slack_api: FakeSlackApi, socket_mode: FakeSocketMode) -> AsyncIterator[tuple[Link, Pauses]]:
    """A link on the fake Web API and Socket Mode, with recorded pauses and no jitter."""
    pauses = Pauses()
    link = Link(APP_TOKEN, AsyncWebClient(base_url=slack_api.url), TIMING, sleep=pauses, jitter=lambda: 0.0)
    yield link, pauses
    await link.close()


def _failing(times: int, error: str = "internal_error", status: int = 500) -> tuple[list[int], Policy]:
    """A fake API policy: the next ``times`` apps.connections.open calls get Slack's ``error``;
    ``left[0]`` is how many are left (a test may change it)."""
    left = [times]

    async def policy(call: Call) -> web.Response | None:
        if call.method == "apps.connections.open" and left[0]:
            left[0] -= 1
            return web.json_response({"ok": False, "error": error}, status=status)
        return None
    return left, policy


def test_the_pause_between_tries_doubles_up_to_the_most_less_some_jitter() -> None:
    assert [pause_after(n, TIMING, lambda: 0.0) for n in range(1, 7)] == [1, 2, 4, 8, 8, 8]
    assert pause_after(3, TIMING, lambda: 0.999) == pytest.approx(4 * 0.75, abs=0.01), "at most a quarter less"


async def test_while_slack_is_away_the_link_tries_again_with_back_off_then_connects(
    link_parts: tuple[Link, Pauses], slack_api: FakeSlackApi, socket_mode: FakeSocketMode,
    caplog: pytest.LogCaptureFixture,
) -> None:
    link, pauses = link_parts
    _, slack_api.policy = _failing(4)
    with caplog.at_level(logging.WARNING):
        await link.start()  # the first try fails: serving goes on, the link keeps trying
        assert link.state == CONNECTING and not link.health().ready
        await socket_mode.wait_connections(1)
    assert pauses.taken == [1.0, 2.0, 4.0]
    assert link.state == CONNECTED and link.health().ready
    assert len(slack_api.called("apps.connections.open")) == 5, "a fresh URL for every try"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 4 and all(r.exc_info is None for r in warnings), "one line per failed try"
    assert "internal_error" in warnings[-1].getMessage() and "trying again in 4.0 s" in warnings[-1].getMessage()


async def test_a_url_that_no_longer_opens_is_not_tried_again(
    link_parts: tuple[Link, Pauses], slack_api: FakeSlackApi, socket_mode: FakeSocketMode
) -> None:
    link, pauses = link_parts
    app = slack_api.apps[APP_TOKEN]
    fresh, issued = app.issue_url, []
    app.issue_url = lambda: issued.append(fresh()) or issued[-1]
    await link.start()
    assert link.state == CONNECTED
    app.issue_url = lambda: issued[0]  # Slack hands out the URL already used, once
    await socket_mode.wait_connections(1)
    await socket_mode.disconnect("refresh_requested")  # the next URL is the used one: refused
    for _ in range(100):
        if socket_mode.refused_tickets:
            break
        await asyncio.sleep(0.01)
    app.issue_url = fresh
    await socket_mode.wait_connections(1)
    assert socket_mode.refused_tickets == 1 and pauses.taken[:1] == [1.0]
    assert len(slack_api.called("apps.connections.open")) == 3, "a new URL after the refused one"


async def test_a_token_revoked_while_running_is_an_error_line_every_few_minutes_not_a_loop(
    link_parts: tuple[Link, Pauses], slack_api: FakeSlackApi, socket_mode: FakeSocketMode,
    caplog: pytest.LogCaptureFixture,
) -> None:
    link, pauses = link_parts
    await link.start()
    left, slack_api.policy = _failing(3, "token_revoked", status=200)
    with caplog.at_level(logging.ERROR):
        await socket_mode.disconnect("link_disabled")
        for _ in range(200):
            if link.state == REFUSED:
                break
            await asyncio.sleep(0.01)
        assert link.state == REFUSED and not link.health().ready
        await socket_mode.wait_connections(1)  # a new token... the same app: Slack takes it again
    assert pauses.taken == [300.0, 300.0, 300.0], "refused: the long pause every time"
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 3 and "revoked" in errors[0] and "trying again in 300 s" in errors[0]
    assert link.state == CONNECTED


async def test_too_many_connections_makes_the_next_one_wait(
    link_parts: tuple[Link, Pauses], slack_api: FakeSlackApi, socket_mode: FakeSocketMode
) -> None:
    link, pauses = link_parts
    await link.start()
    await socket_mode.disconnect("too_many_websockets", close_after=0.05)  # Slack closes it right after
    for _ in range(200):
        if len(socket_mode.connections) == 2:
            break
        await asyncio.sleep(0.01)
    assert pauses.taken == [TIMING.most], "one long pause, then a new connection"
    assert link.state == CONNECTED and len(slack_api.called("apps.connections.open")) == 2


@pytest.mark.parametrize(("token", "scopes", "says"), [
    (APP_TOKEN, ("authorizations:read",), "lacks the connections:write scope"),
    (ACME_TOKEN, ("connections:write",), "not an app-level token"),
    ("xapp-1-A0OTHER-1-unknown", ("connections:write",), "Slack does not know this app-level token"),
])
async def test_a_token_slack_refuses_stops_the_start_with_what_to_do_and_stores_nothing(
    bot: MentorBot, slack_api: FakeSlackApi, token: str, scopes: tuple[str, ...], says: str
) -> None:
    async with FakeSocketMode(slack_api, scopes=scopes) as socket:
        with pytest.raises(StartFailed) as failed:
            async with serving(bot, slack_api, socket_config(slack_api, app_token=token)):
                pass
        assert says in str(failed.value) and token not in str(failed.value)
        assert len(slack_api.called("apps.connections.open")) == 1, "asked once, not in a loop"
        assert socket.connections == []
    async with bot.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 0


async def test_healthz_and_readyz_report_the_connection(
    bot: MentorBot, slack_api: FakeSlackApi, socket_mode: FakeSocketMode
) -> None:
    left, slack_api.policy = _failing(1000)  # Slack away at start
    async with serving(bot, slack_api, socket_config(slack_api)) as url, aiohttp.ClientSession() as http:
        async with http.get(f"{url}/healthz") as health, http.get(f"{url}/readyz") as ready:
            assert (health.status, await health.json()) == (200, {"status": "ok", "database": "ok",
                                                                    "slack_socket": "connecting"})
            assert (ready.status, await ready.json()) == (503, {"status": "not ready", "database": "ok",
                                                                 "slack_socket": "connecting"})
        left[0] = 0  # Slack is back
        await socket_mode.wait_connections(1)
        async with http.get(f"{url}/readyz") as ready:
            assert (ready.status, await ready.json()) == (200, {"status": "ready", "database": "ok",
                                                                 "slack_socket": "connected"})
        await SocketDriver(socket_mode, slack_api, ACME).dm("UVICTOR", "hello")
        await slack_api.wait_for("chat.postMessage")
        async with http.post(f"{url}/slack/events", data="{}") as events:
            assert events.status == 404, "over Socket Mode nothing is served on /slack/events"


@pytest.mark.parametrize(("settings", "complaint"), [
    ({"slack_app_token": "xoxb-123-456-abc", "slack_bot_token": ACME_TOKEN}, "SLACK_APP_TOKEN holds a bot token"),
    ({"slack_app_token": "hello", "slack_bot_token": ACME_TOKEN}, "SLACK_APP_TOKEN is not an app-level token"),
    ({"slack_app_token": APP_TOKEN}, "needs SLACK_BOT_TOKEN too"),
    ({"slack_app_token": APP_TOKEN, "slack_bot_token": APP_TOKEN}, "SLACK_BOT_TOKEN holds an app-level token"),
    ({"slack_app_token": APP_TOKEN, "slack_bot_token": ACME_TOKEN, "slack_client_id": "1.2",
      "slack_client_secret": "s"}, "does not use the OAuth install flow"),
])
def test_socket_mode_settings_that_cannot_work_are_refused_in_plain_words(
    settings: dict[str, str], complaint: str
) -> None:
    slack = SlackSettings(_env_file=None, **settings)  # type: ignore[call-arg]
    assert slack.configured, "an app token asks for Slack: its problem is reported, not the terminal chat opened"
    problem = slack.problem()
    assert problem is not None and complaint in problem
    assert "xoxb-123" not in problem and APP_TOKEN not in problem


def test_an_app_token_and_a_bot_token_are_all_socket_mode_needs() -> None:
    slack = SlackSettings(_env_file=None, slack_app_token=APP_TOKEN, slack_bot_token=ACME_TOKEN)  # type: ignore[call-arg]
    assert slack.configured and slack.problem() is None and slack.mode == "Socket Mode"
