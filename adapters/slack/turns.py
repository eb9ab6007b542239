"""Slack's side of the work after the acknowledgement: what the edge (:mod:`adapters.slack.app`)
hands over as jobs, run where the core lives, and the delivery of the messages the bot starts.

Jobs: ``converse`` (answer an inbound event where the person acted), ``home`` (publish their
App Home) and ``submit`` (answer a modal submission: what to put in the acknowledgement if it
is still in time, everything else sent here).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Sequence
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import desc, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.jobs import Job
from adapters.offload import BUSY_LIMIT
from adapters.slack import HOME, SLACK, SUBMIT
from adapters.slack.config import ENTERPRISE_PREFIX, SlackConfig
from adapters.slack.delivery import SlackDelivery
from adapters.slack.directory import SlackDirectory
from adapters.slack.errors import reason
from adapters.slack.files import fetch_shared_files
from adapters.slack.people import SlackPeople
from adapters.slack.render import fallback_text, home_view, message_blocks, modal_view
from adapters.slack.replies import Conversation
from adapters.slack.translate import SharedFile
from bot.delivery import DeliveryResult
from bot.engine import MentorBot
from bot.errors import UNAVAILABLE
from bot.i18n import translated_in
from bot.messages import Address, Inbound, Message

log = logging.getLogger(__name__)

IN_TIME_MARGIN = 0.3
"""Seconds a submission's answer must be ready before its deadline to go in the acknowledgement
(what is left is for the way back to the edge)."""


class SlackTurns:
    """Runs Slack jobs with the core, and delivers what the bot starts (a
    :class:`~bot.delivery.GroupDeliverer`)."""

    platform = SLACK

    def __init__(self, bot: MentorBot, config: SlackConfig, engine: AsyncEngine) -> None:
        self.bot = bot
        self.config = config
        self.people = SlackPeople()
        self.delivery = SlackDelivery(self.token_for, config.api_url, budget_per_minute=config.budget_per_minute)
        self.directory = SlackDirectory(self.token_for, config.api_url)
        self._store = (AsyncSQLAlchemyInstallationStore(client_id=config.client_id, engine=engine)
                       if config.oauth and config.client_id else None)
        self._busy = asyncio.Semaphore(BUSY_LIMIT)

    async def token_for(self, tenant: str) -> str | None:
        """The bot token of a workspace, or of an Enterprise Grid organization for an org-wide
        install (``E…``); None when the app is not installed there."""
        if self._store is None:
            return self.config.bot_token
        store = self._store
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

    # --- jobs ----------------------------------------------------------------------------

    async def run(self, job: Job) -> Any:
        """Do a ``converse``, ``home`` or ``submit`` job (see the module's docstring)."""
        inbound = Inbound.from_dict(job.data["inbound"])
        client = AsyncWebClient(base_url=self.config.api_url, token=await self.token_for(inbound.address.tenant))
        if job.kind == HOME:
            await self._publish_home(inbound, client)
            return None
        conversation = self._conversation(client, inbound, job.data.get("conversation") or {})
        if job.kind == SUBMIT:
            return await self._submitted(inbound, client, conversation, float(job.data["deadline"]))
        shared = [SharedFile(**found) for found in job.data.get("files") or []]
        if shared:
            inbound = replace(inbound, files=await fetch_shared_files(client, shared))
        async with self._busy:
            inbound = await self._with_defaults(inbound, client)
            replies = await (self.bot.answer(inbound, job.again) if job.deferrable
                             else self.bot.handle(inbound, job.again))
        await conversation.send(replies)
        return None

    def _conversation(self, client: AsyncWebClient, inbound: Inbound, where: dict[str, Any]) -> Conversation:
        """Where the answers to ``inbound`` go (links, such as calendar invites, on PUBLIC_URL)."""
        shared = inbound.channel.user_id if inbound.channel else None
        return Conversation(client, inbound.address.user_id, where.get("channel"), shared=shared,
                            trigger_id=where.get("trigger_id"), response_url=where.get("response_url"),
                            public_url=self.config.public_url)

    async def _submitted(self, inbound: Inbound, client: AsyncWebClient, conversation: Conversation,
                         deadline: float) -> dict[str, Any] | None:
        """Answer a modal submission: errors stay on the modal; a next form replaces it; anything
        else closes it and goes to the conversation. The acknowledgement carries the modal's part
        only if it is ready in time (the person is waiting on the modal: this turn does not queue
        behind others); otherwise every answer goes to the DM."""
        replies = await self.bot.handle(await self._with_defaults(inbound, client))
        if len(replies) == 1 and replies[0].text == translated_in(replies[0].locale, UNAVAILABLE) and inbound.values:
            # Nothing was saved: the modal stays open with what was typed, to send again in a minute.
            return {"response_action": "errors", "errors": {next(iter(inbound.values)): replies[0].text[:150]}}
        if time.time() > deadline - IN_TIME_MARGIN:
            log.warning("a form from %s took too long to answer in the modal; answering in the DM",
                        conversation.user_id)
            await conversation.send(replies)
            return None
        with_form = [m for m in replies if m.form is not None]
        if not with_form:
            await conversation.send(replies)
            return None
        form_reply = with_form[0]
        form = form_reply.form
        assert form is not None
        if form.form_id == inbound.form_id and form.errors and set(form.errors) <= set(inbound.values):
            return {"response_action": "errors", "errors": {name: error[:150] for name, error in form.errors.items()}}
        before = replies[:replies.index(form_reply)]
        merged = Message(text=form_reply.text, blocks=[b for m in before for b in m.blocks] + list(form_reply.blocks),
                         form=form)
        view = modal_view(merged, conversation.metadata)
        await conversation.send(replies[replies.index(form_reply) + 1:])
        return {"response_action": "update", "view": view}

    async def _with_defaults(self, inbound: Inbound, client: AsyncWebClient) -> Inbound:
        """The person's name, time zone, email and language from Slack (users.info), as defaults."""
        person = await self.people.lookup(client, inbound.address.tenant, inbound.address.user_id)
        return replace(inbound, display_name=person.name or inbound.display_name, timezone=person.timezone,
                       email=person.email, locale=person.locale)

    async def _publish_home(self, inbound: Inbound, client: AsyncWebClient) -> None:
        home = await self.bot.home(await self._with_defaults(inbound, client))
        await _quietly(client.views_publish(user_id=inbound.address.user_id, view=home_view(home)), "views.publish")

    # --- delivery of what the bot starts -------------------------------------------------

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


async def _quietly(call: Awaitable[Any], what: str) -> None:
    try:
        await call
    except (SlackApiError, OSError, TimeoutError) as problem:  # a failed refresh must not break the turn
        log.warning("%s failed: %s", what, reason(problem))
