"""The admin report behind a signed, expiring link: the page, its charts (PNG) and its CSV files.

``GET /report/{token}`` (HTML), ``/report/{token}/charts/{name}.png`` and
``/report/{token}/export/{name}.csv``. Every request checks its token against the database
(signature, expiry, and that the person who asked still runs the program) inside one
transaction; the page computes the figures and its charts reuse them (:class:`Views`), so that a
view computes them once. A bad link gets a 403 page that says what to do.
The token is the secret: responses are never cached or sent on as a referrer, and log lines
carry at most its first characters (aiohttp's access log included).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Container
from datetime import datetime
from typing import TypeVar

from aiohttp import web

from bot.clock import Clock, SystemClock
from bot.i18n import _, resolve, switch_locale
from bot.languages import locale_of
from bot.reports import links
from bot.reports.charts import CHART_NAMES, chart_png
from bot.reports.export import FILE_NAMES, csv_chunks
from bot.reports.figures import ProgramReport, program_report
from bot.reports.page import refusal_page, report_page
from storage.db import Database
from storage.models import Program
from storage.repository import Repository

log = logging.getLogger(__name__)

REPORT_CLOCK: web.AppKey[Clock] = web.AppKey("report_clock")
"""The clock that decides whether a link has expired: the system clock unless a test sets another."""

MAX_TOKEN = 512
VIEW_SECONDS = 120.0
MOST_VIEWS = 32
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


class Views:
    """The figures of each report view, computed once: the page computes them, its charts (the
    browser asks for them right after) reuse them for :data:`VIEW_SECONDS`. Keyed by the link,
    whose grant every request still checks; a few views at most are kept."""

    def __init__(self, seconds: float = VIEW_SECONDS, most: int = MOST_VIEWS) -> None:
        self.seconds, self.most = seconds, most
        self._views: OrderedDict[str, tuple[float, asyncio.Future[ProgramReport]]] = OrderedDict()
        self.computed = 0
        """How many times figures were computed (the report bench prints it)."""

    async def figures(self, token: str, compute: Callable[[], Awaitable[ProgramReport]],
                      fresh: bool = False) -> ProgramReport:
        """The view's figures: kept ones (unless ``fresh``), or ``compute``'s, kept for the charts."""
        now = time.monotonic()
        kept = self._views.get(token)
        if kept is not None and not fresh and kept[0] > now and not kept[1].cancelled() \
                and not (kept[1].done() and kept[1].exception() is not None):
            return await asyncio.shield(kept[1])
        future: asyncio.Future[ProgramReport] = asyncio.get_running_loop().create_future()
        self._views[token] = (now + self.seconds, future)
        self._views.move_to_end(token)
        while len(self._views) > self.most:
            self._views.popitem(last=False)
        try:
            report = await compute()
        except Exception as problem:
            future.set_exception(problem)
            future.exception()  # retrieved: a failed view is computed again by the next request
            raise
        except BaseException:
            future.cancel()
            raise
        self.computed += 1
        future.set_result(report)
        return report


VIEWS: web.AppKey[Views] = web.AppKey("report_views", Views)


def add_report_routes(app: web.Application, db: Database) -> None:
    """Serve the report page, its charts and its CSV files from ``db`` on ``app``."""
    app.setdefault(REPORT_CLOCK, SystemClock())
    app.setdefault(VIEWS, Views())

    async def page(request: web.Request) -> web.Response:
        switch_locale(_accepted_language(request))
        token = _token(request)

        async def figures(repo: Repository, program: Program, now: datetime) -> ProgramReport:
            return await request.app[VIEWS].figures(token, lambda: program_report(repo, program, now, db), fresh=True)

        report = await _granted(request, db, figures)
        html = report_page(report, links.path(token))
        return web.Response(text=html, content_type="text/html", charset="utf-8", headers=HEADERS)

    async def chart(request: web.Request) -> web.Response:
        switch_locale(_accepted_language(request))
        name = f"{request.match_info['name']}.png"

        async def figures(repo: Repository, program: Program, now: datetime) -> ProgramReport:
            _known(name, CHART_NAMES)
            return await request.app[VIEWS].figures(_token(request), lambda: program_report(repo, program, now, db))

        report = await _granted(request, db, figures)
        # Drawing takes a few hundred milliseconds of CPU: off the event loop (and out of the transaction).
        png = await asyncio.to_thread(chart_png, report, name)
        return web.Response(body=png, content_type="image/png", headers=HEADERS)

    async def export(request: web.Request) -> web.StreamResponse:
        switch_locale(_accepted_language(request))
        name = f"{request.match_info['name']}.csv"
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        response = web.StreamResponse(headers={**HEADERS, **disposition})
        response.content_type, response.charset = "text/csv", "utf-8"

        async def write(repo: Repository, program: Program, now: datetime) -> None:
            _known(name, FILE_NAMES)
            # Sent as it is read: a year of a large program is tens of megabytes, never held whole.
            async for chunk in csv_chunks(repo, program, name):
                if not response.prepared:
                    await response.prepare(request)
                await response.write(chunk)

        await _granted(request, db, write)
        await response.write_eof()
        return response

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
