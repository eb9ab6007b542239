"""``/metrics``: Prometheus' text format behind ``METRICS_TOKEN``, right across worker processes.

Rule (never public by default): without ``METRICS_TOKEN`` there is no ``/metrics``; with it, a
request without ``Authorization: Bearer <METRICS_TOKEN>`` gets 401.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.parser import text_string_to_metric_families

from bot import metrics
from mentorbot.server import build_app
from storage.db import Database
from tests.kit.databases import empty_postgres
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_workspace import SIGNING_SECRET, SlackDriver
from tests.kit.outbox import add_nudge, add_person, add_tenant
from tests.kit.serving import mentorbot_serve
from tests.kit.world import START

TOKEN = "metrics-secret-for-tests"


@asynccontextmanager
async def served(db: Database, token: str | None) -> AsyncIterator[str]:
    runner = web.AppRunner(build_app(db, metrics_token=token))
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by name and sorted labels."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


async def test_without_metrics_token_there_is_no_metrics_endpoint(db: Database) -> None:
    async with served(db, None) as url, aiohttp.ClientSession() as client, client.get(f"{url}/metrics") as response:
        assert response.status == 404


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN, f"Bearer {TOKEN}x"])
async def test_metrics_without_the_bearer_token_is_refused_with_401(db: Database, authorization: str | None,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    async with served(db, TOKEN) as url, aiohttp.ClientSession() as client, \
            client.get(f"{url}/metrics", headers=headers) as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "mentorbot_" not in await response.text()
    assert "refused /metrics" in caplog.text and TOKEN not in caplog.text


async def test_metrics_shows_the_outbox_waiting_by_status_and_kind_and_the_oldest_due(db: Database) -> None:
    tenant = await add_tenant(db)
    person = await add_person(db, tenant, "U1")
    for n in range(3):
        await add_nudge(db, tenant, person, f"k{n}", due_at=START)
    async with served(db, TOKEN) as url, aiohttp.ClientSession() as client, \
            client.get(f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        found = samples(await response.text())
    assert found[("mentorbot_outbox_rows", (("kind", "reminder"), ("status", "pending")))] == 3
    assert found[("mentorbot_outbox_oldest_due_seconds", ())] >= time.time() - START.timestamp() - 60


@pytest.mark.slow
async def test_counts_are_the_sum_of_every_worker_process(tmp_path: Path, postgres_url: str) -> None:
    """Two worker processes (PostgreSQL) each answer some of twenty people: ``/metrics`` counts all."""
    database = Database(postgres_url)
    await empty_postgres(database)
    await database.close()
    people = [f"UM{n:02d}" for n in range(20)]
    async with FakeSlackApi() as api:
        api.add_workspace("TACME", "xoxb-acme", "Acme")
        for person in people:
            api.add_user("xoxb-acme", person, f"Person {person}")
        async with mentorbot_serve(tmp_path, SLACK_BOT_TOKEN="xoxb-acme", SLACK_SIGNING_SECRET=SIGNING_SECRET,
                                   SLACK_API_URL=api.url, DATABASE_URL=postgres_url, WORKER_PROCESSES="2",
                                   METRICS_TOKEN=TOKEN) as server:
            slack = SlackDriver(server.url, api, "TACME")
            for person in people:
                assert (await slack.dm(person, "/mentoring help", event_id=f"Ev{person}")).status == 200
            deadline = time.monotonic() + 60
            while len(api.called("chat.postMessage")) < len(people):
                assert time.monotonic() < deadline, "not every message was answered"
                await asyncio.sleep(0.2)
            async with aiohttp.ClientSession() as client, client.get(
                    f"{server.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}) as response:
                found = samples(await response.text())
            await server.stop()
    assert found[("mentorbot_inbound_events_total", (("kind", "text"), ("platform", "slack")))] == 20
    assert found[("mentorbot_turn_seconds_count", (("platform", "slack"),))] == 20
    assert found[("mentorbot_ack_seconds_count", (("route", "/slack/events"),))] >= 20
    assert "Traceback" not in server.log


def test_the_grafana_dashboard_charts_only_metrics_mentorbot_exports() -> None:
    dashboard = json.loads((Path(__file__).parents[1] / "deploy" / "grafana-dashboard.json").read_text())
    exported = {metric._name for metric in vars(metrics).values() if isinstance(metric, MetricWrapperBase)}
    exported |= {"mentorbot_outbox_rows", "mentorbot_outbox_oldest_due_seconds"}
    charted = {name for panel in dashboard["panels"] for target in panel["targets"]
               for name in re.findall(r"mentorbot_[a-z_]+", target["expr"])}
    suffixes = ("_total", "_bucket", "_count", "_sum")
    unknown = {name for name in charted
               if name not in exported and not any(name.removesuffix(s) in exported for s in suffixes)}
    assert charted and unknown == set()
    assert exported - {name.removesuffix(s) for name in charted for s in ("", *suffixes)} == set(), \
        "every metric has a panel"
