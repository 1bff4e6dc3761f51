"""What a respondent page costs the application, measured in process.

The benchmark's simulated respondents (``benchmarks/_http_load.py``) answer the
staff survey one after the other against ``create_app`` called directly as an
ASGI application: no sockets, no HTTP server, no other process. It prints the
CPU time the application used a page.

``--pg`` runs the same respondents on a throw-away PostgreSQL database (on
the server of ``--pg-url``) instead of a SQLite file, and prints as well the
CPU the local PostgreSQL server's processes used a page.

CPU time moves with the machine; to compare two versions of the code, count
instructions, which do not::

    valgrind --tool=callgrind --instr-atstart=no \\
        .venv/bin/python benchmarks/fielding_in_process.py --respondents 8 --callgrind

With ``--callgrind`` the script switches valgrind's instrumentation on only
while the respondents run (``callgrind_control -i on``), so valgrind's
"Collected" total is the application's instructions, plus the respondents'
own (a small, fixed part); divide it by the pages printed.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._http_load import (  # noqa: E402
    Reply,
    Respondent,
    Tally,
    ThrowawayPostgres,
    at_least_one,
    command_cpu_seconds,
)
from benchmarks.survey_fielding import (  # noqa: E402
    DEFAULT_PG_URL,
    SECRET,
    answer_pool,
    constrained_questions,
    prepare_study,
)
from sociaparis.core.config import Settings  # noqa: E402
from sociaparis.web.app import create_app  # noqa: E402


class InProcessConnection:
    """The load generator's connection interface, calling the ASGI app directly.

    ``cpu`` accumulates the process CPU time spent inside the application.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.cpu = 0.0

    async def close(self) -> None:
        """Nothing to close."""

    async def request(
        self, method: str, path: str, form: Sequence[tuple[str, str]] | None = None
    ) -> Reply:
        """Send one request to the application and collect its response."""
        body = urlencode(list(form)).encode() if form is not None else b""
        route, _, query = path.partition("?")
        headers = [(b"host", b"127.0.0.1")]
        if form is not None:
            headers += [
                (b"content-type", b"application/x-www-form-urlencoded"),
                (b"content-length", str(len(body)).encode()),
            ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": route,
            "raw_path": route.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        before = time.process_time()
        await self.app(scope, receive, send)
        self.cpu += time.process_time() - before
        response_headers = {
            name.decode().lower(): value.decode()
            for name, value in start.get("headers", [])
        }
        return Reply(start["status"], response_headers, b"".join(chunks), path)


async def answer_all(
    connection: InProcessConnection,
    tokens: Sequence[str],
    answers: Sequence[dict[str, Any]],
    constrained: frozenset[str],
    seed: int,
) -> Tally:
    """Each invitation's respondent answers the whole survey, one after another."""
    tally = Tally()
    pool = itertools.cycle(answers)
    rng = random.Random(seed)
    for token in tokens:
        respondent = Respondent(
            token,
            next(pool),
            random.Random(rng.random()),
            back_rate=0.05,
            error_rate=0.05,
            constrained=constrained,
        )
        await respondent.run(tally, connection, time.monotonic() + 3600)  # type: ignore[arg-type]
    return tally


def main(argv: Sequence[str] | None = None) -> int:
    """Run the respondents and print the application's CPU time a page."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--respondents", type=at_least_one, default=40, help="who answer, in turn"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--callgrind",
        action="store_true",
        help="switch valgrind's instrumentation on only while respondents run",
    )
    parser.add_argument(
        "--pg",
        action="store_true",
        help="on a throw-away PostgreSQL database instead of a SQLite file",
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="sociaparis-in-process-"))
    if not args.pg:
        return _answer(args, data_dir, f"sqlite:///{data_dir / 'study.db'}")
    with ThrowawayPostgres(args.pg_url) as database_url:
        return _answer(args, data_dir, database_url)


def _answer(args: argparse.Namespace, data_dir: Path, database_url: str) -> int:
    settings = Settings(data_dir=data_dir, database_url=database_url, secret_key=SECRET)
    prepared = prepare_study(settings, args.respondents, args.seed)
    answers = answer_pool(prepared.instrument, 50, args.seed)
    connection = InProcessConnection(create_app(settings))
    constrained = constrained_questions(prepared.instrument)
    server_before = command_cpu_seconds("postgres")
    if args.callgrind:
        _callgrind("on")
    tally = asyncio.run(
        answer_all(connection, prepared.tokens, answers, constrained, args.seed)
    )
    if args.callgrind:
        _callgrind("off")
    server = command_cpu_seconds("postgres") - server_before
    if tally.errors:
        print("errors:", *tally.errors, sep="\n  ", file=sys.stderr)
        return 1
    print(
        f"{args.respondents} respondents, {tally.pages} pages, {tally.requests} "
        f"requests: application CPU {connection.cpu * 1000 / tally.pages:.2f} ms a page"
        + (
            f", PostgreSQL's processes {server * 1000 / tally.pages:.2f} ms a page"
            if args.pg
            else ""
        )
    )
    return 0


def _callgrind(state: str) -> None:
    try:
        done = subprocess.run(
            ["callgrind_control", "-i", state, str(os.getpid())],
            check=True,
            capture_output=True,
            text=True,
        )
    except (OSError, subprocess.CalledProcessError):
        done = None
    # callgrind_control exits 0 even when it finds no such process.
    if done is None or "not detected" in done.stdout + done.stderr:
        raise SystemExit(
            "--callgrind: this process is not running under valgrind; run it as "
            "valgrind --tool=callgrind --instr-atstart=no .venv/bin/python "
            "benchmarks/fielding_in_process.py --callgrind"
        ) from None


if __name__ == "__main__":
    raise SystemExit(main())
