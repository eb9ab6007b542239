"""Lunch-and-learns: scheduled for people or a channel with a calendar invite, reminded,
moved and called off, then "did it take place?", the audience's one-tap rating and what
they will try (which only the presenters see)."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.console.chat import user_id_for
from bot.engine import MentorBot
from bot.messages import Address, Inbound, InboundKind
from bot.registry import run_tick
from storage.enums import AssignmentStatus, NudgeKind, SessionMode, SessionStatus
from storage.models import Attendance, MentoringSession, ResearchAssignment
from tests.kit.world import World
from tests.kit.research import cast, message_of, nudges_of, rendered, rows, set_profile
from tests.kit.transcript import Chats

CHANNEL = Address("console", "local", "lunch-room")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def written_up(world: World, chats: Chats) -> None:
    """Zoe and Hana research Copilot in Excel; Zoe sent the write-up."""
    await cast(world)
    await chats.run("""
        Ada> /mentoring research assign "Copilot in Excel" mentors=Zoe,Hana due=2027-01-15
        Zoe> /mentoring research writeup #1 summary="Copilot writes formulas." links="https://example.com/copilot"
    """)


def ics(data: bytes) -> str:
    """A calendar file's text with its folded lines unfolded."""
    return data.decode().replace("\r\n ", "")


async def test_a_lunch_and_learn_for_named_people_invites_them_with_a_calendar_file_and_reminds_them(
        world: World, chats: Chats) -> None:
    await written_up(world, chats)
    await chats.run("""
        Zoe> /mentoring research schedule #1 2026-12-16 12:30 "Room 4.12" audience="Victor, Carla"
        bot: Scheduled the lunch-and-learn on Copilot in Excel: Wed 16 Dec 2026, 12:30 (Europe/Brussels), at Room 4.12. I've invited Victor and Carla and will remind everyone 24 h before it.
        bot: Move it
    """)
    [session] = await rows(world, MentoringSession)
    assert (session.assignment_id, session.mode, session.place, session.duration_minutes) == (
        1, SessionMode.IN_PERSON, "Room 4.12", 60)
    [assignment] = await rows(world, ResearchAssignment)
    assert assignment.status == AssignmentStatus.SCHEDULED
    assert assignment.audience == {"people": [world.people["Victor"], world.people["Carla"]], "channel": None}
    invites = {world.name_of(n.person_id): n for n in await nudges_of(world, NudgeKind.LUNCH_INVITE)}
    assert set(invites) == {"Victor", "Carla", "Hana"}
    message = await message_of(world, invites["Victor"])
    assert message is not None
    assert message.text.startswith("You're invited to the lunch-and-learn on *Copilot in Excel*, presented by Zoe and "
                                   "Hana: Wed 16 Dec 2026, 12:30 (Europe/Brussels), at Room 4.12.")
    [invite] = message.attachments
    calendar = ics(invite.data)
    assert "SUMMARY:Lunch-and-learn: Copilot in Excel" in calendar and "LOCATION:Room 4.12" in calendar
    assert "https://example.com/copilot" in calendar and "Presented by Zoe and Hana." in calendar
    assert invite.link.startswith("/calendar/")
    assert (await rendered(world, invites["Hana"])).startswith(
        "Zoe scheduled your lunch-and-learn on *Copilot in Excel*: Wed 16 Dec 2026, 12:30 (Europe/Brussels), at "
        "Room 4.12. Invited: Victor and Carla.")

    await world.tick_until(utc("2026-12-15T11:30"))  # due a day before
    reminders = {world.name_of(n.person_id): n for n in await nudges_of(world, NudgeKind.LUNCH_REMINDER)}
    assert set(reminders) == {"Zoe", "Hana", "Victor", "Carla"}
    assert {n.due_at for n in reminders.values()} == {utc("2026-12-15T11:30")}
    world.clock.set(utc("2026-12-15T11:30"))
    assert (await rendered(world, reminders["Victor"])).startswith(
        "Reminder: the lunch-and-learn on *Copilot in Excel*, presented by Zoe and Hana, is on Wed 16 Dec 2026, "
        "12:30 (Europe/Brussels), at Room 4.12.")
    assert (await rendered(world, reminders["Zoe"])).startswith("Reminder: you present the lunch-and-learn")


