"""The project's import graph, read from the source (nothing is imported to build it)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "storage", "adapters", "scheduler", "mentorbot")


@dataclass(frozen=True)
class Import:
    """One import statement: who imports what, and whether only for type checking."""

    importer: str
    imported: str
    line: int
    type_checking: bool


def module_name(path: Path) -> str:
    """``bot/pairs/rules.py`` -> ``bot.pairs.rules``; a package's ``__init__.py`` is the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(package: str) -> dict[str, Path]:
    """Every module of ``package`` by name."""
    return {module_name(path): path for path in sorted((ROOT / package).rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> Iterator[Import]:
    """The imports in one file, each resolved to a module of ``known`` where it names one
    (``from bot.pairs import rules`` imports the module ``bot.pairs.rules``)."""
    importer = module_name(path)
    tree = ast.parse(path.read_text(), str(path))
    guarded = _type_checking_lines(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(importer, alias.name, node.lineno, node.lineno in guarded)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                yield Import(importer, full if full in known else node.module, node.lineno, node.lineno in guarded)


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def all_imports() -> list[Import]:
    """Every import of the project's packages."""
    found = {name: path for package in PACKAGES for name, path in modules(package).items()}
    known = set(found)
    return [found_import for path in found.values() for found_import in imports_of(path, known)]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found
