"""Table-driven tests of the QCA engine on hand-derived examples.

Data are written as CSV text, read by the same reader as production input.
"""

from __future__ import annotations

import io
import itertools
import math

import numpy as np
import pandas as pd
import pytest

from sociaparis.compare.qca import minimize, prepare, truth_table
from sociaparis.compare.qca.cover import minimum_covers
from sociaparis.compare.qca.errors import QCAError
from sociaparis.compare.qca.minimize import parse_dir_exp
from sociaparis.compare.qca.necessity import superset_subset
from sociaparis.compare.qca.notation import format_term, parse_term
from sociaparis.compare.qca.primes import coverage_bits, primes_avoiding
from sociaparis.compare.qca.search import minimal_covers_on_demand
from sociaparis.core.errors import SociaparisError


def frame(csv: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(csv.strip()), index_col=0)


def assert_minimization(csv: str, solutions: list[set[str]], **options) -> None:
    """Minimize ``csv`` (outcome Y) and compare the set of models."""
    incl_cut = options.pop("incl_cut", 1)
    res = minimize(truth_table(frame(csv), outcome="Y", incl_cut=incl_cut), **options)
    assert sorted(map(sorted, map(set, res.solutions))) == sorted(map(sorted, solutions))


XOR = """
case,A,B,Y
a,0,0,0
b,0,1,1
c,1,0,1
d,1,1,0
"""
TWO_MODELS = """
case,A,B,C,Y
a,1,1,0,1
b,1,1,1,1
c,0,0,0,0
"""
MV = """
case,A,B,Y
a,0,0,0
b,1,0,1
c,2,0,1
d,2,1,1
e,0,1,0
"""


@pytest.mark.parametrize(
    ("csv", "include", "solutions"),
    [
        (XOR, "", [{"A*~B", "~A*B"}]),
        (XOR, "?", [{"A*~B", "~A*B"}]),
        (TWO_MODELS, "", [{"A*B"}]),
        # remainders free: either A or B alone explains 110 and 111 and avoids 000
        (TWO_MODELS, "?", [{"A"}, {"B"}]),
        (MV, "", [{"A[1]*B[0]", "A[2]"}]),
        (MV, "?", [{"A[1]", "A[2]"}]),
    ],
)
def test_minimal_models(csv: str, include: str, solutions: list[set[str]]) -> None:
    assert_minimization(csv, solutions, include=include)


def test_truth_table_fuzzy_by_hand() -> None:
    data = frame("""
case,A,Y
p,0.8,0.9
q,0.6,0.3
r,0.2,0.4
""")
    tt = truth_table(data, outcome="Y", incl_cut=0.7)
    row_one = tt.rows[1]
    # X = A: sum(min(A, Y)) / sum(A) = (0.8 + 0.3 + 0.2) / 1.6
    assert math.isclose(row_one.incl, 1.3 / 1.6)
    # PRI = (1.3 - sum(min(A, Y, 1 - Y))) / (1.6 - sum(min(A, Y, 1 - Y)))
    triple = 0.1 + 0.3 + 0.2
    assert math.isclose(row_one.pri, (1.3 - triple) / (1.6 - triple))
    assert (row_one.rownum, row_one.cases, row_one.out) == (2, ("p", "q"), "1")
    assert tt.rows[0].cases == ("r",)


@pytest.mark.parametrize(
    ("incl_cut", "out"),
    [(0.8, "1"), ([0.9, 0.7], "C"), ([0.95, 0.85], "0")],
)
def test_two_inclusion_cuts(incl_cut: float | list[float], out: str) -> None:
    data = frame("case,A,Y\na,1,1\nb,1,1\nc,1,1\nd,1,1\ne,1,0\nf,0,0")
    # row A=1: incl = 4 / 5
    assert truth_table(data, outcome="Y", incl_cut=incl_cut).rows[1].out == out


@pytest.mark.parametrize(
    ("n_cut", "outs", "solutions"),
    [(1, ["0", "1", "1"], [["A"]]), (2, ["0", "?", "1"], [["A"], ["B"]])],
)
def test_n_cut_makes_a_remainder(n_cut: int, outs: list[str], solutions: list) -> None:
    data = frame("case,A,B,Y\na,1,1,1\nb,1,1,1\nc,1,0,1\nd,0,0,0\ne,0,0,0")
    tt = truth_table(data, outcome="Y", n_cut=n_cut)
    assert [r.out for r in tt.rows] == outs
    assert minimize(tt, include="?").solutions == solutions


def test_no_negative_rows_left() -> None:
    tt = truth_table(frame("case,A,Y\na,1,1\nb,0,1\nc,0,1"), outcome="Y", n_cut=2)
    with pytest.raises(SociaparisError) as raised:
        minimize(tt, include="?")
    assert raised.value.error is QCAError.ALL_MINIMIZED


