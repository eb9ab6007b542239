"""The command reference, ``docs/commands.md``, rendered from the registered command specs.

Run ``python -m bot.commands.reference`` (or ``make docs``) after changing a command;
``--check`` only compares and exits with status 1 when the page is stale. The test
``tests/test_command_reference.py`` fails when the committed page differs from :func:`render`.

Only the specs' own fields are read (words, summary, example, arguments, flags, admin,
hidden), through the small protocols below, so the registry is imported in one place.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

# The one import of the command registry: when the registry moves, change this line only.
from bot.commands.dispatch import ALL_COMMANDS

PAGE = Path("docs") / "commands.md"
REGENERATE = "make docs"


class ArgSpec(Protocol):
    """What the reference reads of a positional argument or a ``key=value`` option."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def required(self) -> bool: ...
    @property
    def choices(self) -> tuple[str, ...]: ...
    @property
    def low(self) -> int | None: ...
    @property
    def high(self) -> int | None: ...
    @property
    def max_length(self) -> int: ...
    @property
    def item_max_length(self) -> int: ...
    @property
    def max_items(self) -> int: ...


class Spec(Protocol):
    """What the reference reads of a command spec."""

    @property
    def words(self) -> tuple[str, ...]: ...
    @property
    def summary(self) -> str: ...
    @property
    def example(self) -> str: ...
    @property
    def positionals(self) -> Sequence[ArgSpec]: ...
    @property
    def options(self) -> Sequence[ArgSpec]: ...
    @property
    def flags(self) -> tuple[str, ...]: ...
    @property
    def admin(self) -> bool: ...
    @property
    def program_scoped(self) -> bool: ...
    @property
    def bootstrap(self) -> bool: ...
    @property
    def hidden(self) -> bool: ...
    @property
    def usage(self) -> str: ...


HEADER = f"""\
# Command reference

<!-- Generated from the command registry by `python -m bot.commands.reference`: do not edit by hand. -->

> **This page is generated** from the registered command specs by `python -m bot.commands.reference`.
> Do not edit it by hand: change the command, then run `{REGENERATE}`.
> `tests/test_command_reference.py` fails when this page is stale.

Every command works the same way in Slack (the `/mentoring` slash command), in Microsoft Teams
(typed `mentoring ...` in the chat with the bot, or picked from its command menu) and in the
terminal chat (`mentorbot chat`):

- words naming the command, then positional values (in their order), `key=value` options and
  flags (single words such as `confirm` or `force`), mixed in any order after the words;
- a value with spaces goes between quotes (`"Digital Leaders 2027"`; curly quotes and single
  quotes work too, and an apostrophe inside a name such as `O'Neil` stays as typed); a value
  typed between quotes as a whole is never read as an option, even with `=` in it;
- lists are comma-separated (`hosts=Hana,Zoe`);
- the leading slash is optional when a command word follows (`mentoring help`, as typed in
  Teams), and `/mentoring` alone shows help;
- a button means the same as typing its command;
- an unknown command shows help; a wrong argument gets an explanation naming it and the
  command's example.

`/mentoring help` lists the commands you may run (admins see theirs too). Here, participants'
commands come first, then program admins'. Commands that only buttons send are not listed.
What each command does in context is told on the pages for [participants](participants.md),
[program admins](admins.md), [circles](circles.md), [research assignments](research.md) and
[reports](reports.md).
"""


def documented(specs: Iterable[Spec] = ALL_COMMANDS) -> tuple[list[Spec], list[Spec]]:
    """The commands the reference lists: participants' and admins', in registry order; hidden ones left out."""
    shown = [spec for spec in specs if not spec.hidden]
    return [s for s in shown if not s.admin], [s for s in shown if s.admin]


