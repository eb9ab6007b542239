"""Outbound delivery, as the core sees it: a message goes to an address and a result comes back.

Each platform adapter provides a :class:`Deliverer`; the scheduler's outbox sender calls it
and records the :class:`DeliveryResult` (sent, or the error on the outbox row). A platform
that can put several people in one conversation with the bot (Slack's multi-person DM)
provides a :class:`GroupDeliverer`; elsewhere a message for several people goes to each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.messages import Address, Message


@dataclass(frozen=True)
class DeliveryResult:
    """How one delivery ended.

    ``attempts`` counts the requests made (retries included); ``error`` is a short reason
    when ``ok`` is false (never a secret); ``message_id`` is the platform's id of the sent
    message (Slack's ``ts``) when there is one.
    """

    ok: bool
    attempts: int
    error: str | None = None
    message_id: str | None = None


class Deliverer(Protocol):
    """Sends messages on one platform, paced to its rate limits and retried on passing errors."""

    platform: str

    async def deliver(self, address: Address, message: Message) -> DeliveryResult:
        """Send ``message`` to ``address``.

        Never raises for delivery failures: a result with ``ok=False`` is what the caller
        records (e.g. as the outbox row's ``last_error``) and decides whether to try later.
        """
        ...


class GroupDeliverer(Deliverer, Protocol):
    """A :class:`Deliverer` that can also send one message to several people at once."""

    async def deliver_group(self, addresses: Sequence[Address], message: Message) -> DeliveryResult:
        """Send ``message`` once, in one conversation holding all of ``addresses`` and the bot.

        The addresses are on this platform and in one tenant. Never raises for delivery
        failures, like :meth:`Deliverer.deliver`.
        """
        ...
