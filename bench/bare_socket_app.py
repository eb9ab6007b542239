"""The baseline for bench/slack_socket_inbound.py: a bare slack-bolt app over Socket Mode (Bolt's
stock AsyncSocketModeHandler) that only acks.

    .venv/bin/python bench/bare_socket_app.py   (SLACK_APP_TOKEN, SLACK_BOT_TOKEN, SLACK_API_URL
                                                 from the environment; --port is accepted and unused)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build() -> AsyncApp:
    client = AsyncWebClient(base_url=os.environ["SLACK_API_URL"], token=os.environ["SLACK_BOT_TOKEN"])
    # BARE_PROCESS_BEFORE_RESPONSE=1: answer once the listener is done, as mentorbot does (by
    # default Bolt polls every 10 ms for a command's ack).
    bolt = AsyncApp(client=client, process_before_response=os.environ.get("BARE_PROCESS_BEFORE_RESPONSE") == "1")

    @bolt.command("/mentoring")
    async def command(ack: AsyncAck) -> None:
        await ack()

    @bolt.event("message")
    async def message(body: dict[str, Any]) -> None:
        return None

    @bolt.action(re.compile(".*"))
    async def action(ack: AsyncAck) -> None:
        await ack()

    return bolt


async def main() -> None:
    handler = AsyncSocketModeHandler(build(), os.environ["SLACK_APP_TOKEN"])
    await handler.connect_async()
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, help="unused: nothing is served over HTTP")
    parser.parse_args()
    asyncio.run(main())