def test_negated_outcome_equals_tilde() -> None:
    a = truth_table(frame(XOR), outcome="~Y")
    b = truth_table(frame(XOR), outcome="Y", negate_outcome=True)
    assert [r.out for r in a.rows] == [r.out for r in b.rows] == ["1", "0", "0", "1"]


def test_intermediate_by_hand() -> None:
    # ON 110 and 111, OFF 000; parsimonious A or B; expecting A = 1 and C = 1
    res = minimize(
        truth_table(frame(TWO_MODELS), outcome="Y"), include="?", dir_exp={"A": 1, "C": 1}
    )
    assert [i.key for i in res.intermediate] == ["C1P1", "C1P2"]
    assert res.solutions == [["A*B"], ["A*B"]]


# ON 010, 000, 111, 100; OFF 101; parsimonious B + ~C; conservative
# ~A*~C + ~B*~C + A*B*C. Answers of R QCA 3.23 (minimize(tt, include = "?", dir.exp =
# ...), 2026-12-05): ~A*~C lies in ~C, which fixes C, so C stays against its
# expectation and 011 (row 4) is not easy; "-" means no expectation (kept as observed).
EASY = "case,A,B,C,Y\nr0,0,1,0,1\nr1,1,0,1,0\nr2,0,0,0,1\nr3,1,1,1,1\nr4,1,0,0,1"


@pytest.mark.parametrize(
    ("dir_exp", "easy", "solutions"),
    [
        ("A, B, C", (7,), [["~C", "A*B"]]),
        ("A=-, B=-, C", (), [["~A*~C", "~B*~C", "A*B*C"]]),
        ("C", (), [["~A*~C", "~B*~C", "A*B*C"]]),
        # no expectation at all: R returns the conservative model
        ("A=-, B=-, C=-", (), [["~A*~C", "~B*~C", "A*B*C"]]),
    ],
)
def test_easy_counterfactuals_as_r(dir_exp: str, easy: tuple, solutions: list) -> None:
    res = minimize(truth_table(frame(EASY), outcome="Y"), include="?", dir_exp=dir_exp)
    assert [i.easy_counterfactuals for i in res.intermediate] == [easy]
    assert res.solutions == solutions


@pytest.mark.parametrize(
    ("csv", "row_dom", "primes", "solutions"),
    [
        # A covers 110, 111, 101; B only 110, 111; C only 111, 101
        (
            "case,A,B,C,Y\na,1,1,0,1\nb,1,1,1,1\nc,1,0,1,1\nd,0,0,0,0",
            False,
            {"A", "B", "C"},
            [["A"]],
        ),
        (
            "case,A,B,C,Y\na,1,1,0,1\nb,1,1,1,1\nc,1,0,1,1\nd,0,0,0,0",
            True,
            {"A"},
            [["A"]],
        ),
        # equal coverage is not dominance (R's rowDominance keeps both)
        (TWO_MODELS, True, {"A", "B"}, [["A"], ["B"]]),
    ],
)
def test_row_dominance(
    csv: str, row_dom: bool, primes: set[str], solutions: list
) -> None:
    res = minimize(truth_table(frame(csv), outcome="Y"), include="?", row_dom=row_dom)
    assert set(res.prime_implicants) == primes
    assert res.solutions == solutions


def test_simplifying_assumptions() -> None:
    res = minimize(truth_table(frame(TWO_MODELS), outcome="Y"), include="?")
    by_model = {m.terms: m.simplifying_assumptions for m in res.models}
    # A covers 100 (row 5) and 101 (row 6); B covers 010 (3) and 011 (4)
    assert by_model == {("A",): (5, 6), ("B",): (3, 4)}


@pytest.mark.parametrize(
    ("values", "mv", "text"),
    [
        ((1, -1, 0), False, "A*~C"),
        ((2, 0, -1), True, "A[2]*B[0]"),
        ((-1, -1, -1), False, "1"),
    ],
)
def test_notation(values: tuple[int, ...], mv: bool, text: str) -> None:
    assert format_term(values, ["A", "B", "C"], mv=mv) == text
    if text != "1":
        assert parse_term(text, ["A", "B", "C"]) == values


@pytest.mark.parametrize(
    ("dir_exp", "parsed"),
    [
        ("A, ~B", {"A": 1, "B": 0}),
        ("A[2], B=-", {"A": 2, "B": "-"}),
        ({"A": 0}, {"A": 0}),
    ],
)
def test_dir_exp(dir_exp, parsed) -> None:
    assert parse_dir_exp(dir_exp, ["A", "B"]) == parsed


