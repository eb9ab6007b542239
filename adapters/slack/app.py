"""The Slack adapter: a Bolt app on ``/slack/events`` that hands the core what people do.

One workspace with ``SLACK_BOT_TOKEN``, or many with the OAuth install flow
(``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET``), installations kept in our own database by
slack_sdk's SQLAlchemy store. Bolt checks every request's signature and age. Each request
is acknowledged first and worked on afterwards, except a modal submission, whose answer
(errors, the next step, or closing) has to travel in the acknowledgement.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import desc, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.offload import BUSY_LIMIT, Offload, run_here
from adapters.slack import SLACK
from adapters.slack import shapes, translate
from adapters.slack.errors import reason
from adapters.slack.people import SlackPeople
from adapters.slack.delivery import SlackDelivery
from adapters.slack.render import LINK_ACTION, fallback_text, home_view, message_blocks, modal_view
from adapters.slack.replies import Conversation
from adapters.slack.signature import is_signed
from adapters.slack.translate import Unreadable
from bot.delivery import DeliveryResult
from bot.engine import UNAVAILABLE, MentorBot
from bot.messages import Address, Inbound, Message
from storage.db import unreachable

log = logging.getLogger(__name__)

COMMAND = "/mentoring"
BOT_SCOPES = ("commands", "chat:write", "im:history", "im:read", "im:write", "mpim:write", "users:read")
SUBMISSION_BUDGET = 2.5
"""Seconds a modal submission may take before it is acknowledged without its answer
(Slack waits 3 s); the answer then goes to the person's DM."""
UNREADABLE = "Sorry, I could not read that request. Nothing was saved."
NOT_INSTALLED = "mentorbot is not installed in this workspace yet: ask a workspace admin to install it."
ENTERPRISE_PREFIX = "E"
"""Enterprise Grid organizations' ids start with E; workspaces' with T."""
TENANT = "mentorbot_tenant"
"""Where the Bolt context keeps the workspace a request is served in."""


@dataclass(frozen=True)
class SlackConfig:
    """What the Slack adapter needs from the settings.

    ``public_url`` is where the bot's HTTP server is reached from outside (``PUBLIC_URL``):
    calendar-invite buttons link there.
    """

    signing_secret: str
    api_url: str
    bot_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    budget_per_minute: int = 600
    public_url: str | None = None

    @property
    def oauth(self) -> bool:
        """True when workspaces install the app themselves (many workspaces)."""
        return bool(self.client_id and self.client_secret)


