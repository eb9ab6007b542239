"""Parsing ``/mentoring ...`` into a command spec and typed arguments.

The grammar is the same on every platform: words naming the command, then positional
arguments and ``key=value`` options; values with spaces are quoted. Errors name the
argument at fault and carry the command's example.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bot.i18n import _
from bot.errors import CommandError
from bot.parsing import InvalidAnswer, parse_date

if TYPE_CHECKING:
    from bot.commands.command_call import CommandCall
    from bot.messages import Message

PREFIX = re.compile(r"^\s*/?mentoring\b", re.IGNORECASE)
# Each opening quote and the characters that close it; single quotes close only at the end
# of a word, so that an apostrophe inside one is kept.
CLOSERS = {'"': '"”', "“": '”"', "„": '”“"', "'": "'’", "‘": "’'"}
SINGLE = "'‘"


class ArgKind(StrEnum):
    """How an argument's text is read."""

    TEXT = "text"
    INT = "int"
    CHOICE = "choice"
    CHOICES = "choices"
    LIST = "list"
    DATE = "date"


@dataclass(frozen=True)
class Arg:
    """A positional argument or a ``key=value`` option."""

    name: str
    kind: ArgKind = ArgKind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    max_length: int = 120
    item_max_length: int = 200
    max_items: int = 50

    def describe(self) -> str:
        """What the argument accepts, for help and errors."""
        if self.kind is ArgKind.CHOICE:
            return " | ".join(self.choices)
        if self.kind is ArgKind.CHOICES:
            return "comma-separated: " + ", ".join(self.choices)
        if self.kind is ArgKind.INT:
            return _("{low} to {high}", low=self.low, high=self.high)
        if self.kind is ArgKind.DATE:
            return "YYYY-MM-DD"
        if self.kind is ArgKind.LIST:
            return _("comma-separated list")
        return "text"


Handler = Callable[["CommandCall"], Awaitable[Sequence["Message"]]]


@dataclass(frozen=True)
class CommandSpec:
    """A command: its words, arguments, who may run it and what runs it."""

    words: tuple[str, ...]
    summary: str
    example: str
    handler: Handler
    positionals: tuple[Arg, ...] = ()
    options: tuple[Arg, ...] = ()
    admin: bool = False
    program_scoped: bool = False
    bootstrap: bool = False
    flags: tuple[str, ...] = field(default=())
    hidden: bool = False

    @property
    def name(self) -> str:
        """The command's words, as typed."""
        return " ".join(self.words)

    @property
    def usage(self) -> str:
        """A one-line synopsis."""
        parts = [f"/mentoring {self.name}"]
        for arg in self.positionals:
            token = arg.name.upper()
            parts.append(token if arg.required else f"[{token}]")
        parts += [f"[{flag}]" for flag in self.flags]
        parts += [f"[{arg.name}=…]" for arg in self.options]
        return " ".join(parts)


@dataclass(frozen=True)
class Parsed:
    """A command with its arguments converted."""

    spec: CommandSpec
    args: dict[str, Any]


class UnknownCommand(Exception):
    """No command starts with these words."""

    def __init__(self, words: str) -> None:
        super().__init__(words)
        self.words = words


def strip_prefix(text: str) -> str:
    """``/mentoring program list`` -> ``program list``; text without the prefix is kept."""
    return PREFIX.sub("", text, count=1).strip()


class Token(str):
    """A word of a command; ``quoted`` when it was typed between quotes as a whole."""

    quoted: bool = False


def _token(chars: list[str], quoted: bool) -> Token:
    token = Token("".join(chars))
    token.quoted = quoted
    return token


def tokenize(text: str) -> list[str]:
    """Split on spaces, keeping quoted values whole.

    Quotes (straight or curly, double or single) open only at the start of a word or
    right after ``=`` and close at the end of a word, so ``key="a b"`` is one token and
    an apostrophe inside a name (O'Neil, O’Neil) stays as typed.
    """
    tokens: list[str] = []
    current: list[str] = []
    started = quoted = False
    quote: str | None = None
    for i, char in enumerate(text):
        following = text[i + 1] if i + 1 < len(text) else " "
        if quote is not None:
            if char in CLOSERS[quote] and (quote not in SINGLE or following.isspace()):
                quote = None
            else:
                current.append(char)
        elif char.isspace():
            if started:
                tokens.append(_token(current, quoted))
            current, started, quoted = [], False, False
        elif char in CLOSERS and (not current or current[-1] == "="):
            quote, started, quoted = char, True, not current
        else:
            current.append(char)
            started = True
    if quote is not None:
        raise CommandError(_("A quote is not closed: put the value between a pair of quotes."))
    if started:
        tokens.append(_token(current, quoted))
    return tokens


