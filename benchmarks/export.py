"""Benchmark: export 100,000 responses of the staff survey to every format.

How the responses are made: 1,000 synthetic respondents answer the bundled staff
survey through the form-logic engine (:func:`synthetic_answers`, then
``evaluate_form(...).record()``, exactly what an export computes for a stored
response); the 100,000 responses are drawn from them with replacement, column by
column (each with its own id, its repeat instances following it), without the
database. The figures are therefore the cost of building the tables and writing
the files; the engine's cost per stored response is measured apart and printed
(an export from the database pays it once per response).

Usage::

    .venv/bin/python benchmarks/export.py [--responses 100000] [--out DIR]

Prints the seconds for building the tables, for each format (writing only, then
building + writing) against the 5-second target.

``--web`` measures instead the export a researcher downloads, end to end, on a
real study: ``--responses`` completed responses (answers drawn from 1,000
synthetic respondents) stored in a fresh database (SQLite in a temporary
folder, or ``--database-url``), then for each format

* ``service``: the export job's own function (``KINDS["export"].run``, which
  calls :func:`~sociaparis.survey.exports.export_archive`) called in this
  process as a job worker runs it (reading the responses, the engine, the
  tables, the files, the zip with the dictionary and ``datapackage.json``):
  the code path of the download. The first run (printed apart) also makes
  the study's export blocks, which the others read; with ``--together N``,
  N first exports start at once, each in a process of its own as N job
  workers would run them, and share the making of the blocks;
* ``first byte`` and ``total``: the download of ``/fielding/FORM/export/FMT``
  from the real server (``sociaparis serve``, one worker, a subprocess), over
  HTTP, by a logged-in researcher;
* the latency of a respondent page (the invitation notice ``/i/TOKEN``, one
  database read), requested every 20 ms during the download: p50, p99, max,
  against the same page with no export running.

``--server-code DIR`` serves the code of another checkout (to measure a
before/after on the same data).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sociaparis.survey.io.tables import (  # noqa: E402
    RepeatColumns,
    ResponseBatch,
    batch_from_records,
    build_export,
)
from sociaparis.survey.io.writers import FORMATS, write_export  # noqa: E402
from sociaparis.survey.logic import evaluate_form  # noqa: E402
from sociaparis.survey.synthetic import synthetic_answers  # noqa: E402
from sociaparis.survey.xlsform import read_xlsform  # noqa: E402

STAFF = ROOT / "studies" / "sociaparis" / "staff_llm_survey.xlsx"
NOW = datetime(2026, 11, 20, 12, 0)
TARGET = 5.0


def base_batch(size: int, seed: int) -> tuple[ResponseBatch, float, float]:
    """``size`` engine records of synthetic respondents; seconds to make and evaluate."""
    form = read_xlsform(STAFF).instrument
    rng = random.Random(seed)
    started = time.perf_counter()
    answers = [synthetic_answers(form, rng=rng, now=NOW) for _ in range(size)]
    made = time.perf_counter() - started
    started = time.perf_counter()
    records = [evaluate_form(form, a, now=NOW).record() for a in answers]
    evaluated = time.perf_counter() - started
    ids = [f"base{n}" for n in range(size)]
    batch = batch_from_records(form, form.version, ids, records)
    return batch, made, evaluated


def resample(base: ResponseBatch, count: int, seed: int) -> ResponseBatch:
    """``count`` responses drawn with replacement from ``base``, column by column."""
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(base), count)
    values = {
        name: np.asarray(column, dtype=object)[pick]
        for name, column in base.values.items()
    }
    repeats: dict[str, RepeatColumns] = {}
    for name, columns in base.repeats.items():
        parent = np.asarray(columns.parent_row, dtype=np.int64)
        per_base = np.bincount(parent, minlength=len(base))
        first_row = np.concatenate([[0], np.cumsum(per_base)[:-1]])
        sizes = per_base[pick]
        new_parent = np.repeat(np.arange(count), sizes)
        offsets = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        source_rows = np.repeat(first_row[pick], sizes) + offsets
        repeats[name] = RepeatColumns(
            parent_row=new_parent,
            index=offsets + 1,
            values={
                q: np.asarray(column, dtype=object)[source_rows]
                for q, column in columns.values.items()
            },
        )
    directorates = np.array(["dfa", "drh", "dsin", "dase", "dfpe", "dssp"], dtype=object)
    return ResponseBatch(
        instrument=base.instrument,
        version=base.version,
        ids=[f"{n:032x}" for n in range(count)],
        values=values,
        repeats=repeats,
        started_on=[date(2026, 10, 6)] * count,
        submitted_on=[date(2026, 10, 7)] * count,
        synthetic=[True] * count,
        attributes={"directorate": directorates[rng.integers(0, 6, count)]},
    )


FORM_ID = "sociaparis_staff_llm"
STUDY_DIR = ROOT / "studies" / "sociaparis"
SECRET = "benchmark-secret-key-0123456789abcdef"
USER, PASSWORD = "bench", "bench-password-123"
FIRST_DAY = date(2026, 10, 1)
INSERT_BATCH = 5000
PROBE_EVERY_S = 0.02


def build_study(
    settings: Any, responses: int, base: int, seed: int, with_records: bool = True
) -> str:
    """A fresh study with ``responses`` completed staff-survey responses, a
    researcher account and one invitation; the invitation's token.

    Each response keeps the engine's record, as the respondent's last page
    keeps it (``with_records=False``: none, as responses stored by a version
    before records were kept and not yet migrated)."""
    import dataclasses
    import secrets
    import uuid

    from sqlalchemy import insert

    from sociaparis.accounts.service import create_user
    from sociaparis.core.db import ensure_schema, make_engine, transaction
    from sociaparis.survey.fielding.service import (
        configure_fielding,
        create_invitations,
        fielded_version,
        get_fielding,
    )
    from sociaparis.survey.fielding.study import load_study_into_database
    from sociaparis.survey.models import ResponseRecord
    from sociaparis.survey.records import RECORD_ENGINE, export_record
    from sociaparis.survey.study import load_study

    rng = random.Random(seed)
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    with transaction(engine) as session:
        load_study_into_database(session=session, study=load_study(STUDY_DIR))
        fielding = get_fielding(session=session, form_id=FORM_ID)
        configure_fielding(
            session=session,
            fielding=dataclasses.replace(fielding, opens_on=None, closes_on=None),
        )
        create_user(session=session, username=USER, password=PASSWORD)
        [invitation] = create_invitations(
            session=session,
            form_id=FORM_ID,
            attributes=[{"directorate": "dfa", "job_category": "B"}],
        )
        stored = fielded_version(session=session, form_id=FORM_ID)
    pool = [synthetic_answers(stored.instrument, rng=rng, now=NOW) for _ in range(base)]
    # What the respondent's last page keeps (sociaparis.survey.records): the
    # record at the moment it was saved (anonymous survey: noon of the day).
    kept: dict[tuple[int, date], dict[str, Any]] = {}

    def record(drawn: int, day: date) -> dict[str, Any] | None:
        if not with_records:
            return None
        if (drawn, day) not in kept:
            kept[drawn, day] = export_record(
                stored.instrument,
                pool[drawn],
                started_on=day,
                completed_on=day,
                updated_at=None,
            )
        return kept[drawn, day]

    rows: list[dict[str, Any]] = []
    with engine.begin() as connection:
        for number in range(responses):
            day = FIRST_DAY + timedelta(days=rng.randrange(30))
            drawn = rng.randrange(base)
            rows.append(
                {
                    "id": uuid.uuid4().hex,
                    "instrument_id": stored.id,
                    "invitation_id": None,
                    "resume_token_hash": secrets.token_hex(32),
                    "status": "completed",
                    "answers": pool[drawn],
                    "record": record(drawn, day),
                    "record_engine": RECORD_ENGINE if with_records else None,
                    "current_page": None,
                    "attributes": {
                        "directorate": rng.choice(["dfa", "dsin", "dpev", "dase"]),
                        "job_category": rng.choice(["A", "B", "C"]),
                    },
                    "revision": 1,
                    "synthetic": True,
                    "started_on": day,
                    "completed_on": day,
                }
            )
            if len(rows) == INSERT_BATCH or number == responses - 1:
                connection.execute(insert(ResponseRecord), rows)
                rows = []
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE"
            )
        else:
            connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return invitation.token


def service_seconds(settings: Any, fmt: str, out: Path) -> tuple[float, float]:
    """Seconds and megabytes of the export job's work in this process.

    The export job kind's own function (``KINDS["export"].run``: the count,
    the progress callbacks and :func:`export_archive`, zip and dictionary
    included), as a job worker runs it, with the parameters its check gives.
    """
    from sociaparis.accounts.roles import Role
    from sociaparis.accounts.service import Account
    from sociaparis.core.db import make_engine, transaction
    from sociaparis.jobs.kinds import KINDS

    kind = KINDS["export"]
    actor = Account(0, "tester", Role.RESEARCHER, "")
    engine = make_engine(settings)
    with transaction(engine) as session:  # when the job is queued: not timed
        parameters, _ = kind.check(
            session=session,
            actor=actor,
            parameters={"form_id": FORM_ID, "fmt": fmt, "lang": "fr"},
        )
    started = time.perf_counter()
    with transaction(engine) as session:
        path = kind.run(
            session=session,
            actor=actor,
            parameters=parameters,
            folder=out,
            data_dir=settings.data_dir,
            progress=lambda percent, step: None,
        )
    seconds = time.perf_counter() - started
    engine.dispose()
    size = path.stat().st_size / 1e6
    path.unlink()
    return seconds, size


def first_exports(settings: Any, fmt: str, folder: Path, together: int) -> list[float]:
    """Seconds of each of ``together`` first exports started at once, each in
    a process of its own (as job workers run them), fastest first."""
    if together == 1:
        return [service_seconds(settings, fmt, folder / "service")[0]]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(together, mp_context=context) as pool:
        # The processes start (and import) before the exports are sent.
        list(pool.map(math.sqrt, range(together)))
        runs = [
            pool.submit(service_seconds, settings, fmt, folder / f"service-{n}")
            for n in range(together)
        ]
        return sorted(run.result()[0] for run in runs)


def _percentiles(values: list[float]) -> str:
    if not values:
        return "no probe"
    ordered = sorted(values)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]
    return (
        f"p50 {p50:6.1f} ms, p99 {p99:6.1f} ms, max {ordered[-1]:6.1f} ms "
        f"({len(ordered)} pages)"
    )


def probe(port: int, path: str, until: threading.Event, count: int) -> list[float]:
    """Milliseconds of each GET of a respondent page, every 20 ms, until
    ``until`` is set (or ``count`` pages when ``count`` > 0)."""
    import httpx

    times: list[float] = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        while not until.is_set() and (count <= 0 or len(times) < count):
            started = time.perf_counter()
            reply = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            if reply.status_code != 200:
                raise RuntimeError(f"respondent page answered {reply.status_code}")
            time.sleep(PROBE_EVERY_S)
    return times


def download(port: int, cookies: Any, fmt: str) -> tuple[float, float, int]:
    """First-byte and total seconds and the bytes of one export download."""
    import httpx

    started = time.perf_counter()
    first = None
    size = 0
    with httpx.Client(
        base_url=f"http://127.0.0.1:{port}", cookies=cookies, timeout=600
    ) as client:
        with client.stream("GET", f"/fielding/{FORM_ID}/export/{fmt}?lang=fr") as reply:
            if reply.status_code != 200:
                raise RuntimeError(f"export {fmt} answered {reply.status_code}")
            for chunk in reply.iter_bytes():
                if first is None:
                    first = time.perf_counter() - started
                size += len(chunk)
    return first or 0.0, time.perf_counter() - started, size


def login(port: int) -> Any:
    """The cookies of a logged-in researcher."""
    import re

    import httpx

    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None  # noqa: S101
        reply = client.post(
            "/login",
            data={"username": USER, "password": PASSWORD, "csrf_token": token[1]},
        )
        if reply.status_code != 303:
            raise RuntimeError(f"login answered {reply.status_code}")
        return client.cookies


def run_web(args: argparse.Namespace) -> None:
    """Build the study, time the service, then the downloads over HTTP."""
    from benchmarks._http_load import free_port, start_server, stop_server
    from sociaparis.core.config import Settings

    folder = Path(tempfile.mkdtemp(prefix="sociaparis-export-web-"))
    settings = Settings(
        data_dir=folder / "data",
        database_url=args.database_url or "",
        secret_key=SECRET,
    )
    started = time.perf_counter()
    token = build_study(
        settings, args.responses, args.base, seed=1, with_records=not args.no_records
    )
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{backend}: {args.responses:,} responses stored in "
        f"{time.perf_counter() - started:.1f} s"
    )
    if not args.no_service:
        # The first export keeps the responses' columns as export blocks, which
        # every later one reads (docs/exports.md, "Export blocks").
        firsts = first_exports(settings, args.formats[0], folder, args.together)
        print(
            f"service  {args.formats[0]:8} "
            + ", ".join(f"{seconds:.2f}" for seconds in firsts)
            + f" s  the first export{'s at once' if args.together > 1 else ''}, "
            "making the export blocks"
        )
        for fmt in args.formats:
            seconds, size = service_seconds(settings, fmt, folder / "service")
            verdict = "ok" if seconds < TARGET else "SLOW"
            print(f"service  {fmt:8} {seconds:6.2f} s  {verdict}  ({size:.0f} MB zip)")
    port = free_port()
    env = {
        "SOCIAPARIS_DATA_DIR": str(settings.data_dir),
        "SOCIAPARIS_DATABASE_URL": settings.database_url,
        "SOCIAPARIS_SECRET_KEY": SECRET,
    }
    code = args.server_code or ROOT
    server = start_server(
        [
            sys.executable,
            "-c",
            "from sociaparis.cli import main; main()",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        port=port,
        env={**env, "PYTHONPATH": str(code)},
        log=folder / "server.log",
        cwd=code,
    )
    try:
        cookies = login(port)
        page = f"/i/{token}"
        quiet = probe(port, page, threading.Event(), args.probes)
        print(f"respondent page, no export:  {_percentiles(quiet)}")
        for fmt in args.formats:
            done = threading.Event()
            found: list[float] = []
            prober = threading.Thread(
                target=lambda found=found, done=done: found.extend(
                    probe(port, page, done, 0)
                )
            )
            prober.start()
            try:
                first, total, size = download(port, cookies, fmt)
            finally:
                done.set()
                prober.join()
            verdict = "ok" if total < TARGET else "SLOW"
            print(
                f"download {fmt:8} first byte {first:6.2f} s, total {total:6.2f} s  "
                f"{verdict}  ({size / 1e6:.0f} MB); respondent page meanwhile: "
                f"{_percentiles(found)}"
            )
    finally:
        stop_server(server)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    """Run the benchmark and print one line per step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=1_000)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--web", action="store_true", help="the browser's download, over HTTP"
    )
    parser.add_argument("--database-url", default="", help="with --web: PostgreSQL")
    parser.add_argument(
        "--formats", nargs="+", default=list(FORMATS), help="with --web: formats"
    )
    parser.add_argument(
        "--probes", type=int, default=300, help="with --web: quiet page probes"
    )
    parser.add_argument(
        "--no-service", action="store_true", help="with --web: skip the in-process runs"
    )
    parser.add_argument(
        "--together",
        type=int,
        default=1,
        help="with --web: first exports started at once, one process each",
    )
    parser.add_argument(
        "--no-records",
        action="store_true",
        help="with --web: store no engine record (every export evaluates again)",
    )
    parser.add_argument(
        "--server-code",
        type=Path,
        default=None,
        help="with --web: serve the code of this checkout (before/after)",
    )
    args = parser.parse_args()
    if args.web:
        run_web(args)
        return

    base, made, evaluated = base_batch(args.base, seed=1)
    print(
        f"synthetic answers: {made / args.base * 1000:.2f} ms/response; "
        f"engine record: {evaluated / args.base * 1000:.3f} ms/response "
        f"({evaluated / args.base * args.responses:.1f} s for {args.responses:,})"
    )
    batch = resample(base, args.responses, seed=2)
    started, cpu = time.perf_counter(), time.process_time()
    data = build_export([batch], attributes=["directorate"])
    build = time.perf_counter() - started
    build_cpu = time.process_time() - cpu
    rows = ", ".join(f"{t.name} {len(t.frame):,}x{t.frame.shape[1]}" for t in data.tables)
    print(f"build tables ({rows}): {build:.2f} s wall, {build_cpu:.2f} s CPU")
    folder = args.out or Path(tempfile.mkdtemp(prefix="sociaparis-export-"))
    print(
        f"{'format':8} {'write':>6} {'total':>6} {'CPU':>6}  (seconds; total = build + "
        f"write, wall clock; CPU = process time, all threads); target < {TARGET:.0f} s"
    )
    for fmt in FORMATS:
        started, cpu = time.perf_counter(), time.process_time()
        result = write_export(data, out=folder / fmt, fmt=fmt, lang="fr")
        write = time.perf_counter() - started
        write_cpu = time.process_time() - cpu
        size = sum(p.stat().st_size for p in result.files) / 1e6
        total = build + write
        verdict = "ok" if total < TARGET else "SLOW"
        print(
            f"{fmt:8} {write:6.2f} {total:6.2f} {build_cpu + write_cpu:6.2f}  {verdict}"
            f"  ({size:.0f} MB)"
        )


if __name__ == "__main__":
    main()
