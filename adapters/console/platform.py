"""The terminal, as the composition root sees it (see :mod:`adapters.platform`).

It reads no environment variable of its own, is never "configured" and serves nothing over
HTTP: ``mentorbot run`` chats here when no other platform is configured, and ``mentorbot chat``
always does.
"""

from __future__ import annotations

from adapters.console import CONSOLE
from adapters.platform import PlatformSettings, PlatformSpec

PLATFORM = PlatformSpec(name=CONSOLE, label="Console", settings=PlatformSettings)
