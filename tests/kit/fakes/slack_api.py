"""A fake Slack Web API on 127.0.0.1 that records every call it receives.

It answers the methods mentorbot uses with the shapes Slack documents, knows which
workspace each bot token belongs to (and which app-level tokens open Socket Mode connections:
``apps.connections.open``), and serves ``response_url`` posts too. Tests assert
on :attr:`FakeSlackApi.calls`; a ``policy`` hook lets a test or a benchmark answer a call
itself (rate limits, server errors, slowness).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from adapters.slack.app import BOT_SCOPES

from tests.kit.fakes.local_http import serve_locally

Policy = Callable[["Call"], Awaitable[web.Response | None]]


@dataclass
class Call:
    """One request the fake received."""

    method: str
    body: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.monotonic)

    def blocks(self) -> list[dict[str, Any]]:
        """The Block Kit blocks of a message call (decoded when sent as a JSON string)."""
        blocks = self.body.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks

    def view(self) -> dict[str, Any]:
        """The view of a views.* call (decoded when sent as a JSON string)."""
        view = self.body.get("view") or {}
        return json.loads(view) if isinstance(view, str) else view


@dataclass
class Workspace:
    """A workspace the fake knows: its bot token and its members."""

    team_id: str | None
    token: str
    name: str = "Acme"
    bot_user_id: str = "UBOT"
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    enterprise_id: str | None = None
    """The Enterprise Grid organization: with no ``team_id``, an org-wide install of it."""
    scopes: tuple[str, ...] = BOT_SCOPES
    """What the bot's token was granted (``auth.test`` says so in its ``x-oauth-scopes`` header)."""


@dataclass
class SocketApp:
    """An app whose app-level token opens Socket Mode connections (``apps.connections.open``)."""

    token: str
    issue_url: Callable[[], str]
    scopes: tuple[str, ...] = ("connections:write",)