async def test_moving_keeps_the_calendar_event_and_calling_it_off_tells_everyone(world: World, chats: Chats) -> None:
    await written_up(world, chats)
    await chats.run("""
        Zoe> /mentoring research schedule #1 2026-12-16 12:30 remote audience="Victor, Carla"
        Hana> /mentoring research schedule #1 2026-12-17 13:00
        bot: Moved the lunch-and-learn on Copilot in Excel: Thu 17 Dec 2026, 13:00 (Europe/Brussels), remote.
    """)
    old, new = await rows(world, MentoringSession)
    assert (old.status, new.status) == (SessionStatus.RESCHEDULED, SessionStatus.SCHEDULED)
    assert (new.calendar_uid, new.calendar_sequence, new.rescheduled_from_id) == (old.calendar_uid, 1, old.id)
    invites = await nudges_of(world, NudgeKind.LUNCH_INVITE)
    first = [n for n in invites if n.session_id == old.id]
    assert [await rendered(world, n) for n in first] == [""] * 3, "the old time is not sent any more"
    moved = {world.name_of(n.person_id): n for n in invites if n.session_id == new.id}
    assert set(moved) == {"Zoe", "Victor", "Carla"}
    assert (await rendered(world, moved["Zoe"])).startswith("Hana moved your lunch-and-learn on *Copilot in Excel*: "
                                                            "Thu 17 Dec 2026, 13:00")
    assert "has moved: Thu 17 Dec 2026, 13:00" in await rendered(world, moved["Victor"])

    await chats.run("""
        Zoe> /mentoring research cancel-lunch #1
        bot: Called off the lunch-and-learn on Copilot in Excel (Thu 17 Dec 2026, 13:00 (Europe/Brussels), remote). I've told Victor and Carla.
    """)
    assert [await rendered(world, n) for n in moved.values()] == [""] * 3, "nor the invitation to a canceled one"
    canceled = {world.name_of(n.person_id): n for n in await nudges_of(world, NudgeKind.LUNCH_INVITE)
                if n.payload.get("event") == "canceled"}
    assert set(canceled) == {"Hana", "Victor", "Carla"}
    message = await message_of(world, canceled["Victor"])
    assert message is not None and "of Thu 17 Dec 2026, 13:00 (Europe/Brussels), remote is called off" in message.text
    assert "METHOD:CANCEL" in ics(message.attachments[0].data)
    [assignment] = await rows(world, ResearchAssignment)
    assert assignment.status == AssignmentStatus.WRITTEN


async def test_audience_here_in_a_channel_posts_one_invite_there(world: World, bot: MentorBot, chats: Chats) -> None:
    await written_up(world, chats)
    command = "/mentoring research schedule #1 2026-12-16 12:30 remote audience=here"
    inbound = Inbound(Address("console", "local", user_id_for("Zoe")), InboundKind.TEXT, display_name="Zoe",
                      text=command, channel=CHANNEL)
    [reply] = await bot.handle(inbound)
    assert reply.text.startswith("Scheduled the lunch-and-learn on Copilot in Excel: Wed 16 Dec 2026, 12:30")
    posts = [n for n in await nudges_of(world, NudgeKind.LUNCH_INVITE) if "channel" in n.payload]
    assert len(posts) == 1
    [post] = posts
    assert world.name_of(post.person_id) == "Zoe"
    assert post.payload["channel"] == {"platform": "console", "tenant": "local", "user_id": "lunch-room",
                                       "reference": None}
    message = await message_of(world, post)
    assert message is not None and message.attachments
    assert message.text.startswith("You're all invited to the lunch-and-learn on *Copilot in Excel*, presented by "
                                   "Zoe and Hana: Wed 16 Dec 2026, 12:30 (Europe/Brussels), remote.")

    world.clock.set(utc("2026-12-15T11:30"))
    await run_tick(world.db, world.clock)
    reminders = await nudges_of(world, NudgeKind.LUNCH_REMINDER)
    assert sorted(n.key.rsplit(":", 1)[-1] for n in reminders) == sorted(
        ["channel", str(world.people["Zoe"]), str(world.people["Hana"])])

    world.clock.set(utc("2026-12-16T13:00"))
    [session] = await rows(world, MentoringSession)
    await chats.run(f"Hana> /mentoring research outcome {session.id} held")
    [rating] = await nudges_of(world, NudgeKind.LUNCH_RATING)
    assert rating.payload["channel"]["user_id"] == "lunch-room"
    assert (await rendered(world, rating)).startswith(
        "How useful was the lunch-and-learn on Copilot in Excel (Zoe and Hana)? One tap, for anyone who came.")
    await chats.run(f"""
        Bob> /mentoring lunch rate {session.id} 5
        bot: Thanks: 5/5 for the lunch-and-learn on Copilot in Excel.
    """)
    [attended] = await rows(world, Attendance)
    assert (world.name_of(attended.person_id), attended.attended, attended.rating) == ("Bob", True, 5)


async def test_audience_here_in_a_direct_chat_is_refused(world: World, chats: Chats) -> None:
    await written_up(world, chats)
    await chats.run("""
        Zoe> /mentoring research schedule #1 2026-12-16 12:30 audience=here
        bot: `audience=here` means the channel you type the command in, and this is a direct chat with me.
        Zoe> /mentoring research schedule #1 2026-12-16 12:30 audience="Victor, Nobody"
        bot: I don't know 'Nobody' here
    """)
    assert await rows(world, MentoringSession) == []


