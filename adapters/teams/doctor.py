"""``mentorbot doctor``'s Teams checks: the bot registration is complete and Entra ID gives the
bot a token with its app id and password (the token the bot needs to answer anyone)."""

from __future__ import annotations

from typing import Any

import aiohttp

from adapters.platform import Checkup, Finding, secret
from adapters.teams.package import GUID
from adapters.teams.settings import TeamsSettings

BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
MULTI_TENANT_AUTHORITY = "botframework.com"


async def check_teams(settings: TeamsSettings, checkup: Checkup) -> list[Finding]:
    """What is right and wrong with the Teams settings."""
    if not (settings.microsoft_app_id or settings.microsoft_app_password or settings.teams_allow_unauthenticated):
        return [Finding("Teams", True, "not configured (no MICROSOFT_APP_* setting): skipped")]
    findings: list[Finding] = []
    if settings.teams_allow_unauthenticated:
        findings.append(Finding("Teams authentication", False, "TEAMS_ALLOW_UNAUTHENTICATED is on: /api/messages "
                                "takes requests from anyone" if not settings.microsoft_app_password else
                                "TEAMS_ALLOW_UNAUTHENTICATED is on (ignored: the app id and password are set)",
                                "unset TEAMS_ALLOW_UNAUTHENTICATED outside local development",
                                warning=bool(settings.microsoft_app_password)))
    problem = settings.problem()
    if problem:
        return [*findings, Finding("Teams registration", False, problem, "see docs/teams.md")]
    app_id = (settings.microsoft_app_id or "").strip()
    if not app_id:
        return findings
    if not GUID.fullmatch(app_id):
        return [*findings, Finding("Teams app id", False, "MICROSOFT_APP_ID is not a GUID",
                                   "copy the Microsoft App ID from the Azure Bot's Configuration page")]
    findings.append(Finding("Teams app id", True, f"{settings.microsoft_app_type}"))
    return [*findings, await _token(settings, checkup, app_id)]


async def _token(settings: TeamsSettings, checkup: Checkup, app_id: str) -> Finding:
    authority = (settings.microsoft_app_tenant_id if settings.microsoft_app_type == "SingleTenant"
                 else MULTI_TENANT_AUTHORITY)
    url = f"{settings.microsoft_login_url.rstrip('/')}/{authority}/oauth2/v2.0/token"
    form = {"grant_type": "client_credentials", "client_id": app_id, "scope": BOT_FRAMEWORK_SCOPE,
            "client_secret": secret(settings.microsoft_app_password) or ""}
    try:
        async with checkup.http.post(url, data=form) as answer:
            status = answer.status
            found = await answer.json(content_type=None)
            body: dict[str, Any] = found if isinstance(found, dict) else {}
    except (aiohttp.ClientError, TimeoutError, ValueError) as problem:
        return Finding("Teams token", False, f"no answer from {settings.microsoft_login_url} "
                       f"({type(problem).__name__})", "check that this server can reach Entra ID (proxy, firewall)")
    if status == 200 and body.get("access_token"):
        return Finding("Teams token", True, "Entra ID gave the bot a token")
    code = str(body.get("error") or f"HTTP {status}")
    return Finding("Teams token", False, f"Entra ID refused the app id and password ({code})",
                   "make a new client secret in the app registration (Certificates & secrets) and set "
                   "MICROSOFT_APP_PASSWORD; check MICROSOFT_APP_TYPE and MICROSOFT_APP_TENANT_ID")
