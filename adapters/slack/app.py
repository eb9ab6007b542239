"""The Slack adapter's edge: a Bolt app on ``/slack/events`` that checks, acknowledges and hands
over what people do.

One workspace with ``SLACK_BOT_TOKEN``, or many with the OAuth install flow
(``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET``), installations kept in our own database by
slack_sdk's SQLAlchemy store. Every request's signature, age and shape are checked before Bolt
reads it; the workspace it is served in is the one Bolt authorised. With ``SLACK_APP_TOKEN`` the
same Bolt app is reached over Socket Mode instead (:mod:`adapters.slack.socket_mode`: an outbound
WebSocket, opened when the server starts; no ``/slack/events``). Each request is
acknowledged first and the rest is a job for :class:`~adapters.slack.turns.SlackTurns`, where
the core runs, except a modal submission, whose answer (errors, the next step, or closing) has
to travel in the acknowledgement: its job's result, if it comes in time.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.health import Health, add_health_check
from adapters.jobs import Inbox, Job, LocalInbox
from adapters.slack import CONVERSE, HOME, SLACK, SUBMIT, shapes, translate
from adapters.slack.config import SlackConfig
from adapters.slack.render import LINK_ACTION
from adapters.slack.translate import Unreadable
from adapters.slack.signature import is_signed
from bot.errors import UNAVAILABLE
from bot.i18n import N_, _
from bot.messages import Address, Inbound, Message
from storage.db import unreachable

if TYPE_CHECKING:
    from adapters.slack.socket_mode import Link
    from adapters.slack.turns import SlackTurns
    from bot.delivery import DeliveryResult
    from bot.engine import MentorBot

__all__ = ["SlackAdapter", "SlackConfig", "tenant_served"]

log = logging.getLogger(__name__)

COMMAND = "/mentoring"
BOT_SCOPES = ("commands", "chat:write", "im:history", "im:read", "im:write", "mpim:write", "users:read",
              "users:read.email", "files:read")
SUBMISSION_BUDGET = 2.5
"""Seconds a modal submission may take before it is acknowledged without its answer
(Slack waits 3 s); the answer then goes to the person's DM."""
ACK_GRACE = 0.2
"""Seconds the edge waits past the budget for an answer the worker found in time."""
UNREADABLE = N_("Sorry, I could not read that request. Nothing was saved.")
NOT_INSTALLED = N_("mentorbot is not installed in this workspace yet: ask a workspace admin to install it.")
TENANT = "mentorbot_tenant"
"""Where the Bolt context keeps the workspace a request is served in."""
SOCKET_CHECK = "slack_socket"
"""How ``/healthz`` and ``/readyz`` name the Socket Mode connection."""


