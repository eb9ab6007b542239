"""Chatting with the bot in a terminal: the console adapter.

The console keeps in memory only what the last answer offered (its buttons, or the form
field being asked) so that a number typed back means that choice; everything else,
flow state included, lives in the database, so quitting and coming back resumes.
"""

from __future__ import annotations

import mimetypes
import re
import shlex
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bot.i18n import _, resolve, use_locale
from adapters.console import CONSOLE
from adapters.console.render import INVITES_DIR, render_field, render_message
from bot.engine import MentorBot
from bot.messages import Address, Button, FieldKind, Form, FormField, FormValue, Inbound, InboundFile, Message

CONSOLE_TENANT = "local"
IMPORT = re.compile(r"^/mentoring\s+import\b", re.IGNORECASE)
"""The one command that takes a file: the terminal attaches the local paths given to it."""
NUMBERS = re.compile(r"\d{1,4}(?:[\s,]+\d{1,4})*")
QUIT = {"/quit", "/exit"}

Reader = Callable[[str], Awaitable[str | None]]
Writer = Callable[[str], None]


MAX_USER_ID = 128


def user_id_for(name: str) -> str:
    """The console user id of the person chatting as ``name``: the name itself, in any script
    (``李华`` and ``王芳`` are two people), with its Unicode form and spaces made canonical so
    that the same name typed twice is the same person."""
    return " ".join(unicodedata.normalize("NFC", name).split())[:MAX_USER_ID]


@dataclass
class Pending:
    """What the last answer is waiting for."""

    buttons: Sequence[Button] = ()
    form: Form | None = None

    @property
    def field(self) -> FormField | None:
        """The form field being asked, if any."""
        return self.form.fields[0] if self.form and self.form.fields else None


