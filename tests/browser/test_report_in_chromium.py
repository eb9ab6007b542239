"""The report page in headless Chromium, served by a real ``mentorbot serve``: its charts load,
its figures show, and a forged link shows the refusal."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import ConsoleMessage, async_playwright

from bot.reports import links
from bot.reports.page import REFUSED
from storage.db import Database
from tests.kit.serving import mentorbot_serve
from tests.kit.report_page import seed_program

CHARTS = ["chart-weekly", "chart-skills", "chart-formats"]


async def test_the_report_page_shows_its_figures_and_charts_and_refuses_a_forged_link(
    chromium: str, db: Database, database_url: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    seeded = await seed_program(db, now)
    token = await seeded.token(now)
    problems: list[str] = []

    async with mentorbot_serve(tmp_path, DATABASE_URL=database_url) as served, async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = await browser.new_page()
            page.on("console", lambda message: _note_errors(message, problems))
            response = await page.goto(f"{served.url}{links.path(token)}", wait_until="load")
            assert response is not None and response.status == 200
            images = await page.eval_on_selector_all(
                "img", "images => images.map(i => [i.id, i.complete, i.naturalWidth, i.alt.length > 0])")
            figures = await page.eval_on_selector_all(
                "dl.figures div", "cells => cells.map(c => [c.querySelector('dt').innerText, "
                                  "c.querySelector('dd').innerText])")
            downloads = await page.eval_on_selector_all("a[download]", "links => links.map(a => a.textContent)")
            title = await page.title()
            errors = list(problems)  # the refusal below is an error too: "Failed to load resource: 403"

            forged = await page.goto(f"{served.url}{links.path(token[:-4] + 'AAAA')}", wait_until="load")
            assert forged is not None and forged.status == 403
            refusal = await page.inner_text("body")
        finally:
            await browser.close()

    assert images == [[name, True, 800, True] for name in CHARTS]
    shown = dict(figures)
    assert (shown["Active pairs"], shown["Participants"]) == ("4", "8")
    assert shown["Pairs at risk"].isdigit(), "the server's cadence may flag a pair meanwhile"
    assert shown["Completion rate"].endswith("%")
    assert downloads == ["pairs.csv", "sessions.csv", "goal_progress.csv", "feedback_scores.csv"]
    assert title == "Mentoring report: Digital Leaders"
    assert REFUSED in refusal
    assert errors == [], "the page loads without errors (Content-Security-Policy included)"


def _note_errors(message: ConsoleMessage, problems: list[str]) -> None:
    if message.type == "error":
        problems.append(message.text)
