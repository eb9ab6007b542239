"""Where the core's answers go in Slack, for one interaction.

A form opens as a modal when the interaction carries a trigger (a click or a slash
command); otherwise it is posted as a message with a button that opens it. Answers to a
slash command, and to a button pressed in a channel, go back through its ``response_url``:
visible to that person only, unless the core meant them for the channel. Everything else is
posted in the conversation, or in the person's DM with the bot: never in a shared channel,
where everyone would read what was meant for one person.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.errors import reason
from adapters.slack.render import fallback_text, message_blocks, modal_view
from adapters.slack.translate import is_shared
from bot.messages import Message, Visibility

log = logging.getLogger(__name__)


@dataclass
class Conversation:
    """Where one interaction's answers go.

    ``channel`` is the conversation the answers are posted in (None: the person's DM);
    ``shared`` the channel the person acted in, if any, which a modal keeps for its answers.
    """

    client: AsyncWebClient
    user_id: str
    channel: str | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    public_url: str | None = None
    shared: str | None = None

    async def send(self, replies: Sequence[Message]) -> None:
        """Deliver the core's answers, in order; a failed call is logged, never raised."""
        for message in replies:
            try:
                if message.form is not None and self.trigger_id and await self._open_modal(message):
                    continue
                await self._post(message)
            except (SlackApiError, OSError, TimeoutError) as problem:
                log.warning("could not answer %s on Slack: %s", self.user_id, reason(problem))

    async def _open_modal(self, message: Message) -> bool:
        trigger, self.trigger_id = self.trigger_id, None  # a trigger opens one modal, once
        try:
            await self.client.views_open(trigger_id=trigger, view=modal_view(message, self.metadata))
        except SlackApiError as problem:
            # An expired trigger (more than 3 s): the form goes out as a message with a button.
            log.info("views.open failed for %s: %s", self.user_id, reason(problem))
            return False
        return True

    @property
    def private_channel(self) -> str:
        """Where answers meant for this person alone are posted: this conversation if it is a DM
        with the bot, else their DM (a user id posts there)."""
        return self.channel if self.channel and not is_shared(self.channel) else self.user_id

    @property
    def metadata(self) -> dict[str, str]:
        """What a modal keeps to know where its answers go afterwards, and which channel the
        person acted in (the inbound's ``channel`` when the modal is submitted)."""
        kept = {"channel": self.private_channel}
        return {**kept, "shared": self.shared} if self.shared else kept

    async def _post(self, message: Message) -> None:
        text, blocks = fallback_text(message), message_blocks(message, public_url=self.public_url)
        if message.to is not None:
            await self.client.chat_postMessage(channel=message.to.user_id, text=text, blocks=blocks)
        elif not (self.response_url and await self._respond(message, text, blocks)):
            await self.client.chat_postMessage(channel=self.private_channel, text=text, blocks=blocks)

    async def _respond(self, message: Message, text: str, blocks: list[dict[str, Any]]) -> bool:
        """Answer on the response_url; False (and no more tries on it) when it does not take the
        answer, which then goes to the person's DM rather than being lost."""
        assert self.response_url is not None
        visibility = "in_channel" if message.visibility is Visibility.PUBLIC else "ephemeral"
        try:
            response = await AsyncWebhookClient(self.response_url).send(
                text=text, blocks=blocks, response_type=visibility, replace_original=False
            )
        except (aiohttp.ClientError, ValueError, OSError, TimeoutError) as problem:
            failure = type(problem).__name__
        else:
            if response.status_code < 400:
                return True
            failure = f"status {response.status_code}"
        log.warning("response_url failed for %s (%s): answering in the DM", self.user_id, failure)
        self.response_url = None
        return False

