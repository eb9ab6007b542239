"""The HR import in Slack: the admin shares the CSV in the DM with ``/mentoring import``; the bot
fetches it (files.info, then the private download with the bot token), imports it, finds the
imported people by email (users.lookupByEmail) and invites them, in their working hours."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from adapters.slack.app import SlackAdapter, SlackConfig
from adapters.slack.directory import SlackDirectory
from bot.clock import FakeClock
from bot.engine import MentorBot
from bot.people_import.reach import reach_imported
from bot.registry import render_nudge
from scheduler.outbox import Outbox
from storage.enums import NudgeKind
from storage.models import Nudge, Person
from tests.kit.slack import ACME_TOKEN
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_workspace import SIGNING_SECRET, SlackDriver

CSV = b"""name,email,role,level,department,manager email,languages,time zone,location,topics
Victor Hugo,victor@acme.test,mentee,5,Board,,fr;en,Europe/Paris,either,AI assistants and prompt writing
Lea Smith,lea@acme.test,mentor,1,IT,victor@acme.test,en,America/New_York,remote,AI assistants and prompt writing
Nobody Here,ghost@acme.test,mentor,1,IT,,en,Europe/Brussels,remote,Video meetings
"""


async def _people(bot: MentorBot) -> dict[str, Person]:
    async with bot.db.transaction() as session:
        return {p.email or p.user_id: p for p in (await session.execute(select(Person))).scalars()}


async def test_an_admin_imports_a_shared_csv_and_imported_people_are_invited_by_email(
        acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot, clock: FakeClock) -> None:
    slack_api.add_user(ACME_TOKEN, "UVICTOR", "Victor Hugo", "Europe/Paris", email="victor@acme.test")
    slack_api.add_user(ACME_TOKEN, "ULEA", "Lea Smith", "America/New_York", email="Lea@Acme.test")
    await acme.command("UHANA", 'program create "Digital Leaders 2027"')
    await slack_api.wait_for("response_url")
    shared = slack_api.add_file(ACME_TOKEN, "F0001", "people.csv", CSV)
    await acme.dm("UHANA", "/mentoring import", files=[shared])
    [info] = await slack_api.wait_for("files.info")
    [download] = await slack_api.wait_for("files.download")
    assert info.body["file"] == "F0001" and download.token == ACME_TOKEN
    posted = await slack_api.wait_for("chat.postMessage")
    reply = posted[-1].body["text"]
    assert "Imported people.csv into Digital Leaders 2027" in reply and "New: 3" in reply
    assert "3 not reachable yet" in reply

    directory = SlackDirectory(lambda team: _token(team), slack_api.url, per_minute=6000)
    report = await reach_imported(bot.db, clock, {"slack": directory})
    assert (report.linked, report.not_found, report.invited) == (2, 1, 2)
    looked_up = sorted(call.body["email"] for call in slack_api.called("users.lookupByEmail"))
    assert looked_up == ["ghost@acme.test", "lea@acme.test", "victor@acme.test"]
    people = await _people(bot)
    assert people["victor@acme.test"].user_id == "UVICTOR" and people["lea@acme.test"].user_id == "ULEA"
    assert people["ghost@acme.test"].user_id == "email:ghost@acme.test", "not found: not linked, asked again later"
    again = await reach_imported(bot.db, clock, {"slack": directory})
    assert again.linked == again.not_found == 0 and len(slack_api.called("users.lookupByEmail")) == 3

    async with bot.db.transaction() as session:
        invitations = list((await session.execute(select(Nudge).where(Nudge.kind == NudgeKind.INVITATION))).scalars())
    assert len(invitations) == 2
    clock.set(max(n.due_at for n in invitations) + timedelta(minutes=1))
    adapter = SlackAdapter(bot, SlackConfig(signing_secret=SIGNING_SECRET, api_url=slack_api.url,
                                            bot_token=ACME_TOKEN), bot.db.engine)
    try:
        await Outbox(bot.db, {"slack": adapter}, render_nudge, clock, "test").drain()
    finally:
        await adapter.close()
    sent = {call.body["channel"]: call for call in slack_api.called("chat.postMessage")}
    assert "You are invited to Digital Leaders 2027 as a mentor" in sent["ULEA"].body["text"]
    assert "reports to Victor Hugo" in sent["ULEA"].body["text"]
    buttons = [e for b in sent["ULEA"].blocks() if b["type"] == "actions" for e in b["elements"]]
    assert buttons[0]["text"]["text"] == "Start" and buttons[0]["value"] == 'join "Digital Leaders 2027"'

    # Lea taps Start: onboarding begins with what HR gave, and she is one person, not two.
    await acme.press("ULEA", "command", 'join "Digital Leaders 2027"')
    [opened] = await slack_api.wait_for("views.open")
    assert "Your role" in str(opened.view()), "onboarding begins, in a modal"
    assert sum(1 for p in (await _people(bot)).values() if p.display_name == "Lea Smith") == 1


async def test_a_person_who_writes_first_is_found_by_the_email_slack_gives(
        acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot) -> None:
    slack_api.add_user(ACME_TOKEN, "ULEA", "Lea Smith", "America/New_York", email="lea@acme.test")
    await acme.command("UHANA", 'program create "Digital Leaders 2027"')
    await slack_api.wait_for("response_url")
    await acme.dm("UHANA", "/mentoring import", files=[slack_api.add_file(ACME_TOKEN, "F0002", "people.csv", CSV)])
    await slack_api.wait_for("files.download")
    await acme.dm("ULEA", "hello")
    await slack_api.wait_for("chat.postMessage", 2)
    people = await _people(bot)
    assert people["lea@acme.test"].user_id == "ULEA"
    assert sum(1 for p in people.values() if p.display_name == "Lea Smith") == 1


async def test_a_shared_file_too_large_is_refused_without_downloading_it(
        acme: SlackDriver, slack_api: FakeSlackApi, bot: MentorBot) -> None:
    await acme.command("UHANA", 'program create "Digital Leaders 2027"')
    await slack_api.wait_for("response_url")
    shared = slack_api.add_file(ACME_TOKEN, "F0003", "huge.csv", b"name,email\n")
    shared["size"] = 50 * 1024 * 1024
    await acme.dm("UHANA", "/mentoring import", files=[shared])
    posted = await slack_api.wait_for("chat.postMessage")
    assert "huge.csv is 50 MB; I accept at most 20 MB" in posted[-1].body["text"]
    assert not slack_api.called("files.download")


async def _token(team: str) -> str | None:
    return ACME_TOKEN if team == "TACME" else None
