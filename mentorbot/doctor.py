"""``mentorbot doctor``: the configuration checked against the real services, changing nothing.

The database (reachable, migrated), every platform's settings against its service (each
platform's ``doctor``: Slack's ``auth.test`` and scopes, Teams' token from Entra ID), and
``PUBLIC_URL`` (https, and serving ``/healthz``). Each request has a time limit, so an
unreachable service is reported rather than waited for. Prints one line per check, with how
to fix what is wrong; exit status 0 when nothing is, 1 otherwise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from sqlalchemy.engine import make_url

from adapters.platform import Checkup, Finding
from mentorbot.settings import Configuration
from storage.db import Database
from storage.revisions import database_revision, expected_head

TIMEOUT = 5.0
"""Seconds any one check may take."""
LOOPBACK = ("localhost", "127.0.0.1", "::1")


async def run_doctor(configuration: Configuration, write: Callable[[str], Any], timeout: float = TIMEOUT) -> int:
    """Check everything, write one line per check; the exit status (0: nothing wrong)."""
    write("mentorbot doctor: checking the configuration against the real services (nothing is changed)")
    settings = configuration.settings
    db = Database(settings.database_url, **_connect_timeout(settings.database_url, timeout))
    findings: list[Finding] = []
    try:
        findings += await _bounded(_check_database(db, settings.database_url), "Database", timeout * 2)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http:
            checkup = Checkup(http, db.engine, timeout)
            for platform in configuration.platforms:
                if platform.doctor is not None:
                    findings += await _bounded(platform.doctor(configuration.of(platform), checkup), platform.label,
                                               timeout * 4)
            findings += await _bounded(_check_public_url(http, settings.public_url), "PUBLIC_URL", timeout * 2)
    finally:
        await db.close()
    for finding in findings:
        write(_line(finding))
    problems = [f for f in findings if not f.ok and not f.warning]
    write(f"{len(problems)} problem(s) found." if problems else "Everything checked is fine.")
    return 1 if problems else 0


def _line(finding: Finding) -> str:
    mark = "ok  " if finding.ok else ("warn" if finding.warning else "FAIL")
    line = f"  {mark}  {finding.check}: {finding.detail}"
    return f"{line}\n        fix: {finding.fix}" if finding.fix and not finding.ok else line


async def _bounded(checks: Any, what: str, seconds: float) -> list[Finding]:
    """``checks`` (a coroutine giving findings), or one failed finding if it took too long."""
    try:
        return list(await asyncio.wait_for(checks, seconds))
    except TimeoutError:
        return [Finding(what, False, f"no answer within {seconds:.0f} s", "check that the service is reachable")]


def _connect_timeout(url: str, timeout: float) -> dict[str, Any]:
    if make_url(url).get_backend_name() == "postgresql":
        return {"connect_args": {"timeout": timeout}}
    return {}


async def _check_database(db: Database, url: str) -> list[Finding]:
    where = make_url(url).render_as_string(hide_password=True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:" \
            and not Path(parsed.database).exists():
        return [Finding("Database", False, f"no SQLite file at {parsed.database}", "run mentorbot migrate")]
    if not await db.ping():
        return [Finding("Database", False, f"cannot connect to {where}",
                        "check DATABASE_URL, that the server runs and that this host may reach it")]
    expected, found = expected_head(), await database_revision(db)
    reachable = Finding("Database", True, f"reachable ({where})")
    if found != expected:
        return [reachable, Finding("Database schema", False, f"at revision {found or 'none'}, the code expects "
                                   f"{expected}", "run mentorbot migrate")]
    return [reachable, Finding("Database schema", True, f"at revision {found}, as the code expects")]


async def _check_public_url(http: aiohttp.ClientSession, public_url: str | None) -> list[Finding]:
    if not public_url:
        return [Finding("PUBLIC_URL", False, "not set: calendar invites and report links cannot be sent, and the "
                        "Teams package has placeholder links", "set it to the bot's public https address",
                        warning=True)]
    parts = urlsplit(public_url)
    findings = []
    if parts.scheme != "https":
        local = parts.hostname in LOOPBACK
        findings.append(Finding("PUBLIC_URL", False, "is not https: Slack and Teams only call https addresses",
                                "put the bot behind TLS (a reverse proxy or ingress) and set its https address",
                                warning=local))
    try:
        async with http.get(f"{public_url}/healthz") as answer:
            status = answer.status
            body = await answer.json(content_type=None) if status == 200 else {}
    except (aiohttp.ClientError, TimeoutError, ValueError) as problem:
        return [*findings, Finding("PUBLIC_URL /healthz", False, f"no answer ({type(problem).__name__})",
                                   "check that the bot runs and that its address (DNS, proxy, TLS) reaches it")]
    if status == 200 and isinstance(body, dict) and body.get("status") == "ok":
        return [*findings, Finding("PUBLIC_URL /healthz", True, "mentorbot answers there")]
    return [*findings, Finding("PUBLIC_URL /healthz", False, f"answered HTTP {status}, not mentorbot's health",
                               "check that PUBLIC_URL points at this bot (its proxy or ingress)")]