class SlackAdapter:
    """The Bolt app and its aiohttp routes, and the :class:`~bot.delivery.GroupDeliverer` for Slack."""

    platform = SLACK

    def __init__(self, bot: MentorBot, config: SlackConfig, engine: AsyncEngine, offload: Offload = run_here) -> None:
        self.bot = bot
        self._offload = offload
        self.config = config
        self.people = SlackPeople()
        self._verifier = SignatureVerifier(config.signing_secret)
        self._busy = asyncio.Semaphore(BUSY_LIMIT)
        self.delivery = SlackDelivery(self.token_for, config.api_url, budget_per_minute=config.budget_per_minute)
        self.app = _bolt_app(config, engine)
        self.app.middleware(self._authorised_workspace)
        self.app.error(self._on_error)
        self.app.command(COMMAND)(self._on_command)
        self.app.event("message")(self._on_message)
        self.app.event("app_home_opened")(self._on_home_opened)
        self.app.action(re.compile(".*"))(self._on_action)
        self.app.view(re.compile(".*"))(self._on_submission)

    def add_routes(self, web_app: web.Application) -> None:
        """Serve Slack's requests (and the OAuth install pages) from ``web_app``."""
        web_app.router.add_post("/slack/events", self._dispatch)
        flow = self.app.oauth_flow
        if flow is not None:
            web_app.router.add_get(flow.install_path, self._oauth_page)
            web_app.router.add_get(flow.redirect_uri_path, self._oauth_page)

    async def token_for(self, tenant: str) -> str | None:
        """The bot token of a workspace, or of an Enterprise Grid organization for an org-wide
        install (``E…``); None when the app is not installed there."""
        if not self.config.oauth:
            return self.config.bot_token
        store = self.app.installation_store
        if not isinstance(store, AsyncSQLAlchemyInstallationStore):
            return None
        if tenant.startswith(ENTERPRISE_PREFIX):
            bot = await store.async_find_bot(enterprise_id=tenant, team_id=None, is_enterprise_install=True)
            return bot.bot_token if bot else None
        # A workspace of a Grid organization is stored with its organization's id: find it by its own.
        bots = store.bots
        query = (select(bots.c.bot_token).where(bots.c.client_id == store.client_id, bots.c.team_id == tenant,
                                               bots.c.bot_token.is_not(None))
                 .order_by(desc(bots.c.installed_at)).limit(1))
        async with store.engine.connect() as connection:
            return await connection.scalar(query)

    async def deliver(self, address: Address, message: Message) -> DeliveryResult:
        """Send a message the bot starts (a reminder, a nudge), paced and retried: to a person's DM
        (chat.postMessage to their user id), or to a channel when ``address`` is one (``C…``/``G…``,
        a lunch-and-learn's audience). The bot must be a member of that channel: Slack's
        ``not_in_channel`` or ``channel_not_found`` comes back as the failed result's error."""
        return await self.delivery.post(address.tenant, address.user_id, fallback_text(message),
                                        message_blocks(message, public_url=self.config.public_url))

    async def deliver_group(self, addresses: Sequence[Address], message: Message) -> DeliveryResult:
        """Send one message to several people of one workspace in a multi-person DM with the bot
        (conversations.open, then a paced and retried post there)."""
        teams = {address.tenant for address in addresses}
        if len(teams) != 1:
            return DeliveryResult(ok=False, attempts=0, error="not_one_workspace")
        [team_id] = teams
        opened = await self.delivery.open_conversation(team_id, [address.user_id for address in addresses])
        if not opened.ok or opened.message_id is None:
            return opened
        posted = await self.delivery.post(team_id, opened.message_id, fallback_text(message),
                                          message_blocks(message, public_url=self.config.public_url))
        return replace(posted, attempts=opened.attempts + posted.attempts)

    async def close(self) -> None:
        """Close the delivery's HTTP session."""
        await self.delivery.close()

    # --- HTTP ----------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.Response:
        """Check the body's encoding, signature and shape, then hand it to Bolt."""
        try:
            raw = (await request.read()).decode("utf-8")
        except UnicodeDecodeError:
            log.warning("refused a Slack request whose body is not UTF-8 from %s", request.remote)
            return web.json_response({"error": "the body is not UTF-8"}, status=400)
        if not is_signed(self._verifier, raw, request.headers):
            log.warning("refused a Slack request with a bad or stale signature from %s", request.remote)
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            body = shapes.read(raw)
        except shapes.Malformed as problem:
            log.warning("refused a malformed Slack request: %s", problem)
            return web.json_response({"error": f"malformed request: {problem}"}, status=400)
        headers = {**request.headers, "Content-Type": shapes.content_type(raw)}
        bolt_request = AsyncBoltRequest(body=raw, query=request.query_string, headers=headers)
        if bolt_request.body != body:
            # Bolt takes any form body with "payload" in it for an interaction, so a slash command
            # whose text says "payload" would reach it empty: give it the body Slack meant.
            bolt_request.body = body
            bolt_request.context = build_async_context(AsyncBoltContext(), body)
        response: BoltResponse = await self.app.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)

    async def _oauth_page(self, request: web.Request) -> web.Response:
        flow = self.app.oauth_flow
        assert flow is not None
        bolt_request = await to_bolt_request(request)
        if request.path == flow.install_path:
            return await to_aiohttp_response(await flow.handle_installation(bolt_request))
        return await to_aiohttp_response(await flow.handle_callback(bolt_request))

    # --- listeners -----------------------------------------------------------------------

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient,
                          context: AsyncBoltContext) -> None:
        inbound = self._read(translate.from_command, body, context)
        if inbound is None:
            await ack(UNREADABLE)
            return
        await ack()
        conversation = self._conversation(client, inbound, channel=None, trigger_id=body.get("trigger_id"),
                                          response_url=translate.response_url_of(body))
        await self._offload(self._converse(inbound, client, conversation))

    def _conversation(self, client: AsyncWebClient, inbound: Inbound, channel: str | None = None,
                      **more: Any) -> Conversation:
        """Where the answers to ``inbound`` go (links, such as calendar invites, on PUBLIC_URL)."""
        shared = inbound.channel.user_id if inbound.channel else None
        return Conversation(client, inbound.address.user_id, channel, shared=shared,
                            public_url=self.config.public_url, **more)

    async def _on_message(self, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext) -> None:
        if not translate.is_person_message(body):
            return
        inbound = self._read(translate.from_message, body, context)
        if inbound is not None:
            channel = str(body["event"].get("channel") or "") or None
            await self._offload(self._converse(inbound, client, self._conversation(client, inbound, channel)))

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient,
                         context: AsyncBoltContext) -> None:
        await ack()
        inbound = self._read(translate.from_action, body, context)
        if inbound is None or inbound.action_id == LINK_ACTION:  # a link button opened its URL
            return
        container = body.get("container") or {}
        # In a channel the answer is for the presser alone: an ephemeral reply on the response_url.
        private_reply = container.get("is_ephemeral") or inbound.channel is not None
        conversation = self._conversation(client, inbound, channel=_channel_of(body), trigger_id=body.get("trigger_id"),
                                          response_url=translate.response_url_of(body) if private_reply else None)
        await self._offload(self._converse(inbound, client, conversation))
        if container.get("type") == "view" and (body.get("view") or {}).get("type") == "home":
            await self._offload(self._publish_home(inbound, client))

    async def _on_submission(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient,
                             context: AsyncBoltContext) -> None:
        inbound = self._read(translate.from_submission, body, context)
        if inbound is None:
            await _refuse_submission(ack, body)
            return
        conversation = self._conversation(client, inbound, channel=translate.metadata_of(body).get("channel"))
        # The person is waiting on the modal: this turn does not queue behind the others.
        work = asyncio.ensure_future(self._offload(self._handle(inbound, client, queued=False)))
        try:
            replies = await asyncio.wait_for(asyncio.shield(work), SUBMISSION_BUDGET)
        except TimeoutError:
            await ack()
            log.warning("a form from %s took longer than %.1f s; answering in the DM", conversation.user_id,
                        SUBMISSION_BUDGET)
            await self._offload(conversation.send(await work))
            return
        await self._answer_submission(ack, inbound, replies, conversation)

    async def _on_home_opened(self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient,
                              context: AsyncBoltContext) -> None:
        inbound = self._read(translate.from_home_opened, body, context)
        if inbound is None:
            return
        if event.get("tab") == "home":
            await self._offload(self._publish_home(replace(inbound, event_id=None), client))
        else:
            channel = str(event.get("channel") or "") or None
            await self._offload(self._converse(inbound, client, self._conversation(client, inbound, channel)))

    # --- internals -----------------------------------------------------------------------

    async def _on_error(self, error: Exception, response: BoltResponse | None) -> BoltResponse | None:
        """What Bolt answers when something under it fails: the database unreachable while it
        looks up a workspace's installation (503: Slack retries an event later), Slack not taking
        Bolt's own "not installed" answer on a response_url (nothing more to do), else a bug.
        After the acknowledgement (``response`` None) there is nothing left to answer."""
        if response is None:
            log.error("a Slack listener failed after its acknowledgement", exc_info=error)
            return None
        if isinstance(error, aiohttp.ClientError | ValueError):
            log.warning("could not answer on the request's response_url: %s", type(error).__name__)
            return BoltResponse(status=200, body="")
        if unreachable(error):
            log.warning("the database is unreachable (%s): asked Slack to retry", type(error).__name__)
            return BoltResponse(status=503, body=UNAVAILABLE)
        log.error("a Slack request failed", exc_info=error)
        return BoltResponse(status=500, body="")

    async def _authorised_workspace(self, context: AsyncBoltContext, next: Callable[[], Awaitable[Any]]) -> Any:
        """Serve a request in the workspace Bolt authorised (``context[TENANT]``), or refuse it
        (tenant isolation)."""
        tenant = tenant_served(context.authorize_result, context.team_id, context.enterprise_id,
                               bool(context.is_enterprise_install), self.config.oauth)
        if tenant is None:
            log.warning("refused a request for workspace %s (enterprise %s, org-wide: %s), which its token does not "
                        "serve", context.team_id, context.enterprise_id, bool(context.is_enterprise_install))
            return BoltResponse(status=403, body="This app is not installed in that workspace.")
        context[TENANT] = tenant
        return await next()

    def _read(self, translation: Callable[[dict[str, Any], str], Inbound], body: dict[str, Any],
              context: AsyncBoltContext) -> Inbound | None:
        try:
            return translation(body, context[TENANT])
        except Unreadable as problem:
            log.warning("refused an unreadable Slack payload: %s", problem)
            return None

    async def _converse(self, inbound: Inbound, client: AsyncWebClient, conversation: Conversation) -> None:
        await conversation.send(await self._handle(inbound, client))

    async def _handle(self, inbound: Inbound, client: AsyncWebClient, queued: bool = True) -> list[Message]:
        async with self._busy if queued else contextlib.nullcontext():
            return await self.bot.handle(await self._with_defaults(inbound, client))

    async def _with_defaults(self, inbound: Inbound, client: AsyncWebClient) -> Inbound:
        """The person's name and time zone from Slack (users.info), as defaults."""
        person = await self.people.lookup(client, inbound.address.tenant, inbound.address.user_id)
        return replace(inbound, display_name=person.name or inbound.display_name, timezone=person.timezone)

    async def _publish_home(self, inbound: Inbound, client: AsyncWebClient) -> None:
        home = await self.bot.home(await self._with_defaults(inbound, client))
        await _quietly(client.views_publish(user_id=inbound.address.user_id, view=home_view(home)), "views.publish")

    async def _answer_submission(
        self, ack: AsyncAck, inbound: Inbound, replies: list[Message], conversation: Conversation
    ) -> None:
        """Errors stay on the modal; a next form replaces it; anything else closes it and goes
        to the conversation."""
        with_form = [m for m in replies if m.form is not None]
        if not with_form:
            await ack()
            await self._offload(conversation.send(replies))
            return
        form_reply = with_form[0]
        form = form_reply.form
        assert form is not None
        shown = set(inbound.values)
        if form.form_id == inbound.form_id and form.errors and set(form.errors) <= shown:
            await ack(response_action="errors", errors={name: error[:150] for name, error in form.errors.items()})
            return
        before = replies[:replies.index(form_reply)]
        merged = Message(text=form_reply.text, blocks=[b for m in before for b in m.blocks] + list(form_reply.blocks),
                         form=form)
        await ack(response_action="update", view=modal_view(merged, conversation.metadata))
        await self._offload(conversation.send(replies[replies.index(form_reply) + 1:]))


