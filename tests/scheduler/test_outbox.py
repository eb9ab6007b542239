"""The outbox sender: what goes out, when, how often, and what each row ends as."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.clock import FakeClock
from scheduler.outbox import Outbox, backoff
from storage.db import Database
from storage.enums import NudgeStatus
from tests.kit.world import START
from tests.kit.outbox import (
    LEASE,
    Recorder,
    add_nudge,
    add_person,
    add_tenant,
    nudge,
    outbox,
    render,
    statuses,
)


async def _amara(db: Database, address: bool = True) -> tuple[int, int]:
    tenant = await add_tenant(db)
    return tenant, await add_person(db, tenant, "amara-diallo", address=address)


async def test_a_due_nudge_is_delivered_once_and_marked_sent(db: Database, clock: FakeClock) -> None:
    tenant, amara = await _amara(db)
    nudge_id = await add_nudge(db, tenant, amara, "reminder:1", text="Your session is tomorrow")
    deliverer = Recorder()
    sender = outbox(db, deliverer, clock)

    report = await sender.drain()
    again = await sender.drain()

    assert deliverer.sent == [("amara-diallo", "Your session is tomorrow")]
    assert (report.sent, again.sent) == (1, 0)
    row = await nudge(db, nudge_id)
    assert row.status == NudgeStatus.SENT
    assert row.sent_at == START
    assert row.claimed_by == "test-worker"


async def test_a_nudge_not_yet_due_waits(db: Database, clock: FakeClock) -> None:
    tenant, amara = await _amara(db)
    nudge_id = await add_nudge(db, tenant, amara, "reminder:1", due_at=START + timedelta(hours=1))
    deliverer = Recorder()
    sender = outbox(db, deliverer, clock)

    assert (await sender.drain()).sent == 0
    assert (await nudge(db, nudge_id)).status == NudgeStatus.PENDING
    clock.advance(timedelta(hours=1))
    assert (await sender.drain()).sent == 1
    assert len(deliverer.sent) == 1


async def test_an_expired_nudge_is_never_sent_late(db: Database, clock: FakeClock) -> None:
    tenant, amara = await _amara(db)
    nudge_id = await add_nudge(db, tenant, amara, "reminder:1", due_at=START - timedelta(days=2),
                               expires_at=START - timedelta(days=1))
    deliverer = Recorder()

    report = await outbox(db, deliverer, clock).drain()

    assert report.expired == 1 and deliverer.sent == []
    assert (await nudge(db, nudge_id)).status == NudgeStatus.EXPIRED


async def test_a_failure_is_retried_with_back_off_then_failed(db: Database, clock: FakeClock) -> None:
    tenant, amara = await _amara(db)
    nudge_id = await add_nudge(db, tenant, amara, "reminder:1")
    deliverer = Recorder(ok=False)
    sender = outbox(db, deliverer, clock, max_attempts=3)

    assert (await sender.drain()).retried == 1
    row = await nudge(db, nudge_id)
    assert (row.status, row.attempts, row.due_at, row.last_error) == (
        NudgeStatus.PENDING, 1, START + timedelta(minutes=2), "rate_limited")
    assert row.claimed_by is None
    # Not due again before its back-off has passed.
    clock.advance(timedelta(minutes=1))
    assert (await sender.drain()).retried == 0
    clock.advance(timedelta(minutes=1))
    assert (await sender.drain()).retried == 1
    row = await nudge(db, nudge_id)
    assert (row.attempts, row.due_at) == (2, clock.now() + timedelta(minutes=4))
    clock.advance(timedelta(minutes=4))
    assert (await sender.drain()).failed == 1
    row = await nudge(db, nudge_id)
    assert (row.status, row.attempts, row.last_error) == (NudgeStatus.FAILED, 3, "rate_limited")
    clock.advance(timedelta(days=1))
    assert (await sender.drain()).failed == 0
    assert deliverer.sent == []


def test_the_back_off_doubles_up_to_an_hour() -> None:
    assert [backoff(n) for n in range(1, 8)] == [timedelta(minutes=m) for m in (2, 4, 8, 16, 32, 60, 60)]


async def test_exceptions_count_as_failed_attempts_and_do_not_stop_the_drain(db: Database,
                                                                              clock: FakeClock) -> None:
    tenant, amara = await _amara(db)
    raising = await add_nudge(db, tenant, amara, "a", due_at=START - timedelta(minutes=3))
    exploding = await add_nudge(db, tenant, amara, "b", due_at=START - timedelta(minutes=2), explode=True)
    fine = await add_nudge(db, tenant, amara, "c", due_at=START - timedelta(minutes=1))
    deliverer = Recorder(outcomes=[ConnectionResetError("peer went away")])

    report = await outbox(db, deliverer, clock).drain()

    assert (report.sent, report.retried) == (1, 2)
    assert deliverer.sent == [("amara-diallo", "nudge c")]
    assert "ConnectionResetError: peer went away" in ((await nudge(db, raising)).last_error or "")
    assert "RuntimeError: render blew up" in ((await nudge(db, exploding)).last_error or "")
    assert (await nudge(db, fine)).status == NudgeStatus.SENT


async def test_a_person_without_address_fails_with_a_clear_error(db: Database, clock: FakeClock) -> None:
    tenant, unseen = await _amara(db, address=False)
    slack = await add_person(db, tenant, "U123", platform="slack")
    unseen_nudge = await add_nudge(db, tenant, unseen, "a")
    slack_nudge = await add_nudge(db, tenant, slack, "b")

    report = await outbox(db, Recorder(), clock).drain()

    assert report.failed == 2
    first, second = await nudge(db, unseen_nudge), await nudge(db, slack_nudge)
    assert first.status == second.status == NudgeStatus.FAILED
    assert "no address" in (first.last_error or "")
    assert "no deliverer for platform 'slack'" in (second.last_error or "")


async def test_render_none_or_an_erased_person_cancels(db: Database, clock: FakeClock) -> None:
    tenant, amara = await _amara(db)
    erased = await add_person(db, tenant, "gone", erased=True)
    stale = await add_nudge(db, tenant, amara, "a", stale=True)
    for_erased = await add_nudge(db, tenant, erased, "b")
    deliverer = Recorder()

    report = await outbox(db, deliverer, clock).drain()

    assert report.canceled == 2 and deliverer.sent == []
    assert (await nudge(db, stale)).status == NudgeStatus.CANCELED
    assert (await nudge(db, for_erased)).status == NudgeStatus.CANCELED


async def test_a_backlog_goes_out_in_one_drain(db: Database, clock: FakeClock) -> None:
    tenant, amara = await _amara(db)
    for i in range(25):
        await add_nudge(db, tenant, amara, f"n{i}", due_at=START - timedelta(days=3, minutes=i))
    deliverer = Recorder()

    report = await outbox(db, deliverer, clock, batch=10).drain()

    assert report.sent == 25 and len(deliverer.sent) == 25
    # Oldest first.
    assert deliverer.sent[0][1] == "nudge n24" and deliverer.sent[-1][1] == "nudge n0"


async def test_a_pass_that_sends_nothing_ends_the_drain(db: Database, clock: FakeClock) -> None:
    tenant, amara = await _amara(db)
    for i in range(5):
        await add_nudge(db, tenant, amara, f"n{i}")
    deliverer = Recorder(ok=False)

    report = await outbox(db, deliverer, clock, batch=2).drain()

    assert report.retried == 2
    assert sorted((await statuses(db)).values()).count(NudgeStatus.PENDING) == 5


async def test_only_own_platforms_leaves_other_platforms_alone(db: Database, clock: FakeClock) -> None:
    tenant, amara = await _amara(db)
    slack = await add_person(db, tenant, "U123", platform="slack")
    await add_nudge(db, tenant, amara, "console")
    await add_nudge(db, tenant, slack, "slack")

    report = await outbox(db, Recorder(), clock, own_platforms_only=True).drain()

    assert report.sent == 1
    assert await statuses(db) == {"console": NudgeStatus.SENT, "slack": NudgeStatus.PENDING}


async def test_a_claim_taken_over_after_its_lease_is_not_marked_twice(db: Database, clock: FakeClock) -> None:
    tenant, amara = await _amara(db)
    nudge_id = await add_nudge(db, tenant, amara, "reminder:1")
    rescuer = Recorder()
    rescue = outbox(db, rescuer, clock, worker="rescuer")
    report_of_rescue = []

    async def stall_past_the_lease() -> None:
        # The slow sender is still delivering when its lease runs out and another takes over.
        clock.advance(LEASE + timedelta(seconds=1))
        report_of_rescue.append(await rescue.drain())

    slow = Recorder(on_deliver=stall_past_the_lease)
    report = await outbox(db, slow, clock, worker="slow").drain()

    assert report.sent == 0 and report_of_rescue[0].sent == 1
    row = await nudge(db, nudge_id)
    assert (row.status, row.claimed_by) == (NudgeStatus.SENT, "rescuer")
    # The one in flight went out twice: the price of losing none.
    assert len(slow.sent) == len(rescuer.sent) == 1


async def test_a_claim_is_not_taken_over_while_its_lease_lasts(db: Database, clock: FakeClock) -> None:
    tenant, amara = await _amara(db)
    await add_nudge(db, tenant, amara, "reminder:1")
    holder = outbox(db, Recorder(), clock, worker="holder")
    other = Recorder()

    assert len(await holder.claim()) == 1
    clock.advance(LEASE - timedelta(seconds=1))
    assert (await outbox(db, other, clock, worker="other").drain()).sent == 0
    clock.advance(timedelta(seconds=1))
    assert (await outbox(db, other, clock, worker="other").drain()).sent == 1


async def test_stopping_hands_back_the_rest_of_the_claim(db: Database, clock: FakeClock) -> None:
    tenant, amara = await _amara(db)
    ids = [await add_nudge(db, tenant, amara, f"n{i}", due_at=START - timedelta(minutes=3 - i)) for i in range(3)]
    sender: Outbox | None = None

    async def stop() -> None:
        assert sender is not None
        sender.stop()

    deliverer = Recorder(on_deliver=stop)
    sender = outbox(db, deliverer, clock)

    report = await sender.drain()

    assert report.sent == 1
    assert await statuses(db) == {"n0": NudgeStatus.SENT, "n1": NudgeStatus.PENDING, "n2": NudgeStatus.PENDING}
    assert [(await nudge(db, i)).claimed_by for i in ids[1:]] == [None, None]


async def test_two_senders_on_postgresql_deliver_each_nudge_exactly_once(pg: Database, postgres_url: str,
                                                                         clock: FakeClock) -> None:
    tenant, amara = await _amara(pg)
    for i in range(120):
        await add_nudge(pg, tenant, amara, f"n{i}", due_at=START - timedelta(seconds=i))
    other = Database(postgres_url)
    try:
        one, two = Recorder(on_deliver=_yield), Recorder(on_deliver=_yield)
        reports = await asyncio.gather(
            Outbox(pg, {"console": one}, render, clock, "one", batch=7).drain(),
            Outbox(other, {"console": two}, render, clock, "two", batch=7).drain(),
        )
    finally:
        await other.close()

    texts = [text for _, text in one.sent + two.sent]
    assert sorted(texts) == sorted(f"nudge n{i}" for i in range(120))
    assert one.sent and two.sent, "both senders should have had a share"
    assert sum(r.sent for r in reports) == 120
    assert set((await statuses(pg)).values()) == {NudgeStatus.SENT}


async def _yield() -> None:
    await asyncio.sleep(0)
