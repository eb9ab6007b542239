"""``/metrics`` in Prometheus' text format, behind a bearer token (``METRICS_TOKEN``).

Without the setting the route does not exist (404): the figures say how busy the organisation
is, which is nobody's business by default. With it, a request without
``Authorization: Bearer <METRICS_TOKEN>`` gets 401. The counters come from every process of this
replica (see :mod:`bot.metrics`); the outbox's state is read from the database at each scrape.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterable
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import event, func, select

from bot import metrics
from storage.db import Database, unreachable
from storage.enums import NudgeStatus
from storage.models import Nudge

log = logging.getLogger(__name__)

OPEN = (NudgeStatus.PENDING, NudgeStatus.CLAIMED)


class OutboxState(Collector):
    """The outbox as the database holds it at the scrape: open rows by status and kind, and how
    long the oldest due row has waited."""

    def __init__(self, rows: Iterable[tuple[str, str, int]], oldest_due_seconds: float) -> None:
        self.rows = list(rows)
        self.oldest = oldest_due_seconds

    def collect(self) -> Iterable[GaugeMetricFamily]:
        """The two gauges."""
        rows = GaugeMetricFamily("mentorbot_outbox_rows", "Outbox rows waiting to go out, by status and kind",
                                 labels=["status", "kind"])
        for status, kind, count in self.rows:
            rows.add_metric([status, kind], count)
        yield rows
        yield GaugeMetricFamily("mentorbot_outbox_oldest_due_seconds",
                                "How long the oldest due outbox row has waited (0: none is due)", value=self.oldest)


async def outbox_state(db: Database, now: datetime) -> OutboxState:
    """Read the outbox's open rows (an indexed count: final rows are not scanned)."""
    async with db.transaction() as session:
        counts = await session.execute(select(Nudge.status, Nudge.kind, func.count())
                                       .where(Nudge.status.in_(OPEN)).group_by(Nudge.status, Nudge.kind))
        oldest = await session.scalar(select(func.min(Nudge.due_at))
                                      .where(Nudge.status == NudgeStatus.PENDING, Nudge.due_at <= now))
    waited = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return OutboxState([(str(status), str(kind), int(count)) for status, kind, count in counts], waited)


def exposition(extra: Collector | None = None) -> bytes:
    """Every process's figures (their shared folder, or this process's registry), then ``extra``."""
    directory = metrics.shared()
    if directory:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    if extra is not None:
        own = CollectorRegistry()
        own.register(extra)
        text += generate_latest(own)
    return text


def add_metrics_route(app: web.Application, db: Database, token: str | None) -> None:
    """Serve ``/metrics`` when ``token`` is set."""
    if not token:
        return
    expected = f"Bearer {token}".encode()

    async def serve_metrics(request: web.Request) -> web.Response:
        offered = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(offered, expected):
            log.warning("refused /metrics without the right bearer token from %s", request.remote)
            return web.Response(status=401, text="401: Authorization: Bearer <METRICS_TOKEN> is needed.",
                                headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        try:
            state: Collector | None = await outbox_state(db, datetime.now(UTC))
        except Exception as problem:  # noqa: BLE001 - the process figures are still worth serving
            log.warning("metrics: the outbox could not be read: %s", type(problem).__name__)
            state = None
        return web.Response(body=exposition(state), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/metrics", serve_metrics)


def watch_database(db: Database) -> None:
    """Count ``db``'s errors in ``mentorbot_database_errors`` (unreachable, or a failed statement)."""
    def count(context: object) -> None:
        error = getattr(context, "original_exception", None)
        kind = "unreachable" if error is not None and unreachable(error) else "statement"
        metrics.DATABASE_ERRORS.labels(kind).inc()

    if not event.contains(db.engine.sync_engine, "handle_error", count):
        event.listen(db.engine.sync_engine, "handle_error", count)
