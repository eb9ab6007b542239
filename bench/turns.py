"""How long the core takes to answer one turn, on SQLite and on PostgreSQL.

    .venv/bin/python bench/turns.py [--people 200] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Each simulated person opens the chat, joins and answers every onboarding question (about
20 turns each), people interleaved, one turn at a time. Prints turns per second and the
p50 / p99 latency of a turn. No platform, no network: this is the floor under the
Slack and Teams figures.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from adapters.slack import SLACK
from bot.engine import MentorBot
from bot.messages import Address, Inbound
from storage.db import Database
from storage.migrate import upgrade

ANSWERS: list[tuple[str, object]] = [
    ("text", "/mentoring join"),
    ("form", ("onboarding.role", {"role": "mentee"})),
    ("action", ("onboarding.reversal", "ok")),
    ("action", ("onboarding.confidentiality", "accept")),
    ("form", ("onboarding.about", {"level": "5", "department": "Finance", "manager": ""})),
    ("form", ("onboarding.topics", {"topics": ["Video meetings"], "topics_free_text": ""})),
    ("form", ("onboarding.style", {"style": "direct", "formats": ["one-to-one"], "location": "remote"})),
    ("form", ("onboarding.availability", {"timezone": "Europe/Brussels", "hours": "09:00-17:00", "languages": ["en"]})),
    ("action", ("onboarding.review", "confirm")),
    ("text", "/mentoring profile"),
    ("text", "/mentoring help"),
]


def _event(address: Address, kind: str, payload: object) -> Inbound:
    if kind == "text":
        return Inbound.typed(address, str(payload))
    form_or_action, value = payload  # type: ignore[misc]
    if kind == "form":
        return Inbound.submitted(address, form_or_action, value)
    return Inbound.pressed(address, form_or_action, value)


async def run(url: str, people: int) -> None:
    db = Database(url)
    await upgrade(db)
    bot = MentorBot(db)
    admin = Address(SLACK, "T1", "admin")
    await bot.handle(Inbound.typed(admin, '/mentoring program create "Bench"'))
    latencies: list[float] = []
    started = time.perf_counter()
    for kind, payload in ANSWERS:
        for n in range(people):
            event = _event(Address(SLACK, "T1", f"U{n}"), kind, payload)
            t0 = time.perf_counter()
            replies = await bot.handle(event)
            latencies.append(time.perf_counter() - t0)
            assert "went wrong" not in replies[0].text, replies[0].text
    elapsed = time.perf_counter() - started
    await db.close()
    cuts = statistics.quantiles(latencies, n=100)
    print(f"{db.dialect:10} {len(latencies):6} turns  {len(latencies) / elapsed:7.0f} turns/s  "
          f"p50 {cuts[49] * 1000:6.1f} ms  p99 {cuts[98] * 1000:6.1f} ms")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        await run(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}", args.people)
    name = f"mentorbot_bench_{uuid.uuid4().hex[:8]}"
    server = make_url(args.postgres).set(drivername="postgresql")
    admin = await asyncpg.connect(server.render_as_string(hide_password=False))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        await run(server.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False),
                  args.people)
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
