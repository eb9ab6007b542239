"""The outbox sender: claims due nudges, renders them and delivers them through the adapters.

A nudge row goes ``pending -> claimed -> sent`` (or ``expired``, ``canceled``, ``failed``,
or back to ``pending`` with a later ``due_at`` after a failed attempt). Claims are committed
before anything is sent and carry a lease: a sender that dies leaves its rows ``claimed``,
and once the lease has run out any sender claims them again. A crash therefore loses no
nudge; at most the one that was in flight goes out twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.delivery import Deliverer, DeliveryResult
from bot.messages import Address, Message
from storage.db import Database
from storage.enums import NudgeStatus
from storage.models import Nudge, Person
from storage.repository import Repository

log = logging.getLogger(__name__)

Render = Callable[[Repository, Nudge, datetime], Awaitable[Message | None]]
"""Turns a nudge into the message to send, or None when it no longer applies."""

BACKOFF_BASE = timedelta(minutes=2)
BACKOFF_CAP = timedelta(hours=1)
# A safety bound on one drain: the loop also ends as soon as a pass sends nothing or
# finds less than a full batch, so this only stops a queue that refills forever.
MAX_PASSES = 1000
ERROR_LIMIT = 500


@dataclass
class DrainReport:
    """What one :meth:`Outbox.drain` did, counted per outcome."""

    sent: int = 0
    failed: int = 0
    retried: int = 0
    expired: int = 0
    canceled: int = 0

    def count(self, outcome: str | None) -> None:
        """Add one row that ended as ``outcome`` (None: taken over by another sender)."""
        if outcome is not None:
            setattr(self, outcome, getattr(self, outcome) + 1)

    def merge(self, other: DrainReport) -> None:
        """Add ``other``'s counts to these."""
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)


@dataclass(frozen=True)
class _Ready:
    """A rendered nudge, ready to go out."""

    address: Address
    message: Message
    deliverer: Deliverer


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 2, 4, 8... minutes, at most 1 h."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


def address_of(stored: Mapping[str, Any] | None) -> Address | None:
    """The :class:`Address` stored on a person (None when they were never seen, or it is unreadable)."""
    if not stored:
        return None
    try:
        return Address(str(stored["platform"]), str(stored["tenant"]), str(stored["user_id"]),
                       stored.get("reference"))
    except KeyError:
        return None


