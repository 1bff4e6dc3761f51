"""Load-generation helpers for the fielding benchmark and the crash test.

* :class:`Connection`: a minimal HTTP/1.1 keep-alive client on asyncio streams (a
  few tens of microseconds of client CPU a request, so that on a 2-core machine
  the load generator takes as little as possible from the server it measures).
* :class:`Respondent`: one simulated respondent who follows redirects as a
  browser does, reads each questionnaire page's form and answers it from a
  prepared set of valid answers, sometimes goes back a page and sometimes sends
  an invalid page first; it records every page the server acknowledged (a 303
  after a POST) so that the database can be checked afterwards
  (:func:`check_response`).
* :func:`start_server` / :func:`stop_server`: a server subprocess in its own
  process group (so that SIGKILL reaches uvicorn's workers too).
* :data:`hello_app`: a bare ASGI hello-world page, the ceiling the benchmark
  compares with.

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import html
import os
import random
import re
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

HOST = "127.0.0.1"
MAX_STEPS = 400  # page submissions per respondent, whatever happens
MAX_REDIRECTS = 5
INVALID_NUMBER = "999999"
IDLE_LIMIT = 3.0  # seconds; uvicorn closes idle keep-alive connections after 5

# -- HTTP ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP response: status, lower-cased headers, body, and the URL it answers."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str = ""

    @property
    def path(self) -> str:
        """The requested path without its query."""
        return self.url.partition("?")[0]

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        """The redirect target as a path (the host part dropped)."""
        target = self.headers.get("location", "")
        return re.sub(r"^https?://[^/]+", "", target)


class Connection:
    """One keep-alive HTTP/1.1 connection to ``127.0.0.1:port``.

    A GET on a connection the server closed meanwhile is sent again once on a
    new connection; a POST never is (the caller must know whether it arrived).
    """

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port = port
        self.timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._used = 0.0

    async def _open(self) -> None:
        self._reader, self._writer = await asyncio.wait_for(
            asyncio.open_connection(HOST, self.port), self.timeout
        )

    async def close(self) -> None:
        """Close the connection (no error if it is already closed)."""
        if self._writer is not None:
            self._writer.close()
            try:
                await self._writer.wait_closed()
            except OSError:
                pass
        self._reader = self._writer = None

    async def request(
        self, method: str, path: str, form: Sequence[tuple[str, str]] | None = None
    ) -> Reply:
        """Send one request and read its response.

        Raises
        ------
        ConnectionError
            The server could not be reached or closed the connection.
        TimeoutError
            No complete response within the connection's timeout.
        """
        body = urlencode(list(form)).encode() if form is not None else b""
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
        if form is not None:
            head += (
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n"
            )
        payload = head.encode() + b"\r\n" + body
        attempts = 2 if method == "GET" else 1
        if self._writer is not None and time.monotonic() - self._used > IDLE_LIMIT:
            await self.close()  # the server may be closing it: never risk a POST on it
        for attempt in range(attempts):
            reused = self._writer is not None
            try:
                if self._writer is None:
                    await self._open()
                # asyncio.timeout, unlike wait_for, makes no task a request.
                async with asyncio.timeout(self.timeout):
                    reply = await self._exchange(payload)
                self._used = time.monotonic()
                return Reply(reply.status, reply.headers, reply.body, path)
            except (ConnectionError, asyncio.IncompleteReadError, OSError) as exc:
                await self.close()
                if not reused or attempt == attempts - 1:
                    raise ConnectionError(str(exc) or type(exc).__name__) from exc
            except TimeoutError:
                await self.close()
                raise
        raise ConnectionError("unreachable")  # pragma: no cover - loop always returns

    async def _exchange(self, payload: bytes) -> Reply:
        assert self._reader is not None and self._writer is not None  # noqa: S101
        self._writer.write(payload)
        await self._writer.drain()
        raw = await self._reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self._reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        else:
            body = await self._reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Reply(status, headers, body)

    async def _chunked(self) -> bytes:
        assert self._reader is not None  # noqa: S101
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            await self._reader.readexactly(2)


# -- statistics ------------------------------------------------------------------------


@dataclass(slots=True)
class Tally:
    """What a load run measured (shared by every simulated client)."""

    requests: int = 0
    request_ms: list[float] = field(default_factory=list)
    pages: int = 0
    page_ms: list[float] = field(default_factory=list)
    completed: int = 0
    refused: int = 0  # 422 pages (invalid answers sent on purpose)
    backs: int = 0
    errors: list[str] = field(default_factory=list)
    #: per request that carried a ``Server-Timing`` header: the client's
    #: milliseconds, the application's, its database work's less its waits
    #: for a lock and for a commit's flush (what held the server's event loop
    #: on SQLite), and those two waits (:mod:`sociaparis.web.timing`)
    timings: list[tuple[float, float, float, float, float]] = field(default_factory=list)
    #: milliseconds the load generator's event loop woke late (:func:`watch_loop`)
    loop_lag_ms: list[float] = field(default_factory=list)

    def error(self, message: str) -> None:
        """Record an unexpected event (kept to the first 50 messages)."""
        if len(self.errors) < 50:
            self.errors.append(message)
        else:
            self.errors[-1] = f"... and more ({message})"


def at_least_one(text: str) -> int:
    """An ``argparse`` type: a whole number of at least 1."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"at least 1, got {number}")
    return number


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


