"""``GET /my-data/{token}.json``: the file of ``/mentoring my-data`` behind its signed link,
made afresh from the database; a bad, expired or erased person's link gets a 403."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.my_data import FILENAME, MEDIA_TYPE, check, their_data
from mentorbot.report_routes import HEADERS, MAX_TOKEN, REPORT_CLOCK
from storage.db import Database
from storage.repository import Repository

log = logging.getLogger(__name__)
REFUSED = "This link is not valid (any more). Ask the bot again: /mentoring my-data"


def add_my_data_routes(app: web.Application, db: Database) -> None:
    """Serve ``/my-data/{token}.json`` from ``db``."""

    async def serve(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        now = request.app[REPORT_CLOCK].now()
        async with db.transaction() as session:
            holder = await check(session, token, now) if len(token) <= MAX_TOKEN else None
            repo = Repository(session, holder.tenant_id) if holder is not None else None
            person = await repo.person(holder.person_id) if repo is not None and holder is not None else None
            if repo is None or person is None or person.erased_at is not None:
                log.warning("my-data link refused (token %r...)", token[:4])
                raise web.HTTPForbidden(text=REFUSED, headers=HEADERS)
            data = await their_data(repo, person, now)
        disposition = {"Content-Disposition": f'attachment; filename="{FILENAME}"'}
        return web.Response(body=data, content_type=MEDIA_TYPE, charset="utf-8", headers={**HEADERS, **disposition})

    app.router.add_get("/my-data/{token}.json", serve)
