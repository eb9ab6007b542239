"""The ``mentorbot`` command as a user runs it: real processes, a real SQLite file."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.kit.serving import MENTORBOT, free_port

pytestmark = pytest.mark.slow  # every test runs the mentorbot command in a process of its own


def _run(args: list[str], cwd: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "TEAMS_"))}
    environment.pop("DATABASE_URL", None)
    environment.update(env)
    return subprocess.run([*MENTORBOT, *args], cwd=cwd, input=stdin, capture_output=True, text=True,
                          env=environment, timeout=60)


def test_migrate_creates_the_sqlite_file_in_the_working_directory(tmp_path: Path) -> None:
    result = _run(["migrate"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Database is up to date." in result.stdout
    assert (tmp_path / "mentorbot.db").exists()


def test_chat_resumes_onboarding_in_a_new_process(tmp_path: Path) -> None:
    first = _run(["chat", "--as", "Hana"], tmp_path,
                 '/mentoring program create "Digital Leaders 2027"\n/mentoring join\n2\n1\n/quit\n')
    assert first.returncode == 0, first.stderr
    assert 'Program "Digital Leaders 2027" is created' in first.stdout
    assert "Confidentiality." in first.stdout
    second = _run(["chat", "--as", "Hana"], tmp_path, "1\n")
    assert second.returncode == 0, second.stderr
    assert "Welcome back, Hana! Let's carry on." in second.stdout
    assert "Your level" in second.stdout
    assert "Bye!" in second.stdout, "end of input ends the chat cleanly"


def test_run_without_platform_credentials_opens_the_console_chat(tmp_path: Path) -> None:
    result = _run(["run"], tmp_path, "/quit\n", USER="amara")
    assert result.returncode == 0, result.stderr
    assert "I'm mentorbot" in result.stdout


def test_bad_configuration_is_reported_not_crashed_on(tmp_path: Path) -> None:
    result = _run(["migrate"], tmp_path, LOG_LEVEL="LOUD")
    assert result.returncode == 2
    assert "LOG_LEVEL must be one of" in result.stderr


@pytest.mark.parametrize(
    ("url", "says"),
    [("garbage", "DATABASE_URL is not a database URL"), ("mysql://x@y/z", "mysql is not supported")],
)
def test_an_unusable_database_url_is_reported_as_bad_configuration(tmp_path: Path, url: str, says: str) -> None:
    result = _run(["migrate"], tmp_path, DATABASE_URL=url)
    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_reported_without_its_password(tmp_path: Path) -> None:
    result = _run(["migrate"], tmp_path, DATABASE_URL="postgresql://postgres:s3cret@127.0.0.1:1/mentorbot")
    assert result.returncode == 1
    assert "mentorbot: cannot use the database at postgresql://postgres:***@127.0.0.1:1/mentorbot" in result.stderr
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr


def test_serve_answers_healthz_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    server = subprocess.Popen([*MENTORBOT, "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=tmp_path,
                              env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    assert b'"status": "ok"' in response.read()
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"server did not come up: {server.stderr.read().decode() if server.stderr else ''}")
                time.sleep(0.2)
        server.terminate()
        assert server.wait(timeout=10) == 0, "SIGTERM stops the server cleanly"
    finally:
        if server.poll() is None:
            server.kill()


def test_teams_package_writes_the_zip_for_the_azure_bot_without_needing_its_secret(tmp_path: Path) -> None:
    result = _run(["teams-package", "--output", "teams.zip"], tmp_path,
                  MICROSOFT_APP_ID="0f8b6c2e-3d4a-4b5c-9e7f-1a2b3c4d5e6f")
    assert result.returncode == 0, result.stderr
    assert "Upload it in the Teams admin center" in result.stdout
    with zipfile.ZipFile(tmp_path / "teams.zip") as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]


def test_teams_package_without_an_app_id_says_so_and_exits_2(tmp_path: Path) -> None:
    result = _run(["teams-package"], tmp_path)
    assert result.returncode == 2
    assert "MICROSOFT_APP_ID is not set" in result.stderr
    assert not (tmp_path / "mentorbot-teams.zip").exists()


@pytest.mark.parametrize(("settings", "complaint"), [
    ({"MICROSOFT_APP_ID": "0f8b6c2e-3d4a-4b5c-9e7f-1a2b3c4d5e6f"}, "go together"),
    ({"MICROSOFT_APP_PASSWORD": "secret"}, "go together"),
    ({"MICROSOFT_APP_ID": "0f8b6c2e-3d4a-4b5c-9e7f-1a2b3c4d5e6f", "MICROSOFT_APP_PASSWORD": "secret",
      "MICROSOFT_APP_TYPE": "SingleTenant"}, "needs MICROSOFT_APP_TENANT_ID"),
    ({"MICROSOFT_APP_TYPE": "UserAssignedMSI"}, "MICROSOFT_APP_TYPE must be one of"),
])
def test_an_incomplete_teams_registration_is_refused_at_start(tmp_path: Path, settings: dict[str, str],
                                                              complaint: str) -> None:
    result = _run(["serve"], tmp_path, **settings)
    assert result.returncode == 2
    assert complaint in result.stderr and "secret" not in result.stderr


@pytest.mark.parametrize(("settings", "complaint"), [
    ({"SLACK_APP_TOKEN": "xoxb-1234-5678-secretbot", "SLACK_BOT_TOKEN": "xoxb-1234-5678-secretbot"},
     "SLACK_APP_TOKEN holds a bot token"),
    ({"SLACK_APP_TOKEN": "xapp-1-A0MENTOR-1-secretapp"}, "needs SLACK_BOT_TOKEN too"),
])
def test_socket_mode_settings_that_cannot_work_are_refused_at_start(tmp_path: Path, settings: dict[str, str],
                                                                   complaint: str) -> None:
    for command in (["serve"], ["run"]):
        result = _run(command, tmp_path, **settings)
        assert result.returncode == 2, "a clear start-up error, not the terminal chat nor a loop"
        assert complaint in result.stderr and "secret" not in result.stderr
    assert not (tmp_path / "mentorbot.db").exists(), "nothing stored"


def test_ctrl_c_in_the_terminal_chat_leaves_at_once_with_bye(tmp_path: Path) -> None:
    """Ctrl-C used to look hung: the next Enter then exited with status 130 and lost the line."""
    import signal

    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "TEAMS_"))}
    environment.pop("DATABASE_URL", None)
    chat = subprocess.Popen([*MENTORBOT, "chat", "--as", "李华"], cwd=tmp_path, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "mentorbot.db").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)  # the chat is waiting for a line
        started = time.monotonic()
        chat.send_signal(signal.SIGINT)
        out, err = chat.communicate(timeout=10)
    finally:
        chat.kill()
    assert chat.returncode == 0, err
    assert time.monotonic() - started < 5
    assert "Hi 李华" in out and out.rstrip().endswith("`mentorbot chat --as 李华` picks up where you left off.")


def test_import_from_the_command_line_dry_run_then_import_then_refusals(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(
        "name,email,role,level,manager email\n"
        "Mira Tāne,mira@example.com,mentee,5,\n"
        "李华,lihua@example.com,mentor,1,mira@example.com\n", encoding="utf-8")
    (tmp_path / "bad.csv").write_text("name,email,level\nAna,ana@example.com,senior\n", encoding="utf-8")
    created = _run(["chat", "--as", "Hana"], tmp_path, '/mentoring program create "Digital Leaders 2027"\n/quit\n')
    assert created.returncode == 0, created.stderr

    dry = _run(["import", "people.csv", "--dry-run"], tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "Dry run of people.csv into Digital Leaders 2027: nothing was changed." in dry.stdout
    assert "New: 2: Mira Tāne, 李华" in dry.stdout
    done = _run(["import", "people.csv", "--program", "digital leaders 2027"], tmp_path)
    assert done.returncode == 0 and "Imported people.csv into Digital Leaders 2027:" in done.stdout
    again = _run(["import", "people.csv"], tmp_path)
    assert "Unchanged: 2" in again.stdout

    bad = _run(["import", "bad.csv"], tmp_path)
    assert bad.returncode == 1 and "line 2: the level 'senior' is not a number from 1 to 5" in bad.stdout
    missing = _run(["import", "nowhere.csv"], tmp_path)
    assert missing.returncode == 2 and "there is no file nowhere.csv" in missing.stderr
    unknown = _run(["import", "people.csv", "--program", "Other"], tmp_path)
    assert unknown.returncode == 2 and 'there is no single program called "Other"' in unknown.stderr
    lihua = _run(["chat", "--as", "李华"], tmp_path, "/quit\n")
    assert "You are invited to Digital Leaders 2027 as a mentor" in lihua.stdout