async def timed(tally: Tally, connection: Connection, method: str, path: str, form=None):
    """One request, counted in ``tally`` with its latency."""
    start = time.perf_counter()
    reply = await connection.request(method, path, form)
    elapsed = (time.perf_counter() - start) * 1000
    tally.requests += 1
    tally.request_ms.append(elapsed)
    found = _SERVER_TIMING.match(reply.headers.get("server-timing", ""))
    if found is not None:
        app, database, lock, flush = (float(part) for part in found.groups())
        tally.timings.append((elapsed, app, database - lock - flush, lock, flush))
    return reply


async def watch_loop(tally: Tally, deadline: float, every: float = 0.01) -> None:
    """Until ``deadline`` (``time.monotonic``), record how late this event loop
    wakes from a sleep of ``every`` seconds: the time a reply waits on the
    client's side before its latency is taken, which the latencies include."""
    while (now := time.monotonic()) < deadline:
        await asyncio.sleep(every)
        tally.loop_lag_ms.append(max(0.0, (time.monotonic() - now - every) * 1000))


@contextmanager
def collector_pauses() -> Iterator[list[tuple[int, float]]]:
    """Record this process's garbage collections while the block runs: a list
    of (generation, milliseconds), filled as they happen. A full collection
    stops the load generator's event loop as a stall would."""
    pauses: list[tuple[int, float]] = []
    started = 0.0

    def watch(phase: str, info: dict[str, int]) -> None:
        nonlocal started
        if phase == "start":
            started = time.perf_counter()
        else:
            pauses.append((info["generation"], (time.perf_counter() - started) * 1000))

    gc.callbacks.append(watch)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(watch)


_SERVER_TIMING = re.compile(
    r"app;dur=([0-9.]+), db;dur=([0-9.]+), lock;dur=([0-9.]+), flush;dur=([0-9.]+)"
)


