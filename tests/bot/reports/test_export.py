"""``/mentoring export``: the four CSV files, their signed links, and what they must never hold."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from adapters.console.chat import CONSOLE_TENANT, user_id_for
from bot.engine import MentorBot
from bot.messages import Address, Inbound, Message
from bot.reports import links
from bot.reports.export import FILE_NAMES, cell, csv_files
from storage.models import Program
from storage.repository import Repository
from tests.kit.world import World
from tests.kit.reports import FORMULA_NAME, SECRET, Seed
from tests.kit.platform_names import Platform
from tests.kit.transcript import Chats

LINK = re.compile(r"^/report/(?P<token>[^/]+)/export/(?P<name>[a-z_]+\.csv)$")


async def files_of(world: World) -> dict[str, bytes]:
    async with world.db.transaction() as session:
        repo = Repository(session, world.tenant_id)
        program = await repo.program(world.program_id)
        assert isinstance(program, Program)
        return await csv_files(repo, program)


def table(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def iso(month: int, day: int, hour: int = 10) -> str:
    return f"2026-{month:02d}-{day:02d}T{hour:02d}:00:00+00:00"


async def ask(bot: MentorBot, name: str, line: str) -> list[Message]:
    address = Address(Platform.CONSOLE, CONSOLE_TENANT, user_id_for(name))
    return await bot.handle(Inbound.typed(address, line, name))


async def test_pairs_csv(seed: Seed) -> None:
    rows = table((await files_of(seed.world))["pairs.csv"])
    assert list(rows[0]) == ["pair_id", "mentor", "mentee", "status", "cadence", "fit_score", "started_at", "ended_at",
                             "sessions_held", "sessions_canceled", "sessions_no_show"]
    by_id = {int(row["pair_id"]): row for row in rows}
    assert sorted(by_id) == sorted(seed.pairs[p] for p in ("HV", "OC", "TB", "UD"))  # not the proposed one
    assert by_id[seed.pairs["HV"]] == {
        "pair_id": str(seed.pairs["HV"]), "mentor": "Hana", "mentee": "Victor", "status": "active", "cadence": "weekly",
        "fit_score": "", "started_at": iso(9, 1), "ended_at": "", "sessions_held": "4", "sessions_canceled": "0",
        "sessions_no_show": "0"}
    ola_carla = by_id[seed.pairs["OC"]]
    assert (ola_carla["sessions_held"], ola_carla["sessions_canceled"], ola_carla["sessions_no_show"]) == ("1", "2", "1")
    uma_dora = by_id[seed.pairs["UD"]]
    # A name that a spreadsheet would run as a formula is defused.
    assert (uma_dora["mentor"], uma_dora["status"], uma_dora["ended_at"]) == ("'" + FORMULA_NAME, "ended", iso(11, 10))


async def test_sessions_csv(seed: Seed) -> None:
    rows = table((await files_of(seed.world))["sessions.csv"])
    assert list(rows[0]) == ["session_id", "pair_id", "circle_id", "assignment_id", "format", "starts_at",
                             "duration_minutes", "mode", "status"]
    ids = {int(row["session_id"]) for row in rows}
    expected = {seed.sessions[name] for name in seed.sessions if not name.startswith(("TD", "other"))}
    assert ids == expected and len(rows) == 17
    assert rows[0] == {"session_id": str(seed.sessions["A1"]), "pair_id": "", "circle_id": "",
                       "assignment_id": str(seed.assignment), "format": "research", "starts_at": iso(6, 15),
                       "duration_minutes": "45", "mode": "remote", "status": "held"}
    by_id = {int(row["session_id"]): row for row in rows}
    assert by_id[seed.sessions["C1"]]["format"] == "group" and by_id[seed.sessions["C1"]]["mode"] == "in_person"
    assert by_id[seed.sessions["HV4"]]["status"] == "rescheduled"
    assert by_id[seed.sessions["OC3"]]["status"] == "no_show"
    assert by_id[seed.sessions["HV1"]]["format"] == "one-to-one"


async def test_goal_progress_csv(seed: Seed) -> None:
    rows = table((await files_of(seed.world))["goal_progress.csv"])
    assert list(rows[0]) == ["goal_id", "pair_id", "status", "baseline_rating", "latest_rating", "final_rating",
                             "updates"]
    found = [(row["goal_id"], row["status"], row["baseline_rating"], row["latest_rating"], row["final_rating"],
              row["updates"]) for row in rows]
    goal = seed.goals
    assert found == [
        (str(goal["G1"]), "open", "2", "3", "4", "2"), (str(goal["G2"]), "open", "1", "2", "", "1"),
        (str(goal["G3"]), "open", "3", "", "", "0"), (str(goal["G4"]), "open", "2", "4", "", "1"),
        (str(goal["G5"]), "dropped", "3", "3", "", "1"), (str(goal["G6"]), "done", "1", "2", "3", "2")]


async def test_feedback_scores_csv(seed: Seed) -> None:
    rows = table((await files_of(seed.world))["feedback_scores.csv"])
    # Numeric answers only: no why, learned, taught or gained; no yes/no "rematch".
    assert list(rows[0]) == ["pair_id", "role", "kind", "period", "how", "fit", "fluency", "strategic", "business",
                             "access", "usefulness"]
    kinds = [row["kind"] for row in rows]
    # 8 pulses (not the one still empty), 7 fit answers, 6 evaluations, 14 rated check-ins.
    assert (kinds.count("pulse"), kinds.count("fit"), kinds.count("evaluation"), kinds.count("checkin")) == (8, 7, 6, 14)
    assert str(seed.pairs["TD"]) not in {row["pair_id"] for row in rows}
    carla_fit = next(row for row in rows if row["kind"] == "fit" and row["fit"] == "1")
    assert (carla_fit["pair_id"], carla_fit["role"], carla_fit["period"]) == (str(seed.pairs["OC"]), "mentee", "first")
    hana = [row for row in rows if row["kind"] == "evaluation" and row["role"] == "mentor"
            and row["pair_id"] == str(seed.pairs["HV"])]
    assert [(r["strategic"], r["business"], r["access"], r["fluency"]) for r in hana] == [("5", "4", "4", "")]
    first_checkin = [row for row in rows if row["kind"] == "checkin" and row["period"] == str(seed.sessions["HV1"])]
    assert [(r["role"], r["usefulness"]) for r in first_checkin] == [("mentor", "4"), ("mentee", "5")]


async def test_no_file_holds_anything_a_participant_wrote(seed: Seed) -> None:
    files = await files_of(seed.world)
    assert tuple(files) == FILE_NAMES
    for name, data in files.items():
        text = data.decode("utf-8")
        assert SECRET not in text and "SECRET" not in text, name
        assert "Prompting circle" not in text and "Agents" not in text, name
        assert text.splitlines()[0].startswith(("pair_id", "session_id", "goal_id")), name


async def test_an_empty_program_exports_header_rows(world: World) -> None:
    files = await files_of(world)
    assert {name: data.decode("utf-8").count("\n") for name, data in files.items()} == dict.fromkeys(FILE_NAMES, 1)


def test_cells_a_spreadsheet_would_run_are_defused() -> None:
    for risky in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x"):
        assert cell(risky) == "'" + risky
    assert (cell("Ada"), cell(-3), cell(2.5), cell(None), cell("a=b")) == ("Ada", -3, 2.5, "", "a=b")


async def test_an_admin_gets_the_files_behind_expiring_links(seed: Seed, bot: MentorBot) -> None:
    [message] = await ask(bot, "Ada", "/mentoring export")
    assert "The download links stay valid for 24 hours (until Tue 24 Nov 10:00 Europe/Brussels)" in message.text
    assert [(a.filename, a.media_type) for a in message.attachments] == [(name, "text/csv") for name in FILE_NAMES]
    assert {a.filename: a.data for a in message.attachments} == await files_of(seed.world)
    matches = [LINK.match(a.link) for a in message.attachments]
    assert all(matches) and [m["name"] for m in matches if m] == list(FILE_NAMES)
    token = matches[0]["token"] if matches[0] else ""
    world = seed.world
    async with world.db.transaction() as session:
        grant = await links.check(session, token, world.clock.now())
    assert grant == links.Grant(world.tenant_id, world.program_id, world.people["Ada"],
                                world.clock.now() + timedelta(hours=24))
    world.clock.advance(timedelta(hours=24, seconds=1))
    async with world.db.transaction() as session:
        assert await links.check(session, token, world.clock.now()) is None


async def test_the_export_in_a_chat(seed: Seed, chats: Chats) -> None:
    await chats.run("""
        Ada> /mentoring export
        bot: CSV files for Digital Leaders: pairs.csv, sessions.csv, goal_progress.csv, feedback_scores.csv.
        bot: Ratings, counts and outcomes only: no private notes, nothing a participant wrote.
        bot: The download links stay valid for 24 hours
        bot: File saved:
        bot: pairs.csv
        bot: feedback_scores.csv
    """)
    saved = chats.invites_dir / "pairs.csv"
    assert saved.read_bytes() == (await files_of(seed.world))["pairs.csv"]
