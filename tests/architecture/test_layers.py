"""The dependency rules of docs/architecture.md, checked on the source.

- ``bot/`` and ``storage/`` import no platform SDK (nor the web server, the scheduler, the
  adapters or the composition root): adapters -> bot -> storage, scheduler -> bot -> storage.
- Domain code never imports the command layer: only the command layer itself (``bot/commands/``
  and a format's ``*commands.py``) and the wiring that hands commands to it (the engine, the
  format registry, a format's ``format.py``) do.
- The shared cadence machinery (``bot/cadence/``) imports no format and not the registry.
- A format imports no other format.
- There are no import cycles in ``bot/``.
"""

from __future__ import annotations

from collections import defaultdict

from tests.architecture.imports import Import, all_imports, cycles

PLATFORM_SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "aiohttp")
OUTER_LAYERS = ("adapters", "scheduler", "mentorbot", "apscheduler")
FORMATS = ("bot.pairs", "bot.progress", "bot.circles", "bot.research")
"""The format packages (progress, the pairs' goals and check-ins, is part of the pairs format)."""
FORMAT_OF = {"bot.progress": "bot.pairs"}
WIRING = {"bot.engine", "bot.registry", "bot.program_format"}

IMPORTS = all_imports()


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _format_of(module: str) -> str | None:
    for package in FORMATS:
        if _within(module, package):
            return FORMAT_OF.get(package, package)
    return None


def _is_command_layer(module: str) -> bool:
    return _within(module, "bot.commands") or (module.startswith("bot.") and module.endswith("commands"))


def _is_wiring(module: str) -> bool:
    return module in WIRING or (_format_of(module) is not None and module.endswith(".format"))


def _listed(found: list[Import]) -> str:
    return "\n".join(f"  {i.importer} (line {i.line}) imports {i.imported}" for i in found)


def test_the_core_and_storage_import_no_platform_sdk_and_no_outer_layer() -> None:
    wrong = [i for i in IMPORTS if i.importer.startswith(("bot", "storage"))
             and i.imported.split(".")[0] in (*PLATFORM_SDKS, *OUTER_LAYERS)]
    assert not wrong, "the neutral core reaches out to a platform or an outer layer:\n" + _listed(wrong)


def test_storage_imports_nothing_from_the_core() -> None:
    wrong = [i for i in IMPORTS if i.importer.startswith("storage") and _within(i.imported, "bot")]
    assert not wrong, "storage imports the core:\n" + _listed(wrong)


def test_domain_modules_never_import_the_command_layer() -> None:
    wrong = [i for i in IMPORTS if i.importer.startswith("bot") and _is_command_layer(i.imported)
             and not _is_command_layer(i.importer) and not _is_wiring(i.importer)]
    assert not wrong, "domain code imports the command layer:\n" + _listed(wrong)


def test_the_shared_cadence_machinery_imports_no_format_and_not_the_registry() -> None:
    wrong = [i for i in IMPORTS if _within(i.importer, "bot.cadence")
             and (_format_of(i.imported) is not None or i.imported == "bot.registry")]
    assert not wrong, "bot/cadence/ depends on a format:\n" + _listed(wrong)


def test_a_format_imports_no_other_format() -> None:
    wrong = [i for i in IMPORTS if (mine := _format_of(i.importer)) is not None
             and (theirs := _format_of(i.imported)) is not None and mine != theirs]
    assert not wrong, "formats depend on each other:\n" + _listed(wrong)


def test_there_are_no_import_cycles_in_the_core() -> None:
    edges: dict[str, set[str]] = defaultdict(set)
    for found in IMPORTS:
        if found.importer.startswith("bot") and found.imported.startswith("bot") and found.importer != found.imported:
            edges[found.importer].add(found.imported)
    assert cycles(edges) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
