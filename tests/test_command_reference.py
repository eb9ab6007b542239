"""docs/commands.md is generated from the command registry: it must match what the generator renders."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands import reference

PAGE = Path(__file__).resolve().parents[1] / "docs" / "commands.md"


def test_the_committed_command_reference_is_up_to_date() -> None:
    if not PAGE.exists():
        pytest.fail("docs/commands.md is missing: run make docs", pytrace=False)
    if PAGE.read_text(encoding="utf-8") != reference.render():
        pytest.fail("docs/commands.md is stale: run make docs", pytrace=False)


def test_it_lists_participants_commands_first_then_admins_and_leaves_hidden_ones_out() -> None:
    page = reference.render()
    participants, admins = reference.documented()
    assert participants and admins
    assert not any(spec.admin or spec.hidden for spec in participants)
    assert all(spec.admin and not spec.hidden for spec in admins)
    admin_section = page.index("## Program admins' commands")
    for spec in participants:
        assert page.index(f"### `/mentoring {' '.join(spec.words)}`\n") < admin_section
        assert spec.usage in page and spec.example in page
    for spec in admins:
        assert page.index(f"### `/mentoring {' '.join(spec.words)}`\n") > admin_section
    hidden = [spec for spec in reference.ALL_COMMANDS if spec.hidden]
    assert hidden, "the registry has commands only buttons send"
    for spec in hidden:
        assert f"### `/mentoring {' '.join(spec.words)}`\n" not in page


def test_it_states_that_it_is_generated_and_how_to_regenerate_it() -> None:
    head = reference.render()[:600]
    assert "generated" in head and "make docs" in head and "python -m bot.commands.reference" in head


def test_arguments_show_their_kind_choices_and_ranges() -> None:
    page = reference.render()
    create = page[page.index("### `/mentoring program create`"):page.index("### `/mentoring program list`")]
    assert "| `NAME` | yes | text, at most 75 characters |" in create
    assert "| `cadence=` | no | one of `weekly`, `biweekly`, `monthly` |" in create
    assert "| `capacity=` | no | a whole number, 1 to 4 |" in create
    assert "| `formats=` | no | comma-separated, any of `one-to-one`, `group`, `research` |" in create
    assert "anyone while the organization has no program yet" in create
    assert "- Flags: `confirm`" in page


def test_check_mode_reports_a_stale_page_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "commands.md"
    stale.write_text("old\n", encoding="utf-8")
    assert reference.main(["--check", "--output", str(stale)]) == 1
    assert "is stale: run make docs" in capsys.readouterr().err
    assert stale.read_text(encoding="utf-8") == "old\n"
    assert reference.main(["--output", str(stale)]) == 0
    assert reference.main(["--check", "--output", str(stale)]) == 0
