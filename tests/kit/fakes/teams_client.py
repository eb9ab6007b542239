"""Drive ``mentorbot serve``'s Teams endpoint like Teams does: activities POSTed over HTTP.

Activities start from the recorded shapes in ``tests/fixtures/teams/`` and change only the
tenant, the person, the ids and what they did. Each call returns what the bot sent back to
that person's chat (recorded by the fake connector).
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from adapters.teams.app import TeamsAdapter, TeamsConfig
from bot.engine import MentorBot
from mentorbot.server import build_app
from tests.kit.fakes.local_http import serve_locally
from tests.kit.fakes.teams_connector import FakeConnector, Post

FIXTURES = Path(__file__).parents[2] / "fixtures" / "teams"
BOT_ID = "28:00000000-0000-0000-0000-0000000000b0"
_ids = itertools.count(1_763_900_000_000)


def fixture(name: str) -> dict[str, Any]:
    """A recorded Teams activity, as a fresh dict."""
    return copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text()))


@dataclass(frozen=True)
class Member:
    """Someone in the tenant: their Teams user id, Entra object id and personal chat with the bot."""

    name: str
    aad: str
    timezone: str = "Europe/Brussels"

    @property
    def user_id(self) -> str:
        return f"29:{self.aad}"

    @property
    def chat(self) -> str:
        return f"a:personal-{self.aad}"


@dataclass
class Reply:
    """What the endpoint answered."""

    status: int
    text: str


class TeamsDriver:
    """Sends what people of one tenant do to ``/api/messages``."""

    def __init__(self, base_url: str, connector: FakeConnector, tenant: str,
                 settle: Callable[[], Awaitable[object]], token: Callable[[], str | None] = lambda: None) -> None:
        self.url = f"{base_url}/api/messages"
        self.connector = connector
        self.tenant = tenant
        self.settle = settle
        self.token = token

    def activity(self, name: str, member: Member, /, **changes: Any) -> dict[str, Any]:
        """The fixture ``name`` as sent by ``member`` in their personal chat."""
        activity = fixture(name)
        activity.update(id=str(next(_ids)), serviceUrl=self.connector.url)
        activity["from"].update(id=member.user_id, aadObjectId=member.aad, name=member.name)
        activity["conversation"].update(id=member.chat, tenantId=self.tenant)
        activity["channelData"]["tenant"]["id"] = self.tenant
        if "localTimezone" in activity:
            activity["localTimezone"] = member.timezone
        activity.update(changes)
        return activity

    async def post(self, body: dict[str, Any] | str, headers: dict[str, str] | None = None) -> Reply:
        """POST one activity (or a raw body), with the bearer token unless ``headers`` say otherwise."""
        raw = body if isinstance(body, str) else json.dumps(body)
        token = self.token()
        sent = headers if headers is not None else {"Content-Type": "application/json",
                                                    **({"Authorization": f"Bearer {token}"} if token else {})}
        async with aiohttp.ClientSession() as session, session.post(self.url, data=raw, headers=sent) as response:
            return Reply(response.status, await response.text())

    async def send(self, member: Member, activity: dict[str, Any]) -> list[Post]:
        """POST ``activity``, wait for the bot to finish, and return what it sent to ``member``'s chat."""
        before = len(self.connector.to(member.chat))
        reply = await self.post(activity)
        assert reply.status in (200, 201, 202), f"{reply.status}: {reply.text}"
        await self.settle()
        return self.connector.to(member.chat)[before:]

    async def install(self, member: Member) -> list[Post]:
        """``member`` adds the app: Teams sends installationUpdate, then conversationUpdate."""
        first = await self.send(member, self.activity("installation_update_add", member))
        return first + await self.send(member, self.activity("conversation_update_bot_added", member))

    async def say(self, member: Member, text: str) -> list[Post]:
        """``member`` types ``text`` in the personal chat."""
        return await self.send(member, self.activity("message_personal", member, text=text))

    async def press(self, member: Member, title: str) -> list[Post]:
        """``member`` presses the button titled ``title`` on the latest card that has one."""
        for post in reversed(self.connector.to(member.chat)):
            for button in post.buttons():
                if button["title"] == title:
                    return await self.submit_data(member, button["data"])
        raise AssertionError(f"no button {title!r} in {member.name}'s chat")

    async def fill(self, member: Member, answers: dict[str, str | list[str]]) -> list[Post]:
        """``member`` fills in the latest form card with ``answers`` (by input id) and submits it.

        Inputs not answered keep the value the card shows, as in Teams."""
        form = next((p for p in reversed(self.connector.to(member.chat)) if p.inputs()), None)
        assert form is not None, f"no form in {member.name}'s chat"
        submit = next(b for b in form.buttons() if "mentorbot_form" in b["data"])
        numbered = submit["data"].get("mentorbot_multi", {})
        values = {i["id"]: str(i.get("value", "")) for i in form.inputs()}
        for name, answer in answers.items():  # a multi-select's picks go back as its choices' numbers
            picks = [str(numbered[name].index(v)) for v in answer] if name in numbered else answer
            values[name] = ",".join(picks) if isinstance(picks, list) else picks
        return await self.submit_data(member, {**submit["data"], **values})

    async def submit_data(self, member: Member, value: dict[str, Any]) -> list[Post]:
        """An Action.Submit from ``member``'s chat carrying ``value``."""
        activity = self.activity("card_submit", member, value=value)
        return await self.send(member, activity)


@asynccontextmanager
async def serving(bot: MentorBot, connector: FakeConnector, config: TeamsConfig | None = None,
                  **delivery_options: Any) -> AsyncIterator[tuple[str, TeamsAdapter]]:
    """``mentorbot serve``'s application with the Teams adapter, on a random free port."""
    config = config or TeamsConfig(allow_unauthenticated=True)
    adapter = TeamsAdapter(bot, config, delivery_options=delivery_options or None)
    runner, port = await serve_locally(build_app(bot.db, [adapter]))
    try:
        yield f"http://127.0.0.1:{port}", adapter
    finally:
        await runner.cleanup()
        await adapter.close()
