"""The report page behind a signed link, over real HTTP on 127.0.0.1: page, charts, CSV files, refusals.

A seeded program has private notes, goal notes, topics and free-text feedback that all carry
a sentinel: none of it may come out of the page, a chart or a CSV file.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from itsdangerous import URLSafeSerializer
from sqlalchemy import delete

from bot.clock import FakeClock
from bot.reports import links
from bot.reports.export import FILE_NAMES
from bot.reports.page import REFUSED, refusal_page, report_page
from mentorbot.report_routes import REPORT_CLOCK, VIEWS, Views
from mentorbot.server import build_app
from storage.db import Database
from storage.models import ProgramAdmin
from tests.kit.reports import sample_report
from tests.kit.report_page import SECRET, Seeded, seed_program
from tests.kit.serving import mentorbot_serve

CHARTS = ("weekly", "skills", "formats")


# --- the application on a free port, its clock fake ---------------------------------------


@dataclass
class Site:
    """The server's application on a free port, with a fake clock that decides expiry."""

    url: str
    clock: FakeClock
    seeded: Seeded
    views: Views

    async def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body of ``GET path``."""
        async with aiohttp.ClientSession() as client, client.get(f"{self.url}{path}") as response:
            return response.status, dict(response.headers), await response.read()


@pytest.fixture
async def site(db: Database, clock: FakeClock) -> AsyncIterator[Site]:
    """The seeded program, served by the app ``mentorbot serve`` builds (its clock the test's)."""
    seeded = await seed_program(db, clock.now())
    app = build_app(db)
    app[REPORT_CLOCK] = clock
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield Site(f"http://127.0.0.1:{runner.addresses[0][1]}", clock, seeded, app[VIEWS])
    finally:
        await runner.cleanup()


def _assert_private(headers: dict[str, str]) -> None:
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"


async def test_a_valid_link_shows_the_page_with_its_figures_three_charts_and_the_csv_links(site: Site) -> None:
    token = await site.seeded.token(site.clock.now())

    status, headers, body = await site.get(links.path(token))

    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    _assert_private(headers)
    html = body.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "<h1>Digital Leaders</h1>" in html
    assert re.search(r"<dt>Active pairs</dt><dd>4</dd>", html)
    assert re.search(r"<dt>Participants</dt><dd>8</dd>", html)
    sources = re.findall(r'<img src="([^"]+)" alt="([^"]+)"', html)
    assert [src for src, _ in sources] == [links.path(token, f"charts/{name}.png") for name in CHARTS]
    assert all(alt for _, alt in sources)
    downloads = re.findall(r'<a href="([^"]+)" download>', html)
    assert downloads == [links.path(token, f"export/{name}") for name in FILE_NAMES]


async def test_the_charts_and_csv_files_behind_the_page_are_served(site: Site) -> None:
    token = await site.seeded.token(site.clock.now())

    for name in CHARTS:
        status, headers, body = await site.get(links.path(token, f"charts/{name}.png"))
        assert status == 200, name
        assert headers["Content-Type"] == "image/png"
        _assert_private(headers)
        assert body.startswith(b"\x89PNG\r\n\x1a\n")
    for name in FILE_NAMES:
        status, headers, body = await site.get(links.path(token, f"export/{name}"))
        assert status == 200, name
        assert headers["Content-Type"] == "text/csv; charset=utf-8"
        assert headers["Content-Disposition"] == f'attachment; filename="{name}"'
        _assert_private(headers)
        assert body.count(b"\n") >= 2, f"{name} has a header and rows"


async def test_no_private_note_or_free_text_comes_out_of_the_page_charts_or_csv_files(site: Site) -> None:
    token = await site.seeded.token(site.clock.now())
    paths = [links.path(token), *(links.path(token, f"charts/{n}.png") for n in CHARTS),
             *(links.path(token, f"export/{n}") for n in FILE_NAMES)]

    for path in paths:
        status, _, body = await site.get(path)
        assert status == 200, path
        assert SECRET.encode() not in body, path
        assert b"SENTINEL" not in body, path


async def test_a_forged_or_malformed_link_is_refused_with_a_clear_page(site: Site) -> None:
    token = await site.seeded.token(site.clock.now())
    payload, signature = token.rsplit(".", 1)
    forged = f"{payload}.{signature[::-1]}"

    for bad in (forged, "not-a-token", "x" * 2000, f"{payload}.", "a.b.c", "%C3%A9t%C3%A9"):
        for path in (links.path(bad), links.path(bad, "charts/weekly.png"), links.path(bad, "export/pairs.csv")):
            status, headers, body = await site.get(path)
            assert status == 403, path
            _assert_private(headers)
            assert headers["Content-Type"] == "text/html; charset=utf-8"
            assert REFUSED in body.decode()
            assert b"Digital Leaders" not in body


async def test_a_link_signed_with_another_key_is_refused(site: Site) -> None:
    world = site.seeded.world
    expires = int((site.clock.now() + timedelta(hours=1)).timestamp())
    other = URLSafeSerializer("someone else's key", salt=links.SALT).dumps(
        [world.tenant_id, world.program_id, site.seeded.admin, expires])

    status, _, body = await site.get(links.path(other))

    assert status == 403 and REFUSED in body.decode()


async def test_an_expired_link_is_refused(site: Site) -> None:
    token = await site.seeded.token(site.clock.now(), lifetime=timedelta(hours=2))
    assert (await site.get(links.path(token)))[0] == 200

    site.clock.advance(timedelta(hours=2))
    status, _, body = await site.get(links.path(token))

    assert status == 403 and REFUSED in body.decode()
    assert (await site.get(links.path(token, "charts/weekly.png")))[0] == 403


async def test_the_link_of_someone_who_no_longer_runs_the_program_is_refused(site: Site) -> None:
    token = await site.seeded.token(site.clock.now())
    async with site.seeded.world.db.transaction() as session:
        await session.execute(delete(ProgramAdmin).where(ProgramAdmin.person_id == site.seeded.admin))

    status, _, body = await site.get(links.path(token))

    assert status == 403 and REFUSED in body.decode()


async def test_a_link_for_a_participant_who_never_ran_the_program_is_refused(site: Site) -> None:
    token = await site.seeded.token(site.clock.now(), person=site.seeded.world.people["Victor"])

    assert (await site.get(links.path(token)))[0] == 403


async def test_unknown_charts_and_files_are_not_found_but_only_with_a_valid_link(site: Site) -> None:
    token = await site.seeded.token(site.clock.now())

    for part in ("charts/secrets.png", "export/private_notes.csv", "charts/weekly.gif", "export/pairs.csv.csv"):
        assert (await site.get(links.path(token, part)))[0] == 404, part
    assert (await site.get(links.path("forged", "charts/secrets.png")))[0] == 403


async def test_refusals_are_logged_without_the_token(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    token = await site.seeded.token(site.clock.now(), lifetime=timedelta(hours=1))
    site.clock.advance(timedelta(hours=3))
    caplog.set_level(logging.INFO)

    await site.get(links.path(token))
    await site.get(links.path(token[:-3] + "abc"))

    assert "report link refused" in caplog.text
    assert token not in caplog.text and token[:12] not in caplog.text


# --- through a real `mentorbot serve` ------------------------------------------------------


@pytest.mark.slow  # a real `mentorbot serve` process
async def test_mentorbot_serve_serves_the_page_and_refuses_a_forged_link_without_logging_tokens(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    seeded = await seed_program(db, datetime.now().astimezone())
    token = await seeded.token(datetime.now().astimezone())

    async with mentorbot_serve(tmp_path, DATABASE_URL=database_url, LOG_LEVEL="INFO") as served:
        async with aiohttp.ClientSession() as client:
            async with client.get(f"{served.url}{links.path(token)}") as response:
                assert response.status == 200
                assert "Digital Leaders" in await response.text()
            async with client.get(f"{served.url}{links.path(token, 'charts/skills.png')}") as response:
                assert response.status == 200 and response.content_type == "image/png"
            async with client.get(f"{served.url}{links.path(token + 'x')}") as response:
                assert response.status == 403
                assert REFUSED in await response.text()
        assert await served.stop() == 0

    assert "report link refused" in served.log
    assert token not in served.log and token[:12] not in served.log
    assert "GET /report/…" in served.log, "the access log keeps the request, without its token"


# --- the page on its own --------------------------------------------------------------------


def test_everything_on_the_page_is_escaped_and_hidden_rows_show_no_figures() -> None:
    report = sample_report(program='<script>alert("x")</script> & Co')

    html = report_page(report, "/report/TOKEN")

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Research lunch-and-learns</th><td class=\"n\">not shown: fewer than 3 people" in html
    assert 'src="/report/TOKEN/charts/weekly.png"' in html


def test_a_page_with_its_charts_embedded_reads_from_a_saved_file() -> None:
    html = report_page(sample_report(), "/report/TOKEN", charts={f"{n}.png": b"png" for n in CHARTS})

    assert html.count('src="data:image/png;base64,cG5n"') == 3
    assert "/report/TOKEN/charts" not in html and "download>" not in html


def test_the_refusal_page_says_what_to_do() -> None:
    html = refusal_page()

    assert "not valid or has expired" in html and "/mentoring report link" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html


async def test_a_view_of_the_page_and_its_three_charts_computes_the_figures_once(site: Site) -> None:
    """Rule (figures once per view): the page computes the figures; its charts reuse them."""
    token = await site.seeded.token(site.clock.now())
    assert (await site.get(links.path(token)))[0] == 200
    statuses = await asyncio.gather(*(site.get(links.path(token, f"charts/{name}.png")) for name in CHARTS))
    assert [status for status, _, _ in statuses] == [200] * len(CHARTS)
    assert site.views.computed == 1
    assert (await site.get(links.path(token)))[0] == 200
    assert site.views.computed == 2, "reloading the page shows fresh figures"
    other = await site.seeded.token(site.clock.now() + timedelta(seconds=1))
    assert (await site.get(links.path(other, "charts/weekly.png")))[0] == 200
    assert site.views.computed == 3, "another link is another view"
