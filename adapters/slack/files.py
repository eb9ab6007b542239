"""Fetching the files a person shares with the bot (an HR export for ``/mentoring import``):
``files.info`` for the private download URL, then a download with the bot token.

A file larger than the core accepts is not downloaded: it comes with its declared size and no
content, and the core says why it is refused.
"""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import reason
from adapters.slack.translate import SharedFile
from bot.messages import InboundFile
from bot.people_import.csv_file import MAX_BYTES

log = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=60)


async def fetch_shared_files(client: AsyncWebClient, shared: list[SharedFile]) -> tuple[InboundFile, ...]:
    """The shared files with their content (those that could not be fetched are left out, logged)."""
    fetched = []
    for item in shared:
        if item.size > MAX_BYTES:
            fetched.append(InboundFile(item.name, item.mimetype, b"", size=item.size))
            continue
        try:
            info = await client.files_info(file=item.file_id)
        except (SlackApiError, OSError, TimeoutError) as problem:
            log.warning("files.info failed for %s: %s", item.file_id, reason(problem))
            continue
        about = info.get("file") or {}
        url = about.get("url_private_download") or about.get("url_private")
        declared = about.get("size")
        size = declared if isinstance(declared, int) else item.size
        if not url:
            log.warning("file %s has no download URL", item.file_id)
            continue
        if size > MAX_BYTES:
            fetched.append(InboundFile(item.name, item.mimetype, b"", size=size))
            continue
        data = await _download(str(url), client.token or "")
        if data is not None:
            fetched.append(InboundFile(str(about.get("name") or item.name)[:200], item.mimetype, data))
    return tuple(fetched)


async def _download(url: str, token: str) -> bytes | None:
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            async with session.get(url, headers={"Authorization": f"Bearer {token}"}) as response:
                if response.status != 200:
                    log.warning("downloading a shared file failed: HTTP %s", response.status)
                    return None
                return await response.content.read(MAX_BYTES + 1)
    except (aiohttp.ClientError, OSError, TimeoutError) as problem:
        log.warning("downloading a shared file failed: %s", problem)
        return None
