"""Onboarding, as transcripts of a terminal chat."""

from __future__ import annotations

from sqlalchemy import select

from bot.engine import MentorBot
from storage.models import Enrollment, Profile
from tests.transcript import Chats

CREATE = '/mentoring program create "Digital Leaders 2027" cadence=monthly capacity=3 formats=one-to-one,group'


async def test_a_mentee_onboards_end_to_end(chats: Chats, bot: MentorBot) -> None:
    await chats.run(f"""
        Hana> {CREATE}
        bot: Program "Digital Leaders 2027" is created and you are its admin
        Victor opens the chat
        bot: Would you like to join?
        Victor> 1
        bot: Reverse mentoring turns the usual roles around
        bot: Digital Leaders 2027 meets every month
        bot: Your role
        Victor> 2
        bot: You are the mentee.
        bot: you may ask anything
        bot: Ground rules
        Victor> 1
        bot: Confidentiality.
        bot: Program admins never see them
        Victor> 1
        bot: Your level
        Victor> 5
        bot: Your department
        Victor> Finance
        bot: Your manager's name
        Victor>
        bot: Topics you want to learn
        Victor> 1,4
        bot: Anything else, in your own words
        Victor> How my team uses TikTok
        bot: Your communication style
        Victor> 2
        bot: Formats you would like
        Victor> 1
        bot: Remote or in person
        Victor> 3
        bot: Your time zone
        Victor> Europe/Brussels
        bot: Your working hours
        Victor> 08:30-17:00
        bot: Languages you can hold a session in
        Victor> 1,3
        bot: Here is your profile. Is everything right?
        bot: Wants to learn: AI assistants and prompt writing, Video meetings
        bot: Time zone: Europe/Brussels
        Victor> 1
        bot: You're all set, Victor: welcome to Digital Leaders 2027.
    """)
    async with bot.db.transaction() as session:
        profile = (await session.execute(select(Profile))).scalars().one()
        enrollment = (await session.execute(select(Enrollment))).scalars().one()
    assert profile.level == 5
    assert profile.topics_wanted == ["AI assistants and prompt writing", "Video meetings"]
    assert profile.manager is None
    assert profile.timezone == "Europe/Brussels"
    assert (profile.work_start.isoformat(), profile.work_end.isoformat()) == ("08:30:00", "17:00:00")
    assert profile.languages == ["en", "nl"]
    assert (enrollment.role, enrollment.status) == ("mentee", "active")
    assert enrollment.confidentiality_accepted_at is not None