def test_minimum_covers_lists_every_cover() -> None:
    # columns 0..3; three ways to cover with two sets
    pis = [0b0011, 0b1100, 0b0110, 0b1001, 0b0001]
    assert minimum_covers(pis, 0b1111) == [(0, 1), (2, 3)]


@pytest.mark.parametrize("seed", range(40))
def test_on_demand_search_equals_full_chart(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(3, 8))
    levels = [int(rng.choice([2, 2, 3])) for _ in range(k)]
    space = list(itertools.product(*[range(level) for level in levels]))
    size = min(len(space), int(rng.integers(4, 30)))
    rows = np.array([space[i] for i in rng.choice(len(space), size=size, replace=False)])
    positive = rng.random(len(rows)) < 0.5
    if positive.all() or not positive.any():
        positive[0] = not positive[0]
    on, off = rows[positive], rows[~positive]
    pis = primes_avoiding(on, off, levels)
    bits = [coverage_bits(c, on) for c in pis]
    try:
        full = {
            frozenset(pis[i] for i in c) for c in minimum_covers(bits, (1 << len(on)) - 1)
        }
    except SociaparisError:
        pytest.skip("too many minimal covers to compare")
    cubes, covers = minimal_covers_on_demand(on, off, levels)
    assert {frozenset(cubes[i] for i in c) for c in covers} == full


def test_necessity_by_hand() -> None:
    data = frame("case,A,B,Y\na,1,0,1\nb,0,1,1\nc,0,0,0\nd,1,1,0")
    result = superset_subset(data, outcome="Y")
    # no single condition is necessary; A + B and ~A + ~B are (cases a and b)
    terms = {t.term: t for t in result.terms}
    assert set(terms) == {"A + B", "~A + ~B"}
    assert math.isclose(terms["A + B"].cov, 2 / 3)
    assert math.isclose(terms["A + B"].ron, 1 / 2)


@pytest.mark.parametrize(
    ("csv", "options", "error", "context"),
    [
        ("case,A,Y\na,1,1", {"outcome": "Z"}, QCAError.UNKNOWN_COLUMN, {"column": "Z"}),
        ("case,A,Y\na,x,1", {"outcome": "Y"}, QCAError.NOT_NUMERIC, {"column": "A"}),
        ("case,A,Y\na,1.5,1\nb,0.2,0", {"outcome": "Y"}, QCAError.OUT_OF_RANGE, {}),
        ("case,A,Y\na,,1\nb,1,0", {"outcome": "Y"}, QCAError.MISSING_VALUES, {}),
        (
            "case,A,Y\na,1,1",
            {"outcome": "Y", "conditions": ["A", "Y"]},
            QCAError.BAD_OUTCOME,
            {},
        ),
        (
            "case,A,Y\na,1,1",
            {"outcome": "Y", "incl_cut": [0.5, 0.9]},
            QCAError.BAD_INCL_CUT,
            {},
        ),
    ],
)
def test_input_errors(csv: str, options: dict, error: QCAError, context: dict) -> None:
    with pytest.raises(SociaparisError) as raised:
        truth_table(frame(csv), **options)
    assert raised.value.error is error
    for key, value in context.items():
        assert raised.value.context[key] == value


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"include": "x"}, QCAError.BAD_INCLUDE),
        ({"include": "", "dir_exp": "A"}, QCAError.BAD_INCLUDE),
        ({"include": "?", "dir_exp": "Q"}, QCAError.BAD_DIR_EXP),
    ],
)
def test_minimize_errors(options: dict, error: QCAError) -> None:
    with pytest.raises(SociaparisError) as raised:
        minimize(truth_table(frame(XOR), outcome="Y"), **options)
    assert raised.value.error is error


def test_no_positive_rows() -> None:
    tt = truth_table(frame("case,A,Y\na,1,0\nb,0,0"), outcome="Y")
    with pytest.raises(SociaparisError) as raised:
        minimize(tt)
    assert raised.value.message == QCAError.NO_POSITIVE_ROWS.format(incl_cut=1.0, n_cut=1)


def test_prepare_detects_kinds() -> None:
    assert prepare(frame(XOR), outcome="Y").kind == "cs"
    assert prepare(frame(MV), outcome="Y").kind == "mv"
    assert prepare(frame("case,A,Y\na,0.3,1\nb,1,0"), outcome="Y").kind == "fs"


@pytest.mark.parametrize("seed", range(25))
def test_integer_programming_lists_the_same_covers(seed: int) -> None:
    from sociaparis.compare.qca.cover import _milp_covers

    rng = np.random.default_rng(seed)
    columns = int(rng.integers(3, 10))
    pis = [int(rng.integers(1, 1 << columns)) for _ in range(int(rng.integers(3, 12)))]
    universe = (1 << columns) - 1
    assert _milp_covers(pis, universe, 1000) == minimum_covers(pis, universe)
