"""Every platform mentorbot knows, one line each; the composition root loops over them.

Adding a platform: its folder under ``adapters/`` exporting a ``PLATFORM``
(:class:`~adapters.platform.PlatformSpec`), and its line here. The order is the order of the
start-up log line (``Slack: on, Teams: off``) and of the help.
"""

from __future__ import annotations

from typing import Any

from adapters.console import platform as console
from adapters.platform import PlatformSpec
from adapters.slack import platform as slack
from adapters.teams import platform as teams

PLATFORMS: tuple[PlatformSpec[Any], ...] = (
    console.PLATFORM,
    slack.PLATFORM,
    teams.PLATFORM,
)
