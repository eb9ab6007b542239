"""Microsoft's token services, played locally for the Teams authentication tests.

:class:`FakeTokenIssuer` is the Bot Framework's issuer: an OpenID configuration and signing
keys endorsed for ``msteams``, served from a thread of its own (botbuilder fetches them with
blocking ``requests`` calls from the event loop), and :meth:`FakeTokenIssuer.token` signs
tokens the way the Bot Connector does. :class:`FakeEntraCredentials` stands in for Entra ID,
which gives the bot its own token for calling the connector.
"""

from __future__ import annotations

import json
import threading
import time
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from botframework.connector.auth import AppCredentials, ServiceClientCredentialsFactory
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://api.botframework.com"
KEY_ID = "fake-issuer-key"
BOT_TOKEN = "bot-token-from-fake-entra"


@cache
def _signing_key() -> rsa.RSAPrivateKey:
    """The issuer's RSA key: made once per process (each takes a noticeable moment to generate)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeTokenIssuer:
    """``with FakeTokenIssuer() as issuer:`` serves the OpenID configuration and keys on 127.0.0.1."""

    def __init__(self) -> None:
        self.key = _signing_key()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        # serve_forever checks for shutdown every poll_interval: 0.5 s by default, paid by every test.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    @property
    def openid_url(self) -> str:
        """Where the bot reads the issuer's OpenID configuration."""
        return f"http://127.0.0.1:{self._server.server_port}/v1/.well-known/openidconfiguration"

    def token(self, app_id: str, service_url: str, expires_in: int = 3600, issuer: str = ISSUER,
              key: Any = None) -> str:
        """A Bot Framework token for ``app_id`` (signed with another ``key`` to forge one)."""
        now = int(time.time())
        claims = {"iss": issuer, "aud": app_id, "serviceurl": service_url, "nbf": now - 60, "iat": now - 60,
                  "exp": now + expires_in}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": KEY_ID})

    def __enter__(self) -> FakeTokenIssuer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _documents(self) -> dict[str, Any]:
        base = f"http://127.0.0.1:{self._server.server_port}"
        key = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        key.update(kid=KEY_ID, use="sig", endorsements=["msteams", "webchat", "emulator"])
        return {"/v1/.well-known/openidconfiguration": {"issuer": ISSUER, "jwks_uri": f"{base}/v1/keys",
                                                         "id_token_signing_alg_values_supported": ["RS256"]},
                "/v1/keys": {"keys": [key]}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                document = issuer._documents().get(self.path)
                body = json.dumps(document).encode()
                self.send_response(200 if document else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


class _FixedToken(AppCredentials):
    def get_access_token(self, force_refresh: bool = False) -> str:
        return BOT_TOKEN


class FakeEntraCredentials(ServiceClientCredentialsFactory):
    """The bot's own credentials, as Entra ID would give them to app ``app_id``."""

    def __init__(self, app_id: str) -> None:
        self.app_id = app_id

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == self.app_id

    async def is_authentication_disabled(self) -> bool:
        return False

    async def create_credentials(self, app_id: str, oauth_scope: str, login_endpoint: str,
                                 validate_authority: bool) -> AppCredentials:
        return _FixedToken(app_id=app_id, oauth_scope=oauth_scope)
