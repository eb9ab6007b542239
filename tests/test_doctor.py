"""``mentorbot doctor`` against local fakes of Slack, Entra ID and the bot's own address.

Rule (doctor changes nothing and never hangs): every check has a time limit, an unreachable
service is reported as such, and the exit status is 1 when anything is wrong, 0 otherwise.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest

from mentorbot.doctor import run_doctor
from mentorbot.server import build_app
from mentorbot.settings import load_configuration
from storage.db import Database
from tests.kit.fakes.entra import FakeEntra
from tests.kit.fakes.local_http import serve_locally
from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_workspace import SIGNING_SECRET
from tests.kit.serving import MENTORBOT

APP_ID = "0f8b6c2e-3d4a-4b5c-9e7f-1a2b3c4d5e6f"
TOKEN = "xoxb-doctor-token"
SETTINGS = ("SLACK_", "MICROSOFT_", "TEAMS_", "DATABASE_URL", "PUBLIC_URL")


@asynccontextmanager
async def bot_serving(db: Database) -> AsyncIterator[str]:
    """The bot's own HTTP server (``/healthz``), where PUBLIC_URL points."""
    runner, port = await serve_locally(build_app(db))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@contextmanager
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers (a service that hangs)."""
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


async def doctor(monkeypatch: pytest.MonkeyPatch, timeout: float = 2.0, **settings: str) -> tuple[int, str]:
    for name in list(os.environ):
        if name.startswith(SETTINGS):
            monkeypatch.delenv(name)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    lines: list[str] = []
    status = await run_doctor(load_configuration(), lines.append, timeout=timeout)
    return status, "\n".join(lines)


async def test_a_good_setup_passes_every_check(monkeypatch: pytest.MonkeyPatch, db: Database,
                                               database_url: str) -> None:
    async with FakeSlackApi() as slack, FakeEntra({APP_ID: "app-password"}) as entra, bot_serving(db) as public:
        slack.add_workspace("TACME", TOKEN, "Acme")
        status, report = await doctor(
            monkeypatch, DATABASE_URL=database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.url, MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="app-password",
            MICROSOFT_LOGIN_URL=entra.url, PUBLIC_URL=public)
    assert status == 0, report
    for line in ("ok    Database: reachable", "ok    Database schema: at revision", "ok    Slack token (SLACK_BOT_TOKEN): "
                 "valid for workspace Acme", "every scope of the manifest is granted", "ok    Teams token",
                 "ok    PUBLIC_URL /healthz: mentorbot answers there", "Everything checked is fine."):
        assert line in report, report
    assert "warn  PUBLIC_URL: is not https" in report  # a loopback address: a warning only
    assert entra.requests == [{"tenant": "botframework.com", "client_id": APP_ID, "grant_type": "client_credentials",
                               "scope": "https://api.botframework.com/.default"}]
    assert [call.method for call in slack.calls] == ["auth.test"], "doctor changes nothing"
    assert "app-password" not in report and TOKEN not in report and SIGNING_SECRET not in report


async def test_missing_scopes_a_refused_token_and_refused_credentials_are_each_reported(
        monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    async with FakeSlackApi() as slack, FakeEntra({APP_ID: "the-real-password"}) as entra:
        slack.add_workspace("TACME", TOKEN, "Acme").scopes = ("commands", "chat:write")
        status, report = await doctor(
            monkeypatch, DATABASE_URL=database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.url, MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="an-old-password",
            MICROSOFT_APP_TYPE="SingleTenant", MICROSOFT_APP_TENANT_ID="contoso-tenant",
            MICROSOFT_LOGIN_URL=entra.url, PUBLIC_URL="https://mentorbot.invalid")
        assert entra.requests[0]["tenant"] == "contoso-tenant"
        refused_status, refused = await doctor(
            monkeypatch, DATABASE_URL=database_url, SLACK_BOT_TOKEN="xoxb-revoked", SLACK_SIGNING_SECRET="s",
            SLACK_API_URL=slack.url)
    assert status == 1
    assert "FAIL  Slack scopes (Acme): not granted: im:history, im:read, im:write, mpim:write, users:read" in report
    assert "FAIL  Teams token: Entra ID refused the app id and password (invalid_client)" in report
    assert "fix: make a new client secret" in report
    assert "an-old-password" not in report
    assert refused_status == 1 and "FAIL  Slack token (SLACK_BOT_TOKEN): auth.test refused it (invalid_auth)" in refused


async def test_unreachable_services_are_each_reported_and_doctor_does_not_hang(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with silent_port() as hanging:
        started = time.monotonic()
        status, report = await doctor(
            monkeypatch, timeout=0.5, DATABASE_URL=f"postgresql+asyncpg://postgres@127.0.0.1:{hanging}/nothing",
            SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET="s", SLACK_API_URL=f"http://127.0.0.1:{hanging}/api/",
            MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="p", MICROSOFT_LOGIN_URL=f"http://127.0.0.1:{hanging}",
            PUBLIC_URL=f"http://127.0.0.1:{hanging}")
        took = time.monotonic() - started
    assert status == 1
    assert took < 10, f"doctor took {took:.1f} s"
    for check in ("FAIL  Database", "FAIL  Slack API (SLACK_BOT_TOKEN)", "FAIL  Teams token",
                  "FAIL  PUBLIC_URL /healthz"):
        assert check in report, report


async def test_a_database_never_migrated_is_reported_and_left_as_it_was(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    missing = tmp_path / "mentorbot.db"
    status, report = await doctor(monkeypatch, DATABASE_URL=f"sqlite+aiosqlite:///{missing}")
    assert status == 1 and "no SQLite file" in report and "fix: run mentorbot migrate" in report
    assert not missing.exists(), "doctor creates nothing"
    empty = Database(f"sqlite+aiosqlite:///{missing}")
    assert await empty.ping()
    await empty.close()
    status, report = await doctor(monkeypatch, DATABASE_URL=f"sqlite+aiosqlite:///{missing}")
    assert status == 1 and "FAIL  Database schema: at revision none" in report


@pytest.mark.slow
async def test_the_command_exits_0_when_fine_and_1_when_not(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*MENTORBOT, *args], cwd=tmp_path, capture_output=True, text=True, env=environment,
                              timeout=60)

    assert run("doctor").returncode == 1
    assert run("migrate").returncode == 0
    fine = await asyncio.to_thread(run, "doctor")
    assert fine.returncode == 0, fine.stdout
    assert "warn  PUBLIC_URL: not set" in fine.stdout and "Everything checked is fine." in fine.stdout
