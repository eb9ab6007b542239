"""The admin report behind a signed, expiring link: the page, its charts (PNG) and its CSV files.

``GET /report/{token}`` (HTML), ``/report/{token}/charts/{name}.png`` and
``/report/{token}/export/{name}.csv``. Every request checks its token against the database
(signature, expiry, and that the person who asked still runs the program) and computes the
figures afresh, inside one transaction; a bad link gets a 403 page that says what to do.
The token is the secret: responses are never cached or sent on as a referrer, and log lines
carry at most its first characters (aiohttp's access log included).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Container
from datetime import datetime
from typing import TypeVar

from aiohttp import web

from bot.clock import Clock, SystemClock
from bot.i18n import _, resolve, switch_locale
from bot.languages import locale_of
from bot.reports import links
from bot.reports.charts import CHART_NAMES, chart_png
from bot.reports.export import FILE_NAMES, csv_files
from bot.reports.figures import ProgramReport, program_report
from bot.reports.page import refusal_page, report_page
from storage.db import Database
from storage.models import Program
from storage.repository import Repository

log = logging.getLogger(__name__)

REPORT_CLOCK: web.AppKey[Clock] = web.AppKey("report_clock")
"""The clock that decides whether a link has expired: the system clock unless a test sets another."""

MAX_TOKEN = 512
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Frame-Options": "DENY",
    # The page has inline CSS and images from this server (or embedded), nothing else.
    "Content-Security-Policy": "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
}

T = TypeVar("T")
Use = Callable[[Repository, Program, datetime], Awaitable[T]]


def add_report_routes(app: web.Application, db: Database) -> None:
    """Serve the report page, its charts and its CSV files from ``db`` on ``app``."""
    app.setdefault(REPORT_CLOCK, SystemClock())

    async def page(request: web.Request) -> web.Response:
        switch_locale(_accepted_language(request))
        report = await _granted(request, db, program_report)
        html = report_page(report, links.path(_token(request)))
        return web.Response(text=html, content_type="text/html", charset="utf-8", headers=HEADERS)

    async def chart(request: web.Request) -> web.Response:
        switch_locale(_accepted_language(request))
        name = f"{request.match_info['name']}.png"

        async def figures(repo: Repository, program: Program, now: datetime) -> ProgramReport:
            _known(name, CHART_NAMES)
            return await program_report(repo, program, now)

        report = await _granted(request, db, figures)
        # Drawing takes a few hundred milliseconds of CPU: off the event loop (and out of the transaction).
        png = await asyncio.to_thread(chart_png, report, name)
        return web.Response(body=png, content_type="image/png", headers=HEADERS)

    async def export(request: web.Request) -> web.Response:
        switch_locale(_accepted_language(request))
        name = f"{request.match_info['name']}.csv"

        async def write(repo: Repository, program: Program, now: datetime) -> bytes:
            _known(name, FILE_NAMES)
            files = await csv_files(repo, program)
            _known(name, files)
            return files[name]

        data = await _granted(request, db, write)
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        return web.Response(body=data, content_type="text/csv", charset="utf-8", headers={**HEADERS, **disposition})

    app.router.add_get("/report/{token}", page)
    app.router.add_get("/report/{token}/charts/{name}.png", chart)
    app.router.add_get("/report/{token}/export/{name}.csv", export)


async def _granted(request: web.Request, db: Database, use: Use[T]) -> T:
    """What ``use`` makes of the program the request's link grants, inside one transaction;
    a 403 with the refusal page when the link is not (or no longer) valid."""
    token = _token(request)
    now = request.app[REPORT_CLOCK].now()
    async with db.transaction() as session:
        grant = await links.check(session, token, now) if len(token) <= MAX_TOKEN else None
        program = None
        if grant is not None:
            repo = Repository(session, grant.tenant_id)
            program = await repo.program(grant.program_id)
        if program is None:  # a bad link, or a program deleted since
            log.warning("report link refused for %s (token %r...)", _what(request), token[:4])
            raise web.HTTPForbidden(text=refusal_page(), content_type="text/html", headers=HEADERS)
        # The page, its charts and its files are written in the language of the admin the link was made for
        # (this request's task only: each request has its own context).
        admin = await repo.person(grant.person_id) if grant is not None else None
        if admin is not None:
            switch_locale(await locale_of(repo, admin))
        return await use(repo, program, now)


def _known(name: str, names: Container[str]) -> None:
    """404 unless ``name`` is one of ``names`` (a chart or a CSV file)."""
    if name not in names:
        log.info("report file not found: %r", name[:40])
        raise web.HTTPNotFound(text=refusal_page(_("There is no {name} in the report.", name=name[:40]),
                                                 _("Not found")),
                               content_type="text/html", headers=HEADERS)


def _accepted_language(request: web.Request) -> str:
    """The browser's first language the bot speaks (``Accept-Language``), for a page refused
    before anyone is known; English otherwise."""
    tags = [part.split(";")[0].strip() for part in request.headers.get("Accept-Language", "")[:200].split(",")]
    return resolve(tags)


def _token(request: web.Request) -> str:
    return request.match_info["token"]


def _what(request: web.Request) -> str:
    """The kind of request, for the log: ``page``, ``charts`` or ``export``."""
    parts = request.path.split("/")
    return parts[3] if len(parts) > 3 else "page"
