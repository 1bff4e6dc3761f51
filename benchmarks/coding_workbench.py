"""Benchmark: 8 concurrent API clients coding documents, one request per coding.

Starts the real server (``sociaparis serve --workers 2``) as a subprocess on a
fresh SQLite study, then on a throw-away PostgreSQL database. The study holds 8
released transcripts of about 5,000 words, a codebook of 40 codes, and 8 coder
accounts, each with a personal API token. Each client codes its own document
flat out for ``--seconds``: ``POST /api/v1/documents/{id}/codings`` with a
random code and span, over one keep-alive connection, waiting for each answer
before sending the next (as a script or a notebook does).

Afterwards every coding the server acknowledged (a 201 and its id) is looked up
in the database: lost codings must be 0, and no coding may be stored that was
not acknowledged.

Run: ``.venv/bin/python benchmarks/coding_workbench.py [--seconds 60]
[--clients 8] [--workers 2] [--backends sqlite,postgresql]``.
Targets: >= 400 codings/s in total on SQLite with p99 < 100 ms, the same on
PostgreSQL, 0 codings lost. (Taguette's peer figure: 20,000 highlights in
198-250 s, about 80-100/s.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._http_load import (  # noqa: E402
    HOST,
    ThrowawayPostgres,
    free_port,
    percentile,
    process_group_cpu_seconds,
    start_server,
    stop_server,
)
from sociaparis.accounts.roles import Role  # noqa: E402
from sociaparis.accounts.service import create_user  # noqa: E402
from sociaparis.accounts.token_service import create_token  # noqa: E402
from sociaparis.core.config import Settings  # noqa: E402
from sociaparis.core.db import ensure_schema, make_engine, transaction  # noqa: E402
from sociaparis.qual.codebook_service import add_code  # noqa: E402
from sociaparis.qual.corpus import import_document  # noqa: E402
from sociaparis.qual.models import QualCoding  # noqa: E402

SECRET = "benchmark-secret-key-0123456789"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TARGET_PER_S = 400.0
TARGET_P99_MS = 100.0
WORDS = (
    "la direction a déployé un assistant conversationnel pour les agents du service "
    "qui rédigent des courriers et des notes ; certains le trouvent utile, d'autres "
    "craignent des erreurs et demandent une formation avant de s'en servir"
).split()


@dataclass(frozen=True, slots=True)
class Study:
    """What the clients need: per client a token and a document, and the codes."""

    tokens: tuple[str, ...]
    documents: tuple[int, ...]
    lengths: tuple[int, ...]
    codes: tuple[int, ...]


def transcript(seed: int, words: int = 5_000) -> str:
    """A synthetic interview of ``words`` words in speaker turns."""
    rng = random.Random(seed)
    turns = []
    for i in range(words // 50):
        speaker = "Enquêtrice" if i % 2 == 0 else "Agent"
        turns.append(f"{speaker} : " + " ".join(rng.choices(WORDS, k=50)))
    return "\n\n".join(turns)


def prepare_study(settings: Settings, clients: int, seed: int) -> Study:
    """Accounts with tokens, released documents and a codebook, committed."""
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    tokens, documents, lengths, codes = [], [], [], []
    with transaction(engine) as session:
        lead = create_user(
            session=session,
            username="lead",
            password="benchmark-password",
            role=Role.RESEARCHER,
        )
        codes.extend(
            add_code(session=session, actor=lead, name=f"code {i}").id for i in range(40)
        )
        for i in range(clients):
            name = f"coder{i}"
            create_user(
                session=session, username=name, password="benchmark-password",
                role=Role.CODER,
            )  # fmt: skip
            tokens.append(create_token(session=session, username=name)[1])
            info = import_document(
                session=session,
                actor=lead,
                data=transcript(seed + i).encode(),
                filename=f"entretien-{i}.txt",
                detect_speakers=True,
                case=f"Ville {i % 4}",
                needs_pseudonymization=False,
            )
            documents.append(info.id)
            lengths.append(info.length)
    engine.dispose()
    return Study(tuple(tokens), tuple(documents), tuple(lengths), tuple(codes))


class Client:
    """One keep-alive HTTP/1.1 connection sending JSON with a bearer token."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post_json(self, path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        """POST ``body`` as JSON; return the status and the response body."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None  # noqa: S101
        data = json.dumps(body).encode()
        self.writer.write(
            (
                f"POST {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
                f"Authorization: Bearer {self.token}\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\n\r\n"
            ).encode()
            + data
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {
            k.strip().lower(): v.strip()
            for k, _, v in (line.partition(":") for line in lines[1:] if ":" in line)
        }
        payload = await self.reader.readexactly(int(headers.get("content-length", 0)))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, payload

    async def close(self) -> None:
        """Close the connection."""
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None


@dataclass(slots=True)
class Tally:
    """What the clients saw."""

    latencies_ms: list[float] = field(default_factory=list)
    acknowledged: list[int] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)


async def coder(
    port: int, token: str, document: int, length: int, codes: tuple[int, ...],
    deadline: float, tally: Tally, rng: random.Random,
) -> None:  # fmt: skip
    """Code ``document`` until ``deadline``, one request per coding."""
    client = Client(port, token)
    try:
        while time.perf_counter() < deadline:
            start = rng.randrange(0, length - 400)
            body = {
                "code_id": rng.choice(codes),
                "start": start,
                "end": start + rng.randrange(20, 400),
            }
            began = time.perf_counter()
            try:
                status, payload = await client.post_json(
                    f"/api/v1/documents/{document}/codings", body
                )
            except (ConnectionError, asyncio.IncompleteReadError, OSError) as exc:
                key = type(exc).__name__
                tally.failures[key] = tally.failures.get(key, 0) + 1
                await client.close()
                continue
            tally.latencies_ms.append((time.perf_counter() - began) * 1000)
            if status == 201:
                tally.acknowledged.append(json.loads(payload)["id"])
            else:
                key = f"HTTP {status}: {payload[:120]!r}"
                tally.failures[key] = tally.failures.get(key, 0) + 1
    finally:
        await client.close()


