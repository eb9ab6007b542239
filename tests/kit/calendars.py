"""A program whose organization connected Microsoft 365: the fake Graph, a provider pointed at it,
and people with work emails (the ``connected`` fixture's)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from bot.calendars.provider import Calendars
from bot.clock import FakeClock
from bot.engine import MentorBot
from bot.pairs.calendar_sync import POLL, SyncReport, sync_calendars
from calendars.graph import GraphProvider
from calendars.http import Backoff
from storage.models import MentoringSession, Nudge, Person
from tests.kit.fakes.graph import CLIENT_ID, CLIENT_SECRET, FakeGraph
from tests.kit.transcript import Chats
from tests.kit.world import MENTEE, MENTOR, World

TENANT = "contoso-tenant"
DOMAIN = "contoso.example"


async def no_wait(_: float) -> None:
    return None


def graph_provider(graph: FakeGraph) -> GraphProvider:
    """The Graph provider on the fake, retrying without waiting."""
    return GraphProvider(graph.api_url, graph.login_url, CLIENT_ID, CLIENT_SECRET, verify=graph.tls,
                         backoff=Backoff(sleep=no_wait))


def email(name: str) -> str:
    return f"{name.lower()}@{DOMAIN}"


@dataclass
class Connected:
    """The world, the fake Graph, the calendars and a chat, for one test."""

    world: World
    graph: FakeGraph
    calendars: Calendars
    chats: Chats
    clock: FakeClock

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
                          ) -> AsyncIterator[Connected]:
    """Zoe (Brussels) mentors Victor (New York); Ada runs the program; all in the Contoso tenant."""
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", zone="America/New_York", role=MENTEE)
    await world.pair("Zoe", "Victor")
    await give_emails(world)
    async with FakeGraph() as graph:
        graph.add_tenant(TENANT, *(email(name) for name in world.people))
        provider = graph_provider(graph)
        calendars = Calendars({"microsoft": provider}, public_url)
        bot = MentorBot(world.db, clock, calendars=calendars)
        from pathlib import Path
        chats = Chats(bot, invites_dir=Path(str(tmp_path)) / "invites")
        try:
            yield Connected(world, graph, calendars, chats, clock)
        finally:
            await provider.close()
