"""What the inbound benchmarks share: servers in processes of their own, an open-loop load,
and a throw-away PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import asyncpg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.kit

from tests.kit.serving import PLATFORM_SETTINGS, free_port  # noqa: E402

MENTORBOT = [str(ROOT / ".venv" / "bin" / "mentorbot"), "serve"]
Ready = Callable[[aiohttp.ClientSession, str], Awaitable[bool]]
Request = tuple[str, str]
"""(content type, body)."""

__all__ = ["MENTORBOT", "ROOT", "Ready", "cpu_seconds", "free_port", "healthy", "open_loop", "scratch_postgres",
           "served"]


async def healthy(session: aiohttp.ClientSession, base_url: str) -> bool:
    """mentorbot is up once /healthz says 200."""
    async with session.get(f"{base_url}/healthz") as response:
        return response.status == 200


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds ``pid`` has used so far (its own, not its children's)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@asynccontextmanager
async def served(command: list[str], env: dict[str, str], ready: Ready = healthy,
                 pids: list[int] | None = None) -> AsyncIterator[str]:
    """``command --port P`` in a process of its own (no platform settings inherited), once
    ``ready``; its base URL (its process id appended to ``pids``). Stopped with SIGTERM afterwards."""
    port = free_port()
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_SETTINGS)}
    process = subprocess.Popen([*command, "--port", str(port)], env={**inherited, **env}, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    if pids is not None:
        pids.append(process.pid)
    try:
        await _wait_until_ready(ready, base_url, command)
        yield base_url
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 10)  # the loop may serve what the process needs to stop


async def _wait_until_ready(ready: Ready, base_url: str, command: list[str]) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            try:
                if await ready(session, base_url):
                    return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"{' '.join(command)} did not come up")


async def open_loop(url: str, requests: Sequence[Request], rate: float,
                    headers: Callable[[str], dict[str, str]] = lambda body: {}) -> tuple[list[float], float, int]:
    """Send every request at ``rate`` per second whatever the answers (open loop): latencies
    from each request's due time to its answer, the elapsed time, and the failures (not 2xx).
    ``headers(body)`` adds headers made at send time (Slack's signature)."""
    latencies: list[float] = []
    failures = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        start = time.perf_counter()

        async def one(n: int, content_type: str, body: str) -> None:
            nonlocal failures
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            try:
                async with session.post(url, data=body, headers={"Content-Type": content_type, **headers(body)}) \
                        as response:
                    await response.read()
                    failures += not 200 <= response.status < 300
            except (aiohttp.ClientError, OSError):  # OSError covers TimeoutError
                failures += 1
                return
            latencies.append(time.perf_counter() - due)

        await asyncio.gather(*(one(n, content_type, body) for n, (content_type, body) in enumerate(requests)))
        elapsed = time.perf_counter() - start
    return latencies, elapsed, failures


@asynccontextmanager
async def scratch_postgres(server_url: str, keep: bool = False) -> AsyncIterator[str]:
    """A fresh PostgreSQL database on ``server_url`` for one run: its asyncpg URL; dropped afterwards
    (unless ``keep``: then it stays for a look, and its name is printed)."""
    name = f"mentorbot_bench_{uuid.uuid4().hex[:8]}"
    server = make_url(server_url).set(drivername="postgresql")
    admin = await asyncpg.connect(server.render_as_string(hide_password=False))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"kept database {name}")
        else:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()
