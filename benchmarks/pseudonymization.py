"""Benchmark: recall and precision of pseudonymization on annotated French interviews.

Run from the repository root::

    .venv/bin/python benchmarks/pseudonymization.py [--show-errors]

The text in ``benchmarks/data/pseudonymization/interviews.txt`` marks every
entity that must be replaced as ``{{KIND:words}}`` (see the README there); the
script strips the markup, pseudonymizes the plain text with the study terms in
``terms.txt`` and the default allow-list, and prints, per kind:

- ``recall``: share of expected entities whose every character is replaced
  (by a label of any kind), which is what protects the person;
- ``recall_same_kind``: share overlapped by a replacement of the right kind;
- ``precision``: share of replacements of that kind that hit an expected entity;
- ``precision_same_kind``: the same, counting only entities of that kind;

then the throughput in words per second (model load excluded, reported apart).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sociaparis.qual.pseudonymization import PseudonymizationConfig, find_entities
from sociaparis.qual.pseudonymization.evaluation import (
    misses,
    parse_annotated,
    score,
    scores_frame,
)
from sociaparis.qual.pseudonymization.files import load_terms, read_text
from sociaparis.qual.pseudonymization.ner import common_words, load_pipeline

DATA = Path(__file__).resolve().parent / "data" / "pseudonymization"
TARGETS = {"PERSONNE": 0.98, "EMAIL": 1.0, "TELEPHONE": 1.0}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 when a recall target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-errors", action="store_true", help="list misses")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (best kept)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    load_pipeline()
    common_words()
    load_seconds = time.perf_counter() - started

    plain, gold = parse_annotated(read_text(DATA / "interviews.txt"))
    config = PseudonymizationConfig().with_terms(load_terms(DATA / "terms.txt"))
    words = len(plain.split())
    best = float("inf")
    for _ in range(max(args.repeat, 1)):
        started = time.perf_counter()
        found = find_entities(plain, config=config)
        best = min(best, time.perf_counter() - started)

    frame = scores_frame(score(gold, found))
    print(
        f"text: {words} words, {len(gold)} expected entities, {len(found)} replacements"
    )
    print(frame.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(
        f"throughput: {words / best:,.0f} words/s ({best:.3f} s per run, best of "
        f"{args.repeat}); model and word lists loaded in {load_seconds:.1f} s"
    )
    if args.show_errors:
        missed, spurious = misses(plain, gold, found)
        print("\nmissed:", *missed, sep="\n  ")
        print("\nnot expected:", *spurious, sep="\n  ")
    failed = [
        kind
        for kind, target in TARGETS.items()
        if (frame.loc[frame.kind == kind, "recall"] < target).any()
    ]
    if failed:
        print(f"recall target missed for: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