def where_time_went(
    timings: Sequence[tuple[float, float, float, float, float]],
) -> dict[str, float]:
    """Where the requests' milliseconds went, from their ``Server-Timing``.

    ``outside`` is what the client waited beyond the application's time (the
    server's event loop busy with other requests, the network, the client).
    Gives the 99th percentile of each part, the median of each part over the
    slowest 1 % of requests (client time at or above its 99th percentile), the
    longest application and database times, how many requests took the
    application over 20 ms, and the median and 99th percentile of the saved
    pages' waits for the write lock and for their commit's flush (the requests
    that waited for a flush); empty when no request carried the header.
    """
    if not timings:
        return {}
    client = [t[0] for t in timings]
    app = [t[1] for t in timings]
    database = [t[2] for t in timings]
    outside = [max(0.0, t[0] - t[1]) for t in timings]
    cut = percentile(client, 99)
    slow = [n for n, value in enumerate(client) if value >= cut]
    saved = [t for t in timings if t[4] > 0]
    return {
        "app_p99_ms": round(percentile(app, 99), 1),
        "db_p99_ms": round(percentile(database, 99), 1),
        "outside_p99_ms": round(percentile(outside, 99), 1),
        "slowest_app_ms": round(percentile([app[n] for n in slow], 50), 1),
        "slowest_db_ms": round(percentile([database[n] for n in slow], 50), 1),
        "slowest_outside_ms": round(percentile([outside[n] for n in slow], 50), 1),
        "app_max_ms": round(max(app), 1),
        "db_max_ms": round(max(database), 1),
        "app_over_20ms": sum(1 for value in app if value > 20),
        "saved_lock_p50_ms": round(percentile([t[3] for t in saved], 50), 1),
        "saved_lock_p99_ms": round(percentile([t[3] for t in saved], 99), 1),
        "saved_flush_p50_ms": round(percentile([t[4] for t in saved], 50), 1),
        "saved_flush_p99_ms": round(percentile([t[4] for t in saved], 99), 1),
    }


# -- reading a page's form -------------------------------------------------------------

# The server writes its tags and attributes in lower case, attribute values in
# double quotes with any quote inside escaped: a scan for ' name="' in a tag finds
# only the name attribute (far cheaper than splitting every attribute; the load
# generator shares the server's two cores).
_CONTROL = re.compile(r"<(input|select|textarea)\b[^>]*>")
_ACTION = re.compile(r'<button[^>]*name="_action"[^>]*value="([^"]*)"')
_DISABLED = re.compile(r" disabled(?=[\s>])")


def _unescape(value: str) -> str:
    return html.unescape(value) if "&" in value else value


def _attribute(tag: str, name: str) -> str | None:
    """The value of attribute ``name`` in the start tag ``tag`` (None if absent)."""
    start = tag.find(f' {name}="')
    if start < 0:
        return None
    start += len(name) + 3
    return _unescape(tag[start : tag.index('"', start)])


@dataclass(slots=True)
class FormField:
    """One named control of a page: its kind, offered values and whether required."""

    name: str
    kind: str
    values: list[str] = field(default_factory=list)
    required: bool = False
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class PageForm:
    """The form of a questionnaire page as a browser sees it."""

    hidden: dict[str, str]
    fields: dict[str, FormField]
    actions: tuple[str, ...]


def read_form(page: str) -> PageForm:
    """The hidden values, answer controls and submit actions of ``page``'s form."""
    hidden: dict[str, str] = {}
    fields: dict[str, FormField] = {}
    for match in _CONTROL.finditer(page):
        tag = match.group(0)
        name = _attribute(tag, "name")
        if not name:
            continue
        if _DISABLED.search(tag):
            continue  # a question that is not relevant, kept for live logic: not sent
        element = match.group(1)
        kind = (_attribute(tag, "type") or "text") if element == "input" else element
        if kind == "hidden":
            hidden[name] = _attribute(tag, "value") or ""
            continue
        control = fields.get(name)
        if control is None:
            control = fields[name] = FormField(name, kind)
        if kind in {"radio", "checkbox"}:
            value = _attribute(tag, "value")
            control.values.append("on" if value is None else value)
        control.required = control.required or ' aria-required="true"' in tag
        control.numeric = control.numeric or " inputmode=" in tag
    actions = tuple(_unescape(value) for value in _ACTION.findall(page))
    return PageForm(hidden, fields, actions)


def _wanted(answers: Mapping[str, Any], page_name: str, name: str) -> str | None:
    base, _, instance = name.rpartition(".")
    if base and instance.isdigit():
        rows = answers.get(page_name)
        if not isinstance(rows, list) or int(instance) > len(rows):
            return None
        value = rows[int(instance) - 1].get(base)
    else:
        value = answers.get(name)
    return None if value is None else str(value)


