"""Every message of the flows fits what each platform can show."""

from __future__ import annotations

from bot.engine import MentorBot
from bot.messages import LABEL_LIMIT, TITLE_LIMIT, Message
from tests.kit.scripts import CREATE_PROGRAM, onboarding
from tests.kit.transcript import Chats


class Recording(MentorBot):
    """The bot, keeping every message it answers with."""

    sent: list[Message]

    async def handle(self, inbound):  # type: ignore[no-untyped-def]
        replies = await super().handle(inbound)
        self.sent.extend(replies)
        return replies


async def test_onboarding_and_profile_messages_fit_every_platform(bot: MentorBot) -> None:
    recording = Recording(bot.db, bot.clock)
    recording.sent = []
    chats = Chats(recording)
    await chats.run(f"Hana> {CREATE_PROGRAM}")
    await chats.run(onboarding("Victor"))
    await chats.run("""
        Victor> /mentoring profile
        Victor> 1
    """)
    assert len(recording.sent) > 15
    for message in recording.sent:
        assert message.text, "every message has a text fallback"
        for button in message.buttons:
            assert len(button.label) <= LABEL_LIMIT, button.label
        if message.form is not None:
            assert len(message.form.title) <= TITLE_LIMIT, message.form.title
            for field in message.form.fields:
                assert len(field.label) <= LABEL_LIMIT, field.label
                for option in field.options:
                    assert len(option.label) <= LABEL_LIMIT, option.label


async def test_a_topic_dropped_from_the_program_is_not_offered_as_the_current_answer(chats: Chats) -> None:
    await chats.run(f"Hana> {CREATE_PROGRAM}")
    await chats.run(onboarding("Victor"))
    await chats.run("""
        Hana> /mentoring program set topics="Video meetings,Data and dashboards"
        Victor> /mentoring profile edit
        Victor>
        Victor>
        Victor>
        Victor>
        bot: Topics you want to learn
        bot never: press Enter to keep
    """)
