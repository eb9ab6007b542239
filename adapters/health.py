"""What an edge says about itself on ``/healthz`` and ``/readyz``.

An edge that holds something the server's health depends on beyond the database (Slack's Socket
Mode connection) adds a named check to the aiohttp application it serves from, in its
``add_routes``; the server (:mod:`mentorbot.server`) reports every check on ``/healthz`` and
answers ``/readyz`` 503 while one of them is not ready.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web


@dataclass(frozen=True)
class Health:
    """A check's answer: ``state`` as reported (a word, such as ``connected``), and whether the
    server is ready to take work as far as this check goes."""

    state: str
    ready: bool


HealthCheck = Callable[[], Health]
"""Asked on each ``/healthz`` and ``/readyz`` request: cheap, from memory."""

HEALTH_CHECKS: web.AppKey[dict[str, HealthCheck]] = web.AppKey("health_checks", dict)


def add_health_check(web_app: web.Application, name: str, check: HealthCheck) -> None:
    """Report ``check`` as ``name`` on ``/healthz`` and ``/readyz`` of ``web_app``."""
    if HEALTH_CHECKS not in web_app:
        web_app[HEALTH_CHECKS] = {}
    web_app[HEALTH_CHECKS][name] = check


def health_checks(web_app: web.Application) -> dict[str, HealthCheck]:
    """The checks the edges of ``web_app`` added, by name."""
    return web_app.get(HEALTH_CHECKS, {})