def fill_form(
    form: PageForm, answers: Mapping[str, Any], page_name: str
) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The pairs a browser would send with ``answers`` typed in, and what each means.

    Returns
    -------
    pairs
        Field name and value pairs (a checkbox group repeats its name).
    meant
        For every answer control: the value the server should store (text
        trimmed, a checkbox group's chosen values joined by spaces, ``""`` when
        nothing is chosen).
    """
    pairs: list[tuple[str, str]] = []
    meant: dict[str, str] = {}
    for name, control in form.fields.items():
        value = _wanted(answers, page_name, name) or ""
        if control.kind == "checkbox":
            chosen = [v for v in value.split() if v in control.values]
            pairs.extend((name, v) for v in chosen)
            meant[name] = " ".join(chosen)
        elif control.kind == "radio":
            if value in control.values:
                pairs.append((name, value))
            meant[name] = value if value in control.values else ""
        else:
            pairs.append((name, value))
            meant[name] = value.strip()
    return pairs, meant


def spoil(
    form: PageForm,
    pairs: list[tuple[str, str]],
    constrained: frozenset[str],
    rng: random.Random,
) -> list[tuple[str, str]] | None:
    """``pairs`` with one answer made invalid (a number out of its constraint, or a
    required answer left out), or None when the page offers no way to do it."""
    numbers = [n for n, c in form.fields.items() if c.numeric and _base(n) in constrained]
    if numbers:
        name = rng.choice(numbers)
        return [(k, INVALID_NUMBER if k == name else v) for k, v in pairs]
    required = [n for n, c in form.fields.items() if c.required]
    if required:
        name = rng.choice(required)
        return [(k, v) for k, v in pairs if k != name]
    return None


def _base(name: str) -> str:
    base, _, instance = name.rpartition(".")
    return base if base and instance.isdigit() else name


# -- a respondent ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ack:
    """A page submission: what was meant, at which revision, and with which action.

    ``meant`` maps each field of the page to the value the server should store
    (None: any value or none, for a page sent with an invalid answer on purpose).
    """

    page: str
    meant: Mapping[str, str | None]
    revision: int
    action: str


class Stopped(Exception):
    """The run's time is up (raised between two pages, never inside a request)."""


