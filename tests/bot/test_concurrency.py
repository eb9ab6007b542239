"""Two things happening at once: nothing is lost, no rule is broken."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from bot.engine import MentorBot
from bot.messages import Inbound
from storage.models import ConversationState, ProgramAdmin
from storage.repository import Repository
from tests.kit.scripts import CREATE_PROGRAM, UP_TO_THE_TOPICS
from tests.kit.transcript import Chats


async def test_two_answers_sent_at_once_are_both_kept(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        {UP_TO_THE_TOPICS}
    """)
    victor = chats.chat("Victor").address
    await asyncio.gather(
        bot.handle(Inbound.submitted(victor, "onboarding.topics", {"topics": ["Video meetings"]}, "Victor")),
        bot.handle(Inbound.submitted(victor, "onboarding.topics", {"topics_free_text": "TikTok"}, "Victor")),
    )
    async with bot.db.transaction() as session:
        state = (await session.execute(select(ConversationState))).scalars().one()
    assert state.data["answers"]["topics"] == ["Video meetings"]
    assert state.data["answers"]["topics_free_text"] == "TikTok"
    assert state.step == "style", "both answers together completed the step"


async def test_two_admins_removing_each_other_at_once_leave_one_admin(
    chats: Chats, bot: MentorBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await chats.run(f"""
        Hana> {CREATE_PROGRAM}
        Sam opens the chat
        Hana> /mentoring admin add Sam
    """)
    counted = Repository.admins

    async def slowly_counted(self: Repository, program_id: int) -> Any:
        admins = await counted(self, program_id)
        await asyncio.sleep(0.2)  # let the other removal count the admins too
        return admins

    monkeypatch.setattr(Repository, "admins", slowly_counted)
    replies = await asyncio.gather(
        chats.chat("Hana").say("/mentoring admin remove Sam"),
        chats.chat("Sam").say("/mentoring admin remove Hana"),
    )
    async with bot.db.transaction() as session:
        admins = (await session.execute(select(ProgramAdmin))).scalars().all()
    assert len(admins) == 1
    assert sum("is no longer an admin" in reply for reply in replies) == 1
    # The other removal came second: its author is no admin any more, or the last one.
    assert any("is the last admin" in reply or "Only program admins" in reply for reply in replies)
