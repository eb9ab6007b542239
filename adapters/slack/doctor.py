"""``mentorbot doctor``'s Slack checks: each token answers ``auth.test`` and was granted the
scopes of the app's manifest; nothing is changed."""

from __future__ import annotations

from typing import Any

import aiohttp
from sqlalchemy import MetaData, Table, select

from adapters.platform import Checkup, Finding, secret
from adapters.slack.app import BOT_SCOPES
from adapters.slack.settings import SlackSettings

MOST_WORKSPACES = 20
"""How many installed workspaces are checked (the newest first)."""
MANIFEST_FIX = ("add the missing scopes to the app (OAuth & Permissions, or from adapters/slack/manifest.yaml) "
                "and reinstall it in the workspace")


async def check_slack(settings: SlackSettings, checkup: Checkup) -> list[Finding]:
    """What is right and wrong with the Slack settings."""
    given = [name for name in ("slack_bot_token", "slack_signing_secret", "slack_client_id", "slack_client_secret")
             if getattr(settings, name)]
    if not given:
        return [Finding("Slack", True, "not configured (no SLACK_* setting): skipped")]
    findings: list[Finding] = []
    if not settings.slack_signing_secret:
        findings.append(Finding("Slack signing secret", False, "SLACK_SIGNING_SECRET is not set",
                                "copy it from the app's Basic Information page"))
    else:
        findings.append(Finding("Slack signing secret", True, "set"))
    oauth = bool(settings.slack_client_id and settings.slack_client_secret)
    if oauth:
        tokens = await _installed_tokens(checkup, settings.slack_client_id or "")
        if not tokens:
            findings.append(Finding("Slack installations", False, "the app is installed in no workspace yet",
                                    "open PUBLIC_URL/slack/install in a browser and install it", warning=True))
    elif settings.slack_bot_token:
        tokens = [("SLACK_BOT_TOKEN", secret(settings.slack_bot_token) or "")]
    else:
        findings.append(Finding("Slack token", False, "neither SLACK_BOT_TOKEN nor both SLACK_CLIENT_ID and "
                                "SLACK_CLIENT_SECRET are set", "set the bot token (xoxb-...) of the workspace"))
        tokens = []
    for label, token in tokens:
        findings += await _check_token(checkup, settings.slack_api_url, label, token)
    return findings


async def _check_token(checkup: Checkup, api_url: str, label: str, token: str) -> list[Finding]:
    try:
        async with checkup.http.post(f"{api_url}auth.test", headers={"Authorization": f"Bearer {token}"}) as answer:
            found = await answer.json(content_type=None)
            body: dict[str, Any] = found if isinstance(found, dict) else {}
            granted = {scope.strip() for scope in answer.headers.get("x-oauth-scopes", "").split(",") if scope.strip()}
    except (aiohttp.ClientError, TimeoutError, ValueError) as problem:
        return [Finding(f"Slack API ({label})", False, f"no answer from {api_url} ({type(problem).__name__})",
                        "check SLACK_API_URL and that this server can reach Slack (proxy, firewall)")]
    if not body.get("ok"):
        return [Finding(f"Slack token ({label})", False, f"auth.test refused it ({body.get('error', 'no error given')})",
                        "reinstall the app in the workspace and set the new bot token")]
    team = body.get("team") or body.get("enterprise_id") or "?"
    found = [Finding(f"Slack token ({label})", True, f"valid for workspace {team} (bot {body.get('user', '?')})")]
    missing = [scope for scope in BOT_SCOPES if scope not in granted]
    if missing:
        found.append(Finding(f"Slack scopes ({team})", False, f"not granted: {', '.join(missing)}", MANIFEST_FIX))
    else:
        found.append(Finding(f"Slack scopes ({team})", True, "every scope of the manifest is granted"))
    return found


async def _installed_tokens(checkup: Checkup, client_id: str) -> list[tuple[str, str]]:
    """The bot tokens of the workspaces the app is installed in (slack_sdk's installation store)."""
    async with checkup.engine.connect() as connection:
        bots = await connection.run_sync(lambda sync: Table("slack_bots", MetaData(), autoload_with=sync))
        rows = await connection.execute(
            select(bots.c.team_id, bots.c.enterprise_id, bots.c.bot_token)
            .where(bots.c.client_id == client_id, bots.c.bot_token.is_not(None))
            .order_by(bots.c.installed_at.desc()).limit(MOST_WORKSPACES))
        return [(f"workspace {team or enterprise}", token) for team, enterprise, token in rows.all()]
