"""Timing benchmark of the themes of open answers.

Builds ``--sizes`` answers by joining two of the synthetic phrases of
:mod:`sociaparis.survey.synthetic` (225 distinct texts, drawn with a fixed
seed), then times :func:`sociaparis.analysis.themes.find_themes` with the
number of themes chosen automatically, quotes pseudonymized. The first call
also loads the spaCy models, timed apart.

Usage::

    .venv/bin/python benchmarks/themes.py [--sizes 500 2000 5000]
"""

from __future__ import annotations

import argparse
import random
import time

from sociaparis.analysis.themes import find_themes, load_model
from sociaparis.survey.synthetic import PHRASES


def answers(n: int, seed: int = 1) -> list[str]:
    """``n`` answers of two synthetic phrases each."""
    rng = random.Random(seed)
    return [f"{rng.choice(PHRASES)} {rng.choice(PHRASES)}" for _ in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    args = parser.parse_args()
    start = time.perf_counter()
    load_model()
    find_themes(answers(20), n_themes=1, min_count=5)
    print(f"models loaded: {time.perf_counter() - start:.1f} s")
    for n in args.sizes:
        texts = answers(n)
        start = time.perf_counter()
        result = find_themes(texts)
        seconds = time.perf_counter() - start
        print(
            f"{n:>6} answers: {seconds:6.1f} s, {result.n_themes} groups, "
            f"silhouette {result.silhouette:.3f}"
        )


if __name__ == "__main__":
    main()