class SlackAdapter:
    """The Bolt app and its aiohttp routes, handing jobs to ``inbox``.

    Without an inbox (tests, one process), the jobs run here with :class:`SlackTurns` over
    ``bot``, which also deliver what the bot starts.
    """

    platform = SLACK

    def __init__(self, bot: MentorBot | None, config: SlackConfig, engine: AsyncEngine,
                 inbox: Inbox | None = None) -> None:
        self.config = config
        self.turns: SlackTurns | None = None
        if inbox is None:
            from adapters.slack.turns import SlackTurns

            assert bot is not None, "jobs run here need the core"
            self.turns = SlackTurns(bot, config, engine)
            inbox = self._local = LocalInbox({SLACK: self.turns})
        self.inbox = inbox
        self.link: Link | None = None
        """The Socket Mode connection, once the server started (Socket Mode only)."""
        # Over Socket Mode nothing comes signed: there is no /slack/events (nor, maybe, a signing secret).
        self._verifier = None if config.socket_mode else SignatureVerifier(config.signing_secret)
        self.app = _bolt_app(config, engine)
        self.app.middleware(self._authorised_workspace)
        self.app.error(self._on_error)
        self.app.command(COMMAND)(self._on_command)
        self.app.event("message")(self._on_message)
        self.app.event("app_home_opened")(self._on_home_opened)
        self.app.action(re.compile(".*"))(self._on_action)
        self.app.view(re.compile(".*"))(self._on_submission)

    def add_routes(self, web_app: web.Application) -> None:
        """Serve Slack's requests (and the OAuth install pages) from ``web_app``; over Socket Mode,
        connect to Slack when ``web_app`` starts (and report the connection on its health checks)."""
        if self.config.socket_mode:
            add_health_check(web_app, SOCKET_CHECK, self._link_health)
            web_app.on_startup.append(self._open_link)
            web_app.on_cleanup.append(self._close_link)
            return
        web_app.router.add_post("/slack/events", self._dispatch)
        flow = self.app.oauth_flow
        if flow is not None:
            web_app.router.add_get(flow.install_path, self._oauth_page)
            web_app.router.add_get(flow.redirect_uri_path, self._oauth_page)

    # --- one process: the turns run here --------------------------------------------------

    async def token_for(self, tenant: str) -> str | None:
        """The bot token of a workspace (jobs run here only)."""
        assert self.turns is not None
        return await self.turns.token_for(tenant)

    async def deliver(self, address: Address, message: Message) -> DeliveryResult:
        """Send a message the bot starts (jobs run here only): see :meth:`SlackTurns.deliver`."""
        assert self.turns is not None
        return await self.turns.deliver(address, message)

    async def deliver_group(self, addresses: Sequence[Address], message: Message) -> DeliveryResult:
        """Send one message to several people (jobs run here only): see :meth:`SlackTurns.deliver_group`."""
        assert self.turns is not None
        return await self.turns.deliver_group(addresses, message)

    async def drain(self) -> None:
        """Wait until the jobs run here are done."""
        if self.turns is not None:
            await self._local.drain()

    async def close(self) -> None:
        """Finish the jobs run here and close their HTTP sessions."""
        if self.turns is not None:
            await self._local.close()
            await self.turns.close()

    # --- HTTP ----------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.Response:
        """Check the body's encoding, signature and shape, then hand it to Bolt."""
        try:
            raw = (await request.read()).decode("utf-8")
        except UnicodeDecodeError:
            log.warning("refused a Slack request whose body is not UTF-8 from %s", request.remote)
            return web.json_response({"error": "the body is not UTF-8"}, status=400)
        assert self._verifier is not None
        if not is_signed(self._verifier, raw, request.headers):
            log.warning("refused a Slack request with a bad or stale signature from %s", request.remote)
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            body = shapes.read(raw)
        except shapes.Malformed as problem:
            log.warning("refused a malformed Slack request: %s", problem)
            return web.json_response({"error": f"malformed request: {problem}"}, status=400)
        headers: dict[str, str | Sequence[str]] = {**request.headers, "Content-Type": shapes.content_type(raw)}
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

    # --- Socket Mode ---------------------------------------------------------------------

    async def _open_link(self, web_app: web.Application) -> None:
        """Connect to Slack over Socket Mode; :class:`~adapters.platform.StartFailed` when Slack
        refuses the app-level token."""
        from adapters.slack.socket_mode import Link, SocketModeHandler

        assert self.config.app_token is not None
        self.link = Link(self.config.app_token, self.app.client, self.config.link)
        SocketModeHandler(self.app, self.link)
        await self.link.start()

    async def _close_link(self, web_app: web.Application) -> None:
        if self.link is not None:
            await self.link.close()

    def _link_health(self) -> Health:
        return self.link.health() if self.link is not None else Health("connecting", ready=False)

    # --- listeners: acknowledge, then hand over -------------------------------------------

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        inbound = self._read(translate.from_command, body, context)
        if inbound is None:
            await ack(_(UNREADABLE))
            return
        await ack()
        await self.inbox.put(_job(CONVERSE, inbound, trigger_id=body.get("trigger_id"),
                                  response_url=translate.response_url_of(body)))

    async def _on_message(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        if not translate.is_person_message(body):
            return
        inbound = self._read(translate.from_message, body, context)
        if inbound is not None:
            channel = str(body["event"].get("channel") or "") or None
            # Files shared with the message are fetched with the turn, after the acknowledgement.
            files = [asdict(shared) for shared in translate.shared_files(body)]
            await self.inbox.put(_job(CONVERSE, inbound, deferrable=True, files=files, channel=channel))

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        inbound = self._read(translate.from_action, body, context)
        if inbound is None or inbound.action_id == LINK_ACTION:  # a link button opened its URL
            return
        container = body.get("container") or {}
        # In a channel the answer is for the presser alone: an ephemeral reply on the response_url.
        private_reply = container.get("is_ephemeral") or inbound.channel is not None
        await self.inbox.put(_job(CONVERSE, inbound, channel=_channel_of(body), trigger_id=body.get("trigger_id"),
                                  response_url=translate.response_url_of(body) if private_reply else None))
        if container.get("type") == "view" and (body.get("view") or {}).get("type") == "home":
            await self.inbox.put(_job(HOME, inbound))

    async def _on_submission(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        inbound = self._read(translate.from_submission, body, context)
        if inbound is None:
            await _refuse_submission(ack, body)
            return
        job = _job(SUBMIT, inbound, channel=translate.metadata_of(body).get("channel"),
                   deadline=time.time() + SUBMISSION_BUDGET)
        try:
            outcome = await asyncio.wait_for(asyncio.shield(self.inbox.submit(job)), SUBMISSION_BUDGET + ACK_GRACE)
        except TimeoutError:
            log.warning("a form from %s took longer than %.1f s; answering in the DM", inbound.address.user_id,
                        SUBMISSION_BUDGET)
            await ack()
            return
        answer = outcome.result if outcome.status == "done" else None
        await ack(**answer) if isinstance(answer, dict) else await ack()

    async def _on_home_opened(self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext) -> None:
        inbound = self._read(translate.from_home_opened, body, context)
        if inbound is None:
            return
        if event.get("tab") == "home":
            await self.inbox.put(_job(HOME, inbound))
        else:
            channel = str(event.get("channel") or "") or None
            await self.inbox.put(_job(CONVERSE, inbound, deferrable=True, channel=channel))

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
            return BoltResponse(status=503, body=_(UNAVAILABLE))
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
            return BoltResponse(status=403, body=_("This app is not installed in that workspace."))
        context[TENANT] = tenant
        return await next()

    def _read(self, translation: Callable[[dict[str, Any], str], Inbound], body: dict[str, Any],
              context: AsyncBoltContext) -> Inbound | None:
        try:
            return translation(body, context[TENANT])
        except Unreadable as problem:
            log.warning("refused an unreadable Slack payload: %s", problem)
            return None


class _OurClientWins(logging.Filter):
    """Drops Bolt's "As you gave `client` as well, `token` will be unused": Bolt reads
    ``SLACK_BOT_TOKEN`` from the environment by itself, and we always hand it the client built
    from that same token (with ``SLACK_API_URL``), so the warning is true of every correct setup."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


_QUIET_BOLT = _OurClientWins()


def _bolt_app(config: SlackConfig, engine: AsyncEngine) -> AsyncApp:
    """Bolt with ``process_before_response``: the answer goes once the listener is done, and the
    listeners only hand over jobs, so that a message is kept before Slack hears it arrived (by
    default Bolt answers an event first and runs its listener afterwards)."""
    bolt_log = logging.getLogger(f"slack_bolt.{AsyncApp.__name__}")
    if _QUIET_BOLT not in bolt_log.filters:
        bolt_log.addFilter(_QUIET_BOLT)
    if not config.oauth:
        client = AsyncWebClient(base_url=config.api_url, token=config.bot_token)
        # Over Socket Mode nothing is signed: the connection itself was opened with the app-level token.
        return AsyncApp(signing_secret=config.signing_secret, client=client, process_before_response=True,
                        request_verification_enabled=not config.socket_mode,
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
                    installation_store=store, user_facing_authorize_error_message=NOT_INSTALLED,
                    process_before_response=True)


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
    inputs = [str(block["block_id"]) for block in blocks or [] if isinstance(block, dict)
              and block.get("type") == "input" and isinstance(block.get("block_id"), str) and block["block_id"]]
    if inputs:
        await ack(response_action="errors", errors={inputs[0]: _(UNREADABLE)})
    else:
        await ack()


def _channel_of(body: dict[str, Any]) -> str | None:
    """Where a button's answers are posted: the conversation of its message, or for a button in
    a modal or the App Home, where the modal's answers go."""
    container = body.get("container") or {}
    if container.get("type") == "view":
        return translate.metadata_of(body).get("channel")
    return translate.place_of(body)


def _job(kind: str, inbound: Inbound, deferrable: bool = False, deadline: float | None = None,
         files: list[dict[str, Any]] | None = None, **where: Any) -> Job:
    """A Slack job for ``inbound``: ``where`` says where its answers go (channel, trigger_id,
    response_url); a submission's ``deadline`` is when its acknowledgement must go (epoch seconds);
    ``files`` are the files shared with a message, for the turn to fetch."""
    address = inbound.address
    data: dict[str, Any] = {"inbound": inbound.as_dict(), "conversation": where}
    if deadline is not None:
        data["deadline"] = deadline
    if files:
        data["files"] = files
    return Job(SLACK, kind, data, key=f"{address.platform}/{address.tenant}/{address.user_id}", deferrable=deferrable)
