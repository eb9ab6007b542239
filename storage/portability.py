"""One organization's data out of a database and into another (``mentorbot export`` / ``restore``).

An export is a folder: ``manifest.json`` (the format, the schema revision, the tenant, how many
rows of each table) and one JSON-lines file per table holding the tenant's rows, ids kept, so
that every reference between rows still holds after a restore. Besides the tables of our
models, the rows of library tables (Slack's installation store) whose workspace or organization
id is the tenant's external id go along, so that a moved bot keeps its installations.

A restore goes only into a database with no organization in it (migrated first if needed), in
one transaction: it either brings everything or changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import Column, MetaData, Table, func, or_, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.models import Base, Person, Tenant

FORMAT = "mentorbot-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BATCH = 1000
TENANT_KEYS = ("team_id", "enterprise_id")
"""The columns by which a library table's row belongs to a tenant (its platform's external id)."""


class NotEmpty(Exception):
    """The database to restore into already holds an organization."""


class BadExport(Exception):
    """The folder is not an export this version can restore (says why)."""


@dataclass(frozen=True)
class Summary:
    """What an export or a restore moved: the tenant and the rows per table."""

    tenant_id: int
    external_id: str
    platform: str
    rows: dict[str, int]


async def find_tenant(db: Database, wanted: str) -> Tenant | None:
    """The tenant whose id, or whose platform's id (a Slack team id, a Teams tenant id), is ``wanted``."""
    async with db.transaction() as session:
        query = select(Tenant).where(Tenant.external_id == wanted)
        if wanted.isdigit():
            query = select(Tenant).where((Tenant.id == int(wanted)) | (Tenant.external_id == wanted))
        return (await session.scalars(query.order_by(Tenant.id))).first()


async def tenants(db: Database) -> Sequence[Tenant]:
    """Every tenant, for the operator to pick one."""
    async with db.transaction() as session:
        return (await session.scalars(select(Tenant).order_by(Tenant.id))).all()


