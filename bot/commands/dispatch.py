"""Running a command: parse, find the program, check rights, run, audit."""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Sequence
from typing import Any

from bot.i18n import N_, _
from bot.commands import table
from bot.commands.command_call import CommandCall
from bot.commands.grammar import CommandSpec, UnknownCommand, parse, strip_prefix
from bot.errors import CommandError
from bot.messages import Button, Message, Section, say
from bot.programs import target_program
from bot.turn import Turn
from storage.models import Program

log = logging.getLogger(__name__)


async def is_admin_anywhere(turn: Turn) -> bool:
    """True if the person runs at least one program of the tenant."""
    return bool(await turn.repo.admin_program_ids(turn.person.id))


async def visible_commands(turn: Turn) -> list[CommandSpec]:
    """The commands this person may run."""
    admin = await is_admin_anywhere(turn)
    bootstrapping = not admin and not await turn.repo.programs(active_only=False)
    return [s for s in ALL_COMMANDS
            if not s.hidden and (not s.admin or admin or (s.bootstrap and bootstrapping))]


async def help_message(turn: Turn, lead: str = "") -> Message:
    """The commands this person may run, participants' first, admins' after."""
    specs = await visible_commands(turn)
    everyone = [s for s in specs if not s.admin]
    admin = [s for s in specs if s.admin]
    lines = [f"`{s.usage}`: {_(s.summary)}" for s in everyone]
    text = _("Commands you can use:\n") + "\n".join(f"- {line}" for line in lines)
    if admin:
        text += _("\n\nFor program admins:\n") + "\n".join(f"- `{s.usage}`: {_(s.summary)}" for s in admin)
    if lead:
        text = f"{lead}\n\n{text}"
    return Message(text, [Section(text)])


async def did_you_mean(turn: Turn, typed: str) -> Message:
    """The answer to a command that does not exist: the commands it is close to (a typo), each a
    button when it needs nothing more, else a pointer to the help; never the whole list."""
    close = close_commands(typed, await visible_commands(turn))
    lead = _("I don't know the command `{typed}`.", typed=typed)
    if not close:
        return say(_("{lead} Type `/mentoring help` to see what you can do.", lead=lead), Button.for_command(_("Help"), "help"))
    usages = " or ".join(f"`{spec.usage}`" for spec in close)
    buttons = [Button.for_command(f"/mentoring {spec.name}", spec.name) for spec in close
               if not any(arg.required for arg in spec.positionals)]
    if not any(spec.name == "help" for spec in close):
        buttons.append(Button.for_command(_("Help"), "help"))
    return say(_("{lead} Did you mean {usages}?", lead=lead, usages=usages), *buttons)


def close_commands(typed: str, specs: Sequence[CommandSpec], limit: int = 3) -> list[CommandSpec]:
    """The commands whose words are close to ``typed`` (``hlep`` -> help, ``profil`` -> profile)."""
    words = typed.lower().split()
    scored: list[tuple[float, CommandSpec]] = []
    for spec in specs:
        candidates = [" ".join(words[:len(spec.words)]), words[0] if words else ""]
        ratio = max(difflib.SequenceMatcher(None, text, spec.name).ratio() for text in candidates)
        if ratio >= CLOSE:
            scored.append((ratio - 0.01 * len(spec.words), spec))
    scored.sort(key=lambda item: -item[0])
    return [spec for _, spec in scored[:limit]]


def is_close_to_a_command(word: str) -> bool:
    """True when ``word`` is close to the first word of a command (``mentoring profil`` in Teams)."""
    return bool(difflib.get_close_matches(word.lower(), command_words(), n=1, cutoff=CLOSE))


CLOSE = 0.75


async def _help(call: CommandCall) -> Sequence[Message]:
    return [await help_message(call.turn)]


HELP = CommandSpec(("help",), N_("what you can do here"), "/mentoring help", _help)


def all_commands() -> tuple[CommandSpec, ...]:
    """Every command: ``help``, the core's and each registered format's."""
    return (HELP, *table.commands())


ALL_COMMANDS = all_commands()


def command_words() -> frozenset[str]:
    """The first words of every command (``mentoring WORD`` typed in Teams is a command)."""
    return frozenset(spec.words[0] for spec in ALL_COMMANDS)


