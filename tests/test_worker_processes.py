"""``mentorbot serve``'s worker processes: a worker killed in the middle of traffic is started
again and given its unfinished jobs; every message takes effect once and is answered.

Rule (no loss): nothing a person sends is lost when the process doing the work dies. A job
sent again may have taken effect before the kill: it is not applied twice, and the person is
told where they are (which can repeat an answer that did go out just before the kill).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_workspace import SIGNING_SECRET, SlackDriver
from tests.kit.scripts import CREATE_PROGRAM
from tests.kit.serving import mentorbot_serve

PEOPLE = [f"UW{n:03d}" for n in range(40)]


def _workers(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


async def test_a_worker_killed_under_traffic_is_replaced_and_every_message_is_answered_once(tmp_path: Path) -> None:
    async with FakeSlackApi() as api:
        api.add_workspace("TACME", "xoxb-acme", "Acme")
        for person in ["UHANA", *PEOPLE]:
            api.add_user("xoxb-acme", person, f"Person {person}")
        api.delays["users.info"] = 0.05  # turns take a while: some are under way at the kill
        async with mentorbot_serve(tmp_path, SLACK_BOT_TOKEN="xoxb-acme", SLACK_SIGNING_SECRET=SIGNING_SECRET,
                                   SLACK_API_URL=api.url) as server:
            slack = SlackDriver(server.url, api, "TACME")
            await slack.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
            await api.wait_for("response_url")
            [worker] = _workers(server.process.pid)
            for n, person in enumerate(PEOPLE):
                assert (await slack.dm(person, "/mentoring join", event_id=f"Ev{person}")).status == 200
                if n == len(PEOPLE) // 3:
                    os.kill(worker, signal.SIGKILL)
                await asyncio.sleep(0.03)
            wanted = {f"D{person}" for person in PEOPLE}
            deadline = time.monotonic() + 60
            while {call.body.get("channel") for call in api.called("chat.postMessage")} < wanted:
                assert time.monotonic() < deadline, "not every message was answered"
                await asyncio.sleep(0.2)
            [replacement] = _workers(server.process.pid)
            await server.stop()
    posts = [(call.body.get("channel"), str(call.body.get("text"))) for call in api.called("chat.postMessage")]
    assert {channel for channel, _ in posts} == wanted
    for person in wanted:
        [first, *repeated] = [text for channel, text in posts if channel == person]
        assert all(text.startswith("Welcome back") for text in repeated), "taken once; repeated only as where they are"
    assert replacement != worker
    assert "worker 0 stopped (exit status -9): starting it again" in server.log
    assert "Traceback" not in server.log
