"""Drive ``mentorbot serve``'s Slack side like Slack does: signed requests over HTTP, or
envelopes over Socket Mode.

Payloads start from the recorded shapes in ``tests/fixtures/slack/`` and change only the
workspace, the person and what they did.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from adapters.slack.app import SlackAdapter, SlackConfig
from adapters.slack.config import LinkTiming
from bot.engine import MentorBot
from mentorbot.server import build_app
from tests.kit.fakes.local_http import serve_locally
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_socket import APP_TOKEN, Envelope, FakeSocketMode

FIXTURES = Path(__file__).parents[2] / "fixtures" / "slack"
SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
_ids = itertools.count(1)


def fixture(name: str) -> dict[str, Any]:
    """A recorded Slack payload, as a fresh dict."""
    return copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text()))


def signature_headers(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack signs a request with (HMAC-SHA256 over ``v0:{timestamp}:{body}``)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Reply:
    """What the endpoint answered."""

    status: int
    text: str

    def json(self) -> Any:
        """The body as JSON (modal submissions answer with a response action)."""
        return json.loads(self.text) if self.text else {}


class SlackDriver:
    """Sends what people do in one workspace to the server's ``/slack/events``, signed, as Slack
    POSTs it. :class:`SocketDriver` sends the same over Socket Mode."""

    def __init__(self, base_url: str, api: FakeSlackApi, team_id: str) -> None:
        self.url = f"{base_url}/slack/events"
        self.api = api
        self.team_id = team_id

    async def post(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> Reply:
        """POST a raw body, signed unless ``headers`` say otherwise."""
        sent = {"Content-Type": content_type, **(headers if headers is not None else signature_headers(body))}
        async with aiohttp.ClientSession() as session, session.post(self.url, data=body, headers=sent) as response:
            return Reply(response.status, await response.text())

    async def deliver(self, kind: str, payload: dict[str, Any], retry: int | None = None) -> Reply:
        """Send a payload of ``kind`` (``events_api``, ``slash_commands`` or ``interactive``, as
        Socket Mode names them) the way Slack POSTs it: an event as JSON (with the retry headers),
        a command as a form, an interaction as a form holding it."""
        if kind == "slash_commands":
            return await self.post(urlencode(payload), "application/x-www-form-urlencoded")
        if kind == "interactive":
            return await self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
        body = json.dumps(payload)
        headers = signature_headers(body)
        if retry:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        return await self.post(body, "application/json", headers)

    async def command(self, user: str, text: str, channel: str = "C2147483705") -> Reply:
        """``/mentoring TEXT`` typed by ``user`` in ``channel``."""
        payload = {**fixture("slash_command"), "team_id": self.team_id, "user_id": user, "text": text,
                   "channel_id": channel, "trigger_id": f"trigger-{next(_ids)}",
                   "response_url": self.api.response_url(f"command-{next(_ids)}")}
        payload.pop("enterprise_id")
        return await self.deliver("slash_commands", payload)

    async def dm(self, user: str, text: str, event_id: str | None = None, retry: int | None = None,
                 files: list[dict[str, Any]] | None = None) -> Reply:
        """A direct message from ``user`` to the bot (an Events API callback); with ``files``, a
        ``file_share`` message (files as :meth:`FakeSlackApi.add_file` returns them)."""
        payload = fixture("message_im")
        payload["team_id"] = payload["authorizations"][0]["team_id"] = self.team_id
        payload["event"].update(user=user, text=text, channel=f"D{user}", team=self.team_id)
        if files:
            payload["event"].update(subtype="file_share", files=files, upload=True)
        payload["event_id"] = event_id or f"Ev{next(_ids):08d}"
        return await self.deliver("events_api", payload, retry)

    async def press(self, user: str, action_id: str, value: str, container: dict[str, Any] | None = None,
                    view: dict[str, Any] | None = None) -> Reply:
        """A button press: by default in the DM with the bot."""
        payload = fixture("block_actions")
        payload["team"]["id"] = self.team_id
        payload["user"].update(id=user, team_id=self.team_id)
        payload["container"] = container or {"type": "message", "message_ts": "1.2", "channel_id": f"D{user}",
                                             "is_ephemeral": False}
        payload["channel"]["id"] = payload["container"].get("channel_id", f"D{user}")
        payload["trigger_id"] = f"trigger-{next(_ids)}"
        payload["response_url"] = self.api.response_url(f"action-{next(_ids)}")
        payload["actions"][0].update(action_id=action_id, value=value)
        if view is not None:
            payload["view"] = view
        return await self.deliver("interactive", payload)

    async def submit(self, user: str, view: dict[str, Any], values: dict[str, Any]) -> Reply:
        """Submit a modal the bot opened (``view`` as recorded by the fake API) with ``values``
        given as field name -> answer (a list for a multi-select)."""
        payload = fixture("view_submission")
        payload["team"]["id"] = self.team_id
        payload["user"].update(id=user, team_id=self.team_id)
        payload["view"].update(callback_id=view["callback_id"], private_metadata=view.get("private_metadata", ""),
                               blocks=view["blocks"], state={"values": state_values(view, values)})
        return await self.deliver("interactive", payload)

    async def open_home(self, user: str, tab: str = "home") -> Reply:
        """``user`` opens the app's Home (``home``) or Messages (``messages``) tab."""
        payload = fixture("app_home_opened")
        payload["team_id"] = payload["authorizations"][0]["team_id"] = self.team_id
        payload["event"].update(user=user, tab=tab, channel=f"D{user}")
        payload["event_id"] = f"Ev{next(_ids):08d}"
        return await self.deliver("events_api", payload)