class FakeSlackApi:
    """Serve the fake on a random free port: ``async with FakeSlackApi() as slack: ...``."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.workspaces: dict[str, Workspace] = {}
        self.policy: Policy | None = None
        self.delays: dict[str, float] = {}
        self._ts = itertools.count(1)
        self._groups: dict[tuple[str, frozenset[str]], str] = {}
        self.files: dict[str, tuple[str, str, bytes]] = {}  # file id -> (team token, name, content)
        self.apps: dict[str, SocketApp] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- set-up --------------------------------------------------------------------------

    def add_workspace(self, team_id: str | None, token: str, name: str = "Acme",
                      enterprise_id: str | None = None) -> Workspace:
        """A workspace whose bot token is ``token`` (of an Enterprise Grid organization when
        ``enterprise_id`` is given; the organization's org-wide install when ``team_id`` is None)."""
        workspace = self.workspaces[token] = Workspace(team_id, token, name, bot_user_id=f"UBOT{team_id}",
                                                       enterprise_id=enterprise_id)
        return workspace

    def add_app(self, token: str, issue_url: Callable[[], str], scopes: Sequence[str] = ("connections:write",)) -> None:
        """An app-level token (``xapp-…``) with ``scopes``: ``apps.connections.open`` answers it with
        ``issue_url()`` (a Socket Mode URL; see :mod:`tests.kit.fakes.slack_socket`)."""
        self.apps[token] = SocketApp(token, issue_url, tuple(scopes))

    def add_user(self, token: str, user_id: str, real_name: str, tz: str = "Europe/Brussels", email: str = "",
                 locale: str = "en-US") -> None:
        """A member of the workspace of ``token``, as users.info describes them (their ``locale``
        only when asked with ``include_locale``, as Slack does)."""
        workspace = self.workspaces[token]
        workspace.users[user_id] = {
            "id": user_id, "team_id": workspace.team_id, "name": real_name.split()[0].lower(),
            "real_name": real_name, "tz": tz, "tz_label": tz, "tz_offset": 3600, "is_bot": False, "locale": locale,
            "profile": {"real_name": real_name, "display_name": real_name.split()[0],
                        **({"email": email} if email else {})},
        }

    def add_file(self, token: str, file_id: str, name: str, content: bytes) -> dict[str, Any]:
        """A file a member shared; returns it as a ``file_share`` message event lists it."""
        self.files[file_id] = (token, name, content)
        return {"id": file_id, "name": name, "title": name, "mimetype": "text/csv", "filetype": "csv",
                "size": len(content), "url_private_download": self.file_url(file_id)}

    def file_url(self, file_id: str) -> str:
        """Where the fake serves a shared file's content (with the bot token only)."""
        return f"http://127.0.0.1:{self.port}/files/{file_id}"

    @property
    def url(self) -> str:
        """The Web API base URL (what ``SLACK_API_URL`` is set to)."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str) -> str:
        """A ``response_url`` served by the fake; posts to it are recorded as ``response_url``."""
        return f"http://127.0.0.1:{self.port}/response/{key}"

    # --- reading what was received -------------------------------------------------------

    def called(self, method: str) -> list[Call]:
        """Every call of ``method``, in order."""
        return [call for call in self.calls if call.method == method]

    def sent_texts(self) -> list[str]:
        """The text of every message posted (chat.postMessage, ephemeral, response_url)."""
        methods = {"chat.postMessage", "chat.postEphemeral", "response_url"}
        return [str(call.body.get("text", "")) for call in self.calls if call.method in methods]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until ``method`` was called ``count`` times (work after an ack is asynchronous)."""
        deadline = time.monotonic() + timeout
        while len(self.called(method)) < count:
            if time.monotonic() > deadline:
                seen = [call.method for call in self.calls]
                raise AssertionError(f"{method} called {len(self.called(method))} times, wanted {count}; saw {seen}")
            await asyncio.sleep(0.01)
        return self.called(method)

    async def settled(self, quiet: float = 0.3) -> None:
        """Wait until nothing new was received for ``quiet`` seconds (the work after the acks is done)."""
        seen = -1
        while seen != len(self.calls):
            seen = len(self.calls)
            await asyncio.sleep(quiet)

    # --- serving -------------------------------------------------------------------------

    async def __aenter__(self) -> FakeSlackApi:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_get("/files/{file_id}", self._download)
        self._runner, self.port = await serve_locally(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method, await _body(request), _token(request))
        self.calls.append(call)
        if method in self.delays:
            await asyncio.sleep(self.delays[method])
        if self.policy is not None:
            answer = await self.policy(call)
            if answer is not None:
                return answer
        headers = {}
        if method == "auth.test" and (workspace := self.workspaces.get(call.token or "")) is not None:
            headers["x-oauth-scopes"] = ",".join(workspace.scopes)
        return web.json_response(self._answer(call), headers=headers)

    async def _download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        self.calls.append(Call("files.download", {"file": file_id}, _token(request)))
        stored = self.files.get(file_id)
        if stored is None or stored[0] != _token(request):
            return web.Response(status=404 if stored is None else 403)
        return web.Response(body=stored[2], content_type="text/csv")

    async def _response_url(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await _body(request), None))
        return web.json_response({"ok": True})

    def _answer(self, call: Call) -> dict[str, Any]:
        if call.method == "oauth.v2.access":
            return self._oauth_access(call)
        if call.method == "apps.connections.open":
            return self._connections_open(call)
        workspace = self.workspaces.get(call.token or "")
        if workspace is None:
            return {"ok": False, "error": "invalid_auth"}
        body = call.body
        if call.method == "auth.test":
            return {"ok": True, "url": f"https://{workspace.name.lower()}.slack.com/", "team": workspace.name,
                    "user": "mentorbot", "team_id": workspace.team_id, "user_id": workspace.bot_user_id,
                    "bot_id": f"B{workspace.team_id}", "enterprise_id": workspace.enterprise_id,
                    "is_enterprise_install": workspace.team_id is None}
        if call.method == "users.info":
            user = workspace.users.get(str(body.get("user")))
            if user and str(body.get("include_locale", "")).lower() not in ("1", "true"):
                user = {key: value for key, value in user.items() if key != "locale"}
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if call.method == "users.lookupByEmail":
            email = str(body.get("email", "")).lower()
            user = next((u for u in workspace.users.values() if u["profile"].get("email", "").lower() == email), None)
            return {"ok": True, "user": user} if user else {"ok": False, "error": "users_not_found"}
        if call.method == "files.info":
            stored = self.files.get(str(body.get("file")))
            if stored is None or stored[0] != call.token:
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "file": {"id": body.get("file"), "name": stored[1], "size": len(stored[2]),
                                         "mimetype": "text/csv", "url_private_download": self.file_url(
                                             str(body.get("file")))}}
        if call.method in ("chat.postMessage", "chat.postEphemeral"):
            ts = f"{1_700_000_000 + next(self._ts)}.000100"
            return {"ok": True, "channel": body.get("channel"), "ts": ts, "message_ts": ts}
        if call.method == "conversations.open":
            users = [user for user in str(body.get("users", "")).split(",") if user]
            if len(users) > 1:  # a multi-person DM: one per set of people, like Slack
                group = self._groups.setdefault((workspace.team_id, frozenset(users)), f"G{len(self._groups) + 1:04d}")
                return {"ok": True, "channel": {"id": group}}
            return {"ok": True, "channel": {"id": "D" + (users[0] if users else "")}}
        if call.method.startswith("views."):
            return {"ok": True, "view": {"id": f"V{next(self._ts)}", **call.view()}}
        return {"ok": False, "error": "unknown_method"}

    def _connections_open(self, call: Call) -> dict[str, Any]:
        """A Socket Mode URL for an app-level token with ``connections:write``, else Slack's errors."""
        app = self.apps.get(call.token or "")
        if app is None:
            if call.token in self.workspaces:
                return {"ok": False, "error": "not_allowed_token_type"}
            return {"ok": False, "error": "invalid_auth" if call.token else "not_authed"}
        if "connections:write" not in app.scopes:
            return {"ok": False, "error": "missing_scope", "needed": "connections:write",
                    "provided": ",".join(app.scopes)}
        return {"ok": True, "url": app.issue_url()}

    def _oauth_access(self, call: Call) -> dict[str, Any]:
        """Exchange an OAuth code ``code-<token>`` for the installation of that token's workspace."""
        code = str(call.body.get("code", ""))
        workspace = self.workspaces.get(code.removeprefix("code-"))
        if workspace is None:
            return {"ok": False, "error": "invalid_code"}
        return {
            "ok": True, "app_id": "A0MENTOR", "authed_user": {"id": "UINSTALLER"},
            "scope": "commands,chat:write,im:history,users:read", "token_type": "bot",
            "access_token": workspace.token, "bot_user_id": workspace.bot_user_id,
            "team": {"id": workspace.team_id, "name": workspace.name} if workspace.team_id else None,
            "enterprise": {"id": workspace.enterprise_id, "name": "Grid"} if workspace.enterprise_id else None,
            "is_enterprise_install": workspace.team_id is None,
        }


def _token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ") or None


async def _body(request: web.Request) -> dict[str, Any]:
    body: dict[str, Any] = dict(request.query)
    raw = await request.text()
    if not raw:
        return body
    if request.content_type == "application/json":
        body.update(json.loads(raw))
    else:
        body.update(parse_qsl(raw, keep_blank_values=True))
    return body
