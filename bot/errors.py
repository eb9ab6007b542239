"""The refusal both the domain and the command layer raise: what a person asked for cannot be
done as given, and the text says why (the command layer shows it, with the command's example);
and :class:`Unavailable`, when the database cannot be reached."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.i18n import N_, _


class Exemplified(Protocol):
    """Something with an example of its right use (a command's spec)."""

    @property
    def example(self) -> str:
        """The example, as typed."""
        ...


@dataclass(frozen=True)
class Choice:
    """One way to carry on after a refusal: the same command with ``typed`` (what the person
    wrote) replaced by ``instead``; shown as a button labelled ``label``."""

    label: str
    typed: str
    instead: str


class CommandError(Exception):
    """A command that cannot run as given; the text says why, and ``choices`` (if any) offer
    the ways to carry on (the one person a name meant, among several)."""

    def __init__(self, message: str, spec: Exemplified | None = None, choices: Sequence[Choice] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.spec = spec
        self.choices = tuple(choices)

    def __str__(self) -> str:
        if self.spec is None:
            return self.message
        return _("{message}\nExample: `{example}`", message=self.message, example=self.spec.example)


UNAVAILABLE = N_(
    "The service is briefly unavailable (it cannot reach its database), so nothing was saved. "
    "Please try again in a minute."
)
"""What a person is told when the database cannot be reached."""


class Unavailable(Exception):
    """The database could not be reached: nothing of the turn was stored, and the same event
    may succeed later."""
