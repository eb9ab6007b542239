"""botbuilder's authentication, with the clients it builds for each activity kept and reused.

For every activity, botbuilder's CloudAdapter asks for a new Bot Connector client and a new
user-token client. Building one costs milliseconds of CPU (msrest sets up a retry policy by
scanning a list of some 500 status codes for each of 999 codes), more than the rest of the
request. This wrapper validates exactly as botbuilder does and hands out one client per
service URL and audience (one user-token client per app id) for the life of the process.
Those clients also go without msrest's own retries: the delivery retries, paced and counted.
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.skills import BotFrameworkClient

CONNECTOR_TIMEOUT = 15
"""Seconds one request to the Bot Connector may take."""


class _ReusedConnectors(ConnectorFactory):
    """One connector client per (service URL, audience), made by botbuilder's own factory."""

    def __init__(self, factory: ConnectorFactory) -> None:
        self._factory = factory
        self._clients: dict[tuple[str, str | None], ConnectorClient] = {}

    async def create(self, service_url: str, audience: str | None) -> ConnectorClient:
        client = self._clients.get((service_url, audience))
        if client is None:
            client = await self._factory.create(service_url, audience)
            client.config.retry_policy.retries = 0
            client.config.connection.timeout = CONNECTOR_TIMEOUT
            self._clients[(service_url, audience)] = client
        return client

    async def close(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.__aexit__(None, None, None)  # closes its HTTP session


class ReusingAuthentication(BotFrameworkAuthentication):
    """``inner`` (botbuilder's ConfigurationBotFrameworkAuthentication), its clients reused."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._connectors: dict[str, _ReusedConnectors] = {}
        self._user_tokens: dict[str, UserTokenClient] = {}

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        result.connector_factory = self._reused(result.claims_identity, result.connector_factory)
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._reused(claims_identity, None)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        key = _app_id(claims_identity)
        client = self._user_tokens.get(key)
        if client is None:
            client = self._user_tokens[key] = await self._inner.create_user_token_client(claims_identity)
        return client

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> Any:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        """Close every connector client handed out."""
        for connectors in self._connectors.values():
            await connectors.close()

    def _reused(self, claims: ClaimsIdentity, made: ConnectorFactory | None) -> _ReusedConnectors:
        key = _app_id(claims)
        reused = self._connectors.get(key)
        if reused is None:
            reused = self._connectors[key] = _ReusedConnectors(made or self._inner.create_connector_factory(claims))
        return reused


def _app_id(claims: ClaimsIdentity) -> str:
    values = claims.claims if claims is not None else {}
    return str(values.get("appid") or values.get("azp") or values.get("aud") or "")