def render(specs: Iterable[Spec] = ALL_COMMANDS) -> str:
    """The whole page, Markdown, ending with one newline."""
    participants, admins = documented(specs)
    parts = [HEADER]
    parts += _section("Participants' commands", "Anyone may run these; some act only on what concerns you "
                      "(your pair, a circle you host, an assignment you were given).", participants)
    parts += _section("Program admins' commands", "Only program admins may run these: rights are checked "
                      "before the command runs, and every use, refusal or failure is recorded in the audit "
                      "log (`/mentoring audit`).", admins)
    return "\n".join(parts).rstrip("\n") + "\n"


def _section(title: str, lead: str, specs: Sequence[Spec]) -> list[str]:
    lines = [f"## {title}", "", lead, "", "| Command | What it does |", "| --- | --- |"]
    lines += [f"| [`/mentoring {_name(s)}`](#{_anchor(s)}) | {_cell(_sentence(s.summary))} |" for s in specs]
    lines.append("")
    for spec in specs:
        lines += _command(spec)
    return lines


def _command(spec: Spec) -> list[str]:
    lines = [f"### `/mentoring {_name(spec)}`", "", _sentence(spec.summary), "",
             f"- Usage: `{spec.usage}`", f"- Example: `{spec.example}`", f"- For: {_who(spec)}"]
    if spec.flags:
        lines.append("- Flags: " + ", ".join(f"`{flag}`" for flag in spec.flags))
    lines.append("")
    if spec.positionals:
        lines += ["| Positional argument | Required | Accepts |", "| --- | --- | --- |"]
        lines += [f"| `{arg.name.upper()}` | {'yes' if arg.required else 'no'} | {_cell(_accepts(arg))} |"
                  for arg in spec.positionals]
        lines.append("")
    if spec.options:
        lines += ["| Option | Required | Accepts |", "| --- | --- | --- |"]
        lines += [f"| `{arg.name}=` | {'yes' if arg.required else 'no'} | {_cell(_accepts(arg))} |"
                  for arg in spec.options]
        lines.append("")
    return lines


def _who(spec: Spec) -> str:
    if not spec.admin:
        return "participants (anyone)"
    who = "program admins only"
    if spec.bootstrap:
        who += ", and anyone while the organization has no program yet"
    if spec.program_scoped:
        who += "; `program=NAME` picks the program when you run several"
    return who


def _accepts(arg: ArgSpec) -> str:
    """What an argument accepts, in words: its kind, choices, range and length limits."""
    kind = str(arg.kind)
    if kind == "int":
        return f"a whole number, {arg.low} to {arg.high}"
    if kind == "choice":
        return "one of " + ", ".join(f"`{choice}`" for choice in arg.choices)
    if kind == "choices":
        return "comma-separated, any of " + ", ".join(f"`{choice}`" for choice in arg.choices)
    if kind == "list":
        return (f"a comma-separated list: at most {arg.max_items} items of at most {arg.item_max_length} "
                f"characters each, {arg.max_length} characters in all")
    if kind == "date":
        return "a date, `YYYY-MM-DD`"
    if kind == "text":
        return f"text, at most {arg.max_length} characters"
    return f"{kind}, at most {arg.max_length} characters"


def _name(spec: Spec) -> str:
    return " ".join(spec.words)


def _anchor(spec: Spec) -> str:
    """The GitHub anchor of the command's heading (``/mentoring cancel-session`` -> ``mentoring-cancel-session``)."""
    return "-".join(("mentoring", *spec.words))


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def main(argv: Sequence[str] | None = None) -> int:
    """Write the page (or, with ``--check``, only say whether it is up to date)."""
    parser = argparse.ArgumentParser(prog="python -m bot.commands.reference", description="Write docs/commands.md from the registered command specs.")
    parser.add_argument("--output", type=Path, default=PAGE, help=f"the page to write (default: {PAGE})")
    parser.add_argument("--check", action="store_true", help="exit with status 1 if the page is stale; write nothing")
    args = parser.parse_args(argv)
    page = render()
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != page:
            print(f"{args.output} is stale: run {REGENERATE}", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date.")
        return 0
    if current == page:
        print(f"{args.output} is up to date.")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(page, encoding="utf-8", newline="\n")
    print(f"Wrote {args.output}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
