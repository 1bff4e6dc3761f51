"""Benchmark: the staff survey fielded to 200 concurrent respondents over real HTTP.

Starts the real server (``sociaparis serve --workers 2``) as a subprocess on a
fresh SQLite study, then on a throw-away PostgreSQL database, and drives
simulated respondents through the bundled staff survey: each opens its personal
invitation, consents, follows redirects as a browser does, answers every page
with valid answers drawn by the engine (``synthetic_answers``), sometimes goes
back a page and sometimes sends an invalid page first. When a respondent is done
another one takes its place, so that the concurrency holds for the whole run.

Afterwards every response in the database is compared with what its client saw
acknowledged (a 303 after a POST): pages missing from the database must be 0.

In the same run a bare ASGI hello-world page, served by the same uvicorn
settings, is driven by the same load generator: the ratio of our pages/s to that
ceiling is the figure that holds on a noisy machine.

A *page* is one page a respondent sees: the POST (or GET) and the redirects a
browser follows until the next page's HTML has arrived. Its latency is the
whole chain. Requests are also counted one by one.

With ``--jobs`` a third run is added: the paced rate again, while 3 exports
and 1 report run as background jobs all along (a new one starts as soon as one
ends) on ``--job-responses`` stored responses (their export blocks made
beforehand, as the job workers' five-minute task keeps them), in the server's
job workers (``SOCIAPARIS_JOBS_WORKERS=--job-workers``, at a lower CPU
priority): the page p99 must stay < 100 ms and no page be lost, on SQLite and
on PostgreSQL.

Run: ``.venv/bin/python benchmarks/survey_fielding.py [--duration 25]
[--respondents 200] [--backends sqlite,postgresql] [--workers 2] [--jobs]
[--skip-flat-out]``.
Targets on a 2-core machine: >= 500 pages/s with p99 < 100 ms on SQLite, and 0
acknowledged pages missing.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import itertools
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._http_load import (  # noqa: E402
    Connection,
    Respondent,
    Stopped,
    Tally,
    ThrowawayPostgres,
    at_least_one,
    check_response,
    collector_pauses,
    free_port,
    hello_client,
    percentile,
    process_group_cpu_seconds,
    start_server,
    stop_server,
    watch_loop,
    where_time_went,
)
from sociaparis.core.config import Settings  # noqa: E402
from sociaparis.core.db import ensure_schema, make_engine, transaction  # noqa: E402
from sociaparis.survey.fielding.service import (  # noqa: E402
    configure_fielding,
    create_invitations,
    get_fielding,
    hash_token,
)
from sociaparis.survey.fielding.study import load_study_into_database  # noqa: E402
from sociaparis.survey.instrument import Instrument, Question  # noqa: E402
from sociaparis.survey.models import ResponseRecord  # noqa: E402
from sociaparis.survey.study import load_study  # noqa: E402
from sociaparis.survey.synthetic import synthetic_answers  # noqa: E402

STUDY_DIR = ROOT / "studies" / "sociaparis"
FORM_ID = "sociaparis_staff_llm"
SECRET = "benchmark-secret-key-0123456789abcdef"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ANSWER_POOL = 300  # distinct answer sets, reused in turn (drawing one takes ~6 ms)
TARGET_PAGES_PER_S = 500
TARGET_P99_MS = 100
MIN_COMPLETED = 50
# Invitations created per run: the respondents that start at once, and then this
# many responses a second, above what a fast machine completes flat out (~80/s on a
# quiet 2-core machine), so that a run ends by its duration, not for want of them.
RESPONSES_PER_S_ALLOWED = 250
RATE_TOLERANCE = 0.97  # a paced run within 3% of its rate kept up with it


@dataclasses.dataclass(frozen=True, slots=True)
class Prepared:
    """A study ready to be served: its settings, instrument and invitations."""

    settings: Settings
    instrument: Instrument
    tokens: tuple[str, ...]
    attributes: tuple[dict[str, str], ...]


def prepare_study(settings: Settings, invitations: int, seed: int) -> Prepared:
    """Load the bundled study into a fresh database, open the staff survey whatever
    the date, and create ``invitations`` personal invitations."""
    engine = make_engine(settings)
    try:
        ensure_schema(engine, settings)
        rng = random.Random(seed)
        attributes = tuple(
            {
                "directorate": rng.choice(["dfa", "dsin", "dpev", "dase"]),
                "job_category": c,
            }
            for c in rng.choices(["A", "B", "C"], k=invitations)
        )
        with transaction(engine) as session:
            loaded = load_study_into_database(
                session=session, study=load_study(STUDY_DIR)
            )
            [staff] = [item for item in loaded if item.form_id == FORM_ID]
            fielding = get_fielding(session=session, form_id=FORM_ID)
            configure_fielding(
                session=session,
                fielding=dataclasses.replace(fielding, opens_on=None, closes_on=None),
            )
            created = create_invitations(
                session=session, form_id=FORM_ID, attributes=attributes
            )
            instrument = staff.added.stored.instrument
    finally:
        engine.dispose()
    return Prepared(
        settings, instrument, tuple(c.token for c in created), tuple(attributes)
    )


def constrained_questions(instrument: Instrument) -> frozenset[str]:
    """Names of the numeric questions that carry a constraint."""
    return frozenset(
        name
        for page in instrument.pages()
        for name in page.questions
        if isinstance(q := instrument.item(name), Question)
        and q.type in {"integer", "decimal"}
        and q.constraint
    )


def answer_pool(instrument: Instrument, size: int, seed: int) -> list[dict[str, Any]]:
    """``size`` complete, valid answer sets drawn by the engine."""
    return [
        synthetic_answers(instrument, rng=random.Random(seed + index))
        for index in range(size)
    ]


@dataclasses.dataclass(slots=True)
class LoadResult:
    """One load run: the tally, its duration and every respondent that started."""

    tally: Tally
    seconds: float
    respondents: list[Respondent]
    server_cpu: float = math.nan
    client_cpu: float = math.nan
    ran_out_after: float | None = None
    """Seconds into the run when a respondent found no invitation left, if one did."""
    collections: list[tuple[int, float]] = dataclasses.field(default_factory=list)
    """The load generator's garbage collections in the run: (generation, ms)."""