def _bolt_app(config: SlackConfig, engine: AsyncEngine) -> AsyncApp:
    if not config.oauth:
        client = AsyncWebClient(base_url=config.api_url, token=config.bot_token)
        return AsyncApp(signing_secret=config.signing_secret, client=client,
                        user_facing_authorize_error_message=NOT_INSTALLED)
    client = AsyncWebClient(base_url=config.api_url)
    assert config.client_id is not None
    store = AsyncSQLAlchemyInstallationStore(client_id=config.client_id, engine=engine)
    settings = AsyncOAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=store,
        installation_store_bot_only=True,
        state_store=AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine),
    )
    return AsyncApp(signing_secret=config.signing_secret, client=client, oauth_settings=settings,
                    installation_store=store, user_facing_authorize_error_message=NOT_INSTALLED)


def tenant_served(authorized: AuthorizeResult | None, claimed_team: str | None, claimed_enterprise: str | None,
                  enterprise_install: bool, oauth: bool) -> str | None:
    """The workspace a request is served in: the one Bolt authorised (its token's, as auth.test
    says), never another field of the body; None when the request claims a workspace that
    token does not serve.

    ``claimed_*`` are the ids Bolt read from the body to find the token. An org-wide install of
    an Enterprise Grid organization (only through the OAuth flow) is served as the organization
    (its ``E…`` id); a single token (``SLACK_BOT_TOKEN``) serves its own workspace only, so an
    org-wide request is refused there.
    """
    if authorized is None:
        return None
    if enterprise_install:
        served = authorized.enterprise_id if oauth else None
        claimed = claimed_enterprise
    else:
        served, claimed = authorized.team_id, claimed_team
    return served if served and claimed == served else None


async def _refuse_submission(ack: AsyncAck, body: dict[str, Any]) -> None:
    """Answer a modal submission that cannot be read: the error shows on the form's first input,
    which stays open with what was typed; a form without inputs is closed."""
    blocks = (body.get("view") or {}).get("blocks")
    inputs = [block.get("block_id") for block in blocks or [] if isinstance(block, dict)
              and block.get("type") == "input" and isinstance(block.get("block_id"), str) and block.get("block_id")]
    if inputs:
        await ack(response_action="errors", errors={inputs[0]: UNREADABLE})
    else:
        await ack()


def _channel_of(body: dict[str, Any]) -> str | None:
    """Where a button's answers are posted: the conversation of its message, or for a button in
    a modal or the App Home, where the modal's answers go."""
    container = body.get("container") or {}
    if container.get("type") == "view":
        return translate.metadata_of(body).get("channel")
    return translate.place_of(body)


async def _quietly(call: Awaitable[Any], what: str) -> None:
    try:
        await call
    except (SlackApiError, OSError, TimeoutError) as problem:  # a failed refresh must not break the turn
        log.warning("%s failed: %s", what, reason(problem))
