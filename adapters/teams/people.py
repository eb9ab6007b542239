"""What Teams knows of a person's email (the conversation member's ``email`` or user principal
name), which finds them among the people an HR import brought in.

Asked once per person and kept for an hour; a failed lookup is not fatal (the person is simply
not matched by email) and is not asked again for a minute.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.schema import ConversationReference
from botframework.connector.aio import ConnectorClient

from adapters.teams.delivery import fresh_token

log = logging.getLogger(__name__)

FRESH_FOR = 3600.0
RETRY_AFTER_FAILURE = 60.0
MAX_PEOPLE = 10_000


class TeamsPeople:
    """Conversation members' emails, cached per conversation and user."""

    def __init__(self, connector_for: Callable[[str], Awaitable[ConnectorClient]]) -> None:
        self._connector_for = connector_for
        self._cache: OrderedDict[tuple[str, str], tuple[float, str]] = OrderedDict()

    async def email_of(self, reference: ConversationReference) -> str:
        """The email of the user of ``reference`` in its conversation ("" when Teams does not say)."""
        user = reference.user.id if reference.user else None
        if not user or not reference.conversation or not reference.service_url:
            return ""
        key = (reference.conversation.id, user)
        cached = self._cache.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        email, fresh_for = await self._fetch(reference, user)
        self._cache[key] = (time.monotonic() + fresh_for, email)
        while len(self._cache) > MAX_PEOPLE:
            self._cache.popitem(last=False)
        return email

    async def _fetch(self, reference: ConversationReference, user: str) -> tuple[str, float]:
        try:
            connector = await self._connector_for(reference.service_url)
            await fresh_token(connector)
            member: Any = await connector.conversations.get_conversation_member(reference.conversation.id, user)
        except Exception as problem:  # noqa: BLE001 - any failure: no email this time, logged
            log.info("no email from Teams for a member: %s", type(problem).__name__)
            return "", RETRY_AFTER_FAILURE
        extra = getattr(member, "additional_properties", None) or {}
        email = (getattr(member, "email", None) or extra.get("email") or getattr(member, "user_principal_name", None)
                 or extra.get("userPrincipalName") or "")
        return str(email)[:320] if "@" in str(email) else "", FRESH_FOR