@dataclass(slots=True)
class Respondent:
    """One simulated respondent answering through an invitation link.

    Attributes
    ----------
    token
        The invitation token.
    answers
        The answers to give (the engine's layout: a repeat is a list of dicts).
    rng
        Decides when to go back and when to send an invalid page first.
    back_rate, error_rate
        Chance, on each page, of going back first / sending an invalid page first.
    constrained
        Names of questions with a constraint (a number out of range breaks it).
    pace
        Mean seconds from one page sent to the next (a respondent reading and
        typing; 0: at once). A respondent that waited longer than that for the
        server goes on at once, without catching up.
    """

    token: str
    answers: Mapping[str, Any]
    rng: random.Random
    back_rate: float = 0.05
    error_rate: float = 0.05
    constrained: frozenset[str] = frozenset()
    resume: str = ""
    acks: list[Ack] = field(default_factory=list)
    pending: Ack | None = None
    completed: bool = False
    revision_mismatches: int = 0
    pace: float = 0.0
    pages: int = 0
    _next: float = 0.0

    async def _think(self, deadline: float) -> None:
        """Wait until this respondent's next page is due (see ``pace``)."""
        if self.pace <= 0:
            return
        now = time.monotonic()
        if self._next == 0.0:
            self._next = now + self.rng.uniform(0, self.pace)
        else:
            self._next = max(now, self._next + self.pace * self.rng.uniform(0.5, 1.5))
        await asyncio.sleep(max(0.0, min(self._next, deadline) - now))
        if time.monotonic() >= deadline:
            raise Stopped

    async def _follow(
        self, tally: Tally, connection: Connection, reply: Reply, start: float
    ) -> Reply:
        """Follow redirects from ``reply``; the final page counts as one page view."""
        for _ in range(MAX_REDIRECTS):
            if reply.status not in {301, 302, 303, 307}:
                break
            reply = await timed(tally, connection, "GET", reply.location)
        tally.pages += 1
        self.pages += 1
        tally.page_ms.append((time.perf_counter() - start) * 1000)
        return reply

    async def run(
        self, tally: Tally, connection: Connection, deadline: float, stop_after: int = 0
    ) -> None:
        """Answer the questionnaire until done, the deadline, or ``stop_after`` pages.

        Raises
        ------
        Stopped
            The deadline passed (or ``stop_after`` pages were submitted).
        ConnectionError, TimeoutError
            The server went away.
        """
        await self._think(deadline)
        start = time.perf_counter()
        notice = await self._follow(
            tally,
            connection,
            await timed(tally, connection, "GET", f"/i/{self.token}"),
            start,
        )
        csrf = read_form(notice.text).hidden.get("csrf_token", "")
        await self._think(deadline)
        start = time.perf_counter()
        consent = await timed(
            tally, connection, "POST", f"/i/{self.token}", [("csrf_token", csrf)]
        )
        if consent.status != 303:
            tally.error(f"consent answered {consent.status}")
            return
        # /r/<resume token>, then the first page for a new response
        self.resume = "/".join(consent.location.split("?")[0].split("/")[:3])
        page = await self._follow(tally, connection, consent, start)
        await self._answer(tally, connection, page, deadline, stop_after)

    def settle(self, stored_revision: int) -> None:
        """After a crash: count the page that was in flight as acknowledged if the
        database holds it (``stored_revision`` one past the acknowledged pages)."""
        if self.pending is not None and stored_revision == len(self.acks) + 1:
            self.acks.append(self.pending)
        self.pending = None

    async def resume_run(
        self, tally: Tally, connection: Connection, deadline: float
    ) -> None:
        """Go on from the private resume link (after :meth:`settle`), as after a crash.

        Raises
        ------
        Stopped, ConnectionError, TimeoutError
            As :meth:`run`.
        """
        start = time.perf_counter()
        first = await timed(tally, connection, "GET", self.resume)
        page = await self._follow(tally, connection, first, start)
        await self._answer(tally, connection, page, deadline, 0)

    async def _answer(
        self,
        tally: Tally,
        connection: Connection,
        page: Reply,
        deadline: float,
        stop_after: int,
    ) -> None:
        gone_back: set[str] = set()
        spoiled: set[str] = set()
        for _ in range(MAX_STEPS):
            if time.monotonic() > deadline or (
                stop_after and len(self.acks) >= stop_after
            ):
                raise Stopped
            path = page.path
            if page.status == 200 and path == self.resume:  # the thanks page
                self.completed = True
                tally.completed += 1
                return
            if page.status not in {200, 422}:
                tally.error(f"{path} answered {page.status}")
                return
            await self._think(deadline)
            page = await self._step(tally, connection, page, path, gone_back, spoiled)
        tally.error(f"{self.resume}: still not done after {MAX_STEPS} pages")

    async def _step(
        self,
        tally: Tally,
        connection: Connection,
        page: Reply,
        path: str,
        gone_back: set[str],
        spoiled: set[str],
    ) -> Reply:
        page_name = path.rsplit("/", 1)[-1]
        form = read_form(page.text)
        revision = int(form.hidden.get("_revision", "-1"))
        if self.acks and page.status == 200 and revision != self.acks[-1].revision + 1:
            self.revision_mismatches += 1
        pairs, meant = fill_form(form, self.answers, page_name)
        action = "next"
        rows = self.answers.get(page_name)
        shown = int(form.hidden.get("_instances", "0") or 0)
        if "_instances" in form.hidden and isinstance(rows, list) and shown != len(rows):
            action = "add" if shown < len(rows) else f"remove:{shown}"
        elif (
            "back" in form.actions
            and page_name not in gone_back
            and self.rng.random() < self.back_rate
        ):
            action = "back"
            gone_back.add(page_name)
        elif page_name not in spoiled and self.rng.random() < self.error_rate:
            spoiled.add(page_name)
            bad = spoil(form, pairs, self.constrained, self.rng)
            if bad is not None:
                pairs = bad
                # Refused, or (when its answers reveal a follow-up on the same page)
                # saved without the invalid answer: nothing certain about the page.
                meant = dict.fromkeys(meant)
                action = "spoiled"
        sent = [
            ("_csrf", form.hidden.get("_csrf", "")),
            ("_revision", str(revision)),
            ("_action", "next" if action == "spoiled" else action),
        ]
        if "_instances" in form.hidden:
            sent.append(("_instances", form.hidden["_instances"]))
        url = page.url
        self.pending = Ack(page_name, meant, revision, action)
        start = time.perf_counter()
        reply = await timed(tally, connection, "POST", url, sent + pairs)
        if reply.status == 303:
            self.acks.append(self.pending)
            if action == "back":
                tally.backs += 1
        elif reply.status == 422:
            tally.refused += 1
            if action != "spoiled":
                tally.error(f"{page_name}: valid answers refused")
        self.pending = None
        return await self._follow(tally, connection, reply, start)


