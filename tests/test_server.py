"""``/healthz`` over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from mentorbot.server import build_app
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


async def test_readyz_answers_200_when_the_database_is_reachable(db: Database) -> None:
    async with healthz(db, "/readyz") as (status, body):
        assert (status, body) == (200, {"status": "ready", "database": "ok"})


async def test_readyz_answers_503_when_the_database_is_unreachable(unreachable_db: Database) -> None:
    async with healthz(unreachable_db, "/readyz") as (status, body):
        assert (status, body) == (503, {"status": "not ready", "database": "unreachable"})
