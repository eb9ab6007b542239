"""A fake Bot Connector service on 127.0.0.1 that records every activity the bot sends.

It serves the two routes a bot posts to: ``/v3/conversations/{id}/activities`` (a new
message, proactive sends) and ``/v3/conversations/{id}/activities/{activityId}`` (a reply).
A ``policy`` hook lets a test or a benchmark answer a post itself (429s, 5xx, slowness).
``POST /v3/conversations`` opens a member's personal chat (``29:X`` -> ``a:personal-X``, as
:class:`~tests.kit.fakes.teams_client.Member` names it), recorded in ``opened``; set
``refuse_opening`` to an HTTP status to refuse it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.kit.fakes.local_http import serve_locally

Policy = Callable[["Post"], Awaitable[web.Response | None]]


@dataclass
class Post:
    """One activity the fake received."""

    conversation_id: str
    reply_to: str | None
    activity: dict[str, Any]
    authorization: str | None
    at: float = field(default_factory=time.monotonic)

    @property
    def text(self) -> str:
        """What the person reads: the text, or the card's fallback text."""
        card = self.card
        return str(self.activity.get("text") or (card or {}).get("fallbackText") or "")

    @property
    def card(self) -> dict[str, Any] | None:
        """The Adaptive Card attached, if any."""
        for attachment in self.activity.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment["content"]
        return None

    def buttons(self) -> list[dict[str, Any]]:
        """Every Action.Submit of the card (buttons in the body and the card's own actions)."""
        card = self.card or {}
        found = [a for element in card.get("body", []) if element.get("type") == "ActionSet"
                 for a in element["actions"]]
        return found + list(card.get("actions", []))

    def inputs(self) -> list[dict[str, Any]]:
        """The card's inputs, in order."""
        return [e for e in (self.card or {}).get("body", []) if str(e.get("type", "")).startswith("Input.")]


class FakeConnector:
    """Serve the fake on a random free port: ``async with FakeConnector() as connector: ...``."""

    def __init__(self) -> None:
        self.posts: list[Post] = []
        self.opened: list[dict[str, Any]] = []
        self.refuse_opening: int | None = None
        self.policy: Policy | None = None
        self.delay = 0.0
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._arrived = asyncio.Event()
        self.port = 0
        self.files: dict[str, bytes] = {}
        self.emails: dict[str, str] = {}  # member id (29:...) -> email, as get_conversation_member gives
        self.member_lookups: list[str] = []
        self.downloads: list[str] = []

    @property
    def url(self) -> str:
        """The service URL activities name (``serviceUrl``), with its trailing slash."""
        return f"http://127.0.0.1:{self.port}/"

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Post]:
        """Wait until at least ``count`` activities have arrived; all of them."""
        deadline = time.monotonic() + timeout
        while len(self.posts) < count:
            self._arrived.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"expected {count} activities, got {len(self.posts)}: "
                                     f"{[p.text for p in self.posts]}")
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                continue
        return self.posts

    def add_file(self, name: str, content: bytes) -> dict[str, Any]:
        """A file attached in a personal chat, as the message activity lists it (its download URL
        served by this fake, without authentication, like Teams' pre-authenticated links)."""
        key = f"file{len(self.files) + 1}"
        self.files[key] = content
        return {"contentType": "application/vnd.microsoft.teams.file.download.info", "name": name,
                "contentUrl": f"https://contoso.sharepoint.com/personal/{name}",
                "content": {"downloadUrl": f"http://127.0.0.1:{self.port}/files/{key}", "uniqueId": key,
                            "fileType": name.rsplit(".", 1)[-1]}}

    def to(self, conversation_id: str) -> list[Post]:
        """The activities sent to one conversation."""
        return [p for p in self.posts if p.conversation_id == conversation_id]

    # --- server --------------------------------------------------------------------------

    async def __aenter__(self) -> FakeConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._open)
        app.router.add_get("/files/{key}", self._download)
        app.router.add_get("/v3/conversations/{conversation}/members/{member}", self._member)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._post)
        self._runner, self.port = await serve_locally(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _post(self, request: web.Request) -> web.Response:
        post = Post(request.match_info["conversation"], request.match_info.get("activity"),
                    json.loads(await request.text()), request.headers.get("Authorization"))
        if self.policy is not None:
            answer = await self.policy(post)
            if answer is not None:
                return answer
        if self.delay:
            await asyncio.sleep(self.delay)
        self.posts.append(post)
        self._arrived.set()
        return web.json_response({"id": f"1:{next(self._ids)}"})

    async def _member(self, request: web.Request) -> web.Response:
        member = request.match_info["member"]
        self.member_lookups.append(member)
        email = self.emails.get(member)
        if email is None:
            return web.json_response({"error": {"code": "MemberNotFoundInConversation"}}, status=404)
        return web.json_response({"id": member, "name": "", "email": email, "userPrincipalName": email,
                                  "aadObjectId": member.removeprefix("29:")})

    async def _download(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        self.downloads.append(key)
        if key not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[key], content_type="text/csv")

    async def _open(self, request: web.Request) -> web.Response:
        parameters = json.loads(await request.text())
        self.opened.append(parameters)
        if self.refuse_opening is not None:
            return web.json_response({"error": {"code": "Forbidden"}}, status=self.refuse_opening)
        [member] = parameters["members"]
        return web.json_response({"id": "a:personal-" + str(member["id"]).removeprefix("29:")}, status=201)
