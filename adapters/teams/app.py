"""The Teams adapter: botbuilder's CloudAdapter on ``/api/messages`` handing the core what people do.

With an app id and password (an Azure bot registration), every request's Bot Framework token
is validated: a missing, forged or malformed token gets 401 and changes nothing. Without
them Teams is served only in the explicit development mode (Bot Framework Emulator, no
authentication). Each activity is acknowledged at once: the turn runs afterwards, on the
worker loop, and its answers go out through :class:`~adapters.teams.delivery.TeamsDelivery`,
like every message the bot starts later from a stored conversation reference.

Someone who acts in a channel or a group chat (types ``@mentorbot mentoring ...``, taps a
button on a lunch-and-learn post) is answered in their personal chat with the bot, which is
opened for them if need be: Teams has no message only one member of a conversation sees, and
what the bot tells one person is not for the whole channel. Only answers the core marks
public go to the channel, in the thread. If the personal chat cannot be opened, the channel
gets a short note saying so, never the answer itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any

from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ActivityTypes, ConversationReference
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import ServiceClientCredentialsFactory
from msrest.exceptions import DeserializationError

from adapters.offload import BUSY_LIMIT, Offload, run_here
from adapters.payloads import BadPayload, read_json
from adapters.teams import TEAMS, translate
from adapters.teams.auth import ReusingAuthentication
from adapters.teams.delivery import TeamsDelivery
from adapters.teams.render import activity_of
from adapters.teams.translate import Arrival
from bot.delivery import DeliveryResult
from bot.engine import MentorBot
from bot.messages import Address, Inbound, Message, Visibility

log = logging.getLogger(__name__)

ENDPOINT = "/api/messages"
NO_PERSONAL_CHAT = ("I answer you in our personal chat, where what you tell me stays between us, but I could "
                    "not open it. Open a chat with me (search for mentorbot under Chat) and type `mentoring help`.")


@dataclass(frozen=True)
class TeamsConfig:
    """What the Teams adapter needs from the settings.

    ``credentials_factory`` replaces Entra ID as the source of the bot's own token (the tests'
    local fake); leave it unset in production. ``public_url`` is where the bot's HTTP server is
    reached from outside (``PUBLIC_URL``): calendar-invite buttons link there.
    """

    app_id: str = ""
    app_password: str = ""
    app_type: str = "MultiTenant"
    app_tenant_id: str = ""
    allow_unauthenticated: bool = False
    credentials_factory: ServiceClientCredentialsFactory | None = None
    public_url: str | None = None

    @property
    def authenticated(self) -> bool:
        """True when requests must carry a valid Bot Framework token."""
        return bool(self.app_id and self.app_password)

    @property
    def single_tenant(self) -> bool:
        """True when only the registration's own tenant is served."""
        return self.app_type.lower() == "singletenant"


@dataclass(frozen=True)
class _Where:
    """Where one turn's answers go: the person's own chat (None when it could not be opened)
    and, when they acted in a channel or group chat, that conversation; each with the id of the
    activity a reply there answers (None: a new message)."""

    private: ConversationReference | None
    private_reply_to: str | None = None
    shared: ConversationReference | None = None
    shared_reply_to: str | None = None


class _BotFrameworkSettings:
    """The configuration object botbuilder reads its settings from (by attribute name)."""

    def __init__(self, config: TeamsConfig) -> None:
        authenticated = config.authenticated
        self.APP_ID = config.app_id if authenticated else ""
        self.APP_PASSWORD = config.app_password if authenticated else ""
        self.APP_TYPE = config.app_type
        self.APP_TENANTID = config.app_tenant_id