def measured(
    server: subprocess.Popen[bytes], load: Coroutine[Any, Any, LoadResult]
) -> LoadResult:
    """Run ``load`` and record the CPU seconds the server and this client used."""
    server_before = process_group_cpu_seconds(server.pid)
    client_before = time.process_time()
    # What the load generator holds before the run (the instrument, the answer
    # pools, the earlier runs' tallies) is left out of the collector's full
    # passes: one of them over it stopped the event loop for 200 ms, and the
    # requests sent at once afterwards queued at the server, which made the tail.
    gc.collect()
    gc.freeze()
    with collector_pauses() as pauses:
        result = asyncio.run(load)
    gc.unfreeze()
    result.collections = pauses
    result.client_cpu = time.process_time() - client_before
    result.server_cpu = process_group_cpu_seconds(server.pid) - server_before
    return result


async def drive_survey(
    port: int,
    prepared: Prepared,
    tokens: Iterator[str],
    answers: Sequence[dict[str, Any]],
    *,
    concurrency: int,
    duration: float,
    seed: int,
    pace: float = 0.0,
    back_rate: float = 0.05,
    error_rate: float = 0.05,
) -> LoadResult:
    """``concurrency`` respondents at a time until ``duration`` seconds have passed
    (or the invitations in ``tokens`` run out); each sends a page every ``pace``
    seconds on average (0: as soon as the previous one has arrived)."""
    tally = Tally()
    started: list[Respondent] = []
    constrained = constrained_questions(prepared.instrument)
    pool = itertools.cycle(answers)
    rng = random.Random(seed)
    begin = time.monotonic()
    deadline = begin + duration

    ran_out_after: float | None = None

    async def client() -> None:
        nonlocal ran_out_after
        connection = Connection(port)
        try:
            while time.monotonic() < deadline:
                token = next(tokens, None)
                if token is None:
                    if ran_out_after is None:
                        ran_out_after = time.monotonic() - begin
                    return
                respondent = Respondent(
                    token,
                    next(pool),
                    random.Random(rng.random()),
                    back_rate=back_rate,
                    error_rate=error_rate,
                    constrained=constrained,
                    pace=pace,
                )
                started.append(respondent)
                try:
                    await respondent.run(tally, connection, deadline)
                except Stopped:
                    return
                except (ConnectionError, TimeoutError) as exc:
                    tally.error(f"{type(exc).__name__}: {exc}")
                    await connection.close()
        finally:
            await connection.close()

    await asyncio.gather(
        watch_loop(tally, deadline), *(client() for _ in range(concurrency))
    )
    return LoadResult(
        tally, time.monotonic() - begin, started, ran_out_after=ran_out_after
    )


