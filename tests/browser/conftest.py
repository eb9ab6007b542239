"""Headless Chromium for the browser tests: Debian's ``chromium`` package at ``/usr/bin/chromium``.

Playwright drives it (its own browser downloads are never used). The project's setup installs
it (``make browser``, which ``make test`` runs first: ``scripts/install-browser``); this fixture
only looks for it. Without it, browser tests fail in CI (``MENTORBOT_REQUIRE_POSTGRES=1``, as
``make test`` sets) and are skipped elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.kit.databases import REQUIRE_POSTGRES

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of the Chromium executable."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        message = (f"Chromium ({CHROMIUM}) is needed for the browser tests and is not installed: "
                   "`make browser` installs it (as root, with apt-get)")
        if REQUIRE_POSTGRES:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return str(CHROMIUM)