async def export_tenant(db: Database, tenant: Tenant, folder: Path, revision: str | None,
                        library_tables: Sequence[str], now: datetime) -> Summary:
    """Write ``tenant``'s rows into ``folder`` (created; it must be empty)."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty")
    counts: dict[str, int] = {}
    async with db.engine.connect() as connection:
        for table in await _tables(connection, library_tables):
            query = _rows_of(table, tenant)
            if query is None:
                continue
            counts[table.name] = await _write(connection, table, query, folder / f"{table.name}.jsonl")
    manifest = {"format": FORMAT, "version": FORMAT_VERSION, "schema_revision": revision,
                "exported_at": now.isoformat(), "tenant": {"id": tenant.id, "platform": tenant.platform,
                                                           "external_id": tenant.external_id, "name": tenant.name},
                "rows": counts}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return Summary(tenant.id, tenant.external_id, tenant.platform, counts)


async def restore_tenant(db: Database, folder: Path, revision: str | None, library_tables: Sequence[str]) -> Summary:
    """Load the export in ``folder`` into ``db``, which must hold no organization (:class:`NotEmpty`)."""
    manifest = read_manifest(folder, revision)
    counts: dict[str, int] = {}
    async with db.engine.begin() as connection:
        if await connection.scalar(select(func.count()).select_from(Tenant.__table__)):
            raise NotEmpty("the database already holds an organization: restore only into an empty database")
        if await connection.scalar(select(func.count()).select_from(Person.__table__)):
            raise NotEmpty("the database already holds people: restore only into an empty database")
        tables = {table.name: table for table in await _tables(connection, library_tables)}
        for name in manifest["rows"]:
            if name not in tables:
                raise BadExport(f"the export has a table this version does not know: {name}")
        for table in tables.values():
            if table.name in manifest["rows"]:
                counts[table.name] = await _load(connection, table, folder / f"{table.name}.jsonl")
        if connection.dialect.name == "postgresql":
            await _reset_sequences(connection, [tables[name] for name in counts])
    tenant = manifest["tenant"]
    return Summary(int(tenant["id"]), str(tenant["external_id"]), str(tenant["platform"]), counts)


def read_manifest(folder: Path, revision: str | None) -> dict[str, Any]:
    """The export's manifest, checked against this version (:class:`BadExport` says what is wrong)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadExport(f"no {MANIFEST} in {folder}: not a mentorbot export") from None
    except (OSError, ValueError) as problem:
        raise BadExport(f"{MANIFEST} cannot be read ({type(problem).__name__})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BadExport(f"{MANIFEST} is not a mentorbot export's")
    if manifest.get("version") != FORMAT_VERSION:
        raise BadExport(f"export format {manifest.get('version')} is not {FORMAT_VERSION}")
    if manifest.get("schema_revision") != revision:
        raise BadExport(f"the export is of schema revision {manifest.get('schema_revision')}, this version's is "
                        f"{revision}: restore with the version that exported it, then upgrade")
    if not isinstance(manifest.get("rows"), dict) or not isinstance(manifest.get("tenant"), dict):
        raise BadExport(f"{MANIFEST} lists no rows or no tenant")
    return manifest


# --- tables and rows ----------------------------------------------------------------------


async def _tables(connection: AsyncConnection, library_tables: Sequence[str]) -> list[Table]:
    """Our tables in dependency order, then the library tables that exist (reflected)."""
    ours = list(Base.metadata.sorted_tables)
    library = MetaData()

    def reflect(sync: Connection) -> None:
        existing = set(sync.dialect.get_table_names(sync))
        for name in library_tables:
            if name in existing:
                Table(name, library, autoload_with=sync)

    await connection.run_sync(reflect)
    return ours + [library.tables[name] for name in library_tables if name in library.tables]


def _rows_of(table: Table, tenant: Tenant) -> Any:
    """The query for ``tenant``'s rows of ``table``, or None when none of its rows are a tenant's."""
    if table.name == Tenant.__tablename__:
        return select(table).where(table.c.id == tenant.id)
    if "tenant_id" in table.c:
        return select(table).where(table.c.tenant_id == tenant.id).order_by(*table.primary_key.columns)
    keys = [table.c[name] == tenant.external_id for name in TENANT_KEYS if name in table.c]
    if keys and table.name not in Base.metadata.tables:
        return select(table).where(or_(*keys)).order_by(*(list(table.primary_key.columns) or list(table.c)[:1]))
    return None


async def _write(connection: AsyncConnection, table: Table, query: Any, path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        result = await connection.stream(query)
        async for row in result:
            out.write(json.dumps({key: plain(value) for key, value in row._mapping.items()}, ensure_ascii=False))
            out.write("\n")
            count += 1
    return count


async def _load(connection: AsyncConnection, table: Table, path: Path) -> int:
    count = 0
    batch: list[dict[str, Any]] = []
    for row in _read_rows(path):
        batch.append({name: _typed(table.c[name], value) for name, value in row.items() if name in table.c})
        if len(batch) >= BATCH:
            await connection.execute(table.insert(), batch)
            count, batch = count + len(batch), []
    if batch:
        await connection.execute(table.insert(), batch)
        count += len(batch)
    return count


def _read_rows(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                try:
                    row = json.loads(line)
                except ValueError:
                    raise BadExport(f"{path.name} line {number} is not JSON") from None
                if not isinstance(row, dict):
                    raise BadExport(f"{path.name} line {number} is not a row")
                yield row
    except FileNotFoundError:
        raise BadExport(f"{path.name} is missing from the export") from None


async def _reset_sequences(connection: AsyncConnection, tables: Sequence[Table]) -> None:
    """PostgreSQL: each serial id continues after the largest restored id."""
    for table in tables:
        for column in table.primary_key.columns:
            if not column.autoincrement or not isinstance(column.type.python_type, type) \
                    or column.type.python_type is not int:
                continue
            sequence = await connection.scalar(text("SELECT pg_get_serial_sequence(:table, :column)"),
                                               {"table": table.name, "column": column.name})
            if sequence:
                await connection.execute(text(f"SELECT setval('{sequence}', COALESCE((SELECT MAX({column.name}) "
                                              f"FROM {table.name}), 0) + 1, false)"))


def plain(value: Any) -> Any:
    """A column value as JSON: times as ISO 8601 text (UTC for timestamps)."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


def _typed(column: Column[Any], value: Any) -> Any:
    """A JSON value back as the column's Python type."""
    if value is None or not isinstance(value, str):
        return value
    kind = getattr(column.type, "impl_instance", column.type)  # a TypeDecorator: the type it stores as
    try:
        wanted = kind.python_type
    except NotImplementedError:
        return value
    if wanted is datetime:
        parsed = datetime.fromisoformat(value)
        if getattr(column.type, "timezone", False) and parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed
    if wanted is date:
        return date.fromisoformat(value)
    if wanted is time:
        return time.fromisoformat(value)
    if wanted is bytes:
        return value.encode("latin-1")
    return value
