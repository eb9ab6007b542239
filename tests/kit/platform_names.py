"""The bundled platforms' names, spelled ``Platform.SLACK`` as the tests always have.

The core keeps no list of platforms: each adapter owns its name (``adapters.slack.SLACK``).
"""

from __future__ import annotations

from enum import StrEnum

from adapters.console import CONSOLE
from adapters.slack import SLACK
from adapters.teams import TEAMS


class Platform(StrEnum):
    """Where a person is reached, for the tests that name a bundled platform."""

    CONSOLE = CONSOLE
    SLACK = SLACK
    TEAMS = TEAMS
