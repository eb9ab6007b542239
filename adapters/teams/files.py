"""Files a person attaches in their personal chat with the bot (an HR export for
``/mentoring import``): Teams sends a ``file.download.info`` attachment whose ``downloadUrl`` is
pre-authenticated and short-lived; the adapter fetches it before the core sees the message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from botbuilder.schema import Activity

from bot.messages import InboundFile
from bot.people_import.csv_file import MAX_BYTES

log = logging.getLogger(__name__)

FILE_DOWNLOAD = "application/vnd.microsoft.teams.file.download.info"
TIMEOUT = aiohttp.ClientTimeout(total=60)
MAX_FILES = 5
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class TeamsFile:
    """An attached file as the activity describes it."""

    name: str
    url: str
    file_type: str


def attached_files(activity: Activity) -> list[TeamsFile]:
    """The files attached to a message (https download URLs only; plain http on loopback for
    local development)."""
    found = []
    for attachment in activity.attachments or []:
        content: Any = attachment.content if isinstance(attachment.content, dict) else {}
        url = content.get("downloadUrl") if attachment.content_type == FILE_DOWNLOAD else None
        if isinstance(url, str) and _allowed(url):
            found.append(TeamsFile(str(attachment.name or "file")[:200], url, str(content.get("fileType") or "")))
    return found[:MAX_FILES]


async def fetch(files: list[TeamsFile]) -> tuple[InboundFile, ...]:
    """The files' content (at most one byte more than the core accepts; failures are logged and left out)."""
    fetched = []
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        for item in files:
            try:
                async with session.get(item.url) as response:
                    if response.status != 200:
                        log.warning("downloading an attached file failed: HTTP %s", response.status)
                        continue
                    declared = response.content_length or 0
                    if declared > MAX_BYTES:
                        fetched.append(InboundFile(item.name, "text/csv", b"", size=declared))
                        continue
                    data = await response.content.read(MAX_BYTES + 1)
            except (aiohttp.ClientError, OSError, TimeoutError) as problem:
                log.warning("downloading an attached file failed: %s", problem)
                continue
            fetched.append(InboundFile(item.name, "text/csv" if item.file_type == "csv" else "", data))
    return tuple(fetched)


def _allowed(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)
