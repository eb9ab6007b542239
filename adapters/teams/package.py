"""The Teams app package: manifest.json and the two icons, zipped for upload to Teams.

A Teams admin uploads the zip (Teams admin center, or Teams > Apps > Manage your apps >
Upload an app). The manifest points Teams at the Azure bot whose Microsoft App ID is given,
and its command menu lists ``mentoring ...`` commands taken from the command grammar itself,
so that a renamed command cannot leave a stale menu behind.
"""

from __future__ import annotations

import json
import re
import zipfile
from importlib import metadata, resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.commands.dispatch import ALL_COMMANDS
from bot.commands.grammar import CommandSpec

MANIFEST_VERSION = "1.17"
SCHEMA_URL = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
PACKAGE_FILENAME = "mentorbot-teams.zip"
ICONS = {"color": "color.png", "outline": "outline.png"}
ACCENT_COLOR = "#4F46E5"
COMMAND_PREFIX = "mentoring"
WEBSITE_URL = "https://mentorbot.example.com"
PACKAGE_NAME = "com.mentorbot.teams"

# The command menu Teams shows in the chat with the bot, participants' commands first.
MENU: tuple[tuple[str, ...], ...] = (
    ("help",), ("join",), ("profile",), ("profile", "edit"), ("pause",), ("resume",), ("leave",),
    ("program", "create"), ("program", "show"), ("program", "set"),
)
MAX_COMMANDS, TITLE_LIMIT, DESCRIPTION_LIMIT = 10, 32, 128

GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")

SHORT_DESCRIPTION = "Runs your reverse-mentoring program: matches pairs, keeps sessions on track."
FULL_DESCRIPTION = (
    "mentorbot runs a reverse-mentoring program inside Microsoft Teams: younger colleagues mentor "
    "senior leaders on digital skills. It onboards participants, matches mentors and mentees into "
    "pairs on data, keeps the cadence of sessions with nudges and reminders, asks whether sessions "
    "happened and tells program admins early when a pair is slipping. What a pair says in their "
    "sessions stays between them: admins only see aggregates.\n\n"
    "Type \"mentoring help\" in the chat with the bot to see what you can do; program admins run "
    "the program with \"mentoring program ...\" commands."
)


def project_version() -> str:
    """mentorbot's installed version (``0.0.0`` in a checkout that is not installed)."""
    try:
        return metadata.version("mentorbot")
    except metadata.PackageNotFoundError:
        return "0.0.0"


PROJECT_VERSION = project_version()


def build_manifest(
    app_id: str,
    *,
    public_url: str | None = None,
    name: str = "mentorbot",
    version: str = PROJECT_VERSION,
    website_url: str | None = None,
    privacy_url: str | None = None,
    terms_url: str | None = None,
    developer: str = "mentorbot",
) -> dict[str, Any]:
    """The Teams app manifest (``manifest.json``) for the Azure bot ``app_id``.

    The website, privacy and terms links are on ``public_url`` (``PUBLIC_URL``: the bot serves
    ``/privacy`` and ``/terms`` there), which is also the app's one valid domain; without it they
    are placeholders on mentorbot.example.com (see :func:`placeholders`). ``version`` defaults
    to the project's version. Raises ``ValueError`` for an app id that is not a GUID, or a value
    Teams would refuse (a version that is not MAJOR.MINOR.PATCH, a name or developer too long, a
    URL that is not HTTPS); the message never repeats the value.
    """
    app_id = check_app_id(app_id)
    base = public_url.rstrip("/") if public_url else WEBSITE_URL
    website_url = website_url or base
    privacy_url = privacy_url or f"{base}/privacy"
    terms_url = terms_url or f"{base}/terms"
    _check_options(version, name, developer, {"website": website_url, "privacy": privacy_url, "terms": terms_url})
    domain = urlsplit(public_url).hostname if public_url else None
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "packageName": PACKAGE_NAME,
        "developer": {"name": developer, "websiteUrl": website_url, "privacyUrl": privacy_url,
                      "termsOfUseUrl": terms_url},
        "name": {"short": name, "full": f"{name}: reverse mentoring"},
        "description": {"short": SHORT_DESCRIPTION, "full": FULL_DESCRIPTION},
        "icons": dict(ICONS),
        "accentColor": ACCENT_COLOR,
        "bots": [_bot(app_id)],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [domain] if domain else [],
    }


def placeholders(manifest: dict[str, Any]) -> bool:
    """True when the manifest's links are the mentorbot.example.com placeholders (no ``PUBLIC_URL``)."""
    return str(manifest["developer"]["websiteUrl"]).startswith(WEBSITE_URL)


