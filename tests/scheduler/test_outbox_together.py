"""One nudge for several people ("together"): one group conversation where the platform
allows, else one message each, and a retry reaches only those the message has not reached."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from bot.clock import FakeClock
from bot.delivery import DeliveryResult
from bot.messages import Address, Message
from scheduler.outbox import Outbox, loop_deliverer
from storage.db import Database
from storage.enums import NudgeStatus
from tests.kit.outbox import Recorder, add_nudge, add_person, add_tenant, nudge, outbox, render

INTRO = "Amara, meet Bo: you are matched for this round."


@dataclass
class GroupRecorder(Recorder):
    """A recording deliverer that can also put several people in one conversation."""

    groups: list[tuple[list[str], str]] = field(default_factory=list)

    async def deliver_group(self, addresses: Sequence[Address], message: Message) -> DeliveryResult:
        """Record the group delivery."""
        self.groups.append(([address.user_id for address in addresses], message.text))
        return DeliveryResult(ok=True, attempts=1)


async def _pair(db: Database, bo_address: bool = True) -> tuple[int, int, int]:
    """A tenant, Amara and Bo; their ids."""
    tenant = await add_tenant(db)
    amara = await add_person(db, tenant, "amara")
    bo = await add_person(db, tenant, "bo", address=bo_address)
    return tenant, amara, bo


async def test_a_group_deliverer_gets_one_call_with_everyone(db: Database, clock: FakeClock) -> None:
    tenant, amara, bo = await _pair(db)
    nudge_id = await add_nudge(db, tenant, amara, "intro", text=INTRO, together=[bo])
    deliverer = GroupRecorder()

    report = await outbox(db, deliverer, clock).drain()

    assert deliverer.groups == [(["amara", "bo"], INTRO)]
    assert deliverer.sent == []
    assert report.sent == 1 and (await nudge(db, nudge_id)).status == NudgeStatus.SENT


async def test_a_plain_deliverer_sends_one_message_to_each_recipient_first(db: Database, clock: FakeClock) -> None:
    tenant, amara, bo = await _pair(db)
    nudge_id = await add_nudge(db, tenant, amara, "intro", text=INTRO, together=[bo])
    deliverer = Recorder()

    report = await outbox(db, deliverer, clock).drain()

    assert deliverer.sent == [("amara", INTRO), ("bo", INTRO)]
    row = await nudge(db, nudge_id)
    assert report.sent == 1 and row.status == NudgeStatus.SENT
    assert row.payload["reached"] == [amara, bo]


async def test_after_the_second_person_fails_the_retry_reaches_only_them(db: Database, clock: FakeClock) -> None:
    tenant, amara, bo = await _pair(db)
    nudge_id = await add_nudge(db, tenant, amara, "intro", text=INTRO, together=[bo])
    deliverer = Recorder(outcomes=[True, False])
    sender = outbox(db, deliverer, clock)

    assert (await sender.drain()).retried == 1
    row = await nudge(db, nudge_id)
    assert (row.status, row.attempts, row.last_error) == (NudgeStatus.PENDING, 1, "rate_limited")
    assert row.payload["reached"] == [amara]
    assert deliverer.sent == [("amara", INTRO)]

    clock.advance(timedelta(minutes=2))
    assert (await sender.drain()).sent == 1

    assert deliverer.sent == [("amara", INTRO), ("bo", INTRO)]
    assert (await nudge(db, nudge_id)).status == NudgeStatus.SENT


async def test_someone_already_reached_is_not_put_in_a_group_again(db: Database, clock: FakeClock) -> None:
    tenant, amara, bo = await _pair(db)
    await add_nudge(db, tenant, amara, "intro", text=INTRO, together=[bo], reached=[amara])
    deliverer = GroupRecorder()

    await outbox(db, deliverer, clock).drain()

    assert deliverer.groups == [] and deliverer.sent == [("bo", INTRO)]


async def test_a_row_everyone_got_before_a_crash_is_marked_sent_without_sending(db: Database,
                                                                                 clock: FakeClock) -> None:
    tenant, amara, bo = await _pair(db)
    nudge_id = await add_nudge(db, tenant, amara, "intro", text=INTRO, together=[bo], reached=[amara, bo])
    deliverer = GroupRecorder()

    report = await outbox(db, deliverer, clock).drain()

    assert deliverer.groups == [] and deliverer.sent == []
    assert report.sent == 1 and (await nudge(db, nudge_id)).status == NudgeStatus.SENT


async def test_a_person_without_address_is_skipped_and_the_others_still_get_it(db: Database, clock: FakeClock,
                                                                                caplog) -> None:
    tenant, amara, bo = await _pair(db, bo_address=False)
    chen = await add_person(db, tenant, "chen")
    nudge_id = await add_nudge(db, tenant, amara, "intro", text=INTRO, together=[bo, chen])
    deliverer = GroupRecorder()

    report = await outbox(db, deliverer, clock).drain()

    assert deliverer.groups == []  # not everyone can be in the conversation: one message each
    assert deliverer.sent == [("amara", INTRO), ("chen", INTRO)]
    assert report.sent == 1 and (await nudge(db, nudge_id)).status == NudgeStatus.SENT
    assert f"skipping person {bo}: no address" in caplog.text


async def test_erased_or_unknown_people_are_left_out_of_the_group(db: Database, clock: FakeClock) -> None:
    tenant, amara, bo = await _pair(db)
    gone = await add_person(db, tenant, "gone", erased=True)
    await add_nudge(db, tenant, amara, "intro", text=INTRO, together=[gone, bo, 999_999])
    deliverer = GroupRecorder()

    await outbox(db, deliverer, clock).drain()

    assert deliverer.groups == [(["amara", "bo"], INTRO)]


async def test_when_nobody_can_be_addressed_the_row_fails(db: Database, clock: FakeClock) -> None:
    tenant = await add_tenant(db)
    amara = await add_person(db, tenant, "amara", address=False)
    bo = await add_person(db, tenant, "bo", platform="slack")
    nudge_id = await add_nudge(db, tenant, amara, "intro", text=INTRO, together=[bo])
    deliverer = Recorder()

    report = await outbox(db, deliverer, clock).drain()

    row = await nudge(db, nudge_id)
    assert report.failed == 1 and row.status == NudgeStatus.FAILED and deliverer.sent == []
    assert "no address" in (row.last_error or "") and "no deliverer for platform 'slack'" in (row.last_error or "")


async def test_people_on_different_platforms_get_one_message_each(db: Database, clock: FakeClock) -> None:
    tenant = await add_tenant(db)
    amara = await add_person(db, tenant, "amara")
    bo = await add_person(db, tenant, "UBO", platform="slack")
    await add_nudge(db, tenant, amara, "intro", text=INTRO, together=[bo])
    console, slack = GroupRecorder(), GroupRecorder(platform="slack")

    await Outbox(db, {"console": console, "slack": slack}, render, clock, "test-worker").drain()

    assert console.groups == slack.groups == []
    assert (console.sent, slack.sent) == ([("amara", INTRO)], [("UBO", INTRO)])


async def test_a_loop_deliverer_keeps_group_delivery_only_when_the_inner_one_has_it(db: Database,
                                                                                    clock: FakeClock) -> None:
    tenant, amara, bo = await _pair(db)
    await add_nudge(db, tenant, amara, "intro", text=INTRO, together=[bo])
    loop = asyncio.get_running_loop()
    group, plain = GroupRecorder(), Recorder()

    assert not callable(getattr(loop_deliverer(plain, loop), "deliver_group", None))
    await Outbox(db, {"console": loop_deliverer(group, loop)}, render, clock, "test-worker").drain()

    assert group.groups == [(["amara", "bo"], INTRO)]
