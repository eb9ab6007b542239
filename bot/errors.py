"""The refusal both the domain and the command layer raise: what a person asked for cannot be
done as given, and the text says why (the command layer shows it, with the command's example);
and :class:`Unavailable`, when the database cannot be reached."""

from __future__ import annotations

from typing import Protocol


class Exemplified(Protocol):
    """Something with an example of its right use (a command's spec)."""

    @property
    def example(self) -> str:
        """The example, as typed."""
        ...


class CommandError(Exception):
    """A command that cannot run as given; the text says why."""

    def __init__(self, message: str, spec: Exemplified | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.spec = spec

    def __str__(self) -> str:
        if self.spec is None:
            return self.message
        return f"{self.message}\nExample: `{self.spec.example}`"


UNAVAILABLE = (
    "The service is briefly unavailable (it cannot reach its database), so nothing was saved. "
    "Please try again in a minute."
)
"""What a person is told when the database cannot be reached."""


class Unavailable(Exception):
    """The database could not be reached: nothing of the turn was stored, and the same event
    may succeed later."""
