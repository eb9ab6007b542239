"""Nudges in the terminal: each line says who it is for."""

from __future__ import annotations

from adapters.console.delivery import ConsoleDelivery
from bot.messages import Address, Button, say


async def test_console_delivery_prefixes_each_line_with_the_recipient() -> None:
    lines: list[str] = []
    delivery = ConsoleDelivery(lines.append)

    result = await delivery.deliver(Address("console", "local", "amara-diallo"),
                                    say("Time to plan your next session.\nPick a slot:",
                                        Button("Tomorrow", "command", "/mentoring schedule tomorrow")))

    assert result.ok and delivery.platform == "console"
    assert lines[0] == "[to amara-diallo] Time to plan your next session."
    assert lines[1] == "[to amara-diallo] Pick a slot:"
    assert "[1] Tomorrow" in lines[2] and lines[2].startswith("[to amara-diallo]")
