"""How long the server worked on a request, sent back as a ``Server-Timing`` header.

With ``SOCIAPARIS_SERVER_TIMING=true`` every response says, in the standard
header browsers' developer tools show (``Server-Timing: app;dur=3.1,
db;dur=0.8, lock;dur=0.0, flush;dur=0.0``), how many milliseconds passed
between the request reaching the application and its response's headers
leaving it (``app``), how many of those the respondent pages spent in
:class:`~sociaparis.web.database.DatabaseRunner` work, waits included
(``db``), how many of those were spent waiting for a lock (``lock``: the
runner's sleeps between two tries at locked work, a write's wait for the
write lock) and how many a write waited for its group's commit to reach the
disk (``flush``). On SQLite the rest of ``db`` holds up the worker's other
requests; a lock wait or a flush does not. A load test compares them with
the latency its client saw: what the client waited beyond ``app`` was spent
outside the application (the worker's event loop busy with other requests,
the network, the client itself). Off by default: it tells every client how
long the server took.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.types import Message, Send


@dataclass(slots=True)
class RequestTiming:
    """What one request spent, in seconds (filled while it runs)."""

    started: float
    database: float = 0.0
    lock: float = 0.0
    flush: float = 0.0

    def header(self, now: float) -> bytes:
        """The ``Server-Timing`` value at ``now`` (milliseconds, 0.1 ms steps).

        Examples
        --------
        >>> RequestTiming(started=1.0, database=0.0024, lock=0.002).header(1.0031)
        b'app;dur=3.1, db;dur=2.4, lock;dur=2.0, flush;dur=0.0'
        """
        app = (now - self.started) * 1000
        database, lock = self.database * 1000, self.lock * 1000
        return (
            f"app;dur={app:.1f}, db;dur={database:.1f}, lock;dur={lock:.1f}, "
            f"flush;dur={self.flush * 1000:.1f}"
        ).encode()


#: The timing of the request being served (None when timing is off).
CURRENT: ContextVar[RequestTiming | None] = ContextVar("request_timing", default=None)


def add_database_time(seconds: float) -> None:
    """Count ``seconds`` of database work (waits included) to the current request."""
    timing = CURRENT.get()
    if timing is not None:
        timing.database += seconds


def add_lock_wait(seconds: float) -> None:
    """Count ``seconds`` slept waiting for a lock to the current request."""
    timing = CURRENT.get()
    if timing is not None:
        timing.lock += seconds


def with_server_timing(send: Send) -> Send:
    """Time the request from now and wrap ``send`` to add its ``Server-Timing``.

    The header is written when the response starts, so that a streamed body
    (an export download) counts until its first byte only.
    """
    timing = RequestTiming(started=time.perf_counter())
    CURRENT.set(timing)

    async def send_with_timing(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            headers.append((b"server-timing", timing.header(time.perf_counter())))
            message["headers"] = headers
        await send(message)

    return send_with_timing
