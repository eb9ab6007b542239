"""``mentorbot export --tenant ID --output DIR`` and ``mentorbot restore DIR``: an organization's
data moved between databases (backups, a new host, SQLite to PostgreSQL); see
:mod:`storage.portability` for the format."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text

from storage.db import Database
from storage.portability import BadExport, NotEmpty, export_tenant, find_tenant, read_manifest, restore_tenant, tenants
from storage.revisions import database_revision, expected_head


async def run_export(url: str, wanted: str, output: Path, write: Callable[[str], Any],
                     complain: Callable[[str], Any]) -> int:
    """Export tenant ``wanted`` (its id, or its Slack or Teams id) into ``output``; the exit status."""
    from storage.migrate import LIBRARY_TABLES

    db = Database(url)
    try:
        tenant = await find_tenant(db, wanted)
        if tenant is None:
            known = "\n".join(f"  {t.id}  {t.platform}  {t.external_id}  {t.name}" for t in await tenants(db))
            complain(f"mentorbot export: no organization {wanted!r} here. The organizations are:\n"
                     f"{known or '  (none)'}")
            return 2
        try:
            summary = await export_tenant(db, tenant, output, await database_revision(db), LIBRARY_TABLES,
                                          datetime.now(UTC))
        except FileExistsError:
            complain(f"mentorbot export: {output} is not empty: give a new or empty folder")
            return 2
    finally:
        await db.close()
    write(f"Exported organization {summary.tenant_id} ({summary.platform} {summary.external_id}): "
          f"{sum(summary.rows.values())} rows in {len(summary.rows)} tables, into {output}.")
    return 0


async def run_restore(url: str, folder: Path, write: Callable[[str], Any], complain: Callable[[str], Any]) -> int:
    """Restore the export in ``folder`` into the (empty) database at ``url``; the exit status."""
    from storage.migrate import LIBRARY_TABLES, upgrade

    try:
        read_manifest(folder, expected_head())
    except BadExport as bad:
        complain(f"mentorbot restore: {bad}")
        return 2
    db = Database(url)
    try:
        if await _holds_organizations(db):  # checked before migrating: a refused restore changes nothing
            complain("mentorbot restore: the database already holds an organization: restore only into an empty "
                     "database (nothing was changed)")
            return 1
        await upgrade(db)
        try:
            summary = await restore_tenant(db, folder, await database_revision(db), LIBRARY_TABLES)
        except NotEmpty as full:
            complain(f"mentorbot restore: {full} (nothing was changed)")
            return 1
        except BadExport as bad:
            complain(f"mentorbot restore: {bad} (nothing was changed)")
            return 2
    finally:
        await db.close()
    write(f"Restored organization {summary.tenant_id} ({summary.platform} {summary.external_id}): "
          f"{sum(summary.rows.values())} rows in {len(summary.rows)} tables.")
    return 0


async def _holds_organizations(db: Database) -> bool:
    async with db.engine.connect() as connection:
        if not await connection.run_sync(lambda sync: inspect(sync).has_table("tenants")):
            return False
        return bool(await connection.scalar(text("SELECT COUNT(*) FROM tenants")))
