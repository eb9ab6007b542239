"""The report page behind a signed link, over real HTTP, in the language of the admin it was made
for; a refused link in the browser's language."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.clock import FakeClock
from bot.reports import links
from mentorbot.report_routes import REPORT_CLOCK
from mentorbot.server import build_app
from storage.db import Database
from tests.kit.languages import speak
from tests.kit.report_page import Seeded, seed_program


@pytest.fixture
async def served(db: Database, clock: FakeClock) -> AsyncIterator[tuple[str, Seeded]]:
    seeded = await seed_program(db, clock.now())
    app = build_app(db)
    app[REPORT_CLOCK] = clock
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", seeded
    finally:
        await runner.cleanup()


async def get(url: str, language: str = "") -> tuple[int, str]:
    headers = {"Accept-Language": language} if language else {}
    async with aiohttp.ClientSession() as client, client.get(url, headers=headers) as response:
        return response.status, await response.text()


async def test_the_page_is_in_the_language_of_the_admin_it_was_made_for(served: tuple[str, Seeded],
                                                                     clock: FakeClock) -> None:
    url, seeded = served
    await speak(seeded.world.db, ["Ada"], "pl")
    token = await seeded.token(clock.now())
    status, html = await get(url + links.path(token), language="fr-FR,fr;q=0.9")
    assert status == 200
    assert '<html lang="pl">' in html
    assert "<h2>Najważniejsze liczby</h2>" in html and "<dt>Aktywne pary</dt>" in html
    assert "Key figures" not in html
    # The CSV files keep their machine names whatever the language.
    status, csv = await get(url + links.path(token, "export/pairs.csv"))
    assert status == 200 and csv.startswith("pair_id,mentor,mentee,status")


async def test_a_refused_link_answers_in_the_browser_s_language(served: tuple[str, Seeded]) -> None:
    url, _seeded = served
    status, html = await get(url + "/report/not-a-token", language="pl-PL,pl;q=0.9,en;q=0.5")
    assert status == 403
    assert "Odrzucony link do raportu" in html and '<html lang="pl">' in html
    status, html = await get(url + "/report/not-a-token", language="pt-BR")
    assert status == 403 and "Report link refused" in html
