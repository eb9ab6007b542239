"""The outbox sender: claims due nudges, renders them and delivers them through the adapters.

A nudge row goes ``pending -> claimed -> sent`` (or ``expired``, ``canceled``, ``failed``,
or back to ``pending`` with a later ``due_at`` after a failed attempt, or when its recipient is
not at work now: every row is checked against its recipient's working hours, zone and pause as
they are when it goes out, see :mod:`bot.cadence.send_time`). Claims are committed
before anything is sent and carry a lease: a sender that dies leaves its rows ``claimed``,
and once the lease has run out any sender claims them again. A crash therefore loses no
nudge; at most the one that was in flight goes out twice.

A nudge whose payload lists other people under ``"together"`` (two people matched: one
introduction) is rendered once and goes to the recipient and those people: in one
conversation when the platform's deliverer is a :class:`~bot.delivery.GroupDeliverer`, else
to each in turn, recording each person reached in ``payload["reached"]`` so that a retry
skips them.

A nudge whose payload holds a ``"channel"`` address (a lunch-and-learn's audience channel)
is posted in that shared conversation instead of the recipient's own; the recipient is then
the person it is posted on behalf of (whose working hours and tenant it follows).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import health, metrics
from bot.cadence.send_time import send_check
from bot.clock import Clock
from bot.delivery import Deliverer, DeliveryResult, GroupDeliverer
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
    deferred: int = 0

    def count(self, outcome: str | None) -> None:
        """Add one row that ended as ``outcome`` (None: taken over by another sender)."""
        if outcome is not None:
            setattr(self, outcome, getattr(self, outcome) + 1)

    def merge(self, other: DrainReport) -> None:
        """Add ``other``'s counts to these."""
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)


@dataclass(frozen=True)
class _Target:
    """One person a nudge goes to, where and through what."""

    person_id: int
    address: Address
    deliverer: Deliverer


@dataclass(frozen=True)
class _Ready:
    """A rendered nudge, ready to go out.

    With ``group``, one message to a conversation holding all ``targets``; otherwise one to
    each target in turn, and with ``together`` each one reached is recorded on the row.
    """

    message: Message
    targets: tuple[_Target, ...]
    group: GroupDeliverer | None = None
    together: bool = False


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 2, 4, 8... minutes, at most 1 h."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


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
        self._last_undeliverable = ""

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
            outcome = await self._failed_attempt(nudge_id, f"render raised {type(error).__name__}: {error}")
            return _counted("none", outcome, "render_failed")
        if not isinstance(ready, _Ready):
            return _counted("none", ready, self._last_undeliverable)
        platform = ready.targets[0].address.platform if ready.targets else "none"
        result = await self._deliver(nudge_id, ready)
        if result is None:
            return None
        if result.ok:
            return _counted(platform, await self._sent(nudge_id))
        log.warning("outbox: nudge %s not delivered: %s", nudge_id, result.error)
        return _counted(platform, await self._failed_attempt(nudge_id, result.error or "delivery failed"),
                        result.error)

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
            check = await send_check(repo, nudge, person, now)
            if check.dropped is not None:
                log.info("outbox: nudge %s (%s) dropped: %s", nudge.id, nudge.kind, check.dropped)
                return _close(nudge, NudgeStatus.EXPIRED if check.expired else NudgeStatus.CANCELED, check.dropped)
            if check.until is not None:
                return _defer(nudge, check.until)
            message = await self.render(repo, nudge, now)
            if message is None:
                return _close(nudge, NudgeStatus.CANCELED, "no longer relevant")
            if "together" in nudge.payload:
                return await self._together(repo, nudge, person, message)
            target = self._target(person, nudge.payload.get("channel"))
            if isinstance(target, str):
                return await self._failed_for_good(session, nudge, target)
            return _Ready(message, (target,))

    def _target(self, person: Person, channel: Mapping[str, Any] | None = None) -> _Target | str:
        """Where and through which deliverer ``person`` is reached (or, with ``channel``, the
        shared conversation the message is posted in for them), or why they cannot be."""
        address = Address.from_dict(channel) if channel else Address.from_dict(person.address)
        if address is None and channel:
            return f"unreadable channel address on the nudge for person {person.id}"
        if address is None:
            return f"no address: person {person.id} was never seen on a platform"
        deliverer = self.deliverers.get(address.platform)
        if deliverer is None:
            return f"no deliverer for platform {address.platform!r} (is it configured on this server?)"
        return _Target(person.id, address, deliverer)

    async def _together(self, repo: Repository, nudge: Nudge, recipient: Person, message: Message) -> _Ready | str:
        """The targets of a nudge for several people: those not reached yet who can be reached.

        Whoever cannot be reached is skipped with a warning; the row fails only when nobody
        can. One group conversation when everyone can be, on one platform and tenant whose
        deliverer supports it, and nobody was reached by an earlier attempt.
        """
        reached = set(nudge.payload.get("reached") or [])
        targets: list[_Target] = []
        problems: list[str] = []
        for person in await _together_people(repo, nudge, recipient):
            if person.id in reached:
                continue
            target = self._target(person)
            if isinstance(target, str):
                log.warning("outbox: nudge %s (%s): skipping person %s: %s", nudge.id, nudge.kind, person.id, target)
                problems.append(target)
            else:
                targets.append(target)
        if not targets and not reached:
            return await self._failed_for_good(repo.session, nudge, "; ".join(problems))
        group = None if reached or problems else _group_of(targets)
        return _Ready(message, tuple(targets), group, together=True)

    async def _failed_for_good(self, session: AsyncSession, nudge: Nudge, reason: str) -> str:
        """Close a row that will never go out; the program admins hear of it (see :mod:`bot.health`)."""
        log.warning("outbox: nudge %s (%s) failed: %s", nudge.id, nudge.kind, reason)
        self._last_undeliverable = reason
        now = self.clock.now()
        outcome = _close(nudge, NudgeStatus.FAILED, reason)
        nudge.failed_at = now
        await health.delivery_failed(session, nudge, reason, now)
        return outcome

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

    async def _deliver(self, nudge_id: int, ready: _Ready) -> DeliveryResult | None:
        """Send a rendered nudge: the result (the first failure stops), or None when the claim was lost."""
        if ready.group is not None:
            addresses = [target.address for target in ready.targets]
            return await _attempt(nudge_id, ready.group.deliver_group(addresses, ready.message))
        result = DeliveryResult(ok=True, attempts=0)
        for target in ready.targets:
            result = await _attempt(nudge_id, target.deliverer.deliver(target.address, ready.message))
            if not result.ok:
                return result
            if ready.together and not await self._mark_reached(nudge_id, target.person_id):
                return None
        return result

    async def _mark_reached(self, nudge_id: int, person_id: int) -> bool:
        """Record on the row that ``person_id`` got the message, so that a retry skips them
        (False when the claim was lost)."""
        async with self.db.transaction() as session:
            nudge = await self._owned(session, nudge_id)
            if nudge is None:
                return False
            reached = list(nudge.payload.get("reached") or [])
            nudge.payload = {**nudge.payload, "reached": [*reached, person_id]}  # a new dict: a change SQLAlchemy sees
            return True

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
                return await self._failed_for_good(session, nudge, error)
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