async def drive_hello(port: int, *, concurrency: int, duration: float) -> LoadResult:
    """The same load generator on the hello-world page."""
    tally = Tally()
    begin = time.monotonic()
    deadline = begin + duration
    await asyncio.gather(
        *(hello_client(tally, port, deadline) for _ in range(concurrency))
    )
    return LoadResult(tally, time.monotonic() - begin, [])


Stored = dict[str, tuple[dict[str, Any], int]]


def stored_responses(settings: Settings) -> Stored:
    """Every response in the database: resume-token hash to (answers, revision)."""
    engine = make_engine(settings)
    try:
        with transaction(engine) as session:
            return {
                row.resume_token_hash: (row.answers, row.revision)
                for row in session.scalars(select(ResponseRecord))
            }
    finally:
        engine.dispose()


def verify(rows: Stored, respondents: Sequence[Respondent]) -> dict[str, Any]:
    """Compare every respondent's acknowledged pages with the stored responses."""
    missing = unacknowledged = acknowledged = 0
    details: list[str] = []
    for respondent in respondents:
        if not respondent.resume:
            continue
        key = hash_token(respondent.resume.rsplit("/", 1)[-1])
        stored = rows.get(key, (None, None))
        check = check_response(respondent.acks, respondent.pending, *stored)
        acknowledged += len(respondent.acks)
        missing += check.missing
        unacknowledged += check.unacknowledged
        if check.details and len(details) < 10:
            details.append(f"{respondent.resume}: {'; '.join(check.details)}")
    return {
        "acknowledged": acknowledged,
        "missing": missing,
        "unacknowledged": unacknowledged,
        "details": details,
    }


def summary(result: LoadResult) -> dict[str, Any]:
    """Rates and latencies of a load run.

    ``steady_completed_per_s`` is pages/s divided by the pages a completed response
    took: the completion rate once the run is long compared with one response (a
    short run, where most respondents are still answering, counts few). It needs
    :data:`MIN_COMPLETED` completed responses (NaN otherwise): the first to finish
    took the short paths.
    """
    tally = result.tally
    done = [r.pages for r in result.respondents if r.completed]
    enough = len(done) >= MIN_COMPLETED
    per_response = sum(done) / len(done) if enough else float("nan")
    pages = tally.pages or float("nan")  # no page: no CPU a page
    return {
        "pages_per_completed_response": round(per_response, 1),
        "steady_completed_per_s": round(tally.pages / result.seconds / per_response, 2),
        "seconds": round(result.seconds, 2),
        "requests": tally.requests,
        "requests_per_s": round(tally.requests / result.seconds, 1),
        "pages": tally.pages,
        "pages_per_s": round(tally.pages / result.seconds, 1),
        "completed": tally.completed,
        "completed_per_s": round(tally.completed / result.seconds, 2),
        "page_p50_ms": round(percentile(tally.page_ms, 50), 1),
        "page_p99_ms": round(percentile(tally.page_ms, 99), 1),
        "request_p50_ms": round(percentile(tally.request_ms, 50), 1),
        "request_p99_ms": round(percentile(tally.request_ms, 99), 1),
        "server_timing": where_time_went(tally.timings),
        "client_loop_lag_p99_ms": round(percentile(tally.loop_lag_ms, 99), 1),
        "client_loop_lag_max_ms": round(max(tally.loop_lag_ms, default=math.nan), 1),
        "client_full_collections": sum(1 for g, _ in result.collections if g == 2),
        "client_longest_collection_ms": round(
            max((ms for _, ms in result.collections), default=0.0), 1
        ),
        "server_cpu_ms_per_page": round(1000 * result.server_cpu / pages, 3),
        "client_cpu_ms_per_page": round(1000 * result.client_cpu / pages, 3),
        "refused_pages": tally.refused,
        "back_steps": tally.backs,
        "errors": tally.errors[:10],
        "invitations_ran_out_after_s": (
            None if result.ran_out_after is None else round(result.ran_out_after, 1)
        ),
    }


