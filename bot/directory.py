"""A platform's directory of people, as the core sees it: who an email address is there.

The Slack adapter implements it with ``users.lookupByEmail``; a platform without one (the
console; Teams without Microsoft Graph) provides none, and imported people are then found when
they first write to the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class DirectoryEntry:
    """A person the platform's directory found: their user id, and the defaults it knows."""

    user_id: str
    name: str = ""
    timezone: str = ""


class DirectoryUnavailable(Exception):
    """The directory could not answer now (rate limit, network, missing permission): try later."""


class Directory(Protocol):
    """Finds people of one platform by email, paced to the platform's limits."""

    platform: str

    async def find_by_email(self, tenant: str, email: str) -> DirectoryEntry | None:
        """The person with ``email`` in organisation ``tenant``, or None when there is none;
        raises :class:`DirectoryUnavailable` when the directory cannot answer now."""
        ...
