"""What Slack knows about a person (users.info): their name and time zone, as defaults, and their
email (which finds them among the people an HR import brought in).

Looked up once per person and kept for an hour, so a busy conversation costs one call;
a failed lookup is not fatal: the person is asked instead.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import reason

log = logging.getLogger(__name__)

FRESH_FOR = 3600.0
RETRY_AFTER_FAILURE = 60.0
MAX_PEOPLE = 10_000


@dataclass(frozen=True)
class SlackPerson:
    """The defaults Slack gives for a person."""

    name: str = ""
    timezone: str = ""
    email: str = ""
    locale: str = ""


class SlackPeople:
    """users.info, cached per workspace and user."""

    def __init__(self) -> None:
        self._cache: OrderedDict[tuple[str, str], tuple[float, SlackPerson]] = OrderedDict()

    async def lookup(self, client: AsyncWebClient, team_id: str, user_id: str) -> SlackPerson:
        """The person's name, time zone, email and locale (empty when Slack does not say)."""
        key = (team_id, user_id)
        cached = self._cache.get(key)
        if cached and cached[0] > time.monotonic():
            self._cache.move_to_end(key)
            return cached[1]
        person, fresh_for = await self._fetch(client, user_id)
        self._cache[key] = (time.monotonic() + fresh_for, person)
        while len(self._cache) > MAX_PEOPLE:
            self._cache.popitem(last=False)
        return person

    async def _fetch(self, client: AsyncWebClient, user_id: str) -> tuple[SlackPerson, float]:
        try:
            response = await client.users_info(user=user_id, include_locale=True)
        except (SlackApiError, OSError, TimeoutError) as problem:
            log.warning("users.info failed for %s: %s", user_id, reason(problem))
            return SlackPerson(), RETRY_AFTER_FAILURE
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = user.get("real_name") or profile.get("real_name") or profile.get("display_name") or ""
        email = str(profile.get("email") or "")[:320]  # with the users:read.email scope
        locale = str(user.get("locale") or "")[:35]  # "fr-FR", with include_locale
        return SlackPerson(str(name)[:200], str(user.get("tz") or ""), email, locale), FRESH_FOR

