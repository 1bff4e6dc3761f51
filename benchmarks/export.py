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
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

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


def main() -> None:
    """Run the benchmark and print one line per step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=1_000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

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
