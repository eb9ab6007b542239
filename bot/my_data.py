"""``/mentoring my-data``: everything the bot holds about the person asking, as a JSON file.

The file goes with the answer (the terminal saves it) and, for Slack and Teams, behind a signed
link on the bot's own address that stays valid for a day: ``/my-data/TOKEN.json``, made afresh
from the database when opened, for that person only (a link of someone erased since opens
nothing).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import _
from bot.messages import Attachment, Context, Message, Section
from bot.reports.links import signing_key
from bot.turn import Turn
from storage.models import Person
from storage.personal_data import rows_about
from storage.repository import Repository

log = logging.getLogger(__name__)

SALT = "mentorbot.my-data"
LIFETIME = timedelta(hours=24)
PREFIX = "/my-data/"
FILENAME = "my-data.json"
MEDIA_TYPE = "application/json"


@dataclass(frozen=True)
class Holder:
    """Whose data a valid link opens."""

    tenant_id: int
    person_id: int


async def their_data(repo: Repository, person: Person, now: datetime) -> bytes:
    """The JSON file of everything about ``person``."""
    document: dict[str, Any] = {
        "about": _("Everything mentorbot holds about you, table by table. Private notes are yours; "
                   "`/mentoring forget-me` erases your personal data."),
        "generated_at": now.isoformat(),
        "data": await rows_about(repo.session, repo.tenant_id, person.id),
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


async def my_data_message(turn: Turn) -> Message:
    """The answer to ``my-data``: the file, and a link to it valid for a day."""
    token = await sign(turn.repo.session, Holder(turn.tenant.id, turn.person.id), turn.now)
    link = path(token)
    data = await their_data(turn.repo, turn.person, turn.now)
    text = _("Here is everything I hold about you, as a JSON file: your profile, programs, pairs, sessions, goals, "
             "check-ins, feedback and the messages I sent you. The download link is valid for 24 hours; keep it to "
             "yourself. `/mentoring forget-me` erases your personal data.")
    where = _("Its address is the bot's web address (PUBLIC_URL) followed by {link}", link=link)
    return Message(f"{text}\n{where}", [Section(text), Context(where)],
                   attachments=(Attachment(FILENAME, MEDIA_TYPE, data, link=link),))


async def sign(session: AsyncSession, holder: Holder, now: datetime) -> str:
    """A token opening ``holder``'s data for :data:`LIFETIME`."""
    expires = int((now + LIFETIME).timestamp())
    return URLSafeSerializer(await signing_key(session, now), salt=SALT).dumps(
        [holder.tenant_id, holder.person_id, expires])


async def check(session: AsyncSession, token: str, now: datetime) -> Holder | None:
    """Whose data ``token`` opens, or None (forged, malformed or expired)."""
    try:
        payload = URLSafeSerializer(await signing_key(session, now), salt=SALT).loads(token)
    except BadSignature:
        log.warning("my-data link refused: bad signature")
        return None
    if not (isinstance(payload, list) and len(payload) == 3 and all(type(x) is int for x in payload)):
        log.warning("my-data link refused: malformed payload")
        return None
    tenant_id, person_id, expires = payload
    if now >= datetime.fromtimestamp(expires, UTC):
        log.info("my-data link refused: expired")
        return None
    return Holder(tenant_id, person_id)


def path(token: str) -> str:
    """The path of the file behind ``token``."""
    return f"{PREFIX}{token}.json"
