"""``mentorbot import FILE [--program NAME] [--dry-run]``: an HR export into the database, from
the command line, with a progress bar for large files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from adapters.console import CONSOLE
from adapters.console.chat import CONSOLE_TENANT
from bot.clock import Clock, SystemClock
from bot.commands.people_import import summary
from bot.people_import.apply import PHASES, import_people
from bot.people_import.csv_file import MAX_BYTES, FileRefused, read_rows
from storage.db import Database
from storage.models import Program, Tenant
from storage.names import name_key
from storage.repository import Repository, tenant_for


class ImportRefused(Exception):
    """The import cannot start (no such file or program); the text says why."""


async def run_import(db: Database, path: Path, program_name: str | None, dry_run: bool, out: TextIO,
                     clock: Clock | None = None, show_progress: bool = True) -> bool:
    """Import ``path``; prints the summary to ``out``. True when it was imported (or the dry run
    found nothing wrong), False when rows or the file need fixing (nothing was changed)."""
    clock = clock or SystemClock()
    data = _read(path)
    try:
        rows = read_rows(data, path.name)
    except FileRefused as problem:
        print(f"Nothing was imported: {problem}", file=out)
        return False
    async with db.transaction() as session:
        tenant, program = await _where(session, program_name, clock)
        repo = Repository(session, tenant.id)
        with _bar(len(rows) * PHASES, show_progress and not dry_run, out) as tick:
            result = await import_people(repo, rows, program=program, now=clock.now(), platform=tenant.platform,
                                         dry_run=dry_run, progress=tick)
        repo.audit(None, "import", True, clock.now(), program.id if program else None, file=path.name,
                   dry_run=dry_run, rows=len(rows), errors=len(result.plan.errors), source="command line")
    print(summary(result, path.name), file=out)
    return not result.plan.errors


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise ImportRefused(f"there is no file {path}")
    if path.stat().st_size > MAX_BYTES:
        return path.open("rb").read(MAX_BYTES + 1)
    return path.read_bytes()


async def _where(session: object, program_name: str | None, clock: Clock) -> tuple[Tenant, Program | None]:
    """The organisation and program an import goes into: the program named (in whichever
    organisation has it), else the only program there is; with no program at all, the people
    only, into the only organisation (the terminal's when there is none)."""
    from sqlalchemy.ext.asyncio import AsyncSession

    assert isinstance(session, AsyncSession)
    programs = list((await session.execute(select(Program).where(Program.status == "active")
                                           .order_by(Program.id))).scalars())
    if program_name:
        named = [p for p in programs if p.name_key == name_key(program_name)]
        if len(named) != 1:
            listed = ", ".join(f'"{p.name}"' for p in programs) or "none yet"
            many = " (several organisations have one: rename one)" if named else ""
            raise ImportRefused(f'there is no single program called "{program_name}"{many}; programs: {listed}')
        program = named[0]
    elif len(programs) == 1:
        program = programs[0]
    elif programs:
        listed = ", ".join(f'"{p.name}"' for p in programs)
        raise ImportRefused(f"which program? Add --program NAME; programs: {listed}")
    else:
        program = None
    if program is not None:
        tenant = await session.get(Tenant, program.tenant_id)
        assert tenant is not None
        return tenant, program
    tenants = list((await session.execute(select(Tenant))).scalars())
    if len(tenants) > 1:
        raise ImportRefused("there are several organisations and no program: create the program first, then "
                            "import with --program NAME")
    return (tenants[0] if tenants else await tenant_for(session, CONSOLE, CONSOLE_TENANT, clock.now())), None


class _bar:
    """A progress bar on the terminal while rows are stored (nothing when not wanted)."""

    def __init__(self, total: int, shown: bool, out: TextIO) -> None:
        self.total, self.shown, self.out = total, shown and total >= 1000 * PHASES, out
        self.progress: Progress | None = None

    def __enter__(self) -> Callable[[int], None] | None:
        if not self.shown:
            return None
        self.progress = Progress(TextColumn("Importing"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                                 transient=True)
        self.progress.start()
        task = self.progress.add_task("rows", total=self.total)
        progress = self.progress

        def tick(count: int) -> None:
            progress.advance(task, count)
        return tick

    def __exit__(self, *_: object) -> None:
        if self.progress is not None:
            self.progress.stop()
