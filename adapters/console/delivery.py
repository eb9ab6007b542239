"""Messages the bot starts (nudges, reminders, digests), shown in the terminal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from adapters.console.render import INVITES_DIR, render_message
from bot.delivery import DeliveryResult
from bot.messages import Address, Message, Platform


class ConsoleDelivery:
    """The :class:`~bot.delivery.Deliverer` for the console: each line says who it is for."""

    platform: str = Platform.CONSOLE

    def __init__(self, write: Callable[[str], None], invites_dir: Path = INVITES_DIR) -> None:
        self._write = write
        self._invites_dir = invites_dir

    async def deliver(self, address: Address, message: Message) -> DeliveryResult:
        """Write ``message`` as lines prefixed ``[to <user id>]``."""
        prefix = f"[to {address.user_id}]"
        for line in render_message(message, self._invites_dir) or [""]:
            self._write(f"{prefix} {line}".rstrip())
        return DeliveryResult(ok=True, attempts=1)