async def test_after_a_held_lunch_the_audience_rates_it_in_one_tap_and_says_what_they_will_try(
        world: World, chats: Chats) -> None:
    await written_up(world, chats)
    await chats.run('Zoe> /mentoring research schedule #1 2026-12-16 12:30 audience="Victor, Carla, Bob"')
    [session] = await rows(world, MentoringSession)
    await world.tick_until(utc("2026-12-16T12:45"))
    asked = {world.name_of(n.person_id): n for n in await nudges_of(world, NudgeKind.LUNCH_OUTCOME)}
    assert set(asked) == {"Zoe", "Hana"}
    assert {n.due_at for n in asked.values()} == {utc("2026-12-16T12:45")}, "the hour is over, plus a quarter"
    s = session.id
    assert await rendered(world, asked["Hana"]) == (
        f"Did your lunch-and-learn on Copilot in Excel take place? | Yes=research outcome {s} held | "
        f"We moved it=research outcome {s} rescheduled | Canceled=research outcome {s} canceled")
    await chats.run(f"""
        Victor> /mentoring lunch rate {s} 4
        bot: is not recorded as held, so there is nothing to rate yet.
        Hana> /mentoring research outcome {s} held
        bot: Well done: the lunch-and-learn on Copilot in Excel is recorded as held. I've asked Victor, Carla and Bob how useful it was
        Zoe> /mentoring research outcome {s} held
        bot: Already recorded: that lunch-and-learn was held.
    """)
    assert await rendered(world, asked["Zoe"]) == "", "answered by Hana"
    ratings = {world.name_of(n.person_id): n for n in await nudges_of(world, NudgeKind.LUNCH_RATING)}
    assert set(ratings) == {"Victor", "Carla", "Bob"}
    assert await rendered(world, ratings["Victor"]) == (
        f"How useful was the lunch-and-learn on Copilot in Excel (Zoe and Hana)? | 1 · not useful=lunch rate {s} 1 | "
        f"2=lunch rate {s} 2 | 3=lunch rate {s} 3 | 4=lunch rate {s} 4 | 5 · very useful=lunch rate {s} 5")
    await chats.run(f"""
        Victor> /mentoring lunch rate {s} 4
        bot: Thanks: 4/5 for the lunch-and-learn on Copilot in Excel.
        bot: What will you try after it?
        Victor> Ask Copilot to explain the formulas I inherit
        bot: Thanks! I'll pass that on to the presenters
        Victor> /mentoring lunch rate {s} 5
        bot: Updated your rating of the lunch-and-learn on Copilot in Excel to 5/5 (it was 4).
        bot never: What will you try
        Carla> /mentoring lunch rate {s} 3
        Carla> /mentoring lunch try {s} "Draft a budget formula with it"
        bot: Thanks! I'll pass that on to the presenters of Copilot in Excel
        Ada> /mentoring research list
        bot: 2 ratings, mean not shown yet
        Bob> /mentoring lunch rate {s} 2
        Ada> /mentoring research list
        bot: #1 Copilot in Excel (Zoe, Hana): presented; due Fri 15 Jan 2027; lunch-and-learn Wed 16 Dec 2026, 12:30 (Europe/Brussels), remote; 3 ratings, mean 3.3/5
        bot never: Ask Copilot
        Ada> /mentoring research show #1
        bot: Ratings: 3 ratings, mean 3.3/5
        bot never: Ask Copilot
        Zoe> /mentoring research show #1
        bot: What people will try (only the presenters see this):
        bot: • Ask Copilot to explain the formulas I inherit
        bot: • Draft a budget formula with it
        Zoe> /mentoring lunch rate {s} 5
        bot: You presented it: the ratings are for the audience.
    """)
    attended = {world.name_of(a.person_id): a for a in await rows(world, Attendance)}
    assert {name: (a.attended, a.rating) for name, a in attended.items()} == {
        "Victor": (True, 5), "Carla": (True, 3), "Bob": (True, 2)}
    assert attended["Victor"].will_try == "Ask Copilot to explain the formulas I inherit"
    assert await rendered(world, ratings["Victor"]) == "", "rated already"
    [assignment] = await rows(world, ResearchAssignment)
    assert assignment.status == AssignmentStatus.PRESENTED


