"""The calendars' push routes on ``mentorbot serve``.

- ``POST /calendars/microsoft/notifications``: Graph change notifications. A request with a
  ``validationToken`` is Graph checking the URL when a subscription is made: the token is echoed
  as plain text. A notification counts only when its ``clientState`` is the secret stored for
  its subscription; one for an unknown subscription is ignored, one with a wrong secret refused.
- ``POST /calendars/google/notifications``: Google watch channels (``X-Goog-Channel-ID`` and
  ``X-Goog-Channel-Token``), the same way; the ``sync`` message that opens a channel is only
  acknowledged.
- ``GET /calendars/connected``: where Microsoft's admin consent sends the administrator back.

A notification only marks the calendar to be read at the next run of the ``calendar_sync`` job:
it claims nothing the bot trusts, and it is answered at once (Graph wants an answer within 3 s).
Secrets and tokens are never logged.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from bot.clock import Clock, SystemClock
from bot.pairs.calendar_sync import note_push
from storage.db import Database

log = logging.getLogger(__name__)

PUSH_CLOCK: web.AppKey[Clock] = web.AppKey("push_clock")
MAX_VALIDATION_TOKEN = 1024
MAX_NOTIFICATIONS = 100


def add_calendar_routes(app: web.Application, db: Database) -> None:
    """Serve the calendar push routes from ``db`` on ``app``."""
    app.setdefault(PUSH_CLOCK, SystemClock())

    async def graph(request: web.Request) -> web.Response:
        token = request.query.get("validationToken")
        if token is not None:
            if len(token) > MAX_VALIDATION_TOKEN:
                return web.Response(status=400, text="validation token too long")
            return web.Response(text=token, content_type="text/plain")
        try:
            body: Any = await request.json()
            notifications = body["value"]
            assert isinstance(notifications, list)
        except (ValueError, KeyError, TypeError, AssertionError):
            log.info("calendar push (microsoft): malformed body refused")
            return web.Response(status=400, text="expected {\"value\": [...]}")
        refused = 0
        for item in notifications[:MAX_NOTIFICATIONS]:
            if not isinstance(item, dict):
                refused += 1
                continue
            subscription, secret = str(item.get("subscriptionId", ""))[:300], str(item.get("clientState", ""))[:200]
            if not await note_push(db, "microsoft", subscription, secret, request.app[PUSH_CLOCK].now()):
                refused += 1
        if refused:
            log.warning("calendar push (microsoft): %d notification(s) with an unknown subscription or a wrong "
                        "clientState ignored", refused)
        return web.Response(status=202)

    async def google(request: web.Request) -> web.Response:
        channel = request.headers.get("X-Goog-Channel-ID", "")[:300]
        secret = request.headers.get("X-Goog-Channel-Token", "")[:200]
        if not channel:
            return web.Response(status=400, text="not a channel notification")
        if request.headers.get("X-Goog-Resource-State") == "sync":
            return web.Response(status=200)  # Google's hello when a channel starts: no change to read
        if not await note_push(db, "google", channel, secret, request.app[PUSH_CLOCK].now()):
            log.warning("calendar push (google): a notification with an unknown channel or a wrong token ignored")
        return web.Response(status=200)

    async def connected(_: web.Request) -> web.Response:
        return web.Response(text="Thank you: consent is recorded. Go back to the chat and press \"Check again\" "
                                 "(or run /mentoring calendar connect microsoft) to finish connecting.",
                            content_type="text/plain")

    app.router.add_post("/calendars/microsoft/notifications", graph)
    app.router.add_post("/calendars/google/notifications", google)
    app.router.add_get("/calendars/connected", connected)