class SocketDriver(SlackDriver):
    """Sends what people do in one workspace as Slack does over Socket Mode: envelopes from the
    fake Socket Mode server, answered by their acknowledgement (``Reply`` 200 with the
    acknowledgement's payload as JSON, empty without one)."""

    def __init__(self, socket: FakeSocketMode, api: FakeSlackApi, team_id: str) -> None:
        super().__init__("", api, team_id)
        self.socket = socket
        self.envelopes: list[Envelope] = []

    async def post(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> Reply:
        raise AssertionError("nothing is POSTed over Socket Mode: use deliver()")

    async def deliver(self, kind: str, payload: dict[str, Any], retry: int | None = None) -> Reply:
        envelope = await self.socket.send(kind, payload, retry_attempt=retry or 0,
                                          retry_reason="timeout" if retry else "")
        self.envelopes.append(envelope)
        answer = await self.socket.acked(envelope)
        return Reply(200, json.dumps(answer) if answer else "")


def state_values(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """``view.state.values`` as Slack builds it from what was typed or picked in a modal."""
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block.get("type") != "input" or block["block_id"] not in values:
            continue
        element, answer = block["element"], values[block["block_id"]]
        kind = element["type"]
        if kind == "multi_static_select":
            entry = {"type": kind, "selected_options": [{"value": v} for v in answer]}
        elif kind in ("static_select", "radio_buttons"):
            entry = {"type": kind, "selected_option": {"value": answer} if answer else None}
        else:
            entry = {"type": kind, "value": answer}
        state[block["block_id"]] = {element["action_id"]: entry}
    return state


@asynccontextmanager
async def serving(bot: MentorBot, api: FakeSlackApi, config: SlackConfig | None = None) -> AsyncIterator[str]:
    """``mentorbot serve``'s application with the Slack adapter, on a random free port (over
    Socket Mode when ``config`` has an app-level token: connected once this yields)."""
    config = config or SlackConfig(signing_secret=SIGNING_SECRET, api_url=api.url, bot_token="xoxb-acme")
    adapter = SlackAdapter(bot, config, bot.db.engine)
    runner, port = await serve_locally(build_app(bot.db, [adapter]))
    url = f"http://127.0.0.1:{port}"
    SERVED[url] = adapter
    try:
        yield url
    finally:
        del SERVED[url]
        await runner.cleanup()
        await adapter.close()


SERVED: dict[str, SlackAdapter] = {}
"""The adapter behind each URL :func:`serving` yields, while it serves."""


async def jobs_done(url: str) -> None:
    """Wait until the adapter served at ``url`` has finished the jobs it acknowledged (a busy
    machine may leave a pause between a job's calls longer than any fixed quiet time)."""
    inbox = SERVED[url].inbox
    drain = getattr(inbox, "drain", None)
    if drain is not None:
        await drain()


def socket_config(api: FakeSlackApi, app_token: str = APP_TOKEN, bot_token: str = "xoxb-acme") -> SlackConfig:
    """The Slack adapter over Socket Mode against the fakes, with short pauses between tries."""
    return SlackConfig(signing_secret="", api_url=api.url, bot_token=bot_token, app_token=app_token,
                       link=LinkTiming(ping=1.0, first=0.05, most=0.2, refused=0.2))