def write_package(app_id: str, output: Path, **manifest_options: Any) -> Path:
    """Write the app package zip (manifest.json, color.png, outline.png at its root); return its path.

    ``output`` is the zip's path, or a directory to write ``mentorbot-teams.zip`` into.
    ``manifest_options`` are :func:`build_manifest`'s keyword arguments.
    """
    return write_manifest(build_manifest(app_id, **manifest_options), output)


def write_manifest(manifest: dict[str, Any], output: Path) -> Path:
    """Write the app package zip for ``manifest`` (see :func:`write_package`); return its path."""
    path = output / PACKAGE_FILENAME if output.is_dir() else output
    path.parent.mkdir(parents=True, exist_ok=True)
    files = {"manifest.json": json.dumps(manifest, indent=2, ensure_ascii=False).encode() + b"\n"}
    files.update({filename: icon_bytes(filename) for filename in ICONS.values()})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for filename, data in files.items():
            # A fixed date: the same inputs give the same zip, byte for byte.
            package.writestr(zipfile.ZipInfo(filename, date_time=(2024, 1, 1, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return path


def check_app_id(app_id: str) -> str:
    """The app id, stripped, if it is a GUID; else ``ValueError`` saying what is expected."""
    value = app_id.strip()
    if not GUID.fullmatch(value):
        raise ValueError(
            "MICROSOFT_APP_ID must be the Azure bot's Microsoft App ID, a GUID such as "
            "00000000-0000-0000-0000-000000000000 (the value set is not one)"
        )
    return value


def icon_bytes(filename: str) -> bytes:
    """One of the packaged icons (``color.png`` or ``outline.png``)."""
    return resources.files("adapters.teams").joinpath("icons", filename).read_bytes()


def menu_commands() -> list[dict[str, str]]:
    """The bot's command menu: a title to type (``mentoring ...``) and a description each."""
    specs = {spec.words: spec for spec in ALL_COMMANDS}
    missing = [" ".join(words) for words in MENU if words not in specs]
    if missing:
        raise LookupError(f"the Teams command menu names commands the grammar lacks: {', '.join(missing)}")
    commands = [{"title": f"{COMMAND_PREFIX} {specs[words].name}", "description": _description(specs[words])}
                for words in MENU]
    too_long = [c["title"] for c in commands if len(c["title"]) > TITLE_LIMIT]
    if len(commands) > MAX_COMMANDS or too_long:
        raise ValueError(f"Teams allows {MAX_COMMANDS} commands of at most {TITLE_LIMIT} characters: "
                         f"{len(commands)} commands, too long: {', '.join(too_long) or 'none'}")
    return commands


def _bot(app_id: str) -> dict[str, Any]:
    return {
        "botId": app_id,
        # Channels and group chats: where a lunch-and-learn is announced to its audience.
        "scopes": ["personal", "team", "groupChat"],
        "supportsFiles": True,
        "isNotificationOnly": False,
        "commandLists": [{"scopes": ["personal"], "commands": menu_commands()}],
    }


def _description(spec: CommandSpec) -> str:
    """The summary as a sentence (admins' commands say so), with the example or the usage."""
    summary = spec.summary.replace("`", "")
    text = f"Admins: {summary}." if spec.admin else f"{summary[0].upper()}{summary[1:]}."
    title = f"{COMMAND_PREFIX} {spec.name}"
    example = spec.example.replace("/mentoring", COMMAND_PREFIX, 1)
    required = [arg.name.upper() for arg in spec.positionals if arg.required]
    candidates = [f"{text} Example: {example}"] if example != title else []
    if required:
        candidates.append(f"{text} Usage: {title} {' '.join(required)}")
    candidates.append(text)
    return next(c for c in candidates if len(c) <= DESCRIPTION_LIMIT)


def _check_options(version: str, name: str, developer: str, urls: dict[str, str]) -> None:
    """``ValueError`` naming every manifest value Teams would refuse (by what it is, not its value)."""
    problems = [f"Teams needs an HTTPS address for the {what} link (PUBLIC_URL must start with https://)"
                for what, url in urls.items() if not url.lower().startswith("https://")]
    if not SEMVER.fullmatch(version):
        problems.append("the app version must be MAJOR.MINOR.PATCH")
    if not 0 < len(name) <= 30:
        problems.append(f"the app name must have 1 to 30 characters, not {len(name)}")
    if not 0 < len(developer) <= 32:
        problems.append(f"the developer name must have 1 to 32 characters, not {len(developer)}")
    if problems:
        raise ValueError("; ".join(problems))