def _serve_command(workers: int, port: int) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from sociaparis.cli import main; main()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


def invitations_needed(respondents: int, duration: float, runs: int) -> int:
    """Invitations enough for ``runs`` load runs of ``duration`` seconds each.

    Each run starts ``respondents`` at once and then one more per completed
    response; :data:`RESPONSES_PER_S_ALLOWED` bounds the completion rate from above.
    """
    return runs * (respondents + math.ceil(duration * RESPONSES_PER_S_ALLOWED))


def run_backend(
    name: str, database_url: str, data_dir: Path, args: argparse.Namespace
) -> list[dict[str, Any]]:
    """Prepare and serve one backend; load it flat out, then at the target rate;
    check every acknowledged page of both runs against the database."""
    settings = Settings(data_dir=data_dir, database_url=database_url, secret_key=SECRET)
    runs = [] if args.skip_flat_out else [("flat out", 0.0)]
    if args.rate > 0:
        runs.append((f"at {args.rate:g} pages/s", args.respondents / args.rate))
    if args.rate > 0 and args.jobs:
        runs.append((f"at {args.rate:g} pages/s + jobs", args.respondents / args.rate))
    invitations = args.max_responses or invitations_needed(
        args.respondents, args.duration, len(runs)
    )
    prepared = prepare_study(settings, invitations, args.seed)
    if args.jobs:
        from benchmarks._job_load import store_responses

        store_responses(settings, FORM_ID, args.job_responses, args.seed)
    answers = answer_pool(prepared.instrument, ANSWER_POOL, args.seed)
    tokens = iter(prepared.tokens)
    port = free_port()
    env = {
        "SOCIAPARIS_DATA_DIR": str(data_dir),
        "SOCIAPARIS_DATABASE_URL": database_url,
        "SOCIAPARIS_SECRET_KEY": SECRET,
        "SOCIAPARIS_JOBS_WORKERS": str(args.job_workers if args.jobs else 0),
        "SOCIAPARIS_SERVER_TIMING": "true",
    }
    server = start_server(
        _serve_command(args.workers, port),
        port=port,
        env=env,
        log=data_dir / "server.log",
        cwd=ROOT,
    )
    results: list[tuple[str, LoadResult]] = []
    jobs: dict[str, Any] = {}
    try:
        for label, pace in runs:
            job_load = None
            if label.endswith("+ jobs"):
                from benchmarks._job_load import JobLoad

                job_load = JobLoad(settings, FORM_ID).start()
                time.sleep(2)  # the jobs are past their start when the pages come
            load = drive_survey(
                port,
                prepared,
                tokens,
                answers,
                concurrency=args.respondents,
                duration=args.duration,
                seed=args.seed + len(results),
                pace=pace,
            )
            results.append((label, measured(server, load)))
            if job_load is not None:
                jobs[label] = job_load.stop()
    finally:
        stop_server(server)
    rows = stored_responses(settings)
    return [
        {
            "backend": name,
            "run": label,
            **summary(result),
            "started": len(result.respondents),
            **verify(rows, result.respondents),
            **jobs.get(label, {}),
        }
        for label, result in results
    ]


