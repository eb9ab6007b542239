"""Messages the bot starts (nudges, reminders, digests), shown in the terminal.

The terminal has no channels of its own; a nudge meant for a shared conversation (a
lunch-and-learn's audience) is addressed to a channel address (:func:`channel_address`) and
shows with a ``[#name]`` prefix instead of ``[to name]``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from adapters.console import CONSOLE
from adapters.console.chat import CONSOLE_TENANT
from adapters.console.render import INVITES_DIR, render_message
from bot.delivery import DeliveryResult
from bot.messages import Address, Message

CHANNEL_REFERENCE = {"channel": True}
"""The reference of a console address that names a channel rather than a person."""


def channel_address(name: str, tenant: str = CONSOLE_TENANT) -> Address:
    """The console address of the channel ``name`` (``lunch-and-learn``)."""
    return Address(CONSOLE, tenant, name, dict(CHANNEL_REFERENCE))


def is_channel(address: Address) -> bool:
    """True for a channel address (see :func:`channel_address`), false for a person's."""
    return bool((address.reference or {}).get("channel"))


class ConsoleDelivery:
    """The :class:`~bot.delivery.Deliverer` for the console: each line says who it is for."""

    platform: str = CONSOLE

    def __init__(self, write: Callable[[str], None], invites_dir: Path = INVITES_DIR) -> None:
        self._write = write
        self._invites_dir = invites_dir

    async def deliver(self, address: Address, message: Message) -> DeliveryResult:
        """Write ``message`` as lines prefixed ``[to <user id>]``, or ``[#<channel>]`` for a channel."""
        prefix = f"[#{address.user_id}]" if is_channel(address) else f"[to {address.user_id}]"
        for line in render_message(message, self._invites_dir) or [""]:
            self._write(f"{prefix} {line}".rstrip())
        return DeliveryResult(ok=True, attempts=1)
