"""A sender killed between its claim and its sends loses nothing: after the lease, another sends it all."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from bot.clock import FakeClock
from storage.db import Database
from storage.enums import NudgeStatus
from tests.kit.world import START
from tests.scheduler.claim_and_die import MARKER
from tests.kit.outbox import LEASE, Recorder, add_nudge, add_person, add_tenant, nudge, outbox

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("claim_and_die.py")
MARKER_TIMEOUT = 60

pytestmark = pytest.mark.slow  # a sender in a process of its own, killed


async def _claim_and_get_killed(url: str) -> int:
    """Run the claiming sender, wait for its marker line, SIGKILL it; how many rows it claimed."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(SCRIPT), url, START.isoformat(), "doomed",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        line = await asyncio.wait_for(process.stdout.readline(), MARKER_TIMEOUT)  # type: ignore[union-attr]
    finally:
        process.send_signal(signal.SIGKILL)
        _, errors = await process.communicate()
    words = line.decode().split()
    assert words[:1] == [MARKER], f"no marker from the sender: {line!r} {errors.decode()[-2000:]}"
    assert process.returncode == -signal.SIGKILL
    return int(words[1])


async def test_a_sender_killed_after_claiming_loses_nothing(db: Database, clock: FakeClock) -> None:
    tenant = await add_tenant(db)
    amara = await add_person(db, tenant, "amara-diallo")
    ids = [await add_nudge(db, tenant, amara, f"n{i}", due_at=START - timedelta(minutes=i)) for i in range(5)]

    assert await _claim_and_get_killed(db.url) == 5
    rows = [await nudge(db, i) for i in ids]
    assert {(r.status, r.claimed_by) for r in rows} == {(NudgeStatus.CLAIMED, "doomed")}

    deliverer = Recorder()
    survivor = outbox(db, deliverer, clock, worker="survivor")
    assert (await survivor.drain()).sent == 0, "the dead sender's lease still holds"
    clock.advance(LEASE)
    assert (await survivor.drain()).sent == 5
    assert sorted(text for _, text in deliverer.sent) == [f"nudge n{i}" for i in range(5)]
    assert (await survivor.drain()).sent == 0
    assert {(await nudge(db, i)).status for i in ids} == {NudgeStatus.SENT}
