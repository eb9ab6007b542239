"""Outbound Teams messages through the Bot Connector, paced to Teams' limits and retried.

Teams allows a bot 7 messages per second and 60 per 30 seconds in one conversation, and
about 50 requests per second for a tenant. Messages to one conversation go out in call order;
different conversations go out in parallel. A 429 pauses the conversation for its
``Retry-After``; 412, 502, 504 (and other 5xx, timeouts and connection errors) are retried
with back-off and jitter. Any other answer (403: the person blocked the bot, 404: no such
conversation) is final. A message that finally fails comes back as a failed
:class:`~bot.delivery.DeliveryResult`, logged, never raised.

A person's personal chat with the bot is opened here too (``POST /v3/conversations``, for
someone who acts in a channel), within the tenant's limit and retried the same way.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from botbuilder.schema import Activity, ChannelAccount, ConversationParameters, ConversationReference
from botframework.connector.aio import ConnectorClient
from botframework.connector.aio.operations_async import ConversationsOperations
from botframework.connector.auth import AppCredentials
from msrest.exceptions import ClientRequestError, HttpOperationError

from adapters.pacing import SlidingWindow, backoff_delay, retry_after, take
from bot.delivery import DeliveryResult

log = logging.getLogger(__name__)

ConnectorFor = Callable[[str], Awaitable[ConnectorClient]]
Request = Callable[[ConversationsOperations], Awaitable[Any]]
Limit = tuple[int, float]
"""At most so many requests in so many seconds."""
CONVERSATION_LIMITS: tuple[Limit, ...] = ((7, 1.0), (60, 30.0))
TENANT_LIMIT: Limit = (50, 1.0)
RETRIED = frozenset({412, 500, 502, 503, 504})
_MAX_RATE_LIMITED = 20
_KEPT_CONVERSATIONS = 10_000


@dataclass(frozen=True)
class _Outcome:
    kind: Literal["sent", "final", "retry", "limited"]
    detail: str = ""
    retry_after: float = 0.0


class _Conversation:
    """One conversation's order and limits."""

    def __init__(self, limits: tuple[Limit, ...]) -> None:
        self.lock = asyncio.Lock()
        self.windows = tuple(SlidingWindow(count, seconds) for count, seconds in limits)


