"""What mentorbot counts for Prometheus (``/metrics``), in every process that does the work.

Every metric here has labels, so that its values are made on first use: by then
:func:`share_between_processes` has chosen where they live. Under ``mentorbot serve`` with worker
processes, the serving process points ``PROMETHEUS_MULTIPROC_DIR`` at a folder of its own before
it starts them: each process writes its values to files there and ``/metrics`` adds them up
(prometheus-client's multiprocess mode), so a counter is right however many workers did the
counting, and a worker started again after a crash keeps what it had counted.

The figures that are a state of the database (the outbox by status and kind, the oldest due
message) are read from it when ``/metrics`` is asked (see :mod:`mentorbot.metrics_route`).
Nothing here carries a person's name, a message's text or an id of a person.
"""

from __future__ import annotations

import os
import re

from prometheus_client import Counter, Gauge, Histogram, values

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

INBOUND = Counter("mentorbot_inbound_events", "Events people sent, handed over after the acknowledgement",
                  ["platform", "kind"])
TURN_SECONDS = Histogram("mentorbot_turn_seconds", "Time to answer an inbound event (the core's turn)",
                         ["platform"], buckets=LATENCY)
ACK_SECONDS = Histogram("mentorbot_ack_seconds", "Time to answer an HTTP request (the acknowledgement)",
                        ["route"], buckets=LATENCY)
DELIVERIES = Counter("mentorbot_deliveries", "Outbox deliveries by result: sent, retried, or failed for good",
                     ["platform", "result", "reason"])
JOB_SECONDS = Histogram("mentorbot_cadence_job_seconds", "Duration of each run of a cadence job",
                        ["job"], buckets=(*LATENCY, 60.0, 300.0))
JOB_FAILURES = Counter("mentorbot_cadence_job_failures", "Runs of a cadence job that raised", ["job"])
DUE = Gauge("mentorbot_tick_due", "Subjects (pairs, circles, assignments) due at the last cadence tick",
            ["subject"], multiprocess_mode="livemostrecent")
FLAGS = Counter("mentorbot_flags_raised", "Flags raised for the program admins", ["kind"])
LEADER = Gauge("mentorbot_leader", "1 while this replica leads the cadence jobs (advisory lock)", ["lock"],
               multiprocess_mode="livemax")
DATABASE_ERRORS = Counter("mentorbot_database_errors", "Database errors (unreachable, timeouts, failed statements)",
                          ["kind"])

_SLUG = re.compile(r"[^a-z0-9]+")


def reason_label(error: str | None) -> str:
    """A delivery error as a short label: its code (``not_in_channel``, ``http_403``), or the words
    before any detail (``no address: person 7 ...`` gives ``no_address``)."""
    head = re.split(r"[:('\"]", error or "", maxsplit=1)[0]
    return _SLUG.sub("_", head.strip().lower()).strip("_")[:40] or "unknown"


def share_between_processes(directory: str) -> None:
    """Keep this process's values in ``directory``, with the other processes' (call it before any
    value is made; the worker processes it starts inherit it)."""
    os.environ[MULTIPROCESS_DIR] = directory
    values.ValueClass = values.get_value_class()


def shared() -> str | None:
    """The folder the processes share their values in, if they do."""
    return os.environ.get(MULTIPROCESS_DIR) or None


def process_gone(pid: int) -> None:
    """Forget the live gauges of a process that ended (a worker that died)."""
    if shared():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
