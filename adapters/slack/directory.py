"""Slack's directory: who an email address is in a workspace (``users.lookupByEmail``).

Paced well under Slack's limit for the method (Tier 3, about 50 calls a minute per workspace);
a rate limit or a missing permission makes the lookup unavailable for now, not a "no".
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import SLACK
from adapters.slack.errors import reason
from bot.directory import DirectoryEntry, DirectoryUnavailable

log = logging.getLogger(__name__)

PER_MINUTE = 45
NOT_FOUND = "users_not_found"


class SlackDirectory:
    """Looks people up by email with each workspace's bot token."""

    platform = SLACK

    def __init__(self, token_for: Callable[[str], Awaitable[str | None]], api_url: str,
                 per_minute: int = PER_MINUTE) -> None:
        self._token_for = token_for
        self._api_url = api_url
        self._gap = 60.0 / per_minute
        self._next: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def find_by_email(self, tenant: str, email: str) -> DirectoryEntry | None:
        """The workspace member with ``email``, or None when Slack knows nobody with it."""
        token = await self._token_for(tenant)
        if not token:
            raise DirectoryUnavailable(f"not installed in workspace {tenant}")
        await self._pace(tenant)
        client = AsyncWebClient(base_url=self._api_url, token=token)
        try:
            response = await client.users_lookupByEmail(email=email)
        except SlackApiError as problem:
            if problem.response.get("error") == NOT_FOUND:
                return None
            raise DirectoryUnavailable(reason(problem)) from None
        except (OSError, TimeoutError) as problem:
            raise DirectoryUnavailable(reason(problem)) from None
        finally:
            await client.session.close() if client.session else None
        user = response.get("user") or {}
        if not user.get("id") or user.get("deleted") or user.get("is_bot"):
            return None
        profile = user.get("profile") or {}
        name = user.get("real_name") or profile.get("real_name") or ""
        return DirectoryEntry(str(user["id"]), str(name)[:200], str(user.get("tz") or ""))

    async def _pace(self, tenant: str) -> None:
        async with self._lock:
            now = time.monotonic()
            wait = self._next.get(tenant, now) - now
            self._next[tenant] = max(now, self._next.get(tenant, now)) + self._gap
        if wait > 0:
            await asyncio.sleep(wait)
