"""The database blinks: nothing a person sends is lost.

Rule (no loss during an outage): while PostgreSQL is unreachable, messages people type (Slack
DMs, delivered once by the Events API) are acknowledged only once they are kept in the local
spool, and answered when the database is back, each taking effect once, even if the server is
killed in between; a slash command is answered plainly that nothing was saved and why.

Runs ``mentorbot serve`` (with its worker process) against a PostgreSQL server the test owns
and stops (never the shared one), with the fake Slack API.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import Person, ProcessedEvent, Program
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_workspace import SIGNING_SECRET, SlackDriver
from tests.kit.postgres_server import own_postgres
from tests.kit.scripts import CREATE_PROGRAM
from tests.kit.serving import mentorbot_serve

ACME, TOKEN = "TACME", "xoxb-acme"
PEOPLE = [f"UP{n:03d}" for n in range(24)]


async def _counts(url: str) -> tuple[int, int, int]:
    db = Database(url)
    try:
        async with db.transaction() as session:
            people = await session.scalar(select(func.count()).select_from(Person).where(Person.user_id.in_(PEOPLE)))
            events = await session.scalar(select(func.count()).select_from(ProcessedEvent))
            programs = await session.scalar(select(func.count()).select_from(Program))
        return int(people or 0), int(events or 0), int(programs or 0)
    finally:
        await db.close()


def _answered(api: FakeSlackApi) -> set[str]:
    return {str(call.body.get("channel")) for call in api.called("chat.postMessage")} & {f"D{p}" for p in PEOPLE}


async def _wait_for(predicate: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.2)


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_messages_sent_while_postgresql_is_down_are_answered_once_it_is_back(tmp_path: Path, backend: str) -> None:
    async with FakeSlackApi() as api:
        api.add_workspace(ACME, TOKEN, "Acme")
        for person in ["UHANA", *PEOPLE]:
            api.add_user(TOKEN, person, f"Person {person}")
        with own_postgres() as postgres:
            settings = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": api.url,
                        "DATABASE_URL": postgres.url, "SPOOL_FILE": str(tmp_path / "spool.db")}
            async with mentorbot_serve(tmp_path, **settings) as server:
                slack = SlackDriver(server.url, api, ACME)
                await slack.command("UHANA", CREATE_PROGRAM.removeprefix("/mentoring "))
                await api.wait_for("response_url")

                postgres.stop()
                half = len(PEOPLE) // 2
                replies = [await slack.dm(person, "/mentoring join", event_id=f"Ev{person}") for person in PEOPLE[:half]]
                assert [r.status for r in replies] == [200] * half, "kept, then acknowledged"
                await slack.command("UHANA", "program list")
                [_, refusal] = await api.wait_for("response_url", 2)
                assert "briefly unavailable" in refusal.body["text"] and "nothing was saved" in refusal.body["text"]
                async with aiohttp.ClientSession() as http, http.get(f"{server.url}/healthz") as health:
                    assert health.status == 503
                assert _answered(api) == set(), "nothing answered while nothing could be stored"

                await asyncio.sleep(3)  # the outage goes on; the server keeps trying
                postgres.start()
                await _wait_for(lambda: len(_answered(api)) == half)
                assert await _counts(postgres.url) == (half, half, 1)

                # Now the server is killed while the database is down, with messages kept.
                postgres.stop()
                replies = [await slack.dm(person, "/mentoring join", event_id=f"Ev{person}") for person in PEOPLE[half:]]
                assert [r.status for r in replies] == [200] * (len(PEOPLE) - half)
                server.process.send_signal(signal.SIGKILL)
                await server.process.wait()
                postgres.start()

            async with mentorbot_serve(tmp_path, **settings) as server:
                try:
                    await _wait_for(lambda: len(_answered(api)) == len(PEOPLE))
                except AssertionError:
                    await server.stop()
                    raise AssertionError(f"{len(_answered(api))} answered; the log:\n{server.log[-6000:]}") from None
                retried = await SlackDriver(server.url, api, ACME).dm(PEOPLE[0], "/mentoring join", event_id=f"Ev{PEOPLE[0]}",
                                                                    retry=1)
                assert retried.status == 200
                await asyncio.sleep(1)
                assert await _counts(postgres.url) == (len(PEOPLE), len(PEOPLE), 1), "each message took effect once"
                texts = [str(call.body.get("text")) for call in api.called("chat.postMessage")]
                assert all("Your role" in text or "Which side" in text for text in texts), json.dumps(texts)[:500]
                assert len(texts) == len(PEOPLE), "each person answered once"
                await server.stop()
    assert "kept" in server.log and "Traceback" not in server.log
