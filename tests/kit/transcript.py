"""Dialog tests written as transcripts of a terminal chat.

    await transcript(bot, '''
        Amara> /mentoring join
        bot: Which side are you on?
        Amara> 2
        bot: You are the mentee.
        bot never: Only program admins
    ''')

``NAME> text`` is what a person types (each name has its own console chat); ``bot:``
lines are fragments the bot's answer to the line before must contain, ``bot never:``
fragments it must not; ``NAME opens the chat`` is the console starting up. Whitespace
is folded before comparing.
"""

from __future__ import annotations

import re
import tempfile
import textwrap
from pathlib import Path

from adapters.console.chat import ConsoleChat
from bot.engine import MentorBot

LINE = re.compile(r"^(?P<who>[^\s>:][^>:]*)> ?(?P<text>.*)$")


_SCRATCH: list[tempfile.TemporaryDirectory[str]] = []


def _scratch_invites() -> Path:
    """A folder for the files a chat saves, not made until a file is saved, inside one scratch
    folder per test process that is removed when the process ends."""
    if not _SCRATCH:
        _SCRATCH.append(tempfile.TemporaryDirectory(prefix="mentorbot-invites-"))
    return Path(tempfile.mkdtemp(dir=_SCRATCH[0].name)) / "invites"


def _fold(text: str) -> str:
    return " ".join(text.split())


class Chats:
    """The console chats of everyone in a transcript, sharing one bot."""

    def __init__(self, bot: MentorBot, invites_dir: Path | None = None, locale: str = "") -> None:
        self.bot = bot
        self.locale = locale
        self.invites_dir = invites_dir or _scratch_invites()
        self.people: dict[str, ConsoleChat] = {}
        self.log: list[str] = []

    def chat(self, name: str) -> ConsoleChat:
        """The chat of ``name``, started on first use."""
        if name not in self.people:
            self.people[name] = ConsoleChat(self.bot, name, invites_dir=self.invites_dir,
                                            terminal_locale=self.locale)
        return self.people[name]

    async def run(self, script: str) -> str:
        """Play ``script``; returns the last answer."""
        last = ""
        for raw in textwrap.dedent(script).strip().splitlines():
            line = raw.strip()
            if not line:
                continue
            if line.startswith("bot never:"):
                fragment = line.removeprefix("bot never:").strip()
                self._check(fragment not in _fold(last) and fragment.lower() not in _fold(last).lower(),
                            f"the bot said {fragment!r}")
            elif line.startswith("bot:"):
                fragment = line.removeprefix("bot:").strip()
                self._check(_fold(fragment) in _fold(last), f"the bot did not say {fragment!r}")
            elif line.endswith(" opens the chat"):
                name = line.removesuffix(" opens the chat")
                last = await self.chat(name).open()
                self.log += [f"{name} opens the chat", last]
            else:
                match = LINE.match(line)
                assert match, f"not a transcript line: {line!r}"
                last = await self.chat(match["who"]).say(match["text"])
                self.log += [f"{match['who']}> {match['text']}", last]
        return last

    def _check(self, ok: bool, problem: str) -> None:
        if not ok:
            history = "\n".join(self.log[-6:])
            raise AssertionError(f"{problem}\n--- transcript so far (end) ---\n{history}")


async def transcript(bot: MentorBot, script: str) -> str:
    """Play a transcript against ``bot``; returns the bot's last answer."""
    return await Chats(bot).run(script)