class TeamsDelivery:
    """Sends activities to Teams conversations, paced and retried."""

    def __init__(
        self,
        connector_for: ConnectorFor,
        conversation_limits: tuple[Limit, ...] = CONVERSATION_LIMITS,
        tenant_limit: Limit = TENANT_LIMIT,
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        backoff_max: float = 30.0,
    ) -> None:
        """``connector_for(service_url)`` gives an authenticated Bot Connector client."""
        self._connector_for = connector_for
        self.conversation_limits = conversation_limits
        self.tenant_limit = tenant_limit
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._conversations: dict[tuple[str, str], _Conversation] = {}
        self._tenants: dict[str, SlidingWindow] = {}

    async def send(self, reference: ConversationReference, activity: dict[str, Any],
                   reply_to: str | None = None) -> DeliveryResult:
        """Post ``activity`` in the conversation of ``reference`` (as a reply to ``reply_to`` if given)."""
        key = (reference.service_url, reference.conversation.id)
        if key not in self._conversations and len(self._conversations) >= _KEPT_CONVERSATIONS:
            self._forget_idle()
        conversation = self._conversations.setdefault(key, _Conversation(self.conversation_limits))
        tenant = reference.conversation.tenant_id or ""
        tenant_window = self._tenants.setdefault(tenant, SlidingWindow(*self.tenant_limit))
        async with conversation.lock:  # taken before any other await: call order is kept
            result = await self._deliver(conversation, tenant_window, reference, _addressed(activity, reference),
                                         reply_to)
        if not result.ok:
            log.warning("Teams message to conversation %s failed after %d attempt(s): %s",
                        reference.conversation.id, result.attempts, result.error)
        return result

    async def open_personal(self, reference: ConversationReference, person: ChannelAccount) -> DeliveryResult:
        """Open ``person``'s personal chat with the bot (Teams gives back the existing one if there
        is one), in the tenant and service of ``reference``: a conversation they wrote in.

        On success ``message_id`` is the personal chat's conversation id. Teams allows it for
        members of a team or chat where the app is installed; a refusal (403) is final.
        """
        tenant = reference.conversation.tenant_id or ""
        tenant_window = self._tenants.setdefault(tenant, SlidingWindow(*self.tenant_limit))
        parameters = ConversationParameters(is_group=False, bot=reference.bot, members=[ChannelAccount(id=person.id)],
                                            tenant_id=tenant, channel_data={"tenant": {"id": tenant}})

        async def attempt() -> _Outcome:
            return await self._call(reference.service_url, lambda talks: talks.create_conversation(parameters))

        result = await self._retried((tenant_window,), (tenant_window,), attempt)
        if result.ok and not result.message_id:
            result = DeliveryResult(ok=False, attempts=result.attempts, error="no_conversation_in_answer")
        if not result.ok:
            log.warning("opening the personal chat of %s failed after %d attempt(s): %s",
                        person.id, result.attempts, result.error)
        return result

    def _forget_idle(self) -> None:
        """Drop the pacing state of conversations with nothing in flight and no recent message."""
        now = time.monotonic()
        for key, conversation in list(self._conversations.items()):
            if not conversation.lock.locked() and all(w.wait_time(now) == 0 and w.idle(now)
                                                      for w in conversation.windows):
                del self._conversations[key]

    async def _deliver(self, conversation: _Conversation, tenant_window: SlidingWindow,
                       reference: ConversationReference, activity: Activity, reply_to: str | None) -> DeliveryResult:
        def request(talks: ConversationsOperations) -> Awaitable[Any]:
            if reply_to:
                return talks.reply_to_activity(reference.conversation.id, reply_to, activity)
            return talks.send_to_conversation(reference.conversation.id, activity)

        async def attempt() -> _Outcome:
            return await self._call(reference.service_url, request)

        return await self._retried((*conversation.windows, tenant_window), conversation.windows, attempt)

    async def _retried(self, windows: Sequence[SlidingWindow], paused: Sequence[SlidingWindow],
                       attempt: Callable[[], Awaitable[_Outcome]]) -> DeliveryResult:
        """Make ``attempt`` within ``windows`` until it is done: passing errors are retried with
        back-off up to ``max_attempts``; a 429 pauses ``paused`` for its Retry-After."""
        attempts = failures = limited = 0
        while True:
            await take(*windows)
            attempts += 1
            outcome = await attempt()
            if outcome.kind == "sent":
                return DeliveryResult(ok=True, attempts=attempts, message_id=outcome.detail or None)
            if outcome.kind == "final":
                return DeliveryResult(ok=False, attempts=attempts, error=outcome.detail)
            if outcome.kind == "limited":
                limited += 1
                if limited > _MAX_RATE_LIMITED or outcome.retry_after > self.backoff_max:
                    return DeliveryResult(ok=False, attempts=attempts, error="rate_limited")
                for window in paused:
                    window.pause(outcome.retry_after)
                continue
            failures += 1
            if failures >= self.max_attempts:
                return DeliveryResult(ok=False, attempts=attempts, error=outcome.detail)
            await asyncio.sleep(backoff_delay(failures, self.backoff_base, self.backoff_max))

    async def _call(self, service_url: str, request: Request) -> _Outcome:
        """One connector request; the id in its answer when it succeeds."""
        try:
            connector = await self._connector_for(service_url)
            await fresh_token(connector)
            response = await request(connector.conversations)
        except HttpOperationError as problem:
            return _judge(problem.response)
        except (ClientRequestError, TimeoutError, OSError) as problem:
            return _Outcome("retry", f"connection_error ({type(problem).__name__})")
        except PermissionError as problem:  # no token from Entra ID (bad app password)
            return _Outcome("final", f"no_token ({str(problem)[:120]})")
        except Exception as problem:  # whatever else: reported, never raised to the caller
            return _Outcome("final", f"unexpected_error ({type(problem).__name__})")
        return _Outcome("sent", str(getattr(response, "id", "") or ""))


async def fresh_token(connector: ConnectorClient) -> None:
    """Fetch the bot's token off the event loop: botbuilder asks MSAL for it synchronously, and
    afterwards finds it in MSAL's cache."""
    credentials = connector.config.credentials
    if isinstance(credentials, AppCredentials) and credentials.microsoft_app_id:
        await asyncio.to_thread(credentials.get_access_token)


def _addressed(activity: dict[str, Any], reference: ConversationReference) -> Activity:
    """``activity`` addressed to the conversation of ``reference``, from the bot."""
    outbound = Activity().deserialize(activity)
    outbound.conversation = reference.conversation
    outbound.from_property = reference.bot
    outbound.recipient = reference.user or ChannelAccount(id="")
    outbound.service_url = reference.service_url
    outbound.channel_id = reference.channel_id
    return outbound


def _judge(response: Any) -> _Outcome:
    status = int(getattr(response, "status_code", 0) or 0)
    if status == 429:
        return _Outcome("limited", "rate_limited", retry_after(getattr(response, "headers", None) or {}))
    if status in RETRIED or status == 0:
        return _Outcome("retry", f"http_{status}")
    return _Outcome("final", f"http_{status}")
