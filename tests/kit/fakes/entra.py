"""Entra ID's token endpoint, played locally: the bot asks it for a token with its app id and
password (``MICROSOFT_LOGIN_URL`` points here). It records each request (the secret left out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.kit.fakes.local_http import serve_locally


@dataclass
class FakeEntra:
    """``async with FakeEntra({app_id: password}) as entra:`` on 127.0.0.1; ``entra.url`` is the login URL."""

    apps: dict[str, str]
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """What ``MICROSOFT_LOGIN_URL`` is set to."""
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> FakeEntra:
        app = web.Application()
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        self._runner, self.port = await serve_locally(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.requests.append({"tenant": request.match_info["tenant"], "client_id": form.get("client_id"),
                              "grant_type": form.get("grant_type"), "scope": form.get("scope")})
        if self.apps.get(str(form.get("client_id"))) != form.get("client_secret"):
            return web.json_response({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid "
                                      "client secret provided."}, status=401)
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "access_token": "token-from-fake-entra"})
