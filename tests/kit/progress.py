"""A pair that has met, built directly in the database, for the progress tests.

Zoe (mentor, Brussels) and Victor (mentee, New York) run a weekly pair in "Digital
Leaders", whose admin is Ada; ``met`` puts a session of theirs in the past, still waiting
for its outcome, as the cadence leaves it before "did it happen?" is answered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.invites import new_calendar_uid, new_invite_token
from bot.registry import render_nudge
from storage.enums import SessionMode, SessionStatus
from storage.models import MentoringSession, Nudge, Program
from storage.repository import Repository
from tests.kit.transcript import Chats
from tests.kit.world import MENTEE, MENTOR, World

SKILLS = ["Shared calendars", "Video meetings", "An AI assistant"]


async def zoe_and_victor(world: World, started: datetime | None = None) -> int:
    """The pair, with the program's baseline skills set."""
    await world.person("Zoe", role=MENTOR)
    await world.person("Victor", zone="America/New_York", role=MENTEE)
    async with world.db.transaction() as session:
        program = await session.get(Program, world.program_id)
        assert program is not None
        program.baseline_skills = SKILLS
        program.topics = ["AI assistants", "Video meetings"]
    return await world.pair("Zoe", "Victor", started=started)


async def met(world: World, pair_id: int, ago: timedelta = timedelta(hours=2)) -> int:
    """A session of the pair that began ``ago`` and awaits its outcome; its id."""
    now = world.clock.now()
    async with world.db.transaction() as session:
        row = MentoringSession(tenant_id=world.tenant_id, program_id=world.program_id, pair_id=pair_id,
                               starts_at=now - ago, duration_minutes=45, mode=SessionMode.REMOTE,
                               status=SessionStatus.SCHEDULED, created_at=now - ago - timedelta(days=2),
                               timezone="Europe/Brussels", calendar_uid=new_calendar_uid(), calendar_sequence=0,
                               invite_token=new_invite_token())
        session.add(row)
        await session.flush()
        return row.id


async def rendered(world: World, nudge: Nudge) -> str:
    """What an outbox row says now: its text, then ``label=command`` for each button
    (empty when it would not be sent)."""
    async with world.db.transaction() as session:
        message = await render_nudge(Repository(session, world.tenant_id), nudge, world.clock.now())
    if message is None:
        return ""
    return message.text + " | " + " | ".join(f"{b.label}={b.value}" for b in message.buttons)


async def nudges_of(world: World, kind: str) -> list[Nudge]:
    """The outbox rows of ``kind``, oldest first."""
    async with world.db.transaction() as session:
        return list(await session.scalars(select(Nudge).where(Nudge.kind == kind).order_by(Nudge.id)))


async def rows(world: World, model: type) -> list:
    """Every row of ``model``, oldest first."""
    async with world.db.transaction() as session:
        return list(await session.scalars(select(model).order_by(model.id)))


async def victor_sets_two_goals(chats: Chats) -> None:
    """Victor sets two goals with Zoe and rates the program's three baseline skills (3, 2, 1)."""
    await chats.run("""
        Victor> /mentoring goals
        bot: Let's set your goals with Zoe: one to three.
        bot: Goal 1:
        Victor> Use an AI assistant for drafting
        bot: Where you start (1 to 5):
        Victor> 2
        Victor> I have never tried one
        bot: Where you want to be:
        Victor> Draft my memos with it every week
        bot: Saved. Another goal?
        Victor> Add another goal
        bot: Goal 2:
        Victor> Run my own Teams meetings
        Victor> 1
        Victor> My assistant sets them up
        Victor> Host one alone
        bot: Saved. Another goal?
        Victor> That's all
        bot: And the program's common skills: where do you start on each
        bot: Shared calendars:
        Victor> 3
        bot: Video meetings:
        Victor> 2
        bot: An AI assistant:
        Victor> 1
        bot: Saved. Your goals with Zoe:
        bot: • Use an AI assistant for drafting: started at 2/5, now 2/5
        bot: • Run my own Teams meetings: started at 1/5, now 1/5
    """)