# -- checking the database -------------------------------------------------------------


def flatten(answers: Mapping[str, Any]) -> dict[str, str]:
    """Stored answers as form field names (``name``, ``name.N`` in repeats)."""
    flat: dict[str, str] = {}
    for name, value in answers.items():
        if isinstance(value, list):
            for index, row in enumerate(value, start=1):
                for key, item in row.items():
                    flat[f"{key}.{index}"] = "" if item is None else str(item)
        else:
            flat[name] = "" if value is None else str(value)
    return flat


@dataclass(frozen=True, slots=True)
class Check:
    """How a stored response compares with what its client saw acknowledged.

    Attributes
    ----------
    missing
        Acknowledged pages not (completely) in the database.
    unacknowledged
        Stored answers or revisions that no acknowledged page (nor the one page
        in flight when the server died) explains: a half-written response.
    """

    missing: int
    unacknowledged: int
    details: tuple[str, ...] = ()


def check_response(
    acks: Sequence[Ack],
    pending: Ack | None,
    stored_answers: Mapping[str, Any] | None,
    stored_revision: int | None,
) -> Check:
    """Compare one stored response with its client's acknowledged pages.

    Every acknowledged page must be in the database: the revision at least the
    number of acknowledged submissions and each answer as last acknowledged. A
    page in flight when the connection broke (``pending``) may have been saved
    or not, but wholly: the stored state must be the acknowledged one, or the
    acknowledged one followed by the pending page. Nothing else may be stored.
    """
    if stored_answers is None or stored_revision is None:
        return Check(len(acks), 0, ("response not found",) if acks else ())
    states = [acks]
    if pending is not None:
        states.append([*acks, pending])
    stored = {k: v for k, v in flatten(stored_answers).items() if v != ""}
    best: Check | None = None
    for state in states:
        details: list[str] = []
        expected: dict[str, str | None] = {}
        origin: dict[str, int] = {}
        for number, ack in enumerate(state):
            for name, value in ack.meant.items():
                expected[name] = value
                origin[name] = number
        wrong = {
            origin[name]
            for name, value in expected.items()
            if value is not None and stored.get(name, "") != value
        }
        missing_revisions = max(0, len(state) - stored_revision)
        extra_revisions = max(0, stored_revision - len(state))
        unexplained = sorted(set(stored) - set(expected))
        missing = max(len(wrong), missing_revisions)
        unacknowledged = extra_revisions + len(unexplained)
        if wrong:
            details.append(f"acknowledged pages not stored: {sorted(wrong)}")
        if missing_revisions or extra_revisions:
            details.append(f"revision {stored_revision} for {len(state)} pages")
        if unexplained:
            details.append(f"stored but never acknowledged: {unexplained[:5]}")
        check = Check(missing, unacknowledged, tuple(details))
        if best is None or (check.missing + check.unacknowledged) < (
            best.missing + best.unacknowledged
        ):
            best = check
    assert best is not None  # noqa: S101 - states is never empty
    return best