async def _together_people(repo: Repository, nudge: Nudge, recipient: Person) -> list[Person]:
    """The recipient, then each person of ``payload["together"]`` (erased or missing ones left out)."""
    people = [recipient]
    for person_id in nudge.payload.get("together") or []:
        person = await repo.person(int(person_id))
        if person is not None and person.erased_at is None and all(p.id != person.id for p in people):
            people.append(person)
    return people


def _group_of(targets: Sequence[_Target]) -> GroupDeliverer | None:
    """The deliverer that reaches all ``targets`` in one conversation, if there is one:
    several people on one platform and tenant, whose deliverer has ``deliver_group``."""
    if len(targets) < 2:
        return None
    first = targets[0].address
    if any((t.address.platform, t.address.tenant) != (first.platform, first.tenant) for t in targets):
        return None
    deliverer = targets[0].deliverer
    return cast(GroupDeliverer, deliverer) if callable(getattr(deliverer, "deliver_group", None)) else None


async def _attempt(nudge_id: int, delivery: Awaitable[DeliveryResult]) -> DeliveryResult:
    """Await one delivery; a deliverer that raises (it should not) counts as a failed attempt."""
    try:
        return await delivery
    except Exception as error:  # noqa: BLE001 - deliverers should not raise; if one does, retry later
        log.exception("outbox: delivering nudge %s raised", nudge_id)
        return DeliveryResult(ok=False, attempts=1, error=f"deliver raised {type(error).__name__}: {error}")


def _counted(platform: str, outcome: str | None, error: str | None = None) -> str | None:
    """Count a delivery that was sent, retried or failed for good (``mentorbot_deliveries``)."""
    if outcome in ("sent", "retried", "failed"):
        reason = "" if outcome == "sent" else metrics.reason_label(error)
        metrics.DELIVERIES.labels(platform, outcome, reason).inc()
    return outcome


def _defer(nudge: Nudge, until: datetime) -> str:
    """Hand a row back to wait for its recipient's next working moment."""
    nudge.status, nudge.due_at = NudgeStatus.PENDING, until
    nudge.claimed_at = nudge.claimed_by = None
    return "deferred"


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
    live on the server's loop. Build one with :func:`loop_deliverer`, which keeps group delivery.
    """

    def __init__(self, inner: Deliverer, loop: asyncio.AbstractEventLoop) -> None:
        self.inner = inner
        self.platform = inner.platform
        self._loop = loop

    async def deliver(self, address: Address, message: Message) -> DeliveryResult:
        """Deliver through the wrapped deliverer, on its loop."""
        return await self._on_loop(self.inner.deliver(address, message))

    async def _on_loop(self, work: Coroutine[Any, Any, DeliveryResult]) -> DeliveryResult:
        if asyncio.get_running_loop() is self._loop:
            return await work
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self._loop))


class LoopGroupDeliverer(LoopDeliverer):
    """A :class:`LoopDeliverer` around a :class:`~bot.delivery.GroupDeliverer`: group deliveries too."""

    def __init__(self, inner: GroupDeliverer, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(inner, loop)
        self._group = inner

    async def deliver_group(self, addresses: Sequence[Address], message: Message) -> DeliveryResult:
        """Deliver to several people at once through the wrapped deliverer, on its loop."""
        return await self._on_loop(self._group.deliver_group(addresses, message))


def loop_deliverer(inner: Deliverer, loop: asyncio.AbstractEventLoop) -> LoopDeliverer:
    """``inner``, delivering on ``loop``; a group deliverer stays one (and only a group deliverer is)."""
    if callable(getattr(inner, "deliver_group", None)):
        return LoopGroupDeliverer(cast(GroupDeliverer, inner), loop)
    return LoopDeliverer(inner, loop)
