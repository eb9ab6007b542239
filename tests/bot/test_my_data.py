"""``/mentoring my-data``: everything the bot holds about the person asking, as a JSON file.

Rule (a person's data is theirs): the file holds their rows and their pairs', never another
person's profile or private notes; its link opens their data only, for a day, and nothing once
they erased their data.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import aiohttp

from bot.clock import FakeClock
from mentorbot.report_routes import REPORT_CLOCK
from mentorbot.server import build_app
from storage.db import Database
from storage.models import CheckIn, MentoringSession
from storage.repository import Repository
from tests.kit.fakes.local_http import serve_locally
from tests.kit.transcript import Chats
from tests.kit.world import MENTEE, MENTOR, World

LINK = re.compile(r"(/my-data/[^\s]+\.json)")


async def _pair_with_notes(world: World) -> None:
    await world.person("Victor", role=MENTEE)
    await world.person("Hana", role=MENTOR)
    pair = await world.pair("Hana", "Victor")
    async with world.db.transaction() as session:
        repo = Repository(session, world.tenant_id)
        held = repo.add(MentoringSession(program_id=world.program_id, pair_id=pair, starts_at=world.clock.now(),
                                         mode="video", status="held", created_at=world.clock.now()))
        await repo.flush()
        for name, note in (("Victor", "I still fear spreadsheets"), ("Hana", "Victor needs patience")):
            repo.add(CheckIn(session_id=held.id, person_id=world.people[name], usefulness=4, topics=["AI"],
                             private_note=note, created_at=world.clock.now()))


async def _fetch(db: Database, clock: FakeClock, path: str) -> tuple[int, Any]:
    app = build_app(db)
    app[REPORT_CLOCK] = clock
    runner, port = await serve_locally(app)
    try:
        async with aiohttp.ClientSession() as client, client.get(f"http://127.0.0.1:{port}{path}") as response:
            body = await response.read()
            return response.status, json.loads(body) if response.status == 200 else body.decode()
    finally:
        await runner.cleanup()


async def test_my_data_gives_the_person_their_rows_and_not_their_partners_notes(world: World, chats: Chats) -> None:
    await _pair_with_notes(world)
    answer = await chats.run('''
        Victor> /mentoring my-data
        bot: Here is everything I hold about you, as a JSON file
        bot: valid for 24 hours
        bot: File saved:
    ''')
    document = json.loads((chats.invites_dir / "my-data.json").read_text(encoding="utf-8"))
    data = document["data"]
    assert [row["display_name"] for row in data["people"]] == ["Victor"]
    assert [row["private_note"] for row in data["checkins"]] == ["I still fear spreadsheets"]
    assert len(data["pairs"]) == 1 and len(data["sessions"]) == 1 and len(data["enrollments"]) == 1
    assert [row["person_id"] for row in data["profiles"]] == [world.people["Victor"]]
    text = json.dumps(document, ensure_ascii=False)
    assert "Victor needs patience" not in text and "tenant_id" not in text
    assert LINK.search(answer)


async def test_the_link_opens_the_same_file_for_a_day_and_never_after_forget_me(world: World, chats: Chats,
                                                                               db: Database, clock: FakeClock) -> None:
    await _pair_with_notes(world)
    link = LINK.search(await chats.run("Victor> /mentoring my-data"))
    assert link is not None
    status, document = await _fetch(db, clock, link[1])
    assert status == 200 and document["data"]["people"][0]["display_name"] == "Victor"

    forged = link[1].replace(".json", "x.json")
    assert (await _fetch(db, clock, forged))[0] == 403
    clock.advance(timedelta(hours=25))
    assert (await _fetch(db, clock, link[1]))[0] == 403, "expired after a day"

    fresh = LINK.search(await chats.run("Victor> /mentoring my-data"))
    assert fresh is not None
    await chats.run('''
        Victor> /mentoring forget-me confirm
        bot: your personal data is erased
    ''')
    status, body = await _fetch(db, clock, fresh[1])
    assert status == 403 and "/mentoring my-data" in body