async def run_command(turn: Turn, text: str) -> Sequence[Message]:
    """Run ``/mentoring ...`` for the person speaking and return the replies."""
    body = strip_prefix(text)
    try:
        parsed = parse(body, ALL_COMMANDS)
    except UnknownCommand as unknown:
        # What was typed stays out of the log above DEBUG (it may hold names or private words).
        log.info("unknown command from person %s", turn.person.id)
        log.debug("unknown command %r", unknown.words)
        return [await did_you_mean(turn, unknown.words)]
    except CommandError as problem:
        log.info("bad command %s from person %s", problem.spec.name if isinstance(problem.spec, CommandSpec) else "",
                 turn.person.id)
        log.debug("bad command %r: %s", body[:200], problem.message)
        refused = problem.spec if isinstance(problem.spec, CommandSpec) else None
        if refused is not None and refused.admin:
            call = CommandCall(turn, {})
            _record(call, refused, await _allowed(call, refused), text=body[:200], error=problem.message)
        return [refusal(problem, body)]
    call = CommandCall(turn, parsed.args)
    spec = parsed.spec
    try:
        # Rights first: someone who runs nothing learns nothing, not even program names.
        if spec.admin and not await _allowed(call, spec):
            call.program = await _program_for_the_record(call, spec)
            return [await _refuse(call, spec)]
        if spec.program_scoped:
            call.program = await target_program(turn, parsed.args.get("program"))
            if spec.admin and not await _allowed(call, spec):
                return [await _refuse(call, spec)]
        # A savepoint: a handler that fails half-way leaves nothing behind.
        async with turn.repo.session.begin_nested():
            replies = await spec.handler(call)
    except CommandError as problem:
        log.info("command %s refused for person %s", spec.name, turn.person.id)
        log.debug("command %s refused: %s", spec.name, problem.message)
        if spec.admin:
            _record(call, spec, True, args=_loggable(call.args), error=problem.message)
        return [refusal(problem, body)]
    if spec.admin:
        _record(call, spec, True, args=_loggable(call.args))
    return replies


def refusal(problem: CommandError, body: str) -> Message:
    """A refused command's answer: why, and a button for each way to carry on (the command
    again with what was typed replaced by one of the choices)."""
    buttons = [Button.for_command(choice.label, _substituted(body, choice.typed, choice.instead))
               for choice in problem.choices]
    return say(str(problem), *buttons)


def _substituted(body: str, typed: str, instead: str) -> str:
    """``body`` with the last standalone occurrence of ``typed`` replaced by ``instead``."""
    found = list(re.finditer(rf"(?<![\w<:#]){re.escape(typed.strip())}(?![\w>])", body))
    if not found:
        return body
    last = found[-1]
    return body[:last.start()] + instead + body[last.end():]


def _record(call: CommandCall, spec: CommandSpec, allowed: bool, **details: Any) -> None:
    """The audit entry of an admin command: done, refused, or failed with an error."""
    call.turn.audit(spec.name, allowed, call.program.id if call.program else None, **details)


async def _allowed(call: CommandCall, spec: CommandSpec) -> bool:
    mine = await call.turn.repo.admin_program_ids(call.turn.person.id)
    if call.program is not None:
        return call.program.id in mine
    if mine:
        return True
    return spec.bootstrap and not await call.turn.repo.programs(active_only=False)


async def _program_for_the_record(call: CommandCall, spec: CommandSpec) -> Program | None:
    """The program a refused command aimed at, for the audit log; never an error."""
    if not spec.program_scoped:
        return None
    try:
        return await target_program(call.turn, call.args.get("program"))
    except CommandError:
        return None


async def _refuse(call: CommandCall, spec: CommandSpec) -> Message:
    turn = call.turn
    _record(call, spec, False, args=_loggable(call.args))
    log.warning("person %s may not run %s", turn.person.id, spec.name)
    programs = [call.program] if call.program else await turn.repo.programs()
    names = {a.display_name: None for p in programs for a in await turn.repo.admins(p.id)}
    who = ", ".join(names)
    ask = _(" Ask an admin ({who}) if you need this.", who=who) if who else ""
    return say(_("Only program admins can run `/mentoring {spec}`.{ask}", spec=spec.name, ask=ask))


def _loggable(args: dict[str, Any]) -> dict[str, Any]:
    return {key: value if isinstance(value, (str, int, bool, list)) else str(value) for key, value in args.items()}