async def drive(port: int, study: Study, seconds: float, seed: int) -> Tally:
    """Run one client per token for ``seconds``."""
    tally = Tally()
    deadline = time.perf_counter() + seconds
    await asyncio.gather(
        *(
            coder(
                port,
                token,
                document,
                length,
                study.codes,
                deadline,
                tally,
                random.Random(seed + i),
            )  # fmt: skip
            for i, (token, document, length) in enumerate(
                zip(study.tokens, study.documents, study.lengths, strict=True)
            )
        )
    )
    return tally


def stored_codings(settings: Settings) -> set[int]:
    """The ids of every coding in the database."""
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            return set(connection.scalars(select(QualCoding.id)))
    finally:
        engine.dispose()


def run_backend(
    name: str, database_url: str, data_dir: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """Prepare a study on one backend, serve it, code it, check what was stored."""
    workers = args.workers or (1 if name == "sqlite" else 2)
    settings = Settings(data_dir=data_dir, database_url=database_url, secret_key=SECRET)
    study = prepare_study(settings, args.clients, args.seed)
    port = free_port()
    command = [
        sys.executable, "-c", "from sociaparis.cli import main; main()", "serve",
        "--host", HOST, "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    env = {
        "SOCIAPARIS_DATA_DIR": str(data_dir),
        "SOCIAPARIS_DATABASE_URL": database_url,
        "SOCIAPARIS_SECRET_KEY": SECRET,
    }
    server = start_server(
        command, port=port, env=env, log=data_dir / "server.log", cwd=ROOT
    )
    try:
        asyncio.run(drive(port, study, min(2.0, args.seconds), args.seed + 1000))
        before = stored_codings(settings)
        cpu_before = process_group_cpu_seconds(server.pid)
        client_before = time.process_time()
        began = time.perf_counter()
        tally = asyncio.run(drive(port, study, args.seconds, args.seed))
        elapsed = time.perf_counter() - began
        server_cpu = process_group_cpu_seconds(server.pid) - cpu_before
        client_cpu = time.process_time() - client_before
    finally:
        stop_server(server)
    stored = stored_codings(settings) - before
    acknowledged = set(tally.acknowledged)
    count = len(tally.acknowledged)
    return {
        "backend": name,
        "workers": workers,
        "seconds": round(elapsed, 2),
        "codings": count,
        "codings_per_s": count / elapsed,
        "p50_ms": percentile(tally.latencies_ms, 50),
        "p99_ms": percentile(tally.latencies_ms, 99),
        "max_ms": max(tally.latencies_ms, default=float("nan")),
        "server_cpu_ms_per_coding": 1000 * server_cpu / max(1, count),
        "client_cpu_ms_per_coding": 1000 * client_cpu / max(1, count),
        "lost": len(acknowledged - stored),
        "unacknowledged_stored": len(stored - acknowledged),
        "failures": tally.failures,
    }


def verdicts(results: list[dict[str, Any]]) -> tuple[list[str], bool]:
    """The target lines, and whether no coding was lost."""
    lines = []
    safe = True
    for r in results:
        fast = r["codings_per_s"] >= TARGET_PER_S and r["p99_ms"] < TARGET_P99_MS
        lines.append(
            f"{r['backend']}: >= {TARGET_PER_S:.0f} codings/s with p99 < "
            f"{TARGET_P99_MS:.0f} ms: {'met' if fast else 'MISSED'} "
            f"({r['codings_per_s']:.1f}/s, p99 {r['p99_ms']:.1f} ms)"
        )
        ok = r["lost"] == 0 and r["unacknowledged_stored"] == 0
        safe = safe and ok
        lines.append(
            f"{r['backend']}: 0 codings lost: {'met' if ok else 'MISSED'} "
            f"({r['lost']} lost, {r['unacknowledged_stored']} stored unacknowledged)"
        )
    return lines, safe


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 if a coding was lost."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="of coding")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="uvicorn workers (default: 1 on SQLite, as `sociaparis serve`, whose "
        "writes serialize anyway; 2 on PostgreSQL)",
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} before the run")
    results = []
    with tempfile.TemporaryDirectory(prefix="sociaparis-bench-") as tmp:
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            data_dir = Path(tmp) / backend
            data_dir.mkdir()
            if backend == "sqlite":
                url = f"sqlite:///{data_dir / 'sociaparis.db'}"
                result = run_backend(backend, url, data_dir, args)
            elif backend == "postgresql":
                with ThrowawayPostgres(args.pg_url) as url:
                    result = run_backend(backend, url, data_dir, args)
            else:
                parser.error(f"unknown backend {backend!r}")
            results.append(result)
            print(
                f"{backend}: {result['codings_per_s']:.1f} codings/s "
                f"({result['codings']} in {result['seconds']} s, {args.clients} "
                f"clients, {result['workers']} workers), p50 {result['p50_ms']:.1f} ms "
                f"p99 {result['p99_ms']:.1f} ms max {result['max_ms']:.1f} ms\n"
                f"    CPU a coding: server {result['server_cpu_ms_per_coding']:.2f} "
                f"ms, clients {result['client_cpu_ms_per_coding']:.2f} ms",
                flush=True,
            )
            for failure, times in result["failures"].items():
                print(f"    ! {times} x {failure}")
    print()
    lines, safe = verdicts(results)
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if safe else 1


if __name__ == "__main__":
    raise SystemExit(main())
