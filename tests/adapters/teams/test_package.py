"""The Teams app package an admin uploads: manifest, icons, command menu."""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from adapters.teams.package import build_manifest, menu_commands, write_package
from bot.commands.dispatch import ALL_COMMANDS
from bot.commands.grammar import CommandSpec, parse, strip_prefix
from bot.errors import CommandError

APP_ID = "0f8b6c2e-3d4a-4b5c-9e7f-1a2b3c4d5e6f"
ICONS = Path(__file__).parents[3] / "adapters" / "teams" / "icons"


def _package(tmp_path: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(write_package(APP_ID, tmp_path / "mentorbot.zip"))


def _png(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """Width, height, colour type and unfiltered rows of an 8-bit RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        chunks[kind] = chunks.get(kind, b"") + data[pos + 8:pos + 8 + length]
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, interlace) == (8, 0)
    channels = {2: 3, 6: 4}[colour]
    return width, height, colour, _unfilter(zlib.decompress(chunks[b"IDAT"]), width * channels, height, channels)


def _unfilter(raw: bytes, stride: int, height: int, bpp: int) -> list[bytes]:
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left, up = (line[i - bpp] if i >= bpp else 0), previous[i]
            up_left = previous[i - bpp] if i >= bpp else 0
            estimate = left + up - up_left
            paeth = min((abs(estimate - left), 0, left), (abs(estimate - up), 1, up),
                        (abs(estimate - up_left), 2, up_left))[2]
            line[i] = (line[i] + (0, left, up, (left + up) // 2, paeth)[kind]) & 0xFF
        rows.append(bytes(line))
        previous = line
    return rows


def _pixels(rows: list[bytes], channels: int) -> list[tuple[int, ...]]:
    return [tuple(row[i:i + channels]) for row in rows for i in range(0, len(row), channels)]


def _spec_named_by(title: str) -> CommandSpec:
    """The command the grammar reads in a menu title, typed as is."""
    try:
        return parse(strip_prefix(title), ALL_COMMANDS).spec
    except CommandError as problem:
        # Only an argument left to add is fine: the menu's description says which.
        assert problem.spec is not None and "is missing" in problem.message, problem.message
        return problem.spec


def test_the_package_holds_exactly_the_manifest_and_the_two_icons_at_its_root(tmp_path: Path) -> None:
    with _package(tmp_path) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert package.read("color.png") == (ICONS / "color.png").read_bytes()
        assert package.read("outline.png") == (ICONS / "outline.png").read_bytes()


def test_a_directory_as_output_gets_mentorbot_teams_zip_inside(tmp_path: Path) -> None:
    assert write_package(APP_ID, tmp_path) == tmp_path / "mentorbot-teams.zip"
    assert zipfile.is_zipfile(tmp_path / "mentorbot-teams.zip")


def test_the_same_app_id_gives_the_same_package_byte_for_byte(tmp_path: Path) -> None:
    first = write_package(APP_ID, tmp_path / "first.zip").read_bytes()
    assert write_package(APP_ID, tmp_path / "second.zip").read_bytes() == first


def test_the_manifest_names_the_azure_bot_as_the_app_and_its_bot(tmp_path: Path) -> None:
    with _package(tmp_path) as package:
        manifest = json.loads(package.read("manifest.json"))
    [bot] = manifest["bots"]
    assert manifest["id"] == bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"], "channels and group chats: lunch-and-learn audiences"
    assert (bot["supportsFiles"], bot["isNotificationOnly"]) == (True, False)


def test_the_manifest_is_a_teams_1_17_manifest_within_its_limits() -> None:
    manifest = build_manifest(APP_ID, version="2.3.4")
    assert manifest["manifestVersion"] == "1.17"
    assert manifest["$schema"].endswith("/teams/v1.17/MicrosoftTeams.schema.json")
    assert manifest["version"] == "2.3.4"
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["name"]["full"]) <= 100
    assert len(manifest["description"]["short"]) <= 80 and len(manifest["description"]["full"]) <= 4000
    assert "reverse mentoring" in manifest["description"]["full"].replace("-", " ")
    assert all(url.startswith("https://") for key, url in manifest["developer"].items() if key != "name")
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", manifest["accentColor"])
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["permissions"] == ["identity", "messageTeamMembers"]
    assert manifest["validDomains"] == []


def test_the_manifest_carries_the_project_version_by_default() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", build_manifest(APP_ID)["version"])


def test_the_colour_icon_is_192_pixels_square_in_full_colour() -> None:
    width, height, colour, rows = _png((ICONS / "color.png").read_bytes())
    assert (width, height) == (192, 192)
    assert colour in (2, 6)
    pixels = _pixels(rows, 3 if colour == 2 else 4)
    assert any(len(set(pixel[:3])) > 1 for pixel in pixels), "not a single coloured pixel"


def test_the_outline_icon_is_32_pixels_square_white_on_transparent() -> None:
    width, height, colour, rows = _png((ICONS / "outline.png").read_bytes())
    assert (width, height, colour) == (32, 32, 6)
    pixels = _pixels(rows, 4)
    assert all(pixel[:3] == (255, 255, 255) for pixel in pixels if pixel[3] > 0), "a visible pixel is not white"
    assert any(pixel[3] == 0 for pixel in pixels) and any(pixel[3] == 255 for pixel in pixels)


def test_the_command_menu_fits_what_teams_allows() -> None:
    [command_list] = build_manifest(APP_ID)["bots"][0]["commandLists"]
    commands = command_list["commands"]
    assert command_list["scopes"] == ["personal"]
    assert 0 < len(commands) <= 10
    assert all(len(command["title"]) <= 32 and len(command["description"]) <= 128 for command in commands)
    assert len({command["title"] for command in commands}) == len(commands)


def test_every_menu_command_is_typed_as_mentoring_words_the_grammar_knows() -> None:
    for command in menu_commands():
        assert command["title"].startswith("mentoring ")
        spec = _spec_named_by(command["title"])
        assert f"mentoring {spec.name}" == command["title"]
        assert not spec.hidden


def test_a_menu_command_that_needs_an_argument_shows_what_to_add() -> None:
    for command in menu_commands():
        spec = _spec_named_by(command["title"])
        if any(arg.required for arg in spec.positionals):
            assert "Example: " in command["description"] or "Usage: " in command["description"]


def test_the_examples_in_the_menu_run_as_written() -> None:
    for command in menu_commands():
        _, found, example = command["description"].partition("Example: ")
        if found:
            assert f"mentoring {parse(strip_prefix(example), ALL_COMMANDS).spec.name}" == command["title"]


def test_the_menu_has_participants_and_admins_commands() -> None:
    specs = [_spec_named_by(command["title"]) for command in menu_commands()]
    assert {"help", "join", "profile", "pause"} <= {spec.name for spec in specs}
    assert any(spec.admin for spec in specs) and any(not spec.admin for spec in specs)


@pytest.mark.parametrize("app_id", ["", "mentorbot", "1234", "0f8b6c2e3d4a4b5c9e7f1a2b3c4d5e6f",
                                    "{0f8b6c2e-3d4a-4b5c-9e7f-1a2b3c4d5e6f}", "0f8b6c2e-3d4a-4b5c-9e7f-1a2b3c4d5e6g"])
def test_an_app_id_that_is_not_a_guid_is_refused_and_nothing_is_written(app_id: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="MICROSOFT_APP_ID must be .* a GUID"):
        build_manifest(app_id)
    with pytest.raises(ValueError, match="GUID"):
        write_package(app_id, tmp_path / "mentorbot.zip")
    assert not (tmp_path / "mentorbot.zip").exists()


def test_an_app_id_with_surrounding_spaces_is_taken_without_them() -> None:
    assert build_manifest(f"  {APP_ID}\n")["id"] == APP_ID


@pytest.mark.parametrize(("options", "problem"), [
    ({"version": "0.2.0.dev1"}, "MAJOR.MINOR.PATCH"),
    ({"name": "a reverse-mentoring bot for everyone"}, "app name"),
    ({"privacy_url": "http://example.com/privacy"}, "HTTPS"),
])
def test_values_teams_would_refuse_are_refused_before_upload(options: dict[str, str], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        build_manifest(APP_ID, **options)


def test_with_public_url_the_links_and_the_valid_domain_are_the_bots_own() -> None:
    manifest = build_manifest(APP_ID, public_url="https://mentoring.acme.example/")
    assert manifest["developer"]["websiteUrl"] == "https://mentoring.acme.example"
    assert manifest["developer"]["privacyUrl"] == "https://mentoring.acme.example/privacy"
    assert manifest["developer"]["termsOfUseUrl"] == "https://mentoring.acme.example/terms"
    assert manifest["validDomains"] == ["mentoring.acme.example"]
    assert "mentorbot.example.com" not in json.dumps(manifest)


def test_an_http_public_url_is_refused_without_repeating_it() -> None:
    with pytest.raises(ValueError, match="HTTPS") as refused:
        build_manifest(APP_ID, public_url="http://intranet-host.acme.example")
    assert "intranet-host" not in str(refused.value)


def test_a_refused_app_id_is_not_repeated_back() -> None:
    with pytest.raises(ValueError) as refused:
        build_manifest("my-secret-looking-value")
    assert "my-secret-looking-value" not in str(refused.value)