class Outbox:
    """Sends due nudges through the deliverer of each recipient's platform.

    ``deliverers`` maps a platform name to its :class:`~bot.delivery.Deliverer`. With
    ``own_platforms_only`` the outbox claims only nudges for people of those platforms
    (the terminal chat, which must not fail the Slack and Teams nudges of a shared database);
    otherwise a nudge for a platform without a deliverer fails with a clear error.
    """

    def __init__(self, db: Database, deliverers: Mapping[str, Deliverer], render: Render, clock: Clock,
                 worker_id: str, lease: timedelta = timedelta(minutes=5), batch: int = 100,
                 max_attempts: int = 6, *, own_platforms_only: bool = False) -> None:
        self.db = db
        self.deliverers = dict(deliverers)
        self.render = render
        self.clock = clock
        self.worker_id = worker_id
        self.lease = lease
        self.batch = batch
        self.max_attempts = max_attempts
        self.own_platforms_only = own_platforms_only
        self._stopping = False

    def stop(self) -> None:
        """Make a drain under way stop after the nudge in flight, handing back the rest of its claim."""
        self._stopping = True

    async def drain(self) -> DrainReport:
        """Send everything due, pass after pass, so that a backlog goes out in one call.

        Stops when a pass finds less than a full batch (nothing due is left), or when a pass
        sends nothing and some of its deliveries failed (the platforms look down: the
        back-off decides when to try again). Expired and canceled rows do not stop it, so a
        backlog of stale nudges after downtime is cleared in one call too.
        """
        report = DrainReport()
        for _ in range(MAX_PASSES):
            if self._stopping:
                break
            claimed = await self.claim()
            this_pass = DrainReport()
            await self._send_all(claimed, this_pass)
            report.merge(this_pass)
            if len(claimed) < self.batch or (this_pass.sent == 0 and this_pass.retried + this_pass.failed > 0):
                break
        if any(vars(report).values()):
            log.info("outbox %s: %s", self.worker_id, report)
        return report

    async def claim(self) -> list[int]:
        """Claim up to ``batch`` due rows (and rows whose claim outlived its lease) and commit; their ids."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            query = select(Nudge.id).where(self._claimable(now)).order_by(Nudge.due_at, Nudge.id).limit(self.batch)
            if self.db.dialect == "postgresql":
                # Concurrent senders each take rows nobody else holds, without waiting.
                query = query.with_for_update(skip_locked=True)
            ids = list(await session.scalars(query))
            if not ids:
                return []
            # The condition again, so that on SQLite (no row locks) a second process that read
            # the same rows before this commit claims none of them.
            claim = (
                update(Nudge)
                .where(Nudge.id.in_(ids), self._claimable(now))
                .values(status=NudgeStatus.CLAIMED, claimed_at=now, claimed_by=self.worker_id)
                .returning(Nudge.id)
                .execution_options(synchronize_session=False)
            )
            won = set(await session.scalars(claim))
        return [nudge_id for nudge_id in ids if nudge_id in won]

    def _claimable(self, now: datetime) -> ColumnElement[bool]:
        condition = or_(
            and_(Nudge.status == NudgeStatus.PENDING, Nudge.due_at <= now),
            and_(Nudge.status == NudgeStatus.CLAIMED, Nudge.claimed_at <= now - self.lease),
        )
        if self.own_platforms_only:
            people = select(Person.id).where(Person.platform.in_(list(self.deliverers)))
            condition = and_(condition, Nudge.person_id.in_(people))
        return condition

    async def _send_all(self, claimed: Sequence[int], report: DrainReport) -> None:
        for position, nudge_id in enumerate(claimed):
            if self._stopping:
                await self._release(claimed[position:])
                return
            report.count(await self._send_one(nudge_id))

    async def _send_one(self, nudge_id: int) -> str | None:
        """Handle one claimed row; the outcome (a :class:`DrainReport` field) or None."""
        try:
            ready = await self._prepare(nudge_id)
        except Exception as error:  # noqa: BLE001 - one bad nudge must not stop the drain
            log.exception("outbox: rendering nudge %s failed", nudge_id)
            return await self._failed_attempt(nudge_id, f"render raised {type(error).__name__}: {error}")
        if not isinstance(ready, _Ready):
            return ready
        try:
            result = await ready.deliverer.deliver(ready.address, ready.message)
        except Exception as error:  # noqa: BLE001 - deliverers should not raise; if one does, retry later
            log.exception("outbox: delivering nudge %s raised", nudge_id)
            result = DeliveryResult(ok=False, attempts=1, error=f"deliver raised {type(error).__name__}: {error}")
        if result.ok:
            return await self._sent(nudge_id)
        log.warning("outbox: nudge %s not delivered: %s", nudge_id, result.error)
        return await self._failed_attempt(nudge_id, result.error or "delivery failed")

    async def _prepare(self, nudge_id: int) -> _Ready | str | None:
        """Check and render a claimed row in one transaction: what to send, or the final outcome."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            nudge = await self._owned(session, nudge_id)
            if nudge is None:
                return None
            if nudge.expires_at is not None and nudge.expires_at <= now:
                return _close(nudge, NudgeStatus.EXPIRED)
            repo = Repository(session, nudge.tenant_id)
            person = await repo.person(nudge.person_id)
            if person is None or person.erased_at is not None:
                return _close(nudge, NudgeStatus.CANCELED, "the recipient's data was erased")
            message = await self.render(repo, nudge, now)
            if message is None:
                return _close(nudge, NudgeStatus.CANCELED, "no longer relevant")
            address = address_of(person.address)
            if address is None:
                return self._undeliverable(nudge, f"no address: person {person.id} was never seen on a platform")
            deliverer = self.deliverers.get(address.platform)
            if deliverer is None:
                return self._undeliverable(nudge, f"no deliverer for platform {address.platform!r} "
                                                  "(is it configured on this server?)")
            return _Ready(address, message, deliverer)

    def _undeliverable(self, nudge: Nudge, reason: str) -> str:
        log.warning("outbox: nudge %s (%s) failed: %s", nudge.id, nudge.kind, reason)
        return _close(nudge, NudgeStatus.FAILED, reason)

    async def _owned(self, session: AsyncSession, nudge_id: int) -> Nudge | None:
        """The row, if this sender still holds its claim (locked until commit on PostgreSQL)."""
        query = select(Nudge).where(Nudge.id == nudge_id, Nudge.status == NudgeStatus.CLAIMED,
                                    Nudge.claimed_by == self.worker_id)
        if self.db.dialect == "postgresql":
            query = query.with_for_update()
        nudge = await session.scalar(query)
        if nudge is None:
            log.info("outbox: nudge %s was taken over by another sender; leaving it to them", nudge_id)
        return nudge

    async def _sent(self, nudge_id: int) -> str | None:
        async with self.db.transaction() as session:
            nudge = await self._owned(session, nudge_id)
            if nudge is None:
                return None
            nudge.sent_at = self.clock.now()
            return _close(nudge, NudgeStatus.SENT)

    async def _failed_attempt(self, nudge_id: int, error: str) -> str | None:
        """Count a failed attempt: back to pending after a back-off, or failed for good."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            nudge = await self._owned(session, nudge_id)
            if nudge is None:
                return None
            nudge.attempts += 1
            if nudge.attempts >= self.max_attempts:
                return _close(nudge, NudgeStatus.FAILED, error)
            nudge.status = NudgeStatus.PENDING
            nudge.due_at = now + backoff(nudge.attempts)
            nudge.claimed_at = nudge.claimed_by = None
            nudge.last_error = error[:ERROR_LIMIT]
            return "retried"

    async def _release(self, ids: Sequence[int]) -> None:
        """Hand back claimed rows not yet handled, so that they need not wait for the lease."""
        async with self.db.transaction() as session:
            await session.execute(
                update(Nudge)
                .where(Nudge.id.in_(ids), Nudge.status == NudgeStatus.CLAIMED, Nudge.claimed_by == self.worker_id)
                .values(status=NudgeStatus.PENDING, claimed_at=None, claimed_by=None)
                .execution_options(synchronize_session=False)
            )


def _close(nudge: Nudge, status: NudgeStatus, error: str | None = None) -> str:
    """Give a row its final status; the matching :class:`DrainReport` field."""
    nudge.status = status
    if error is not None:
        nudge.last_error = error[:ERROR_LIMIT]
    return {NudgeStatus.SENT: "sent", NudgeStatus.FAILED: "failed", NudgeStatus.EXPIRED: "expired",
            NudgeStatus.CANCELED: "canceled"}[status]


class LoopDeliverer:
    """A deliverer that runs another one's deliveries on the event loop that deliverer belongs to.

    The outbox runs on the worker loop, while an adapter's HTTP sessions and token lookups
    live on the server's loop.
    """

    def __init__(self, inner: Deliverer, loop: asyncio.AbstractEventLoop) -> None:
        self.inner = inner
        self.platform = inner.platform
        self._loop = loop

    async def deliver(self, address: Address, message: Message) -> DeliveryResult:
        """Deliver through the wrapped deliverer, on its loop."""
        if asyncio.get_running_loop() is self._loop:
            return await self.inner.deliver(address, message)
        future = asyncio.run_coroutine_threadsafe(self.inner.deliver(address, message), self._loop)
        return await asyncio.wrap_future(future)
