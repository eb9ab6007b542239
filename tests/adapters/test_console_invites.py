"""Calendar invites in the terminal: saved as files under invites/, never over another file."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.console.chat import ConsoleChat
from adapters.console.render import attachment_lines, render_message, save_attachment
from bot.messages import Attachment, Inbound, Message, Section, say

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
INVITE = Attachment("mentoring-2027-01-12.ics", "text/calendar", ICS, "/calendar/abc.ics")
SAVED = "Calendar invite saved: {} (open it to add the session to your calendar)"


def _with_invite(text: str = "Your session is on 12 January at 15:00.") -> Message:
    return Message(text, [Section(text)], attachments=[INVITE])


def test_an_invite_is_saved_under_invites_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    lines = render_message(_with_invite())

    assert lines == ["Your session is on 12 January at 15:00.", SAVED.format("invites/mentoring-2027-01-12.ics")]
    assert (tmp_path / "invites" / "mentoring-2027-01-12.ics").read_bytes() == ICS


def test_a_second_invite_of_the_same_name_never_overwrites_the_first(tmp_path: Path) -> None:
    invites = tmp_path / "my-invites"
    invites.mkdir()
    (invites / "mentoring-2027-01-12.ics").write_bytes(b"someone else's file")

    first = attachment_lines([INVITE], invites)
    second = attachment_lines([INVITE], invites)

    assert first == [SAVED.format(invites / "mentoring-2027-01-12-2.ics")]
    assert second == [SAVED.format(invites / "mentoring-2027-01-12-3.ics")]
    assert (invites / "mentoring-2027-01-12.ics").read_bytes() == b"someone else's file"
    assert (invites / "mentoring-2027-01-12-3.ics").read_bytes() == ICS


def test_a_file_name_cannot_leave_the_invites_directory(tmp_path: Path) -> None:
    path = save_attachment(Attachment("../../etc/x y.ics", "text/calendar", ICS), tmp_path / "invites")

    assert path == tmp_path / "invites" / "x-y.ics" and path.read_bytes() == ICS


def test_an_invite_that_cannot_be_saved_is_reported_not_raised(tmp_path: Path) -> None:
    blocked = tmp_path / "invites"
    blocked.write_text("a file where the directory should be")

    [line] = attachment_lines([INVITE], blocked)

    assert line.startswith("  (Could not save the calendar invite:")


async def test_the_chat_saves_invites_that_come_with_the_bots_answer(tmp_path: Path) -> None:
    class Answering:
        async def handle(self, inbound: Inbound) -> list[Message]:
            return [say("Hello"), _with_invite()]

    chat = ConsoleChat(Answering(), "Victor Hugo", invites_dir=tmp_path / "inv")  # type: ignore[arg-type]

    shown = await chat.say("/mentoring sessions")

    assert shown.splitlines()[-1] == SAVED.format(tmp_path / "inv" / "mentoring-2027-01-12.ics")
    assert (tmp_path / "inv" / "mentoring-2027-01-12.ics").read_bytes() == ICS
