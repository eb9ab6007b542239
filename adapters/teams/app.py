"""The Teams adapter's edge: ``/api/messages``, checking and acknowledging what people do.

With an app id and password (an Azure bot registration), every request's Bot Framework token
is validated: a missing, forged or malformed token gets 401 and changes nothing. Without
them Teams is served only in the explicit development mode (Bot Framework Emulator, no
authentication). Each activity is acknowledged at once: the rest is a job for
:class:`~adapters.teams.turns.TeamsTurns`, where the core runs, whose answers go out through
:class:`~adapters.teams.delivery.TeamsDelivery`, like every message the bot starts later from
a stored conversation reference.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from aiohttp import web
from botbuilder.schema import Activity, ActivityTypes
from msrest.exceptions import DeserializationError

from adapters.jobs import Inbox, Job, LocalInbox
from adapters.payloads import BadPayload, read_json
from adapters.teams import TEAMS, translate
from adapters.teams.files import attached_files
from adapters.teams.config import TeamsConfig, authentication
from bot.messages import Address, InboundKind, Message

if TYPE_CHECKING:
    from adapters.teams.turns import TeamsTurns
    from bot.delivery import DeliveryResult
    from bot.engine import MentorBot

__all__ = ["ENDPOINT", "TeamsAdapter", "TeamsConfig"]

log = logging.getLogger(__name__)

ENDPOINT = "/api/messages"
CONVERSE = "converse"
"""The one kind of job the edge hands the turns: answer an activity."""


class TeamsAdapter:
    """``/api/messages``, handing jobs to ``inbox``.

    Without an inbox (tests, one process), the jobs run here with :class:`TeamsTurns` over
    ``bot``, which also deliver what the bot starts.
    """

    platform = TEAMS

    def __init__(self, bot: MentorBot | None, config: TeamsConfig, inbox: Inbox | None = None,
                 delivery_options: dict[str, Any] | None = None) -> None:
        config.check()
        self.config = config
        self.auth = authentication(config)
        self.turns: TeamsTurns | None = None
        if inbox is None:
            from adapters.teams.turns import TeamsTurns

            assert bot is not None, "jobs run here need the core"
            self.turns = TeamsTurns(bot, config, delivery_options)
            inbox = self._local = LocalInbox({TEAMS: self.turns})
        self.inbox = inbox
        if not config.authenticated:
            log.warning("Teams: UNAUTHENTICATED development mode (TEAMS_ALLOW_UNAUTHENTICATED=1): anyone who can "
                        "reach %s can act as anyone. Use it only with the Bot Framework Emulator.", ENDPOINT)

    def add_routes(self, web_app: web.Application) -> None:
        """Serve the Bot Framework endpoint from ``web_app``."""
        web_app.router.add_post(ENDPOINT, self._messages)

    # --- one process: the turns run here --------------------------------------------------

    async def deliver(self, address: Address, message: Message) -> DeliveryResult:
        """Send a message the bot starts (jobs run here only): see :meth:`TeamsTurns.deliver`."""
        assert self.turns is not None
        return await self.turns.deliver(address, message)

    @property
    def delivery(self) -> Any:
        """The delivery of the turns run here."""
        assert self.turns is not None
        return self.turns.delivery

    async def drain(self) -> None:
        """Wait until every acknowledged activity has been answered (jobs run here only)."""
        if self.turns is not None:
            await self._local.drain()

    async def close(self) -> None:
        """Finish the turns under way, then close the connector clients."""
        if self.turns is not None:
            await self._local.close()
            await self.turns.close()
        await self.auth.close()

    # --- HTTP ----------------------------------------------------------------------------

    async def _messages(self, request: web.Request) -> web.Response:
        activity, problem = await _read_activity(request)
        if activity is None:
            log.warning("refused a malformed Teams request: %s", problem)
            return web.json_response({"error": f"malformed activity: {problem}"}, status=400)
        try:
            await self.auth.authenticate_request(activity, request.headers.get("Authorization", ""))
        except Exception as refusal:  # noqa: BLE001 - a forged or broken token raises anything from PyJWT
            log.warning("refused a Teams request without a valid token from %s: %s", request.remote,
                        type(refusal).__name__)
            return web.json_response({"error": "unauthorized"}, status=401)
        arrival = translate.arrival_of(activity, allow_without_tenant=not self.config.authenticated)
        if arrival is None:
            log.warning("refused a Teams activity without channelData.tenant.id")
            return web.json_response({"error": "malformed activity: no channelData.tenant.id"}, status=400)
        if self.config.single_tenant and arrival.address.tenant != self.config.app_tenant_id:
            log.warning("refused an activity from tenant %s, which this single-tenant bot does not serve",
                        arrival.address.tenant)
            return web.json_response({"error": "this bot does not serve that tenant"}, status=403)
        inbound = translate.inbound_of(activity, arrival)
        if inbound is not None:
            address = inbound.address
            # Files attached in the personal chat are fetched with the turn, after the acknowledgement.
            files = [asdict(found) for found in attached_files(activity)] if arrival.personal else []
            await self.inbox.put(Job(
                TEAMS, CONVERSE, {"inbound": inbound.as_dict(), "arrival": translate.arrival_as_dict(arrival),
                                  "activity_id": activity.id, "files": files},
                key=f"{address.platform}/{address.tenant}/{address.user_id}",
                deferrable=inbound.kind in (InboundKind.TEXT, InboundKind.OPENED)))
        return web.json_response({}, status=200) if activity.type == ActivityTypes.invoke else web.Response(status=202)


async def _read_activity(request: web.Request) -> tuple[Activity | None, str]:
    """The request's activity, or None and what is wrong with it."""
    if request.content_type != "application/json":
        return None, f"content type {request.content_type or 'missing'}, expected application/json"
    try:
        body = read_json(await request.read())
    except BadPayload as bad:
        return None, f"the body is not JSON: {bad}"
    problem = translate.shape_problem(body)
    if problem:
        return None, problem
    try:
        return Activity().deserialize(body), ""
    except (DeserializationError, TypeError, ValueError, AttributeError) as error:
        return None, f"not an activity ({type(error).__name__})"
