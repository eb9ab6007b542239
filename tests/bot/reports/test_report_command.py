"""``/mentoring report`` in chat: what an admin reads, and what everyone else gets."""

from __future__ import annotations

from sqlalchemy import select

from bot.reports.chat import report_message
from storage.models import AuditEntry
from tests.kit.world import World
from tests.kit.reports import SECRET, Seed, report_of
from tests.kit.transcript import Chats


async def audit(world: World) -> list[tuple[str, bool, int | None]]:
    async with world.db.transaction() as session:
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
        return [(e.action, e.allowed, e.program_id) for e in entries]


async def test_an_admin_reads_the_program_report(seed: Seed, chats: Chats) -> None:
    answer = await chats.run("""
        Ada> /mentoring report
        bot: Report: Digital Leaders (23 Nov 2026)
        bot: Active pairs: 3
        bot: Participants: 8
        bot: Sessions in November 2026: 4 held, 3 canceled or missed
        bot: Completion rate (since the start): 71% of the sessions that took place
        bot: Pairs at risk: 1 (open flags: 1 two sessions in a row canceled or missed, 1 rated the pairing a poor fit after the first session)
        bot: Sessions by month
        bot: - Jun 2026: 1 held, 0 canceled or missed
        bot: - Jul 2026: 0 held, 0 canceled or missed
        bot: - Sep 2026: 2 held, 0 canceled or missed
        bot: - Oct 2026: 3 held, 1 canceled or missed
        bot: - Nov 2026: 4 held, 3 canceled or missed
        bot: - All goals (4 mentees): 1.8 → 3.2 (+1.4)
        bot: - Video meetings (3 people): 2.0 → 3.7 (+1.7)
        bot never: AI assistant
        bot: - Mentors (18 answers): pulse 3.8 · check-ins 3.7 · pairing fit 3.8 · strategic thinking 4.0
        bot: - Mentees (17 answers): pulse 4.0 · check-ins 4.1 · pairing fit 3.0 · digital fluency 4.0
        bot: Formats side by side
        bot: - One-to-one pairs (8 people): 8 held, 4 canceled or missed · completion 67% · rating 3.9 · goal change +1.4
        bot: - Group circles (3 people): 1 held, 0 canceled or missed · completion 100% · rating 4.5 · goal change +1.7 · attendance 50%
        bot: - Research lunch-and-learns: fewer than 3 people: not shown
        bot: By cohort
        bot: - 2026-Q2: fewer than 3 people: not shown
        bot: - 2026-Q3 (4 people): 5 held, 3 canceled or missed
        bot: - 2026-Q4 (7 people): 4 held, 1 canceled or missed · completion 80% · rating 4.1 · goal change +1.4 · attendance 50%
        bot: Remote or in person
        bot: - Remote (8 people): 9 held, 4 canceled or missed · completion 69%
        bot: - In person (3 people): 1 held, 0 canceled or missed · completion 100%
        bot: Aggregates only: no private notes, nothing a participant wrote.
        bot: [1] Open flags [2] Export CSV [3] Report page with charts
        bot never: SECRET
        bot never: HYPERLINK
    """)
    assert SECRET not in answer
    assert ("report", True, seed.world.program_id) in await audit(seed.world)


async def test_the_buttons_open_the_flags_the_files_and_the_page(seed: Seed, chats: Chats) -> None:
    message = report_message(await report_of(seed.world))
    assert [(b.label, b.value) for b in message.buttons] == [
        ("Open flags", 'flagged program="Digital Leaders"'),
        ("Export CSV", 'export program="Digital Leaders"'),
        ("Report page with charts", 'report link program="Digital Leaders"')]
    await chats.run("""
        Ada> /mentoring report
        bot: Report: Digital Leaders
        Ada> Open flags
        bot: 2 open flags in Digital Leaders
        Ada> /mentoring report
        bot: Report: Digital Leaders
        Ada> Export CSV
        bot: CSV files for Digital Leaders: pairs.csv, sessions.csv, goal_progress.csv, feedback_scores.csv.
        Ada> /mentoring report
        bot: Report: Digital Leaders
        Ada> Report page with charts
        bot: /report/
    """)


async def test_participants_may_not_read_the_report(seed: Seed, chats: Chats) -> None:
    await chats.run("""
        Victor> /mentoring report
        bot: Only program admins can run `/mentoring report`.
        bot never: held
        Victor> /mentoring export program="Digital Leaders"
        bot: Only program admins can run `/mentoring export`.
        bot never: CSV files
        Ada> /mentoring report program=Other
        bot: Only program admins can run `/mentoring report`.
    """)
    entries = await audit(seed.world)
    # Two programs and Victor runs neither: the refusal is recorded without guessing which.
    assert ("report", False, None) in entries
    assert ("export", False, seed.world.program_id) in entries
    assert ("report", False, seed.other_program) in entries
    assert not [entry for entry in entries if entry[1]]


async def test_bad_options_and_unknown_programs_are_explained(seed: Seed, chats: Chats) -> None:
    await chats.run("""
        Ada> /mentoring report colour=blue
        bot: 'colour' is not an option of `/mentoring report` (options: program)
        Ada> /mentoring report program="Nope"
        bot: There is no program called "Nope". Programs: "Digital Leaders", "Other".
        Ada> /mentoring export program="Nope"
        bot: There is no program called "Nope".
        Ada> /mentoring export everything
        bot: I did not expect 'everything' here.
    """)


async def test_an_empty_program_reports_without_figures(world: World, chats: Chats) -> None:
    await chats.run("""
        Ada> /mentoring report
        bot: Report: Digital Leaders
        bot: Active pairs: 0
        bot: Sessions in November 2026: 0 held, 0 canceled or missed
        bot: Completion rate (since the start): no sessions yet
        bot: Pairs at risk: 0
        bot: - Goals: fewer than 3 mentees have rated their progress yet: not shown
        bot: - Mentors (0 answers): not enough answers yet
        bot: Formats side by side
        bot: - nothing yet
    """)
