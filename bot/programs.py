"""Finding the program a command or a person is about."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import _
from bot.catalog import format_label
from bot.errors import CommandError
from bot.turn import Turn
from storage.enums import ProgramFormat
from storage.models import Program


def _names(programs: Sequence[Program]) -> str:
    return ", ".join(f'"{p.name}"' for p in programs)


async def program_named(turn: Turn, name: str) -> Program:
    """The tenant's program called ``name``, or an error listing the ones there are."""
    program = await turn.repo.program_named(name)
    if program is not None:
        return program
    programs = await turn.repo.programs()
    if not programs:
        raise CommandError(_('There is no program called "{name}" (there are no programs yet).', name=name))
    raise CommandError(_('There is no program called "{name}". Programs: {programs}.', name=name, programs=_names(programs)))


async def target_program(turn: Turn, name: str | None) -> Program:
    """The program an admin command is about.

    Named explicitly, or else the only program the caller runs, or else the only program
    in the tenant; otherwise the caller is asked to name it.
    """
    if name:
        return await program_named(turn, name)
    programs = await turn.repo.programs()
    if not programs:
        raise CommandError(
            _('There is no program yet. Create one with `/mentoring program create "Digital Leaders 2027" '
            "cadence=monthly capacity=3`.")
        )
    if len(programs) == 1:
        return programs[0]
    mine = await turn.repo.admin_program_ids(turn.person.id)
    own = [p for p in programs if p.id in mine]
    if len(own) == 1:
        return own[0]
    raise CommandError(_('Which program? Add program="NAME"; programs: {programs}.', programs=_names(programs)))


def adopt_format(program: Program, fmt: ProgramFormat) -> str:
    """Add ``fmt`` to the formats the program runs (an admin starting a circle or a research
    assignment has chosen to try it); a sentence saying so, or "" when it was there already."""
    if fmt in program.formats:
        return ""
    program.formats = [*program.formats, fmt.value]
    return _(" {value} are now among the formats of {program}.", value=format_label(fmt), program=program.name)
