"""Headless Chromium for browser tests: Debian's ``chromium`` package, installed here where missing.

Playwright drives it (its own browser downloads are never used). Where Chromium cannot be
installed (no apt-get, not root, no network), browser tests fail in CI
(``MENTORBOT_REQUIRE_POSTGRES=1``, as ``make test`` sets) and are skipped elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.kit.databases import REQUIRE_POSTGRES

CHROMIUM = Path("/usr/bin/chromium")
INSTALL = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
APT_TIMEOUT = 900


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of a Chromium executable, installed with apt-get on first use if need be."""
    problem = None if CHROMIUM.exists() else _install()
    if not CHROMIUM.exists():
        message = f"Chromium ({CHROMIUM}) is needed for the browser tests and could not be installed: {problem}"
        if REQUIRE_POSTGRES:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return str(CHROMIUM)


def _install() -> str:
    """Install Debian's chromium (refreshing the package lists if the first try fails); what went wrong."""
    if shutil.which("apt-get") is None:
        return "apt-get is not available"
    if _apt(INSTALL) is None:
        return ""
    _apt(["apt-get", "update"])
    return _apt(INSTALL) or ""


def _apt(command: list[str]) -> str | None:
    """Run an apt-get command: None on success, else the end of what it said."""
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=APT_TIMEOUT,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{' '.join(command)}: {error}"
    if done.returncode == 0:
        return None
    return f"{' '.join(command)} exited with {done.returncode}: {done.stderr.strip()[-500:]}"
