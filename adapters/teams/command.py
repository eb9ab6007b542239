"""``mentorbot teams-package``: the Teams app package (a zip) to upload in Teams."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adapters.platform import CliCommand
from adapters.teams.settings import TeamsSettings


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", type=Path, default=Path("mentorbot-teams.zip"),
                        help="the zip to write, or a directory to write mentorbot-teams.zip into "
                             "(default: ./mentorbot-teams.zip)")


def teams_package(settings: TeamsSettings, args: argparse.Namespace) -> int:
    """Write the Teams app package for the Azure bot MICROSOFT_APP_ID, its links on PUBLIC_URL
    (``args.public_url``); the exit status."""
    from adapters.teams.package import build_manifest, placeholders, write_manifest

    output: Path = args.output
    if not settings.microsoft_app_id:
        print("mentorbot: MICROSOFT_APP_ID is not set: set it to your Azure bot's Microsoft App ID "
              "(a GUID; see docs/teams.md).", file=sys.stderr)
        return 2
    try:
        manifest = build_manifest(settings.microsoft_app_id, public_url=getattr(args, "public_url", None))
        path = write_manifest(manifest, output)
    except ValueError as problem:
        print(f"mentorbot: {problem}", file=sys.stderr)
        return 2
    except OSError as problem:
        print(f"mentorbot: cannot write {output}: {problem.strerror or problem}", file=sys.stderr)
        return 1
    if placeholders(manifest):
        print("mentorbot: PUBLIC_URL is not set: the package's website, privacy and terms links are placeholders "
              "(mentorbot.example.com) and it has no valid domain. Set PUBLIC_URL to the bot's https address "
              "and run teams-package again before uploading it for real.", file=sys.stderr)
    print(f"Wrote {path}. Upload it in the Teams admin center (Teams apps > Manage apps > Upload new app) "
          "or in Teams (Apps > Manage your apps > Upload an app).")
    return 0


TEAMS_PACKAGE = CliCommand(name="teams-package", help="write the Teams app package (a zip) to upload in Teams",
                           arguments=_arguments, run=teams_package)