async def test_the_scheduling_form_asks_again_for_an_unknown_name_only(world: World, chats: Chats) -> None:
    await written_up(world, chats)
    await chats.run("""
        Hana> /mentoring research schedule #1
        bot: The lunch-and-learn on Copilot in Excel: when and for whom?
        bot: Date
        Hana> 2026-12-16
        bot: Start time (Europe/Brussels)
        Hana> 12:30
        bot: Where
        Hana> Room 4.12
        bot: Who is it for?
        Hana> Victor, Zed
        bot: I don't know 'Zed' here
        bot: Who is it for?
        bot never: Date
        Hana> Victor, Carla
        bot: Scheduled the lunch-and-learn on Copilot in Excel: Wed 16 Dec 2026, 12:30 (Europe/Brussels), at Room 4.12. I've invited Victor and Carla
    """)
    [session] = await rows(world, MentoringSession)
    assert session.place == "Room 4.12"


async def test_calling_off_the_assignment_calls_off_its_lunch_and_tells_the_audience(
        world: World, chats: Chats) -> None:
    await written_up(world, chats)
    await chats.run("""
        Zoe> /mentoring research schedule #1 2026-12-16 12:30 audience=Victor
        Ada> /mentoring research cancel #1
        bot: Called off research #1 (Copilot in Excel). I've told the mentors and the lunch-and-learn's audience.
        Zoe> /mentoring research schedule #1 2026-12-17 12:30 audience=Victor
        bot: Research #1 is called off: there is no lunch-and-learn to schedule.
    """)
    [session] = await rows(world, MentoringSession)
    assert session.status == SessionStatus.CANCELED
    invites = await nudges_of(world, NudgeKind.LUNCH_INVITE)
    [first] = [n for n in invites if n.payload["event"] == "scheduled" and n.person_id == world.people["Victor"]]
    [off] = [n for n in invites if n.payload["event"] == "canceled" and n.person_id == world.people["Victor"]]
    assert await rendered(world, first) == ""
    assert "is called off" in await rendered(world, off)
    news = {world.name_of(n.person_id): n for n in await nudges_of(world, NudgeKind.RESEARCH_NEWS)
            if n.payload["event"] == "canceled"}
    assert set(news) == {"Zoe", "Hana"}
    assert (await rendered(world, news["Hana"])).startswith(
        "Ada called off the research assignment on *Copilot in Excel*.")


async def test_a_slack_channel_mention_is_the_audience_channel(world: World) -> None:
    from types import SimpleNamespace

    from adapters.slack.translate import neutral_text
    from bot.research.lunch import resolve_audience
    from storage.repository import Repository

    await cast(world)
    async with world.db.transaction() as session:
        slack = SimpleNamespace(person=SimpleNamespace(platform="slack"), tenant=SimpleNamespace(external_id="T0123"),
                                repo=Repository(session, world.tenant_id))
        audience = await resolve_audience(slack, neutral_text("<#C0123|general>, Victor, Zoe"), None, [world.people["Zoe"]])  # type: ignore[arg-type]
    assert audience == {"people": [world.people["Victor"]],
                        "channel": {"platform": "slack", "tenant": "T0123", "user_id": "C0123", "reference": None}}


async def test_once_the_write_up_is_in_show_offers_to_update_it_not_to_send_it(world: World, chats: Chats) -> None:
    await cast(world)
    await chats.run("""
        Ada> /mentoring research assign "Copilot in Excel" mentors=Zoe,Hana due=2027-01-15
        Zoe> /mentoring research show #1
        bot: [1] Send the write-up
        Zoe> /mentoring research writeup #1 summary="Copilot writes formulas." links="https://example.com/copilot"
        Hana> /mentoring research show #1
        bot: [1] Update the write-up
        bot never: Send the write-up
    """)


async def test_times_that_suit_both__a_lunch_at_12_30_in_shanghai_is_05_30_for_the_audience_in_brussels(
        world: World, chats: Chats) -> None:
    """Rule 11 of docs/cadence.md (times that suit both, for a group: presenters and audience)."""
    await written_up(world, chats)
    await set_profile(world, "Zoe", timezone="Asia/Shanghai")
    await chats.run("""
        Zoe> /mentoring research schedule #1 2026-12-16 12:30 "Room 2" audience="Victor, Carla"
        bot: Wed 16 Dec 2026, 12:30 (Asia/Shanghai) is outside working hours for Hana, Victor, Carla (05:30 Europe/Brussels, working 09:00-17:00).
        bot: The nearest times inside the working hours of the presenters and the audience (Asia/Shanghai times):
        bot: [1] Tue 15 Dec, 16:00   [2] Wed 16 Dec, 16:00   [3] Thu 17 Dec, 16:00   [4] Schedule anyway
    """)
    assert await rows(world, MentoringSession) == []
    await chats.run("""
        Zoe> 3
        bot: Scheduled the lunch-and-learn on Copilot in Excel: Thu 17 Dec 2026, 16:00 (Asia/Shanghai), at Room 2.
    """)
    [row] = await rows(world, ResearchAssignment)
    assert row.audience["people"] == [world.people["Victor"], world.people["Carla"]]
