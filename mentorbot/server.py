"""The HTTP server behind ``mentorbot serve``: ``/healthz``, ``/readyz``, ``/metrics``, calendar
invites, the report page, the privacy notice and terms, and each platform's endpoints."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from adapters.health import health_checks
from bot import logcontext, metrics
from mentorbot import logs
from mentorbot.metrics_route import add_metrics_route
from mentorbot.my_data_routes import add_my_data_routes
from mentorbot.notices import add_notice_routes
from mentorbot.calendar_routes import add_calendar_routes
from mentorbot.report_routes import add_report_routes
from storage.db import Database
from storage.revisions import database_revision, expected_head

log = logging.getLogger(__name__)

DATABASE = web.AppKey("database", Database)


@dataclass(frozen=True)
class Readiness:
    """One named check ``/readyz`` makes: ``check`` says whether this replica can take traffic
    and, when it cannot, why (a short phrase: never a secret)."""

    name: str
    check: Callable[[], Awaitable[tuple[bool, str]]]


READINESS: web.AppKey[list[Readiness]] = web.AppKey("readiness", list)
"""The checks ``/readyz`` makes, in order; an adapter (or a test) appends its own."""


class Routed(Protocol):
    """A platform adapter that serves HTTP requests."""

    def add_routes(self, web_app: web.Application) -> None:
        """Add the adapter's routes to ``web_app``."""

    async def close(self) -> None:
        """Release what the adapter holds (HTTP sessions) on shutdown."""


async def healthz(request: web.Request) -> web.Response:
    """200 with a small JSON body once the database answers; 503 otherwise. The edges' own checks
    (the Slack Socket Mode connection) are reported beside it but do not change the status: a
    process that lost Slack for a while is not one to restart."""
    db = request.app[DATABASE]
    edges = {name: check().state for name, check in health_checks(request.app).items()}
    if await db.ping():
        return web.json_response({"status": "ok", "database": "ok", **edges})
    log.warning("health check: database unreachable")
    return web.json_response({"status": "unavailable", "database": "unreachable", **edges}, status=503)


async def readyz(request: web.Request) -> web.Response:
    """200 when every readiness check passes (the database answers and is migrated) and every
    edge is ready (the Slack Socket Mode connection is open), else 503; the body names each result."""
    results: dict[str, str] = {}
    ready = True
    for readiness in request.app[READINESS]:
        try:
            ok, detail = await readiness.check()
        except Exception as problem:  # noqa: BLE001 - a check that breaks means "not ready"
            ok, detail = False, f"check failed ({type(problem).__name__})"
        results[readiness.name] = "ok" if ok else detail
        ready = ready and ok
    for name, edge in health_checks(request.app).items():  # the Slack Socket Mode connection
        health = edge()
        results[name] = health.state
        ready = ready and health.ready
    if not ready:
        log.warning("not ready: %s", ", ".join(f"{name}: {detail}" for name, detail in results.items()
                                                if detail != "ok"))
    return web.json_response({"status": "ready" if ready else "not ready", "checks": results},
                             status=200 if ready else 503)


def database_checks(db: Database) -> list[Readiness]:
    """The database is reachable, and its schema is the one this code expects."""
    async def reachable() -> tuple[bool, str]:
        return (True, "ok") if await db.ping() else (False, "unreachable")

    async def migrated() -> tuple[bool, str]:
        expected, found = expected_head(), await database_revision(db)
        if found == expected:
            return True, "ok"
        return False, f"at revision {found or 'none'}, expected {expected}: run mentorbot migrate"

    return [Readiness("database", reachable), Readiness("migrations", migrated)]


async def calendar_invite(request: web.Request) -> web.Response:
    """The .ics file behind a session's invite link; 404 for a malformed or unknown token."""
    from bot.invites import attachment_by_token  # icalendar: loaded on the first invite asked for

    token = request.match_info["token"]
    invite = await attachment_by_token(request.app[DATABASE], token)
    if invite is None:
        # The token is the secret: never log more than enough of it to tell requests apart.
        log.info("calendar invite not found (token %r...)", token[:4])
        return web.Response(status=404, text="No such calendar invite.")
    return web.Response(
        body=invite.data,
        content_type=invite.media_type,
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{invite.filename}"',
            # Reschedules change the file: calendar apps must fetch it afresh.
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@web.middleware
async def observed(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                   ) -> web.StreamResponse:
    """Give the request its id (for every log line about it, and the jobs it hands over) and time
    the answer (``mentorbot_ack_seconds``, by route)."""
    request_id = logcontext.request_id(request.headers.get("X-Request-Id"))
    logcontext.set_request_id(request_id)
    started = time.perf_counter()
    try:
        response = await handler(request)
    finally:
        route = request.match_info.route.resource
        name = route.canonical if route is not None else "other"
        if name != "/metrics":
            metrics.ACK_SECONDS.labels(name).observe(time.perf_counter() - started)
    if not response.prepared:
        response.headers["X-Request-Id"] = request_id
    return response


def build_app(db: Database, adapters: Sequence[Routed] = (), metrics_token: str | None = None) -> web.Application:
    """The aiohttp application with every route mentorbot serves: ``/healthz``, ``/readyz``,
    ``/metrics`` (only with ``metrics_token``), calendar invites, the report page and the
    my-data file behind their signed links, the privacy notice and terms, and each platform's
    endpoints."""
    logs.install()  # no secrets in the log, one line per malformed request (once, however many apps)
    app = web.Application(client_max_size=1024 * 1024, middlewares=[observed])
    app[DATABASE] = db
    app[READINESS] = database_checks(db)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    add_metrics_route(app, db, metrics_token)
    app.router.add_get("/calendar/{token}.ics", calendar_invite)
    add_report_routes(app, db)
    add_my_data_routes(app, db)
    add_notice_routes(app)
    add_calendar_routes(app, db)
    for adapter in adapters:
        adapter.add_routes(app)
    return app
