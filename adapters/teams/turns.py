"""Teams's side of the work after the acknowledgement: the activities the edge
(:mod:`adapters.teams.app`) hands over as jobs, answered where the core lives, and the delivery
of the messages the bot starts (:class:`~adapters.teams.delivery.TeamsDelivery`).

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
from dataclasses import dataclass, replace
from typing import Any

from bot.i18n import N_, _
from botbuilder.schema import ConversationReference
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import AuthenticationConstants, ClaimsIdentity

from adapters.jobs import Job
from adapters.offload import BUSY_LIMIT
from adapters.teams import TEAMS, translate
from adapters.teams.files import TeamsFile
from adapters.teams.files import fetch as fetch_files
from adapters.teams.people import TeamsPeople
from adapters.teams.config import TeamsConfig, authentication
from adapters.teams.delivery import TeamsDelivery
from adapters.teams.render import activity_of
from adapters.teams.translate import Arrival
from bot.delivery import DeliveryResult
from bot.engine import MentorBot
from bot.messages import Address, Inbound, Message, Visibility

log = logging.getLogger(__name__)

NO_PERSONAL_CHAT = (N_("I answer you in our personal chat, where what you tell me stays between us, but I could "
                    "not open it. Open a chat with me (search for mentorbot under Chat) and type `mentoring help`."))


@dataclass(frozen=True)
class _Where:
    """Where one turn's answers go: the person's own chat (None when it could not be opened)
    and, when they acted in a channel or group chat, that conversation; each with the id of the
    activity a reply there answers (None: a new message)."""

    private: ConversationReference | None
    private_reply_to: str | None = None
    shared: ConversationReference | None = None
    shared_reply_to: str | None = None


class TeamsTurns:
    """Answers Teams activities with the core, and delivers what the bot starts."""

    platform = TEAMS

    def __init__(self, bot: MentorBot, config: TeamsConfig, delivery_options: dict[str, Any] | None = None) -> None:
        self.bot = bot
        self.config = config
        self.auth = authentication(config)
        self.delivery = TeamsDelivery(self._connector_for, **(delivery_options or {}))
        self.people = TeamsPeople(self._connector_for)
        self._busy: asyncio.Semaphore | None = None

    async def run(self, job: Job) -> Any:
        """Answer the activity of a ``converse`` job."""
        inbound = Inbound.from_dict(job.data["inbound"])
        arrival = translate.arrival_from_dict(job.data["arrival"])
        if arrival.personal:  # files are read, and the email asked for, in the personal chat only
            files = [TeamsFile(**found) for found in job.data.get("files") or []]
            inbound = replace(inbound, files=await fetch_files(files) if files else (),
                              email=await self.people.email_of(arrival.reference))
        await self._converse(inbound, arrival, job.data.get("activity_id"), job.deferrable, job.again)
        return None

    async def deliver(self, address: Address, message: Message) -> DeliveryResult:
        """Send a message the bot starts (a reminder, a nudge) to a person's personal chat, or to
        a channel or group chat (a lunch-and-learn's audience) when ``address`` is one: a new
        message in the conversation of its reference, where the app must be installed."""
        if not address.reference:
            return DeliveryResult(ok=False, attempts=0, error="no_conversation_reference")
        reference = ConversationReference().deserialize(dict(address.reference))
        activity = activity_of(message, self.config.public_url)
        return await self.delivery.send(reference, activity)

    async def close(self) -> None:
        """Close the connector clients."""
        await self.auth.close()

    async def _converse(self, inbound: Inbound, arrival: Arrival, activity_id: str | None, deferrable: bool,
                        again: bool = False) -> None:
        where = _Where(arrival.reference, activity_id)
        if not arrival.personal:
            personal = await self._personal_chat(arrival.reference)
            where = _Where(personal, None, arrival.reference, activity_id)
            if personal is not None:  # kept as the way to reach them later, like a personal chat's own
                inbound = replace(inbound, address=replace(inbound.address, reference=personal.serialize()))
        if self._busy is None:
            self._busy = asyncio.Semaphore(BUSY_LIMIT)
        async with self._busy:
            replies = await (self.bot.answer(inbound, again) if deferrable else self.bot.handle(inbound, again))
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
                await self.delivery.send(where.shared, activity_of(Message(_(NO_PERSONAL_CHAT))), where.shared_reply_to)

    async def _connector_for(self, service_url: str) -> ConnectorClient:
        app_id = self.config.app_id if self.config.authenticated else ""
        claims = ClaimsIdentity({AuthenticationConstants.AUDIENCE_CLAIM: app_id,
                                 AuthenticationConstants.APP_ID_CLAIM: app_id}, True)
        return await self.auth.create_connector_factory(claims).create(service_url, None)
