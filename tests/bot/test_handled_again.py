"""An event handled again after the process handling it died: it takes effect once, and if its
answer may have been lost the person is told where they are."""

from __future__ import annotations

from dataclasses import replace

from bot.engine import MentorBot
from bot.messages import Address, Inbound
from tests.kit.scripts import CREATE_PROGRAM

HANA, VICTOR = Address("slack", "TACME", "UHANA"), Address("slack", "TACME", "UVICTOR")


async def test_an_event_that_took_effect_is_not_applied_twice_and_the_person_hears_where_they_are(
    bot: MentorBot,
) -> None:
    await bot.handle(Inbound.typed(HANA, CREATE_PROGRAM, "Hana Kim"))
    join = replace(Inbound.typed(VICTOR, "/mentoring join", "Victor Hugo"), event_id="Ev1")
    first = await bot.handle(join)
    assert "Your role" in first[-1].text

    assert await bot.handle(join) == [], "a platform's retry of a handled event: nothing more"
    again = await bot.handle(join, again=True)
    assert len(again) == 1 and "Welcome back, Victor Hugo" in again[0].text and "Your role" in again[0].text

    answer = replace(Inbound.typed(VICTOR, "mentee", "Victor Hugo"), event_id="Ev2")
    after = await bot.handle(answer)
    assert "You are the mentee" in after[0].text
    again = await bot.handle(answer, again=True)
    assert again[0].text.startswith("Welcome back")
    assert after[-1].text.split("\n")[-1] in again[0].text, "the same step again: the answer was not applied twice"
