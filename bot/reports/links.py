"""Signed, expiring links to a program's report page, its charts and its CSV export.

A link carries who asked (tenant, program, person) and when, signed with a key the bot
made for itself and keeps in the database (``signing_keys``), so that every replica and
every restart accepts the same links and no secret lives in the configuration. A link is
refused when its signature does not match, when it is older than its lifetime, or when
the person who asked for it no longer runs the program.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.turn import Turn
from storage.models import ProgramAdmin, SigningKey
from storage.repository import insert_ignoring_conflicts

log = logging.getLogger(__name__)

PURPOSE = "report-links"
SALT = "mentorbot.report"
DEFAULT_LIFETIME = timedelta(hours=24)
MAX_LIFETIME = timedelta(days=7)
PREFIX = "/report/"


@dataclass(frozen=True)
class Grant:
    """What a valid link lets its holder see: one program of one tenant."""

    tenant_id: int
    program_id: int
    person_id: int
    expires_at: datetime


async def signing_key(session: AsyncSession, now: datetime) -> str:
    """The signing key, made on first use (two replicas at once: one insert wins)."""
    found = await session.scalar(select(SigningKey.secret).where(SigningKey.purpose == PURPOSE))
    if found is None:
        await session.execute(insert_ignoring_conflicts(
            session, SigningKey, purpose=PURPOSE, secret=secrets.token_urlsafe(48), created_at=now))
        found = await session.scalar(select(SigningKey.secret).where(SigningKey.purpose == PURPOSE))
    assert found is not None
    return found


async def sign(session: AsyncSession, grant: Grant, now: datetime) -> str:
    """A token for ``grant``, valid until ``grant.expires_at`` (at most :data:`MAX_LIFETIME`)."""
    expires_at = min(grant.expires_at, now + MAX_LIFETIME)
    payload = [grant.tenant_id, grant.program_id, grant.person_id, int(expires_at.timestamp())]
    # The expiry is signed with the rest and read against the bot's clock (not the signer's
    # own timestamp), so that the injected clock decides, as everywhere else.
    return URLSafeSerializer(await signing_key(session, now), salt=SALT).dumps(payload)


async def check(session: AsyncSession, token: str, now: datetime) -> Grant | None:
    """The grant behind ``token``, or None (forged, expired, malformed, or no longer an admin)."""
    try:
        payload = URLSafeSerializer(await signing_key(session, now), salt=SALT).loads(token)
    except BadSignature:
        log.warning("report link refused: bad signature")
        return None
    if not (isinstance(payload, list) and len(payload) == 4 and all(type(x) is int for x in payload)):
        log.warning("report link refused: malformed payload")
        return None
    tenant_id, program_id, person_id, expires = payload
    expires_at = datetime.fromtimestamp(expires, UTC)
    if now >= expires_at:
        log.info("report link refused: expired at %s", expires_at.isoformat())
        return None
    still_admin = await session.scalar(select(ProgramAdmin.id).where(
        ProgramAdmin.tenant_id == tenant_id, ProgramAdmin.program_id == program_id,
        ProgramAdmin.person_id == person_id))
    if still_admin is None:
        log.warning("report link refused: person %s no longer runs program %s", person_id, program_id)
        return None
    return Grant(tenant_id, program_id, person_id, expires_at)


async def sign_for(turn: Turn, program_id: int, lifetime: timedelta = DEFAULT_LIFETIME) -> tuple[str, datetime]:
    """A token for the person speaking to see ``program_id``'s report, and when it expires."""
    expires_at = turn.now + min(lifetime, MAX_LIFETIME)
    grant = Grant(turn.tenant.id, program_id, turn.person.id, expires_at)
    return await sign(turn.repo.session, grant, turn.now), expires_at


def path(token: str, part: str = "") -> str:
    """The path of the report page (``/report/TOKEN``) or of one of its files."""
    return f"{PREFIX}{token}" + (f"/{part}" if part else "")
