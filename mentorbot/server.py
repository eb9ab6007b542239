"""The HTTP server behind ``mentorbot serve``: ``/healthz``, ``/readyz``, calendar invites and each platform's
endpoints."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from aiohttp import web

from adapters.health import health_checks
from mentorbot import logs
from mentorbot.report_routes import add_report_routes
from storage.db import Database

log = logging.getLogger(__name__)

DATABASE = web.AppKey("database", Database)


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
    """200 when this process can take work: the database answers and every edge's check is ready
    (the Slack Socket Mode connection is open); 503 with what is not, otherwise."""
    checks = {"database": "ok" if await request.app[DATABASE].ping() else "unreachable"}
    ready = checks["database"] == "ok"
    for name, check in health_checks(request.app).items():
        health = check()
        checks[name] = health.state
        ready = ready and health.ready
    return web.json_response({"status": "ready" if ready else "not ready", **checks}, status=200 if ready else 503)


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


def build_app(db: Database, adapters: Sequence[Routed] = ()) -> web.Application:
    """The aiohttp application with every route mentorbot serves: ``/healthz``, ``/readyz``, calendar
    invites, the report page behind its signed links, and each platform's endpoints."""
    logs.install()  # no secrets in the log, one line per malformed request (once, however many apps)
    app = web.Application(client_max_size=1024 * 1024)
    app[DATABASE] = db
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/calendar/{token}.ics", calendar_invite)
    add_report_routes(app, db)
    for adapter in adapters:
        adapter.add_routes(app)
    return app
