"""A platform is one folder and one line in the registry: a fake platform, registered for the
test only, is picked up by the settings, ``run``, the HTTP server, the outbox and the CLI."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from adapters import registry
from bot.cadence.send_time import SEND, SendCheck
from bot.clock import Clock
from bot.messages import Message, say
from mentorbot import cli
from mentorbot.settings import BadConfiguration, Settings, load_configuration
from scheduler import outbox as outbox_module
from storage.db import Database
from storage.enums import NudgeKind, NudgeStatus
from storage.models import Nudge, Person
from storage.repository import Repository
from tests.kit.fakes.platform import FAKE, PLATFORM, SENT
from tests.kit.serving import free_port

LONG_AGO = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def with_fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The registry with the fake platform added, no platform configured from outside, and a
    working directory without a ``.env``."""
    monkeypatch.setattr(registry, "PLATFORMS", (*registry.PLATFORMS, PLATFORM))
    SENT.clear()
    for name in os.environ:
        if name.startswith(("SLACK_", "MICROSOFT_", "TEAMS_", "FAKE_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield


def test_its_settings_are_read_from_the_environment_and_the_env_file(
    with_fake: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert not load_configuration().any_configured()
    (tmp_path / ".env").write_text("FAKE_GREETING=Howdy\n")
    monkeypatch.setenv("FAKE_TOKEN", "fk-123")
    configuration = load_configuration()
    fake = configuration.of(PLATFORM)
    assert fake.fake_token is not None and fake.fake_token.get_secret_value() == "fk-123"
    assert fake.fake_greeting == "Howdy"
    assert configuration.configured(PLATFORM) and configuration.any_configured()


def test_its_bad_settings_exit_2_in_plain_words_without_the_value(
    with_fake: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAKE_GREETING", "")
    with pytest.raises(BadConfiguration):
        load_configuration()
    assert cli.main(["migrate"]) == 2
    assert "FAKE_GREETING: String should have at least 1 character" in capsys.readouterr().err
    monkeypatch.setenv("FAKE_GREETING", "Hi")
    monkeypatch.setenv("FAKE_TOKEN", "not-a-fake-token")
    assert cli.main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "mentorbot: bad configuration:\n  FAKE_TOKEN must start with fk-" in err
    assert "not-a-fake-token" not in err


def test_being_configured_makes_run_serve_rather_than_chat(
    with_fake: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen: list[str] = []

    async def serve(configuration: Any, host: str, port: int) -> None:
        chosen.append(f"serve {host}:{port}")

    async def chat(settings: Settings, name: str) -> None:
        chosen.append("chat")

    monkeypatch.setattr(cli, "_serve", serve)
    monkeypatch.setattr(cli, "_chat", chat)
    monkeypatch.setattr(cli, "_configure_logging", lambda settings, chat: None)
    assert cli.main(["run"]) == 0
    monkeypatch.setenv("FAKE_TOKEN", "fk-1")
    assert cli.main(["run"]) == 0
    assert chosen == ["chat", "serve 127.0.0.1:3000"]


def test_its_command_is_a_mentorbot_command(
    with_fake: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "fake-hello" in cli._parser().format_help()
    assert cli.main(["fake-hello", "--name", "Ada"]) == 2
    assert "FAKE_TOKEN is not set" in capsys.readouterr().err
    monkeypatch.setenv("FAKE_TOKEN", "fk-1")
    monkeypatch.setenv("FAKE_GREETING", "Howdy")
    assert cli.main(["fake-hello", "--name", "Ada"]) == 0
    assert capsys.readouterr().out == "Howdy, Ada!\n"


def test_without_it_in_the_registry_nothing_of_it_is_left(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_TOKEN", "fk-1")
    assert PLATFORM not in registry.PLATFORMS
    assert "fake-hello" not in cli._parser().format_help()
    assert FAKE not in load_configuration().platform_settings


async def test_serve_serves_its_routes_logs_it_and_delivers_its_nudges(
    with_fake: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, db: Database,
    database_url: str, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("FAKE_TOKEN", "fk-1")
    monkeypatch.setenv("OUTBOX_DRAIN_SECONDS", "1")
    monkeypatch.setenv("WORKER_PROCESSES", "0")  # the core in a thread: it sees the fake registered here
    monkeypatch.setenv("SPOOL_FILE", str(tmp_path / "spool.db"))
    monkeypatch.setattr(cli, "_cadence_jobs", lambda: (_render, _idle, _idle))
    # The real clock may be at night or on a weekend, when the sender holds every message for the
    # recipient's working hours (tests/bot/cadence/test_send_time.py): this test is about serving.
    monkeypatch.setattr(outbox_module, "send_check", _always_now)
    caplog.set_level(logging.INFO, logger="mentorbot")
    port = free_port()
    switch_interval = sys.getswitchinterval()  # the worker loop shortens it for the whole process
    try:
        async with cli._serving(load_configuration(), "127.0.0.1", port), aiohttp.ClientSession() as http:
            base = f"http://127.0.0.1:{port}"
            async with http.post(f"{base}/fake/messages", json={"user": "grace", "text": "hello"}) as response:
                assert response.status == 200
                [greeting, *_] = (await response.json())["replies"]
            assert "Grace" in greeting
            await _nudge(db, "grace", "Time for your session")
            sent = await _wait_for_sent(http, f"{base}/fake/sent")
    finally:
        sys.setswitchinterval(switch_interval)
    assert sent == [{"user": "grace", "text": "Time for your session"}]
    assert f"serving on http://127.0.0.1:{port} (Slack: off, Teams: off, Fake: on; the core in a thread)" in caplog.text
    async with db.transaction() as session:
        person = await session.scalar(select(Person).where(Person.user_id == "grace"))
        assert person is not None and person.platform == FAKE
        assert person.address is not None and person.address["platform"] == FAKE
        assert await session.scalar(select(Nudge.status)) == NudgeStatus.SENT


async def _render(repo: Repository, nudge: Nudge, now: datetime) -> Message | None:
    return say(str(nudge.payload["text"]))


async def _idle(db: Database, clock: Clock) -> None:
    return None


async def _always_now(repo: Repository, nudge: Nudge, person: Person, now: datetime) -> SendCheck:
    return SEND


async def _nudge(db: Database, user_id: str, text: str) -> None:
    """A due nudge for the person ``user_id`` of the fake platform."""
    async with db.transaction() as session:
        person = await session.scalar(select(Person).where(Person.platform == FAKE,
                                                           Person.user_id == user_id))
        assert person is not None
        session.add(Nudge(tenant_id=person.tenant_id, person_id=person.id, kind=NudgeKind.REMINDER,
                          key=f"fake-{user_id}", payload={"text": text}, due_at=LONG_AGO, expires_at=None,
                          status=NudgeStatus.PENDING, attempts=0, created_at=LONG_AGO))


async def _wait_for_sent(http: aiohttp.ClientSession, url: str) -> list[dict[str, str]]:
    """What the fake deliverer sent, once it sent something (the outbox drains every second)."""
    for _ in range(100):
        async with http.get(url) as response:
            sent: list[dict[str, str]] = await response.json()
        if sent:
            return sent
        await asyncio.sleep(0.1)
    raise AssertionError("the outbox delivered nothing through the fake platform")
