"""``/healthz`` over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from mentorbot.server import build_app
from storage.db import Database


async def _serve(db: Database) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(build_app(db))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


@pytest.fixture
async def unreachable_db() -> AsyncIterator[Database]:
    database = Database("postgresql+asyncpg://postgres@127.0.0.1:1/nothing", connect_args={"timeout": 2})
    yield database
    await database.close()


async def test_healthz_answers_200_with_json_once_the_database_is_reachable(db: Database) -> None:
    runner, base = await _serve(db)
    try:
        async with aiohttp.ClientSession() as client, client.get(f"{base}/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"status": "ok", "database": "ok"}
    finally:
        await runner.cleanup()


async def test_healthz_answers_503_when_the_database_is_unreachable(unreachable_db: Database) -> None:
    runner, base = await _serve(unreachable_db)
    try:
        async with aiohttp.ClientSession() as client, client.get(f"{base}/healthz") as response:
            assert response.status == 503
            assert (await response.json())["status"] == "unavailable"
    finally:
        await runner.cleanup()
