"""What a new operator sees: no library chatter, no warning about a correct configuration."""

from __future__ import annotations

import asyncio
import os
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.kit.fakes.slack_api import FakeSlackApi
from tests.kit.fakes.slack_workspace import SIGNING_SECRET
from tests.kit.serving import MENTORBOT, mentorbot_serve
from tests.kit.slack import ACME

ROOT = Path(__file__).parents[1]
TOKEN = "xoxb-1-2-quiet"


@pytest.mark.slow
def test_migrate_prints_one_line_and_no_alembic_steps(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    first = subprocess.run([*MENTORBOT, "migrate"], cwd=tmp_path, capture_output=True, text=True, env=environment,
                           timeout=60)
    again = subprocess.run([*MENTORBOT, "migrate"], cwd=tmp_path, capture_output=True, text=True, env=environment,
                           timeout=60)
    assert first.stdout == again.stdout == "Database is up to date.\n"
    assert "alembic" not in first.stderr and "Running upgrade" not in first.stderr
    assert first.stderr.count("\n") == 1 and "upgraded" in first.stderr
    assert again.stderr == ""


@pytest.mark.slow
async def test_serve_with_a_correct_slack_setup_logs_no_warning_and_no_scheduler_runs(tmp_path: Path) -> None:
    async with FakeSlackApi() as api:
        api.add_workspace(ACME, TOKEN, "Acme")
        async with mentorbot_serve(tmp_path, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                                   SLACK_API_URL=api.url, OUTBOX_DRAIN_SECONDS="1",
                                   CADENCE_TICK_SECONDS="10") as server:
            await asyncio.sleep(3)  # the deliver job runs every second: a few runs to log, or not
            assert await server.stop() == 0
    assert "WARNING" not in server.log, server.log
    assert "will be unused" not in server.log
    assert "apscheduler" not in server.log and "Running job" not in server.log, server.log


def test_the_license_is_an_spdx_expression_so_that_installing_prints_no_deprecation() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "Apache-2.0"
    assert any(need.startswith("setuptools>=77") for need in project["build-system"]["requires"])
