"""Admins ask for the report page's link and for its charts in chat; nobody else gets either."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.clock import FakeClock
from adapters.console.chat import CONSOLE_TENANT, user_id_for
from bot.engine import MentorBot
from bot.messages import Address, Inbound
from bot.reports import links
from storage.db import Database
from storage.models import AuditEntry
from tests.kit.world import build_world
from tests.kit.platform_names import Platform
from tests.kit.transcript import Chats

TOKEN_PATH = re.compile(r"/report/([A-Za-z0-9_.-]+)")


async def _audit(db: Database) -> list[tuple[str, bool]]:
    async with db.transaction() as session:
        return [(e.action, e.allowed) for e in (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars()]


async def _grant(db: Database, token: str, clock: FakeClock) -> links.Grant | None:
    async with db.transaction() as session:
        return await links.check(session, token, clock.now())


async def test_an_admin_gets_a_link_that_works_for_24_hours(chats: Chats, db: Database, clock: FakeClock) -> None:
    world = await build_world(db, clock)

    answer = await chats.run("""
        Ada> /mentoring report link
        bot: The report page of Digital Leaders, valid for 24 hours (until Tue 24 Nov 2026, 10:00 (Europe/Brussels))
        bot: keep it to yourself
        bot: Its address is the bot's web address (PUBLIC_URL) followed by /report/
        bot: File saved:
    """)

    [token] = TOKEN_PATH.findall(answer)
    grant = await _grant(db, token, clock)
    assert grant is not None
    assert (grant.program_id, grant.person_id) == (world.program_id, world.people["Ada"])
    clock.advance(timedelta(hours=24))
    assert await _grant(db, token, clock) is None, "the link has expired"
    saved = (chats.invites_dir / "report.html").read_text()
    assert "<h1>Digital Leaders</h1>" in saved and "data:image/png;base64," in saved
    assert await _audit(db) == [("report link", True)]


async def test_an_admin_chooses_how_long_the_link_lasts_within_a_week(
    chats: Chats, db: Database, clock: FakeClock
) -> None:
    await build_world(db, clock)

    answer = await chats.run("""
        Ada> /mentoring report link hours=168
        bot: valid for 168 hours (until Mon 30 Nov 2026, 10:00 (Europe/Brussels))
    """)
    [token] = TOKEN_PATH.findall(answer)
    clock.advance(timedelta(hours=167))
    assert await _grant(db, token, clock) is not None

    await chats.run("""
        Ada> /mentoring report link hours=169
        bot: hours: 169 is out of range; use 1 to 168.
        bot never: /report/
        Ada> /mentoring report link hours=0
        bot: hours: 0 is out of range; use 1 to 168.
        Ada> /mentoring report link hours=soon
        bot: hours: 'soon' is not a whole number (1 to 168).
    """)


async def test_an_admin_gets_the_three_charts_as_images(chats: Chats, db: Database, clock: FakeClock) -> None:
    await build_world(db, clock)

    await chats.run("""
        Ada> /mentoring report charts
        bot: Charts of Digital Leaders, as of Mon 23 Nov 2026, 10:00 (Europe/Brussels)
        bot: Sessions per week over the last 12 weeks: 0 held, 0 canceled or missed.
        bot: Skills from start to now: not enough answers yet.
        bot: File saved:
    """)

    for name in ("weekly.png", "skills.png", "formats.png"):
        assert (chats.invites_dir / name).read_bytes().startswith(b"\x89PNG"), name
    assert await _audit(db) == [("report charts", True)]


async def test_the_charts_message_links_each_image_under_a_valid_token(
    bot: MentorBot, db: Database, clock: FakeClock
) -> None:
    await build_world(db, clock)
    ada = Address(Platform.CONSOLE, CONSOLE_TENANT, user_id_for("Ada"))

    [message] = await bot.handle(Inbound.command(ada, "report charts", display_name="Ada"))

    assert [(a.filename, a.media_type) for a in message.attachments] == [
        ("weekly.png", "image/png"), ("skills.png", "image/png"), ("formats.png", "image/png")]
    tokens = {a.link.split("/")[2] for a in message.attachments}
    assert len(tokens) == 1
    assert [a.link.rsplit("/", 2)[1:] for a in message.attachments] == [
        ["charts", "weekly.png"], ["charts", "skills.png"], ["charts", "formats.png"]]
    assert await _grant(db, tokens.pop(), clock) is not None


async def test_participants_are_refused_both_and_the_refusal_is_audited(
    chats: Chats, db: Database, clock: FakeClock
) -> None:
    world = await build_world(db, clock)
    await world.person("Victor", role="mentee")

    await chats.run("""
        Victor> /mentoring report link
        bot: Only program admins can run `/mentoring report link`. Ask an admin (Ada) if you need this.
        bot never: /report/
        Victor> /mentoring report charts
        bot: Only program admins can run `/mentoring report charts`.
        bot never: File saved
    """)

    assert await _audit(db) == [("report link", False), ("report charts", False)]
    assert not chats.invites_dir.exists() or not any(chats.invites_dir.iterdir())