class TeamsAdapter:
    """``/api/messages`` and the :class:`~bot.delivery.Deliverer` for Teams."""

    platform = TEAMS

    def __init__(self, bot: MentorBot, config: TeamsConfig, offload: Offload = run_here,
                 delivery_options: dict[str, Any] | None = None) -> None:
        if not config.authenticated and not config.allow_unauthenticated:
            raise ValueError("Teams needs MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD "
                             "(or TEAMS_ALLOW_UNAUTHENTICATED=1 for local development)")
        self.bot = bot
        self.config = config
        self._offload = offload
        self.auth = ReusingAuthentication(ConfigurationBotFrameworkAuthentication(
            _BotFrameworkSettings(config), credentials_factory=config.credentials_factory))
        self.cloud = CloudAdapter(self.auth)
        self.cloud.on_turn_error = self._on_turn_error
        self.delivery = TeamsDelivery(self._connector_for, **(delivery_options or {}))
        self._busy: asyncio.Semaphore | None = None
        self._pending: set[asyncio.Task[Any]] = set()
        if not config.authenticated:
            log.warning("Teams: UNAUTHENTICATED development mode (TEAMS_ALLOW_UNAUTHENTICATED=1): anyone who can "
                        "reach %s can act as anyone. Use it only with the Bot Framework Emulator.", ENDPOINT)

    def add_routes(self, web_app: web.Application) -> None:
        """Serve the Bot Framework endpoint from ``web_app``."""
        web_app.router.add_post(ENDPOINT, self._messages)

    async def deliver(self, address: Address, message: Message) -> DeliveryResult:
        """Send a message the bot starts (a reminder, a nudge) to a person's personal chat, or to
        a channel or group chat (a lunch-and-learn's audience) when ``address`` is one: a new
        message in the conversation of its reference, where the app must be installed."""
        if not address.reference:
            return DeliveryResult(ok=False, attempts=0, error="no_conversation_reference")
        reference = ConversationReference().deserialize(dict(address.reference))
        activity = activity_of(message, self.config.public_url)
        return await self._offload(self.delivery.send(reference, activity))

    async def drain(self) -> None:
        """Wait until every acknowledged activity has been answered."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def close(self) -> None:
        """Finish the turns under way, then close the connector clients."""
        await self.drain()
        await self._offload(self.auth.close())

    # --- HTTP ----------------------------------------------------------------------------

    async def _messages(self, request: web.Request) -> web.Response:
        activity, problem = await _read_activity(request)
        if activity is None:
            log.warning("refused a malformed Teams request: %s", problem)
            return web.json_response({"error": f"malformed activity: {problem}"}, status=400)
        try:
            authenticated = await self.auth.authenticate_request(activity, request.headers.get("Authorization", ""))
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
        await self.cloud.process_activity(authenticated, activity, self._turn_for(arrival))
        return web.json_response({}, status=200) if activity.type == ActivityTypes.invoke else web.Response(status=202)

    def _turn_for(self, arrival: Arrival) -> Callable[[TurnContext], Awaitable[None]]:
        async def on_turn(context: TurnContext) -> None:
            activity = context.activity
            inbound = translate.inbound_of(activity, arrival)
            if inbound is None:
                return
            self._spawn(self._converse(inbound, arrival, activity.id))

        return on_turn

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        log.error("a Teams turn failed: %s", error, exc_info=error)

    # --- the turn, after the acknowledgement ---------------------------------------------

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(self._offload(work))
        self._pending.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a Teams turn failed", exc_info=task.exception())

    async def _converse(self, inbound: Inbound, arrival: Arrival, activity_id: str | None) -> None:
        where = _Where(arrival.reference, activity_id)
        if not arrival.personal:
            personal = await self._personal_chat(arrival.reference)
            where = _Where(personal, None, arrival.reference, activity_id)
            if personal is not None:  # kept as the way to reach them later, like a personal chat's own
                inbound = replace(inbound, address=replace(inbound.address, reference=personal.serialize()))
        if self._busy is None:
            self._busy = asyncio.Semaphore(BUSY_LIMIT)
        async with self._busy:
            replies = await self.bot.handle(inbound)
        await self._answer(where, replies)

    async def _personal_chat(self, reference: ConversationReference) -> ConversationReference | None:
        """The personal chat of whoever wrote in the shared conversation of ``reference``, opened
        if need be; None when Teams refuses it."""
        if reference.user is None:
            return None
        opened = await self.delivery.open_personal(reference, reference.user)
        return translate.personal_reference(reference, opened.message_id) if opened.message_id else None

    async def _answer(self, where: _Where, replies: list[Message]) -> None:
        """Send the core's answers in order: to whoever a message is for, to the channel when the
        core means it for everyone there, else to the person's own chat."""
        noted = False
        for message in replies:
            if message.to is not None:
                await self.deliver(message.to, message)
                continue
            activity = activity_of(message, self.config.public_url)
            if where.shared is not None and message.visibility is Visibility.PUBLIC:
                await self.delivery.send(where.shared, activity, where.shared_reply_to)
            elif where.private is not None:
                await self.delivery.send(where.private, activity, where.private_reply_to)
            elif where.shared is not None and not noted:
                noted = True
                log.warning("no personal chat with someone who wrote in %s: told them so there, without the answer",
                            where.shared.conversation.id)
                await self.delivery.send(where.shared, activity_of(Message(NO_PERSONAL_CHAT)), where.shared_reply_to)

    async def _connector_for(self, service_url: str) -> ConnectorClient:
        claims = self.cloud.create_claims_identity(self.config.app_id if self.config.authenticated else "")
        return await self.auth.create_connector_factory(claims).create(service_url, None)


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