def run_hello(args: argparse.Namespace, log: Path) -> dict[str, Any]:
    """The hello-world ceiling with the same uvicorn settings and load generator."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "benchmarks._http_load:hello_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(args.workers),
        "--log-level",
        "warning",
    ]
    server = start_server(command, port=port, env={}, log=log, cwd=ROOT)
    try:
        result = measured(
            server,
            drive_hello(
                port, concurrency=args.respondents, duration=args.ceiling_duration
            ),
        )
    finally:
        stop_server(server)
    return {"backend": "hello-world ASGI", "run": "flat out", **summary(result)}


def _line(result: dict[str, Any], ceiling: float | None) -> str:
    label = f"{result['backend']} {result.get('run', '')}".strip()
    text_ = (
        f"{label}: {result['pages_per_s']:.1f} pages/s "
        f"({result['requests_per_s']:.1f} requests/s), page p50 "
        f"{result['page_p50_ms']:.1f} ms p99 {result['page_p99_ms']:.1f} ms "
        f"(request p50 {result['request_p50_ms']:.1f} ms p99 "
        f"{result['request_p99_ms']:.1f} ms)"
        f"\n    CPU a page: server {result['server_cpu_ms_per_page']:.2f} ms, "
        f"load generator {result['client_cpu_ms_per_page']:.2f} ms"
    )
    if parts := result.get("server_timing"):
        text_ += (
            f"\n    requests by Server-Timing: p99 in the application "
            f"{parts['app_p99_ms']:.1f} ms (database {parts['db_p99_ms']:.1f} ms), "
            f"outside it {parts['outside_p99_ms']:.1f} ms; the slowest 1 %: "
            f"application {parts['slowest_app_ms']:.1f} ms (database "
            f"{parts['slowest_db_ms']:.1f} ms), "
            f"outside {parts['slowest_outside_ms']:.1f} ms; the longest in the "
            f"application {parts['app_max_ms']:.1f} ms (database "
            f"{parts['db_max_ms']:.1f} ms), {parts['app_over_20ms']} requests "
            "over 20 ms in it"
            f"\n    a saved page waited for the write lock p50 "
            f"{parts['saved_lock_p50_ms']:.1f} ms p99 "
            f"{parts['saved_lock_p99_ms']:.1f} ms, "
            f"for its commit's flush p50 {parts['saved_flush_p50_ms']:.1f} ms p99 "
            f"{parts['saved_flush_p99_ms']:.1f} ms"
        )
    if not math.isnan(result.get("client_loop_lag_p99_ms", math.nan)):
        text_ += (
            f"\n    the load generator's event loop woke late: p99 "
            f"{result['client_loop_lag_p99_ms']:.1f} ms, max "
            f"{result['client_loop_lag_max_ms']:.1f} ms; its full garbage "
            f"collections {result['client_full_collections']}, the longest "
            f"collection {result['client_longest_collection_ms']:.1f} ms"
        )
    if "acknowledged" in result:
        steady = (
            f"n/a (fewer than {MIN_COMPLETED} completed)"
            if math.isnan(result["steady_completed_per_s"])
            else f"{result['steady_completed_per_s']:.2f} "
            f"({result['pages_per_completed_response']:.1f} pages a response)"
        )
        text_ += (
            f"\n    completed responses/s {result['completed_per_s']:.2f} in the run "
            f"({result['completed']} completed of {result['started']} started), "
            f"{steady} steady, "
            f"{result['refused_pages']} invalid pages refused, "
            f"{result['back_steps']} back steps"
            f"\n    acknowledged pages {result['acknowledged']}: missing from the "
            f"database {result['missing']}, stored but unacknowledged "
            f"{result['unacknowledged']}"
        )
    if "jobs_started" in result:
        text_ += (
            f"\n    jobs meanwhile: {result['jobs_started']} started (3 exports and "
            f"1 report at any time), {result['jobs_done']} done, failed "
            f"{result['jobs_failed'] or 'none'}; median export "
            f"{result['export_median_s']} s, report {result['report_median_s']} s "
            "(the server's CPU above includes its job workers)"
        )
    if result.get("invitations_ran_out_after_s") is not None:
        text_ += (
            f"\n    ! the invitations ran out {result['invitations_ran_out_after_s']} s "
            "into the run: fewer respondents from then on (raise --max-responses)"
        )
    if ceiling:
        text_ += (
            f"\n    ratio to the hello-world ceiling: pages/s "
            f"{result['pages_per_s'] / ceiling:.4f}, requests/s "
            f"{result['requests_per_s'] / ceiling:.4f}"
        )
    return text_


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def targets(results: Sequence[dict[str, Any]], rate: float) -> tuple[list[str], bool]:
    """The target lines, and whether no acknowledged page was lost."""
    lines = []
    for result in results:
        if "jobs_started" in result:
            head = (
                f"target {result['backend']} page p99 < {TARGET_P99_MS} ms at "
                f"{rate:g} pages/s with 3 exports and 1 report as jobs: "
            )
            kept_up = result["pages_per_s"] >= RATE_TOLERANCE * rate
            fast = result["page_p99_ms"] < TARGET_P99_MS
            if result.get("invitations_ran_out_after_s") is not None:
                lines.append(f"{head}not measured (the invitations ran out)")
            else:
                lines.append(
                    f"{head}{_verdict(kept_up and fast)} (p99 "
                    f"{result['page_p99_ms']:.1f} ms at "
                    f"{result['pages_per_s']:.1f} pages/s)"
                )
            continue
        if result["backend"] != "sqlite":
            continue
        flat_out = result["run"] == "flat out"
        if not flat_out and rate < TARGET_PAGES_PER_S:
            continue
        head = (
            f"target sqlite serves >= {TARGET_PAGES_PER_S} pages/s: "
            if flat_out
            else f"target sqlite page p99 < {TARGET_P99_MS} ms at {rate:g} pages/s: "
        )
        if result.get("invitations_ran_out_after_s") is not None:
            lines.append(
                f"{head}not measured (the invitations ran out; raise --max-responses)"
            )
        elif flat_out:
            ok = result["pages_per_s"] >= TARGET_PAGES_PER_S
            lines.append(
                f"{head}{_verdict(ok)} ({result['pages_per_s']:.1f} pages/s flat out)"
            )
        else:
            kept_up = result["pages_per_s"] >= RATE_TOLERANCE * rate
            fast = result["page_p99_ms"] < TARGET_P99_MS
            lines.append(
                f"{head}{_verdict(kept_up and fast)} (p99 "
                f"{result['page_p99_ms']:.1f} ms at {result['pages_per_s']:.1f} pages/s)"
            )
    safe = True
    for result in results:
        ok = result["missing"] == 0 and result["unacknowledged"] == 0
        safe = safe and ok
        lines.append(
            f"target {result['backend']} ({result['run']}) 0 acknowledged pages missing: "
            f"{_verdict(ok)} ({result['missing']} missing, "
            f"{result['unacknowledged']} unacknowledged)"
        )
    return lines, safe


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; the exit status is 1 when an acknowledged page was lost."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration", type=float, default=15.0, help="seconds of each load run"
    )
    parser.add_argument("--ceiling-duration", type=float, default=8.0)
    parser.add_argument(
        "--skip-flat-out",
        action="store_true",
        help="no flat-out run: only the paced runs (with --jobs, the jobs' scenario)",
    )
    parser.add_argument(
        "--respondents", type=at_least_one, default=200, help="concurrent"
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=TARGET_PAGES_PER_S,
        help="pages/s the paced run offers (0: no paced run)",
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument(
        "--max-responses",
        type=at_least_one,
        default=None,
        help="invitations created per backend (default: enough for both runs, "
        f"respondents + {RESPONSES_PER_S_ALLOWED} a second of each run)",
    )
    parser.add_argument(
        "--jobs",
        action="store_true",
        help="add a paced run with 3 exports and 1 report running as jobs",
    )
    parser.add_argument(
        "--job-responses",
        type=at_least_one,
        default=20_000,
        help="stored responses the jobs export and report on",
    )
    parser.add_argument(
        "--job-workers", type=at_least_one, default=4, help="job worker processes"
    )
    parser.add_argument("--seed", type=int, default=20261005)
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    if args.skip_flat_out and args.rate <= 0:
        parser.error("--skip-flat-out needs the paced run: give --rate above 0")
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        pass

    results: list[dict[str, Any]] = []
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} before the run")
    with tempfile.TemporaryDirectory(prefix="sociaparis-bench-") as tmp:
        base = Path(tmp)
        hello = run_hello(args, base / "hello.log")
        ceiling = hello["requests_per_s"]
        print(_line(hello, None), flush=True)
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            data_dir = base / backend
            data_dir.mkdir()
            if backend == "sqlite":
                url = f"sqlite:///{data_dir / 'sociaparis.db'}"
                runs = run_backend(backend, url, data_dir, args)
            elif backend == "postgresql":
                with ThrowawayPostgres(args.pg_url) as url:
                    runs = run_backend(backend, url, data_dir, args)
            else:
                parser.error(f"unknown backend {backend!r}")
            for result in runs:
                print(_line(result, ceiling), flush=True)
                for message in [*result["errors"], *result["details"]]:
                    print(f"    ! {message}")
            results.extend(runs)
    print()
    lines, safe = targets(results, args.rate)
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps({"hello": hello, "results": results}, indent=2))
    return 0 if safe else 1


if __name__ == "__main__":
    raise SystemExit(main())