class ConsoleChat:
    """One person's chat with the bot in the terminal; files that come with the bot's answers
    (calendar invites) are saved under ``invites_dir``."""

    def __init__(self, bot: MentorBot, name: str, tenant: str = CONSOLE_TENANT,
                 invites_dir: Path = INVITES_DIR, terminal_locale: str = "") -> None:
        self.bot = bot
        self.invites_dir = invites_dir
        self.name = name.strip()
        self.address = Address(CONSOLE, tenant, user_id_for(self.name))
        self.pending = Pending()
        # The terminal's language (LANG), which the console reports as a platform reports a
        # person's locale; and the language of what the bot last said, for the chat's own words.
        self.terminal_locale = terminal_locale
        self.locale = resolve([terminal_locale])

    async def open(self) -> str:
        """Start (or resume) the conversation; returns what the bot says."""
        return await self._exchange(Inbound.opened(self.address, self.name))

    async def say(self, line: str) -> str:
        """Send one typed line; returns what the bot says back. A number that is not one of the
        options on screen is answered here, with the options again."""
        refusal = self.not_an_option(line.strip())
        if refusal is not None:
            return refusal
        return await self._exchange(self.translate(line))

    def not_an_option(self, text: str) -> str | None:
        """What to say to numbers typed for options that are not on screen (``7`` with two
        buttons, ``99`` for a list of nine), or None when the line is something else."""
        with use_locale(self.locale):
            return self._not_an_option(text)

    def _not_an_option(self, text: str) -> str | None:
        numbers = NUMBERS.fullmatch(text)
        if numbers is None:
            return None
        field = self.pending.field
        if field is not None and field.options:
            wrong = [n for n in re.split(r"[\s,]+", text) if n and not 1 <= int(n) <= len(field.options)]
            if field.kind is not FieldKind.MULTI_SELECT and len(re.split(r"[\s,]+", text)) > 1:
                wrong = wrong or [text]
            if not wrong:
                return None
            return "\n".join([_("There is no option {items}: type a number from 1 to {count}.", items=', '.join(wrong), count=len(field.options)), *render_field(field)])
        if field is None and self.pending.buttons and " " not in text and "," not in text \
                and not 1 <= int(text) <= len(self.pending.buttons):
            options = "   ".join(f"[{i}] {b.label}" for i, b in enumerate(self.pending.buttons, start=1))
            return _("There is no option {text}: type a number from 1 to {count}.\n  {options}", text=text, count=len(self.pending.buttons), options=options)
        return None

    def translate(self, line: str) -> Inbound:
        """A typed line as what it means: a command, a button, a form answer or text."""
        text = line.strip()
        if text.startswith("/"):
            text, files = attached_files(text) if IMPORT.match(text) else (text, ())
            return Inbound.typed(self.address, text, self.name, files)
        field = self.pending.field
        if field is not None and self.pending.form is not None:
            return Inbound.submitted(self.address, self.pending.form.form_id, {field.name: _answer(field, text)}, self.name)
        if text.isdigit() and 1 <= int(text) <= len(self.pending.buttons):
            button = self.pending.buttons[int(text) - 1]
            return Inbound.pressed(self.address, button.action_id, button.value, self.name)
        for button in self.pending.buttons:
            if text.lower() == button.label.lower():
                return Inbound.pressed(self.address, button.action_id, button.value, self.name)
        return Inbound.typed(self.address, text, self.name)

    async def _exchange(self, inbound: Inbound) -> str:
        replies = await self.bot.handle(replace(inbound, locale=self.terminal_locale))
        return "\n".join(self._show(replies))

    def _show(self, replies: list[Message]) -> list[str]:
        if replies:
            self.locale = replies[-1].locale
        with use_locale(self.locale):
            return self._lines(replies)

    def _lines(self, replies: list[Message]) -> list[str]:
        lines: list[str] = []
        offers = [m for m in replies if m.form is not None or m.buttons]
        for message in replies:
            lines += render_message(message, self.invites_dir)
        if offers:
            self.pending = Pending(offers[-1].buttons, offers[-1].form)
        else:
            # Like buttons left on screen in a chat app, earlier buttons stay valid; a
            # question that was not asked again is no longer waiting for its answer.
            self.pending = Pending(self.pending.buttons)
            return lines
        field = self.pending.field
        if field is not None and self.pending.form is not None:
            lines += render_field(field, self.pending.form.errors.get(field.name))
        return lines

    async def run(self, read: Reader, write: Writer) -> None:
        """Chat until the person types /quit, closes the input or presses Ctrl-C (``read`` then
        gives None)."""
        write(await self.open())
        with use_locale(self.locale):
            write(_("(Type /quit to leave; /mentoring help lists the commands.)"))
        while True:
            line = await read(f"{self.name}> ")
            if line is None or line.strip().lower() in QUIT:
                write(await self.goodbye())
                return
            if line.strip() or self.pending.field is not None:
                write(await self.say(line))


    async def goodbye(self) -> str:
        """The last line: how to come back, unless the person just asked to be forgotten."""
        remembered = await self.bot.remembers(self.address)
        name = self.name if re.fullmatch(r"[\w.-]+", self.name) else shlex.quote(self.name)
        with use_locale(self.locale):
            if not remembered:
                return _("Bye!")
            return _("Bye! Everything is saved; `mentorbot chat --as {name}` picks up where you left off.", name=name)


def attached_files(text: str, max_bytes: int = 20 * 1024 * 1024) -> tuple[str, tuple[InboundFile, ...]]:
    """A command with paths of readable local files in it (``/mentoring import people.csv``): the
    terminal's way of attaching them. The paths leave the text; the files come with it."""
    try:
        words = shlex.split(text)
    except ValueError:
        return text, ()
    files: list[InboundFile] = []
    kept: list[str] = []
    for word in words:
        path = Path(word).expanduser()
        if word.lower().endswith((".csv", ".tsv", ".txt")) and path.is_file():
            size = path.stat().st_size
            data = path.read_bytes() if size <= max_bytes else path.read_bytes()[:max_bytes + 1]
            files.append(InboundFile(path.name, mimetypes.guess_type(path.name)[0] or "text/csv", data))
        else:
            kept.append(word)
    if not files:
        return text, ()
    return shlex.join(kept), tuple(files)


def _answer(field: FormField, text: str) -> FormValue:
    """Numbers typed for a select become option values; Enter keeps the current value."""
    if not text:
        return field.initial if field.initial is not None else ""
    options = field.options
    if field.kind is FieldKind.MULTI_SELECT:
        # "1, 2, 8" or "1 2 8": numbers may be separated by spaces too.
        tokens = re.split(r"[\s,]+", text) if NUMBERS.fullmatch(text) else text.split(",")
        return [_option(options, token) for token in tokens if token.strip()]
    if field.kind is FieldKind.SELECT:
        return _option(options, text)
    return text


def _option(options: Sequence, token: str) -> str:
    token = token.strip()
    if token.isdigit() and 1 <= int(token) <= len(options):
        return options[int(token) - 1].value
    return token
