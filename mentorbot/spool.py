"""A durable list of the messages people sent that the database has not taken yet.

Before ``mentorbot serve`` acknowledges a message Slack or Teams will not send again (an
Events API delivery, a Teams message), its job is written here (a local SQLite file, in WAL
mode: one small write, no fsync per commit, survives the process being killed); it is
removed once the database took it. While the database is unreachable the entries stay, and
after a restart they are taken up again, oldest first (their event ids keep each from taking
effect twice).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from pathlib import Path

from adapters.jobs import Job

log = logging.getLogger(__name__)


class Spool:
    """The spool file at ``path`` (created when missing)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=5)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                         "accepted_at REAL NOT NULL, job TEXT NOT NULL)")

    def add(self, job: Job) -> int:
        """Keep ``job``; its entry id."""
        with self._lock:
            cursor = self._db.execute("INSERT INTO jobs (accepted_at, job) VALUES (?, ?)",
                                      (time.time(), json.dumps(job.as_dict())))
            return int(cursor.lastrowid or 0)

    def remove(self, entry: int) -> None:
        """Forget an entry that went through."""
        with self._lock:
            self._db.execute("DELETE FROM jobs WHERE id = ?", (entry,))

    def pending(self) -> list[tuple[int, Job]]:
        """The entries kept, oldest first; an unreadable one is logged and dropped."""
        with self._lock:
            rows = self._db.execute("SELECT id, job FROM jobs ORDER BY id").fetchall()
        found = []
        for entry, raw in rows:
            try:
                found.append((int(entry), Job.from_dict(json.loads(raw))))
            except (ValueError, KeyError, TypeError):
                log.error("dropped an unreadable entry %s of the spool %s", entry, self.path)
                self.remove(int(entry))
        return found

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()
