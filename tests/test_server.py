"""``/healthz`` over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from mentorbot.server import READINESS, Readiness, build_app
from storage.db import Database


@asynccontextmanager
async def healthz(db: Database, path: str = "/healthz") -> AsyncIterator[tuple[int, Any]]:
    """Serve the app on a free port and GET /healthz (or ``path``): the status and the JSON body."""
    runner = web.AppRunner(build_app(db))
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        async with aiohttp.ClientSession() as client, client.get(f"http://127.0.0.1:{port}{path}") as response:
            yield response.status, await response.json()
    finally:
        await runner.cleanup()


@pytest.fixture
async def unreachable_db() -> AsyncIterator[Database]:
    database = Database("postgresql+asyncpg://postgres@127.0.0.1:1/nothing", connect_args={"timeout": 2})
    yield database
    await database.close()


async def test_healthz_answers_200_with_json_once_the_database_is_reachable(db: Database) -> None:
    async with healthz(db) as (status, body):
        assert status == 200
        assert body == {"status": "ok", "database": "ok"}


async def test_healthz_answers_503_when_the_database_is_unreachable(unreachable_db: Database) -> None:
    async with healthz(unreachable_db) as (status, body):
        assert status == 503
        assert body["status"] == "unavailable"


async def test_the_privacy_notice_and_terms_the_teams_package_links_to_are_served(db: Database) -> None:
    runner = web.AppRunner(build_app(db))
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        async with aiohttp.ClientSession() as client:
            async with client.get(f"http://127.0.0.1:{port}/privacy") as response:
                assert response.status == 200 and response.content_type == "text/html"
                assert "forget-me" in await response.text() and "my-data" in await response.text()
            async with client.get(f"http://127.0.0.1:{port}/terms") as response:
                assert response.status == 200 and "Terms of use" in await response.text()
    finally:
        await runner.cleanup()


async def _get(app: web.Application, path: str) -> tuple[int, Any]:
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        async with aiohttp.ClientSession() as client, client.get(f"http://127.0.0.1:{port}{path}") as response:
            return response.status, await response.json()
    finally:
        await runner.cleanup()


async def test_readyz_is_200_when_the_database_answers_and_is_migrated(db: Database) -> None:
    status, body = await _get(build_app(db), "/readyz")
    assert status == 200
    assert body == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}


async def test_readyz_is_503_on_a_database_that_was_never_migrated(tmp_path: Path) -> None:
    fresh = Database(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    try:
        status, body = await _get(build_app(fresh), "/readyz")
    finally:
        await fresh.close()
    assert status == 503
    assert body["checks"]["database"] == "ok"
    assert "run mentorbot migrate" in body["checks"]["migrations"]


async def test_readyz_is_503_when_the_database_is_unreachable(unreachable_db: Database) -> None:
    status, body = await _get(build_app(unreachable_db), "/readyz")
    assert status == 503 and body["checks"]["database"] == "unreachable"


async def test_a_readiness_check_added_to_the_app_is_made_and_named(db: Database) -> None:
    app = build_app(db)

    async def socket_connected() -> tuple[bool, str]:
        return False, "not connected"

    app[READINESS].append(Readiness("slack_socket", socket_connected))
    status, body = await _get(app, "/readyz")
    assert status == 503 and body["checks"]["slack_socket"] == "not connected"
