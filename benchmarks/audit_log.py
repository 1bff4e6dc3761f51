"""Benchmark: the audit log page and its CSV with 200,000 entries (SQLite).

Fills a fresh study's ``audit_log`` with 200,000 entries (60 people, 12
actions, over 180 days), then times, several times each, the service
functions behind ``/admin/audit``: the first page (no filter), one person's
entries, one action over one week, a page far down the log, and the CSV of
one person's entries.

Run: ``.venv/bin/python benchmarks/audit_log.py [--entries 200000] [--repeat 7]``.
Target: every page in well under 100 ms (figures in docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sociaparis.accounts.audit import AuditFilter, audit_csv, audit_page  # noqa: E402
from sociaparis.accounts.models import AuditEntry  # noqa: E402
from sociaparis.accounts.service import LOCAL_ADMIN  # noqa: E402
from sociaparis.core.config import Settings  # noqa: E402
from sociaparis.core.db import ensure_schema, make_engine, transaction  # noqa: E402

ACTIONS = (
    "login.success",
    "login.failure",
    "logout",
    "export.data",
    "export.table",
    "export.report",
    "fielding.open",
    "fielding.close",
    "form.add",
    "invitations.create",
    "account.role",
    "account.password",
)
START = datetime(2026, 6, 1, tzinfo=UTC)


def fill(engine, entries: int, seed: int = 1) -> None:
    """``entries`` rows in batches of 10,000, spread over 180 days."""
    rng = random.Random(seed)
    people = [f"person-{n:02d}" for n in range(60)]
    with transaction(engine) as session:
        for start in range(0, entries, 10_000):
            rows = []
            for n in range(start, min(entries, start + 10_000)):
                who = rng.choice(people)
                rows.append(
                    {
                        "at": START + timedelta(seconds=n * 180 * 86400 // entries),
                        "actor_id": None,
                        "actor": who,
                        "action": rng.choice(ACTIONS),
                        "target": rng.choice(people),
                        "details": {"client": f"10.0.{n % 250}.{n % 200}"},
                    }
                )
            session.execute(insert(AuditEntry), rows)


def timed(engine, repeat: int, call) -> tuple[float, float]:
    """Median and slowest milliseconds of ``call(session)`` in a fresh transaction."""
    times = []
    for _ in range(repeat):
        with transaction(engine) as session:
            started = time.perf_counter()
            call(session)
            times.append((time.perf_counter() - started) * 1000)
            session.rollback()  # the CSV logs its own download: not kept
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), secret_key="benchmark-" * 4)
        engine = make_engine(settings)
        ensure_schema(engine, settings)
        started = time.perf_counter()
        fill(engine, args.entries)
        print(f"filled {args.entries} entries in {time.perf_counter() - started:.1f} s")
        week = date(2026, 9, 1)
        cases = {
            "first page, no filter": lambda s: audit_page(session=s, actor=LOCAL_ADMIN),
            "one person": lambda s: audit_page(
                session=s, actor=LOCAL_ADMIN, where=AuditFilter(person="person-07")
            ),
            "one action, one week": lambda s: audit_page(
                session=s,
                actor=LOCAL_ADMIN,
                where=AuditFilter(
                    action="export.data", since=week, until=week + timedelta(days=6)
                ),
            ),
            "page 2000 of 4000": lambda s: audit_page(
                session=s, actor=LOCAL_ADMIN, page=2000
            ),
            "CSV of one person": lambda s: audit_csv(
                session=s, actor=LOCAL_ADMIN, where=AuditFilter(person="person-07")
            ),
        }
        print(f"{'case':<24} {'median ms':>10} {'max ms':>8}")
        for name, call in cases.items():
            median, slowest = timed(engine, args.repeat, call)
            print(f"{name:<24} {median:>10.1f} {slowest:>8.1f}")
        engine.dispose()


if __name__ == "__main__":
    main()
