"""Channel audiences in the terminal: a nudge posted to a channel shows as ``[#channel]``."""

from __future__ import annotations

from pathlib import Path

from adapters.console.chat import user_id_for
from adapters.console.delivery import ConsoleDelivery, channel_address, is_channel
from bot.clock import FakeClock
from bot.engine import MentorBot
from bot.messages import Address, Button, say
from scheduler.outbox import Outbox
from storage.enums import NudgeStatus
from tests.kit.platform_names import Platform
from tests.kit.outbox import add_nudge, add_person, add_tenant, nudge, render

INVITE = say("Lunch-and-learn: Hana presents AI assistants, Thursday 12:30.", Button.for_command("I'll come", "help"))


async def test_a_message_to_a_channel_is_prefixed_with_the_channel(tmp_path: Path) -> None:
    lines: list[str] = []
    console = ConsoleDelivery(lines.append, invites_dir=tmp_path)

    result = await console.deliver(channel_address("lunch-and-learn"), INVITE)
    await console.deliver(Address(Platform.CONSOLE, "local", user_id_for("Amara Diallo")), INVITE)

    assert result.ok
    assert lines == ["[#lunch-and-learn] Lunch-and-learn: Hana presents AI assistants, Thursday 12:30.",
                     "[#lunch-and-learn]   [1] I'll come",
                     "[to Amara Diallo] Lunch-and-learn: Hana presents AI assistants, Thursday 12:30.",
                     "[to Amara Diallo]   [1] I'll come"]


def test_only_a_channel_address_is_a_channel() -> None:
    assert is_channel(channel_address("lunch-and-learn"))
    assert not is_channel(Address(Platform.CONSOLE, "local", "lunch-and-learn"))


async def test_a_nudge_for_a_channel_shows_in_the_channel(bot: MentorBot, clock: FakeClock, tmp_path: Path) -> None:
    lines: list[str] = []
    console = ConsoleDelivery(lines.append, invites_dir=tmp_path)
    tenant = await add_tenant(bot.db)
    hana = await add_person(bot.db, tenant, "hana-kim")
    here = channel_address("lunch-and-learn")
    channel = {"platform": here.platform, "tenant": here.tenant, "user_id": here.user_id, "reference": here.reference}
    nudge_id = await add_nudge(bot.db, tenant, hana, "lunch-invite", text="Lunch-and-learn on Thursday",
                               channel=channel)

    report = await Outbox(bot.db, {Platform.CONSOLE: console}, render, clock, "test-worker").drain()

    assert report.sent == 1 and (await nudge(bot.db, nudge_id)).status == NudgeStatus.SENT
    assert lines == ["[#lunch-and-learn] Lunch-and-learn on Thursday"]
