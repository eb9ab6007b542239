"""Outbox rows created directly, a recording deliverer and a stand-in renderer (scheduler and delivery tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.delivery import DeliveryResult
from bot.messages import Address, Message, say
from scheduler.outbox import Outbox
from storage.db import Database
from storage.enums import NudgeKind, NudgeStatus
from storage.models import Nudge, Person, Tenant
from storage.repository import Repository
from tests.kit.world import START


@dataclass
class Recorder:
    """A deliverer that records what it sends; ``outcomes`` decides each result in turn
    (True: ok, False: failed, an exception: raised), then ``ok`` for the rest."""

    platform: str = "console"
    outcomes: list[bool | Exception] = field(default_factory=list)
    ok: bool = True
    sent: list[tuple[str, str]] = field(default_factory=list)
    on_deliver: Callable[[], Any] | None = None

    async def deliver(self, address: Address, message: Message) -> DeliveryResult:
        """Record the delivery and answer the next outcome."""
        if self.on_deliver is not None:
            await self.on_deliver()
        outcome = self.outcomes.pop(0) if self.outcomes else self.ok
        if isinstance(outcome, Exception):
            raise outcome
        if not outcome:
            return DeliveryResult(ok=False, attempts=1, error="rate_limited")
        self.sent.append((address.user_id, message.text))
        return DeliveryResult(ok=True, attempts=1, message_id=str(len(self.sent)))


async def render(repo: Repository, nudge: Nudge, now: datetime) -> Message | None:
    """The lead's ``render_nudge`` stand-in: the payload's text, None when marked stale."""
    if nudge.payload.get("stale"):
        return None
    if nudge.payload.get("explode"):
        raise RuntimeError("render blew up")
    person = await repo.person(nudge.person_id)
    assert person is not None and person.tenant_id == repo.tenant_id
    return say(str(nudge.payload.get("text", f"nudge {nudge.key}")))


async def add_tenant(db: Database, platform: str = "console", external_id: str = "local") -> int:
    """A tenant row; its id."""
    async with db.transaction() as session:
        tenant = Tenant(platform=platform, external_id=external_id, name="", created_at=START)
        session.add(tenant)
        await session.flush()
        return tenant.id


async def add_person(db: Database, tenant_id: int, user_id: str, *, platform: str = "console",
                     address: bool = True, erased: bool = False) -> int:
    """A person, reachable on ``platform`` unless ``address`` is false; their id."""
    stored = {"platform": platform, "tenant": "local", "user_id": user_id, "reference": None} if address else None
    async with db.transaction() as session:
        person = Person(tenant_id=tenant_id, platform=platform, user_id=user_id, display_name=user_id,
                        address=stored, created_at=START, erased_at=START if erased else None)
        session.add(person)
        await session.flush()
        return person.id


async def add_nudge(db: Database, tenant_id: int, person_id: int, key: str, due_at: datetime = START,
                    expires_at: datetime | None = None, **payload: Any) -> int:
    """A pending nudge; its id."""
    async with db.transaction() as session:
        nudge = Nudge(tenant_id=tenant_id, person_id=person_id, kind=NudgeKind.REMINDER, key=key,
                      payload=payload, due_at=due_at, expires_at=expires_at, status=NudgeStatus.PENDING,
                      attempts=0, created_at=START)
        session.add(nudge)
        await session.flush()
        return nudge.id


async def nudge(db: Database, nudge_id: int) -> Nudge:
    """The nudge row as stored now."""
    async with db.transaction() as session:
        row = await session.get(Nudge, nudge_id)
        assert row is not None
        return row


async def statuses(db: Database) -> dict[str, str]:
    """Each nudge's key and status."""
    async with db.transaction() as session:
        rows = (await session.execute(Nudge.__table__.select())).all()
        return {row.key: row.status for row in rows}


def outbox(db: Database, deliverer: Recorder, clock: Clock, worker: str = "test-worker", **options: Any) -> Outbox:
    """An outbox with ``deliverer`` for its platform and the stand-in renderer."""
    return Outbox(db, {deliverer.platform: deliverer}, render, clock, worker, **options)


LEASE = timedelta(minutes=5)
