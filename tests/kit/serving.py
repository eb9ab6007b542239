"""`mentorbot serve` as operators run it: a real process on a free port, configured by environment."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

MENTORBOT = [sys.executable, "-m", "mentorbot.cli"]
PLATFORM_SETTINGS = ("SLACK_", "MICROSOFT_", "TEAMS_", "DATABASE_URL")


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    """A running ``mentorbot serve``; ``log`` holds its stderr once it has stopped."""

    url: str
    process: asyncio.subprocess.Process
    log: str = ""

    async def stop(self) -> int:
        """SIGTERM, then wait: the exit status."""
        self.process.terminate()
        _, errors = await asyncio.wait_for(self.process.communicate(), 15)
        self.log = errors.decode()
        return self.process.returncode or 0


@asynccontextmanager
async def mentorbot_serve(cwd: Path, **settings: str) -> AsyncIterator[Served]:
    """``mentorbot serve`` in ``cwd`` (its SQLite file there) with only ``settings`` for platforms,
    once ``/healthz`` answers; killed afterwards if the test did not stop it."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_SETTINGS)}
    environment.update(settings)
    process = await asyncio.create_subprocess_exec(
        *MENTORBOT, "serve", "--host", "127.0.0.1", "--port", str(port), cwd=cwd, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    served = Served(f"http://127.0.0.1:{port}", process)
    try:
        await _healthy(served)
        yield served
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _healthy(served: Served) -> None:
    # Up to 90 s: on a machine shared with other work, migrating and starting the worker
    # processes has taken more than 30 s. A server that cannot start says so at once (below).
    async with aiohttp.ClientSession() as session:
        for _ in range(450):
            try:
                async with session.get(f"{served.url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if served.process.returncode is not None:
                _, errors = await served.process.communicate()
                raise AssertionError(f"mentorbot serve stopped: {errors.decode()}")
            await asyncio.sleep(0.2)
    raise AssertionError("mentorbot serve did not come up")
