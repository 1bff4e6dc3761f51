"""Benchmark: the monitoring and home pages of the staff survey sent to 50,000 people.

Builds a fresh study (SQLite, then a throw-away PostgreSQL database) with the
bundled staff survey, 50,000 invitations over 4 directorates x 3 job
categories, 30,000 responses (60% completed over 20 days, the others stopped
on a page drawn at random), each with its answers and a page duration for
every page it went past (about 300,000 durations). Then it times, several
times each, the service function (:func:`fielding_monitoring`: every count
read from the counts the database keeps), the whole researcher page
``/fielding/FORM_ID`` and the home page ``/`` through the application (log-in
cookie, rendering, charts: the server's time, without the network), and
prints the median and the slowest in milliseconds.

Run: ``.venv/bin/python benchmarks/fielding_monitoring.py [--invitations 50000]
[--responses 30000] [--backends sqlite,postgresql] [--repeat 7]``.
``--keep NAME`` builds the PostgreSQL study in the database NAME and keeps it;
a second run with the same NAME measures it again without building (a study
of 200,000 responses takes about 12 minutes to build on a 2-core machine).
Target (issue 22): both pages under 50 ms at 50,000 responses on SQLite and
at 200,000 on PostgreSQL (``--invitations 200000 --responses 200000``);
figures in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sociaparis.accounts.service import create_user  # noqa: E402
from sociaparis.core.config import Settings  # noqa: E402
from sociaparis.core.db import ensure_schema, make_engine, transaction  # noqa: E402
from sociaparis.survey.fielding.monitoring import fielding_monitoring  # noqa: E402
from sociaparis.survey.fielding.service import (  # noqa: E402
    configure_fielding,
    fielded_version,
    get_fielding,
)
from sociaparis.survey.fielding.study import load_study_into_database  # noqa: E402
from sociaparis.survey.models import (  # noqa: E402
    InvitationRecord,
    PageDurationRecord,
    ResponseRecord,
)
from sociaparis.survey.study import load_study  # noqa: E402
from sociaparis.survey.synthetic import synthetic_answers  # noqa: E402

STUDY_DIR = ROOT / "studies" / "sociaparis"
FORM_ID = "sociaparis_staff_llm"
SECRET = "benchmark-secret-key-0123456789abcdef"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
FIRST_DAY = date(2026, 3, 2)
BATCH = 5000


def _insert(connection, model, rows: list[dict], size: int) -> None:
    """Insert ``rows`` in multi-row statements of ``size`` rows (under SQLite's
    32,766 parameters)."""
    for start in range(0, len(rows), size):
        connection.execute(insert(model).values(rows[start : start + size]))


def build(settings: Settings, invitations: int, responses: int, seed: int) -> int:
    """Fill a fresh database; return how many page durations it holds."""
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
        create_user(session=session, username="bench", password="bench-password-123")
        stored = fielded_version(session=session, form_id=FORM_ID)
    pages = [page.name for page in stored.instrument.pages()]
    pool = [
        synthetic_answers(stored.instrument, rng=random.Random(seed + k))
        for k in range(50)
    ]
    people = [
        {
            "directorate": rng.choice(["dfa", "dsin", "dpev", "dase"]),
            "job_category": rng.choice(["A", "B", "C"]),
        }
        for _ in range(invitations)
    ]
    durations = 0
    with engine.begin() as connection:
        for start in range(0, invitations, BATCH):
            # One statement a batch, as an import's ORM flush sends them: on
            # PostgreSQL the counts' triggers then run once a batch, not once
            # a row on the same few counters in one transaction.
            connection.execute(
                insert(InvitationRecord).values(
                    [
                        {
                            "form_id": FORM_ID,
                            "token_hash": secrets.token_hex(32),
                            "attributes": person,
                            "used": False,
                            "created_on": FIRST_DAY,
                        }
                        for person in people[start : start + BATCH]
                    ]
                )
            )
        rows, timings = [], []
        for number in range(responses):
            completed = rng.random() < 0.6
            reached = len(pages) if completed else rng.randrange(len(pages))
            day = FIRST_DAY + timedelta(days=min(19, int(rng.expovariate(0.25))))
            rows.append(
                {
                    "id": uuid.uuid4().hex,
                    "instrument_id": stored.id,
                    "invitation_id": None,
                    "resume_token_hash": secrets.token_hex(32),
                    "status": "completed" if completed else "in_progress",
                    "answers": pool[number % len(pool)],
                    "current_page": None if completed else pages[reached],
                    "attributes": people[number],
                    "revision": reached,
                    "synthetic": False,
                    "started_on": day,
                    "completed_on": day if completed else None,
                }
            )
            timings += [
                {
                    "id": secrets.token_hex(16),
                    "form_id": FORM_ID,
                    "page": page,
                    "seconds": min(3600, int(rng.lognormvariate(3.3, 0.8))),
                }
                for page in pages[:reached]
            ]
            if len(rows) == BATCH:
                _insert(connection, ResponseRecord, rows, 1000)
                _insert(connection, PageDurationRecord, timings, 5000)
                durations += len(timings)
                rows, timings = [], []
        if rows:
            _insert(connection, ResponseRecord, rows, 1000)
            _insert(connection, PageDurationRecord, timings, 5000)
            durations += len(timings)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            # The load above updates the counts rows millions of times in
            # minutes; a real fielding spreads that over weeks, during which
            # autovacuum keeps the tables compact (docs/fielding.md#monitoring).
            autocommit.exec_driver_sql(
                "VACUUM FULL response_counts, invitation_counts, page_duration_counts"
            )
            autocommit.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return durations


def timed(repeat: int, work) -> list[float]:
    """Milliseconds of each of ``repeat`` runs of ``work()`` (after one warm-up)."""
    work()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(1000 * (time.perf_counter() - started))
    return times


def measure(
    name: str, settings: Settings, args: argparse.Namespace, *, built: bool = False
) -> None:
    if built:
        print(f"{name}: the study kept in the database {args.keep}, not built again")
    else:
        started = time.perf_counter()
        durations = build(settings, args.invitations, args.responses, args.seed)
        print(
            f"{name}: {args.invitations} invitations, {args.responses} responses, "
            f"{durations} page durations "
            f"(built in {time.perf_counter() - started:.0f} s)"
        )
    engine = make_engine(settings)

    def service() -> None:
        with transaction(engine) as session:
            fielding_monitoring(session=session, form_id=FORM_ID, lang="fr")

    times = timed(args.repeat, service)
    print(
        f"  fielding_monitoring: median {statistics.median(times):.1f} ms, "
        f"slowest {max(times):.1f} ms ({args.repeat} runs)"
    )
    engine.dispose()

    from fastapi.testclient import TestClient

    from sociaparis.web.app import create_app

    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        login = client.get("/login").text
        token = login.split('name="csrf_token" value="')[1].split('"')[0]
        client.post(
            "/login",
            data={
                "username": "bench",
                "password": "bench-password-123",
                "csrf_token": token,
            },
        )

        def page() -> None:
            response = client.get(f"/fielding/{FORM_ID}")
            if response.status_code != 200 or "table-by_page" not in response.text:
                raise RuntimeError(f"the page failed: {response.status_code}")

        times = timed(args.repeat, page)

        def home() -> None:
            response = client.get("/")
            if response.status_code != 200 or FORM_ID not in response.text:
                raise RuntimeError(f"the home page failed: {response.status_code}")

        home_times = timed(args.repeat, home)
    print(
        f"  GET /fielding/{FORM_ID}: median {statistics.median(times):.1f} ms, "
        f"slowest {max(times):.1f} ms ({args.repeat} runs)"
    )
    print(
        f"  GET /: median {statistics.median(home_times):.1f} ms, "
        f"slowest {max(home_times):.1f} ms ({args.repeat} runs)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invitations", type=int, default=50_000)
    parser.add_argument("--responses", type=int, default=30_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument(
        "--keep",
        default="",
        help="PostgreSQL: build the study in this database and keep it; "
        "measure it again, without building, if it exists",
    )
    args = parser.parse_args(argv)
    if args.responses > args.invitations:
        parser.error("--responses cannot exceed --invitations")
    backends = args.backends.split(",")
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(data_dir=Path(folder), secret_key=SECRET, mode="single")
            measure("sqlite", settings, args)
    if "postgresql" in backends:
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        database = args.keep or f"sociaparis_monitoring_{secrets.token_hex(4)}"
        with admin.connect() as connection:
            built = bool(
                connection.exec_driver_sql(
                    "SELECT 1 FROM pg_database WHERE datname = %(name)s",
                    {"name": database},
                ).first()
            )
            if not built:
                connection.exec_driver_sql(f'CREATE DATABASE "{database}"')
        try:
            url = make_url(args.pg_url).set(database=database)
            settings = Settings(
                database_url=url.render_as_string(hide_password=False),
                secret_key=SECRET,
                data_dir=Path(tempfile.mkdtemp()),
            )
            measure("postgresql", settings, args, built=built)
        finally:
            if not args.keep:
                with admin.connect() as connection:
                    connection.exec_driver_sql(
                        f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'
                    )
            admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
