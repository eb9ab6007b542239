"""The baseline for bench/teams_inbound.py: a bare botbuilder echo bot on aiohttp, no authentication.

    .venv/bin/python bench/bare_teams_bot.py --port 3978

botbuilder's CloudAdapter with an empty app id and password (like the Bot Framework Emulator),
an ActivityHandler that echoes each message. It replies inline, as a plain botbuilder bot does:
the HTTP answer comes after the reply was posted to the connector (the activity's serviceUrl).
"""

from __future__ import annotations

import argparse

from aiohttp import web
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication


class NoAuthentication:
    """The settings botbuilder reads by attribute name: no app id, no password."""

    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""


class EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(MessageFactory.text(f"Echo: {turn_context.activity.text}"))


def build() -> web.Application:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(NoAuthentication()))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot) or web.Response(status=201)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=3978)
    web.run_app(build(), host="127.0.0.1", port=parser.parse_args().port, access_log=None, print=None)
