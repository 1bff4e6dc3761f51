"""Benchmark: form logic against hostile input (issue #18, section 5).

Prints, for each attack, the time it costs the engine now and, where it can be
reproduced in a bounded time, what it cost before:

- the CIO survey's e-mail constraint, ``regex(., '^[^@ ]+@[^@ ]+\\.[^@ ]+$')``,
  on a crafted answer of 10,000 characters: Python's backtracking ``re`` (the
  engine before) against ``regex()`` as evaluated now (RE2);
- ``regex(., '^(a+)+$')``: with ``re`` the time doubles with each character
  (shown on short inputs; 10,000 characters never finish), with RE2 a full
  answer;
- checking expressions: the largest sum accepted (2,500 terms), and refusing a
  50,000-term sum.

Run: ``.venv/bin/python benchmarks/hostile_input.py``. It takes a few seconds.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable

from sociaparis.survey.checks import MAX_ANSWER_LENGTH
from sociaparis.survey.xpath import XPathError, evaluate, parse

EMAIL = r"^[^@ ]+@[^@ ]+\.[^@ ]+$"
NESTED = r"^(a+)+$"


class _Answer:
    """A context where ``.`` and ``${v}`` are one answer."""

    def __init__(self, value: str) -> None:
        self.value = value

    def resolve(self, name: str) -> str:
        return self.value

    def current(self) -> str:
        return self.value


def _seconds(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    crafted = ("a@" + "." * MAX_ANSWER_LENGTH)[: MAX_ANSWER_LENGTH - 1] + "@"
    constraint = parse(f"regex(., '{EMAIL}')")
    before = _seconds(lambda: re.search(EMAIL, crafted))
    after = _seconds(lambda: evaluate(constraint, _Answer(crafted)))
    print(f"e-mail constraint, {len(crafted):,}-character crafted answer:")
    print(f"  before (Python re): {before * 1000:10.1f} ms")
    print(f"  now (RE2):          {after * 1000:10.3f} ms")

    nested = parse(f"regex(., '{NESTED}')")
    print(f"{NESTED!r}:")
    for length in (18, 20, 22):
        text = "a" * length + "!"
        spent = _seconds(lambda text=text: re.search(NESTED, text))
        print(f"  before (Python re), {length + 1} characters: {spent * 1000:8.1f} ms")
    text = "a" * (MAX_ANSWER_LENGTH - 1) + "!"
    spent = _seconds(lambda: evaluate(nested, _Answer(text)))
    print(f"  now (RE2), {len(text):,} characters:  {spent * 1000:8.3f} ms")

    largest = " + ".join(["${v}"] * 2_500)
    spent = _seconds(lambda: parse(largest))
    size = f"{len(largest):,} characters"
    print(f"check of a 2,500-term sum ({size}): {spent * 1000:.1f} ms")
    huge = " + ".join(["${v}"] * 50_000)

    def refuse() -> None:
        try:
            parse(huge)
        except XPathError:
            return
        raise SystemExit("a 50,000-term sum was accepted")

    spent = _seconds(refuse)
    print(f"check refusing a 50,000-term sum: {spent * 1000:.3f} ms")


if __name__ == "__main__":
    main()