# -- servers ---------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(
    command: Sequence[str],
    *,
    port: int,
    env: Mapping[str, str],
    log: Path,
    cwd: Path,
    timeout: float = 60.0,
) -> subprocess.Popen[bytes]:
    """Start ``command`` in a process group of its own and wait until it answers.

    Raises
    ------
    RuntimeError
        The server exited or did not answer ``GET /healthz`` (or ``/``) in time.
    """
    with log.open("ab") as out:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}); see {log}")
        try:
            with socket.create_connection((HOST, port), timeout=1) as probe:
                probe.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
                if probe.recv(12).startswith(b"HTTP/1.1"):
                    return process
        except OSError:
            time.sleep(0.05)
    stop_server(process, signal.SIGKILL)
    raise RuntimeError(f"server did not answer within {timeout:.0f} s; see {log}")


def stop_server(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Send ``sig`` to the server's process group and wait for it (10 s at most)."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    # uvicorn's workers are in the same group: make sure none is left behind.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        if sig == signal.SIGKILL:
            os.killpg(process.pid, signal.SIGKILL)
        time.sleep(0.05)


def process_group_cpu_seconds(group: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of ``group``.

    Read from ``/proc`` (Linux); 0.0 where it cannot be read. A server's CPU per
    page is the figure that holds on a noisy machine, where pages/s does not.
    """
    return _cpu_seconds(lambda _name, fields: int(fields[2]) == group)  # field 5: pgrp


def command_cpu_seconds(name: str) -> float:
    """CPU seconds used so far by the live processes whose command is ``name``
    (``postgres``: a local PostgreSQL server's); 0.0 where ``/proc`` cannot be
    read."""
    return _cpu_seconds(lambda command, _fields: command == name)


def _cpu_seconds(chosen: Callable[[str, list[str]], bool]) -> float:
    """CPU seconds (user + system) of the live processes ``chosen(command,
    fields after the command)`` selects, from ``/proc``."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0.0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # Fields after the command name (which may hold spaces) start at ")".
        command = stat[stat.find("(") + 1 : stat.rfind(")")]
        fields = stat[stat.rfind(")") + 2 :].split()
        if chosen(command, fields):
            total += int(fields[11]) + int(fields[12])  # fields 14, 15: utime, stime
    return total / ticks


# -- the ceiling -----------------------------------------------------------------------

HELLO = b"<!doctype html><html lang=en><title>Hello</title><p>Hello, world.</p></html>"


async def hello_app(scope: dict, receive: Any, send: Any) -> None:
    """A bare ASGI hello-world page (what a page costs with no application at all)."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(HELLO)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": HELLO})


async def hello_client(tally: Tally, port: int, deadline: float) -> None:
    """Fetch the hello-world page in a loop until ``deadline`` (one connection)."""
    connection = Connection(port)
    try:
        while time.monotonic() < deadline:
            start = time.perf_counter()
            reply = await timed(tally, connection, "GET", "/")
            if reply.status != 200:
                tally.error(f"hello answered {reply.status}")
                return
            tally.pages += 1
            tally.page_ms.append((time.perf_counter() - start) * 1000)
    finally:
        await connection.close()


class ThrowawayPostgres:
    """A PostgreSQL database made for one run and dropped after it (``with``
    gives its URL), on the server of ``admin_url``."""

    def __init__(self, admin_url: str) -> None:
        self.admin = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
        self.url = make_url(admin_url)
        self.name = f"sociaparis_bench_{uuid.uuid4().hex[:10]}"

    def __enter__(self) -> str:
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        return self.url.set(database=self.name).render_as_string(hide_password=False)

    def __exit__(self, *_exc: object) -> None:
        with self.admin.connect() as connection:
            connection.execute(
                text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            )
        self.admin.dispose()