def convert(arg: Arg, raw: str, spec: CommandSpec) -> Any:
    """An argument's text as the value the handler gets."""
    value = raw.strip()
    if len(value) > arg.max_length:
        raise CommandError(_("{arg}: too long ({count} characters; the limit is {max_length}).", arg=arg.name, count=len(value), max_length=arg.max_length), spec)
    if arg.kind is ArgKind.INT:
        try:
            number = int(value)
        except ValueError:
            raise CommandError(_("{arg}: '{value}' is not a whole number ({arg2}).", arg=arg.name, value=value, arg2=arg.describe()), spec) from None
        if (arg.low is not None and number < arg.low) or (arg.high is not None and number > arg.high):
            raise CommandError(_("{arg}: {number} is out of range; use {arg2}.", arg=arg.name, number=number, arg2=arg.describe()), spec)
        return number
    if arg.kind is ArgKind.CHOICE:
        if value.lower() not in arg.choices:
            raise CommandError(_("{arg}: '{value}' is not one of {arg2}.", arg=arg.name, value=value, arg2=arg.describe()), spec)
        return value.lower()
    if arg.kind in (ArgKind.CHOICES, ArgKind.LIST):
        items = [item.strip() for item in value.split(",") if item.strip()]
        if not items:
            raise CommandError(_("{arg}: give at least one value ({arg2}).", arg=arg.name, arg2=arg.describe()), spec)
        if len(items) > arg.max_items:
            raise CommandError(_("{arg}: {count} items is too many; the limit is {max_items}.", arg=arg.name, count=len(items), max_items=arg.max_items), spec)
        too_long = [item for item in items if len(item) > arg.item_max_length]
        if too_long:
            raise CommandError(
                _("{arg}: '{value}…' is too long; each item may have {item_max_length} characters.", arg=arg.name, value=too_long[0][:40], item_max_length=arg.item_max_length),
                spec,
            )
        if arg.kind is ArgKind.CHOICES:
            items = [item.lower() for item in items]
            wrong = [item for item in items if item not in arg.choices]
            if wrong:
                raise CommandError(_("{arg}: '{value}' is not one of {items}.", arg=arg.name, value=wrong[0], items=', '.join(arg.choices)), spec)
        return list(dict.fromkeys(items))
    if arg.kind is ArgKind.DATE:
        try:
            return parse_date(value)
        except InvalidAnswer as problem:
            raise CommandError(f"{arg.name}: {problem}", spec) from None
    if not value:
        raise CommandError(_("{arg}: the value is empty.", arg=arg.name), spec)
    return value


def _find(tokens: list[str], specs: Sequence[CommandSpec]) -> CommandSpec:
    lowered = [token.lower() for token in tokens]
    best: CommandSpec | None = None
    for spec in specs:
        n = len(spec.words)
        if tuple(lowered[:n]) == spec.words and (best is None or n > len(best.words)):
            best = spec
    if best is None:
        raise UnknownCommand(" ".join(tokens[:2]))
    return best


def parse(text: str, specs: Sequence[CommandSpec]) -> Parsed:
    """Parse command text (without ``/mentoring``) against ``specs``."""
    tokens = tokenize(text)
    if not tokens:
        tokens = ["help"]
    spec = _find(tokens, specs)
    args: dict[str, Any] = {}
    positionals: list[str] = []
    options = {arg.name: arg for arg in spec.options}
    for token in tokens[len(spec.words):]:
        # A value typed between quotes as a whole is never an option, even with an "=" in it.
        key, sep, value = ("", "", "") if getattr(token, "quoted", False) else token.partition("=")
        if sep and key.lower() in options:
            args[key.lower()] = convert(options[key.lower()], value, spec)
        elif sep and re.fullmatch(r"[a-z_-]+", key.lower()):
            known = ", ".join(options) or "none"
            raise CommandError(_("'{key}' is not an option of `/mentoring {spec}` (options: {known}).", key=key, spec=spec.name, known=known), spec)
        elif token.lower() in spec.flags:
            args[token.lower()] = True
        else:
            positionals.append(token)
    if len(positionals) > len(spec.positionals):
        extra = positionals[len(spec.positionals)]
        hint = _(" Put values with spaces between quotes.") if spec.positionals else ""
        raise CommandError(_("I did not expect '{extra}' here.{hint}", extra=extra, hint=hint), spec)
    for arg, raw in zip(spec.positionals, positionals, strict=False):
        args[arg.name] = convert(arg, raw, spec)
    for arg in (*spec.positionals, *spec.options):
        if arg.required and arg.name not in args:
            raise CommandError(_("{name} is missing.", name=arg.name.upper()), spec)
    return Parsed(spec, args)
