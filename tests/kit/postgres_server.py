"""A PostgreSQL server a test owns: a throw-away cluster on a free port, which the test may stop
and start again (never the shared server the rest of the suite uses).

Built with the machine's ``initdb`` and ``pg_ctl`` (``/usr/lib/postgresql/*/bin/``), run as the
``postgres`` system user when the tests run as root (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.kit.serving import free_port


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return found[-1] if found else shutil.which(name)


class OwnPostgres:
    """A cluster in ``folder`` on ``port``; :meth:`stop` and :meth:`start` it at will."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        initdb, self.pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if initdb is None or self.pg_ctl is None:
            raise FileNotFoundError("initdb and pg_ctl are needed (the postgresql server package)")
        self._user = "postgres" if os.geteuid() == 0 else None
        if self._user:
            account = pwd.getpwnam(self._user)
            os.chown(folder, account.pw_uid, account.pw_gid)
        self._run(initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    @property
    def url(self) -> str:
        """The URL of its ``mentorbot`` database."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/mentorbot"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.folder / "server.log"),
                  "-w", "-t", "60", "start")

    def stop(self) -> None:
        """Stop the server at once (connections are cut, as in an outage)."""
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def create_database(self) -> None:
        """Create the ``mentorbot`` database."""
        self._run(_bin("createdb") or "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                  "mentorbot")

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self._user, "--"] if self._user else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, cwd=self.folder, timeout=120)


@contextmanager
def own_postgres() -> Iterator[OwnPostgres]:
    """A started cluster with an empty ``mentorbot`` database, stopped and removed afterwards
    (in a folder of its own under /tmp, which the postgres user can reach)."""
    folder = Path(tempfile.mkdtemp(prefix="mentorbot-pg-", dir="/tmp"))
    try:
        server = OwnPostgres(folder)
        server.start()
        try:
            server.create_database()
            yield server
        finally:
            try:
                server.stop()
            except subprocess.CalledProcessError:
                pass  # already stopped
    finally:
        shutil.rmtree(folder, ignore_errors=True)
