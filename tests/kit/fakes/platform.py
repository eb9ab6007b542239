"""A platform that exists only in the tests: all a new platform brings, in one small module.

``FAKE_TOKEN`` (it must start with ``fk-``) configures it and ``FAKE_GREETING`` words its
command. ``POST /fake/messages`` with ``{"user": ..., "text": ...}`` hands the core a typed line
(a job for its turns) and answers with the replies' text; ``GET /fake/sent`` lists what its
deliverer sent (the messages the bot started; the test serves it with the core in a thread of
the serving process, so both sides see the same list). ``mentorbot fake-hello --name NAME`` is
its extra command.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from aiohttp import web
from pydantic import Field, SecretStr

from adapters.jobs import Inbox, Job, Turns
from adapters.platform import Adapter, CliCommand, PlatformSettings, PlatformSpec, TurnsWiring, Wiring
from bot.delivery import DeliveryResult
from bot.engine import MentorBot
from bot.messages import Address, Inbound, Message

FAKE = "fake"
TENANT = "fake-org"


class FakeSettings(PlatformSettings):
    """The fake platform's environment variables."""

    fake_token: SecretStr | None = None
    fake_greeting: str = Field(default="Hello", min_length=1)

    @property
    def configured(self) -> bool:
        """True once ``FAKE_TOKEN`` is set."""
        return self.fake_token is not None

    def problem(self) -> str | None:
        """``FAKE_TOKEN`` in the wrong shape."""
        if self.fake_token is not None and not self.fake_token.get_secret_value().startswith("fk-"):
            return "FAKE_TOKEN must start with fk-"
        return None


SENT: list[dict[str, Any]] = []
"""What the fake deliverer sent."""


class FakeAdapter:
    """The fake platform's routes."""

    platform = FAKE

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    def add_routes(self, web_app: web.Application) -> None:
        """``POST /fake/messages`` and ``GET /fake/sent``."""
        web_app.router.add_post("/fake/messages", self._message)
        web_app.router.add_get("/fake/sent", self._sent)

    async def close(self) -> None:
        """Nothing to release."""

    async def _message(self, request: web.Request) -> web.Response:
        body = await request.json()
        outcome = await self.inbox.submit(Job(FAKE, "say", {"user": body["user"], "text": body["text"]},
                                              key=body["user"]))
        return web.json_response({"replies": outcome.result})

    async def _sent(self, request: web.Request) -> web.Response:
        return web.json_response(SENT)


class FakeTurns:
    """The fake platform's jobs, run with the core, and its deliverer."""

    platform = FAKE

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot

    async def run(self, job: Job) -> Any:
        """A typed line: the replies' text."""
        user = str(job.data["user"])
        replies = await self.bot.handle(Inbound.typed(Address(FAKE, TENANT, user), str(job.data["text"]), user.title()))
        return [reply.text for reply in replies]

    async def deliver(self, address: Address, message: Message) -> DeliveryResult:
        """Record a message the bot starts."""
        SENT.append({"user": address.user_id, "text": message.text})
        return DeliveryResult(ok=True, attempts=1)

    async def close(self) -> None:
        """Nothing to release."""


def build(settings: FakeSettings, wiring: Wiring) -> Adapter:
    """The fake adapter, handing its jobs to the inbox."""
    return FakeAdapter(wiring.inbox)


def turns(settings: FakeSettings, wiring: TurnsWiring) -> Turns:
    """The fake turns, over the core."""
    return FakeTurns(wiring.bot)


def _hello_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", default="world", help="whom to greet")


def hello(settings: FakeSettings, args: argparse.Namespace) -> int:
    """Greet ``--name``: exit status 0, or 2 without a token."""
    if not settings.configured:
        print("mentorbot: FAKE_TOKEN is not set", file=sys.stderr)
        return 2
    print(f"{settings.fake_greeting}, {args.name}!")
    return 0


PLATFORM = PlatformSpec(name=FAKE, label="Fake", settings=FakeSettings, build=build, turns=turns,
                        commands=(CliCommand(name="fake-hello", help="greet someone the fake way",
                                             arguments=_hello_arguments, run=hello),))
