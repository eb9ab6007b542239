"""A program whose organization connected its calendars (Microsoft 365 or Google Workspace): the
fake service, a provider pointed at it, and people with work emails; and a neutral view of the
events on the fakes, so that one transcript checks both providers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.calendars.provider import Calendars
from bot.clock import FakeClock
from bot.engine import MentorBot
from bot.pairs.calendar_sync import POLL, SyncReport, sync_calendars
from calendars.google import GoogleProvider, ServiceAccount
from calendars.graph import GraphProvider
from calendars.http import Backoff
from storage.models import MentoringSession, Nudge, Person
from tests.kit.fakes.google_calendar import FakeGoogle, service_account_info
from tests.kit.fakes.graph import CLIENT_ID, CLIENT_SECRET, FakeGraph
from tests.kit.transcript import Chats
from tests.kit.world import MENTEE, MENTOR, World

TENANT = "contoso-tenant"
DOMAIN = "contoso.example"
PROVIDERS = ("microsoft", "google")
LABELS = {"microsoft": "Microsoft 365", "google": "Google Workspace"}


async def no_wait(_: float) -> None:
    return None


def graph_provider(graph: FakeGraph) -> GraphProvider:
    """The Graph provider on the fake, retrying without waiting."""
    return GraphProvider(graph.api_url, graph.login_url, CLIENT_ID, CLIENT_SECRET, verify=graph.tls,
                         backoff=Backoff(sleep=no_wait))


def google_provider(google: FakeGoogle, info: dict[str, str]) -> GoogleProvider:
    """The Google provider on the fake, with the test's service account, retrying without waiting."""
    return GoogleProvider(google.api_url, google.token_url, ServiceAccount(info), backoff=Backoff(sleep=no_wait))


@dataclass(frozen=True)
class EventView:
    """An event on a fake calendar, the same for Graph's shape and Google's."""

    subject: str
    body: str
    attendees: list[str]
    start: datetime
    local_start: str
    zone: str
    online: bool
    canceled: bool


def view(event: dict[str, Any]) -> EventView:
    """What a test checks of an event stored by either fake."""
    if "kind" in event:  # Google
        start = datetime.fromisoformat(event["start"]["dateTime"].replace("Z", "+00:00"))
        zone = event["start"].get("timeZone", "UTC")
        return EventView(event.get("summary", ""), event.get("description", ""),
                         [a["email"] for a in event.get("attendees", [])], start.astimezone(UTC),
                         start.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M:%S"), zone,
                         "hangoutLink" in event, event["status"] == "cancelled")
    zone = event["start"]["timeZone"]
    local = datetime.fromisoformat(event["start"]["dateTime"].split(".")[0])
    return EventView(event["subject"], event["body"]["content"],
                     [a["emailAddress"]["address"] for a in event["attendees"]],
                     local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC), local.strftime("%Y-%m-%dT%H:%M:%S"), zone,
                     bool(event.get("isOnlineMeeting")), bool(event.get("isCancelled")))


def email(name: str) -> str:
    return f"{name.lower()}@{DOMAIN}"


@dataclass
class Connected:
    """The world, the fake calendar service, the calendars and a chat, for one test."""

    world: World
    fake: FakeGraph | FakeGoogle
    calendars: Calendars
    chats: Chats
    clock: FakeClock
    provider: str = "microsoft"

    @property
    def directory(self) -> str:
        """The organization in the service: the Entra tenant, or the Workspace domain."""
        return TENANT if self.provider == "microsoft" else DOMAIN

    @property
    def label(self) -> str:
        return LABELS[self.provider]

    @property
    def connect(self) -> str:
        """The admin's command that connects the organization's calendars."""
        option = "tenant" if self.provider == "microsoft" else "domain"
        return f"/mentoring calendar connect {self.provider} {option}={self.directory}"

    def bot_events(self, name: str) -> list[EventView]:
        """The events the bot made on the person's calendar."""
        return [view(event) for event in self.fake.bot_events(email(name))]

    async def sync(self) -> SyncReport:
        """One run of the ``calendar_sync`` job, a poll interval after the last."""
        self.clock.advance(POLL + timedelta(minutes=1))
        return await sync_calendars(self.world.db, self.clock, self.calendars)

    async def sessions(self) -> list[MentoringSession]:
        async with self.world.db.transaction() as session:
            return list(await session.scalars(select(MentoringSession).order_by(MentoringSession.id)))

    async def nudges(self, kind: str) -> list[Nudge]:
        return [n for n in await self.world.nudges() if n.kind == kind]

    async def lose_the_answer(self, session_id: int) -> None:
        """As if the create's answer never came back: the bot does not know the event's id."""
        async with self.world.db.transaction() as session:
            await session.execute(update(MentoringSession).where(MentoringSession.id == session_id)
                                  .values(calendar_event_id=None, calendar_push="create"))


async def give_emails(world: World) -> None:
    async with world.db.transaction() as session:
        for name, person_id in world.people.items():
            person = await session.get(Person, person_id)
            assert person is not None
            person.email = email(name)


@asynccontextmanager
async def connected_world(world: World, clock: FakeClock, tmp_path: object, public_url: str | None = None,
                          provider: str = "microsoft") -> AsyncIterator[Connected]:
    """Zoe (Brussels) mentors Victor (New York); Ada runs the program; all in the Contoso tenant
    (Microsoft 365) or the contoso.example Workspace domain (Google)."""
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", zone="America/New_York", role=MENTEE)
    await world.pair("Zoe", "Victor")
    await give_emails(world)
    people = [email(name) for name in world.people]
    async with _service(provider) as (fake, calendar, directory):
        fake.add_tenant(directory, *people)
        calendars = Calendars({provider: calendar}, public_url)
        bot = MentorBot(world.db, clock, calendars=calendars)
        chats = Chats(bot, invites_dir=Path(str(tmp_path)) / "invites")
        try:
            yield Connected(world, fake, calendars, chats, clock, provider)
        finally:
            await calendar.close()


@asynccontextmanager
async def _service(provider: str) -> AsyncIterator[tuple[Any, Any, str]]:
    if provider == "microsoft":
        async with FakeGraph() as graph:
            yield graph, graph_provider(graph), TENANT
        return
    info, public = service_account_info()
    async with FakeGoogle(public) as google:
        yield google, google_provider(google, info), DOMAIN
