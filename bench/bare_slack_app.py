"""The baseline for bench/slack_inbound.py: a bare slack-bolt app on aiohttp that only acks.

    .venv/bin/python bench/bare_slack_app.py --port 3100   (SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN,
                                                            SLACK_API_URL from the environment)
"""

from __future__ import annotations

import argparse
import os
import re
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build() -> web.Application:
    client = AsyncWebClient(base_url=os.environ["SLACK_API_URL"], token=os.environ["SLACK_BOT_TOKEN"])
    # BARE_PROCESS_BEFORE_RESPONSE=1: answer once the listener is done, as mentorbot does (by
    # default Bolt polls every 10 ms for a command's ack).
    bolt = AsyncApp(signing_secret=os.environ["SLACK_SIGNING_SECRET"], client=client,
                    process_before_response=os.environ.get("BARE_PROCESS_BEFORE_RESPONSE") == "1")

    @bolt.command("/mentoring")
    async def command(ack: AsyncAck) -> None:
        await ack()

    @bolt.event("message")
    async def message(body: dict[str, Any]) -> None:
        return None

    @bolt.action(re.compile(".*"))
    async def action(ack: AsyncAck) -> None:
        await ack()

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=3100)
    web.run_app(build(), host="127.0.0.1", port=parser.parse_args().port, access_log=None, print=None)
