"""The AI's agreement with a person: kappa, alpha, precision and recall per code,
on the units of the human agreement, checked against values derived by hand,
a conformance case, and the human agreement report on the same units."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.assist.evaluation import evaluate_agreement, trust_level, wilson
from sociaparis.assist.evaluation_service import evaluate_offline, evaluate_run
from sociaparis.core.errors import SociaparisError
from sociaparis.qual import coding_service as cs
from sociaparis.qual.agreement import span_units
from sociaparis.qual.agreement_report import agreement_report
from tests.assist.study import account, add_run, build, turns

REFERENCE = Path(__file__).parent.parent / "reference" / "reliability"
Z95 = 1.959963984540054


def _wilson_by_hand(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def _codings(flags: list[tuple[int, int]], coders: tuple[str, str] = ("ana", "ai:m")):
    """Codings of code X on unit i (10 code points each) for each 1 flag."""
    rows = []
    for i, pair in enumerate(flags):
        for coder, flag in zip(coders, pair, strict=True):
            if flag:
                rows.append({"coder": coder, "document": f"d{i // 4}",
                             "start": (i % 4) * 10, "end": (i % 4) * 10 + 10,
                             "code": "X"})  # fmt: skip
    return rows


def _units(n: int):
    docs: dict[str, list[tuple[int, int]]] = {}
    for i in range(n):
        docs.setdefault(f"d{i // 4}", []).append(((i % 4) * 10, (i % 4) * 10 + 10))
    return span_units(docs)


# (human, AI) decisions on 8 units, 4 per document:
# both 2, AI only 1, person only 1, neither 4.
# p_o = 6/8, p_e = (3/8)^2 + (5/8)^2 = 34/64 -> kappa = (48/64-34/64)/(30/64) = 7/15;
# alpha: 16 values, 6 ones, 10 zeros, 2 disagreeing units -> 1 - 15*4/(2*6*10) = 1/2
HAND = [(1, 1), (1, 0), (0, 1), (0, 0), (1, 1), (0, 0), (0, 0), (0, 0)]


def test_a_small_table_by_hand() -> None:
    result = evaluate_agreement(
        _codings(HAND), _units(8), ai="ai:m", human="ana", bootstrap=0
    )
    x = result.codes[0]
    assert (x.code, x.n_units, x.both, x.ai_only, x.human_only, x.neither) == (
        "X", 8, 2, 1, 1, 4,
    )  # fmt: skip
    assert x.kappa == pytest.approx(7 / 15, rel=1e-12)
    assert x.alpha == pytest.approx(0.5, rel=1e-12)
    assert x.percent_agreement == pytest.approx(0.75)
    assert x.precision == pytest.approx(2 / 3) and x.recall == pytest.approx(2 / 3)
    assert x.precision_ci == pytest.approx(_wilson_by_hand(2, 3), rel=1e-9)
    assert x.kappa_ci is None and x.alpha_ci is None
    assert x.trust == "unreliable" and not x.settled
    assert result.n_documents == 2 and result.n_units == 8
    assert result.overall.kappa == pytest.approx(7 / 15, rel=1e-12)


def test_the_conformance_yes_no_case_gives_its_kappa() -> None:
    case = json.loads((REFERENCE / "cohen_kappa_wikipedia_yes_no.json").read_text())
    human, ai = case["data"]
    flags = list(zip(human, ai, strict=True))
    result = evaluate_agreement(
        _codings(flags), _units(len(flags)), ai="ai:m", human="ana", bootstrap=0
    )
    x = result.codes[0]
    assert x.kappa == pytest.approx(case["value"], abs=1e-12)
    # 20 yes/yes, 5 yes (person) / no (AI), 10 no/yes, 15 no/no
    assert (x.both, x.human_only, x.ai_only, x.neither) == (20, 5, 10, 15)
    assert x.precision == pytest.approx(20 / 30) and x.recall == pytest.approx(20 / 25)
    assert x.recall_ci == pytest.approx(_wilson_by_hand(20, 25), rel=1e-9)


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [
        (0, 0, None),
        (8, 10, (0.4902, 0.9433)),
        (0, 5, (0.0, 0.4345)),
        (5, 5, (0.5655, 1.0)),
    ],
)
def test_wilson_intervals(k: int, n: int, expected: tuple | None) -> None:
    got = wilson(k, n)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-4)
        if 0 < k < n:
            assert got == pytest.approx(_wilson_by_hand(k, n), rel=1e-9)


@pytest.mark.parametrize(
    ("alpha", "level"),
    [(1.0, "reliable"), (0.8, "reliable"), (0.7999, "tentative"), (0.667, "tentative"),
     (0.6669, "unreliable"), (-0.2, "unreliable"), (float("nan"), "undefined")],
)  # fmt: skip
def test_krippendorffs_levels(alpha: float, level: str) -> None:
    assert trust_level(alpha) == level


def test_the_document_bootstrap_is_fixed_by_its_seed_and_brackets_the_value() -> None:
    flags = HAND * 5  # 40 units in 10 documents
    codings, units = _codings(flags), _units(len(flags))
    first = evaluate_agreement(codings, units, ai="ai:m", human="ana", bootstrap=100)
    again = evaluate_agreement(codings, units, ai="ai:m", human="ana", bootstrap=100)
    other = evaluate_agreement(
        codings, units, ai="ai:m", human="ana", bootstrap=100, seed=1
    )
    x = first.codes[0]
    assert x.kappa_ci == again.codes[0].kappa_ci != other.codes[0].kappa_ci
    assert x.kappa_ci[0] < x.kappa < x.kappa_ci[1]
    assert x.alpha_ci[0] < x.alpha < x.alpha_ci[1]
    # a single document: every replicate is the table itself
    one = evaluate_agreement(
        _codings(HAND[:4]), _units(4), ai="ai:m", human="ana", bootstrap=20
    )
    assert one.codes[0].kappa_ci == pytest.approx((one.codes[0].kappa,) * 2)


def test_perfect_agreement_is_reliable_and_settled() -> None:
    flags = [(1, 1), (0, 0), (0, 0), (1, 1)] * 6
    result = evaluate_agreement(
        _codings(flags), _units(len(flags)), ai="ai:m", human="ana"
    )
    x = result.codes[0]
    assert x.kappa == 1 and x.alpha == 1 and x.trust == "reliable" and x.settled
    assert result.trusted == ("X",)
    data = result.to_dict()
    assert data["codes"][0]["kappa_ci"] == [1.0, 1.0]
    assert data["thresholds"] == {"reliable": 0.8, "tentative": 0.667}


# -- in the study ---------------------------------------------------------------

# ana coded, in every interview, turns 0 and 4 "IA", turns 2 and 5 "Budget"
SUGGESTED = {
    "entretien-01": [(0, "IA"), (1, "IA"), (2, "Budget")],
    "entretien-02": [(0, "IA"), (5, "Budget"), (3, "Budget")],
}
# per code on 12 turns: both 2, AI only 1, person only 2, neither 7:
# p_o = 9/12, p_e = 4/12*3/12 + 8/12*9/12 = 84/144 -> kappa = 0.4;
# alpha: 24 values, 7 ones, 17 zeros, 3 disagreeing -> 1 - 23*6/(2*7*17) = 100/238
KAPPA, ALPHA = 0.4, 100 / 238


@pytest.mark.parametrize("status", ["proposed", "rejected"])
def test_a_run_against_a_person(session: Session, status: str) -> None:
    ids = build(session)
    run = add_run(session, ids, SUGGESTED, status=status)
    boss = account(session, "boss", Role.RESEARCHER)
    result = evaluate_run(session=session, actor=boss, run=run, coder="ana")
    assert (result.ai, result.human, result.source) == (
        "ai:test-model",
        "ana",
        f"run {run}",
    )
    assert result.n_documents == 2 and result.n_units == 12
    assert [c.code for c in result.codes] == ["IA", "Budget"]
    for x in result.codes:
        assert (x.both, x.ai_only, x.human_only, x.neither) == (2, 1, 2, 7)
        assert x.kappa == pytest.approx(KAPPA, rel=1e-12)
        assert x.alpha == pytest.approx(ALPHA, rel=1e-12)
        assert x.precision == pytest.approx(2 / 3) and x.recall == pytest.approx(0.5)
        assert x.trust == "unreliable"
    # stacked: both 4, AI only 2, person only 4, neither 14 -> kappa 0.4 again
    assert result.overall.kappa == pytest.approx(0.4, rel=1e-12)
    assert result.overall.alpha == pytest.approx(388 / 952, rel=1e-12)


def test_the_same_figures_as_the_human_agreement_on_the_same_units(
    session: Session,
) -> None:
    ids = build(session)
    run = add_run(session, ids, SUGGESTED)
    boss = account(session, "boss", Role.RESEARCHER)
    ben = account(session, "ben", Role.CODER)
    for title, items in SUGGESTED.items():
        spans = turns(session, ids[title])
        for index, code in items:
            cs.apply_coding(
                session=session, actor=ben, document=ids[title], code=code,
                start=spans[index][0], end=spans[index][1],
            )  # fmt: skip
    human = agreement_report(
        session=session, viewer=boss, coders=["ana", "ben"],
        documents=[ids["entretien-01"], ids["entretien-02"]],
    )  # fmt: skip
    rows = dict(human.rows)
    result = evaluate_run(session=session, actor=boss, run=run, coder="ana")
    for x in result.codes:
        assert rows[x.code]["cohen_kappa"] == pytest.approx(x.kappa, rel=1e-12)
        assert rows[x.code]["krippendorff_alpha"] == pytest.approx(x.alpha, rel=1e-12)
        assert rows[x.code]["percent_agreement"] == pytest.approx(x.percent_agreement)


def test_refusals(session: Session) -> None:
    ids = build(session, n_docs=3)
    run = add_run(session, ids, {"entretien-01": [(0, "IA")]})
    boss = account(session, "boss", Role.RESEARCHER)
    ana = account(session, "ana", Role.CODER)
    cases = [
        ({"actor": ana, "run": run, "coder": "ana"}, "ASSIST_069"),
        ({"actor": boss, "run": run + 1, "coder": "ana"}, "ASSIST_065"),
        ({"actor": boss, "run": run, "coder": "zoe"}, "ASSIST_064"),
        ({"actor": boss, "run": run, "coder": "ai:test-model"}, "ASSIST_063"),
    ]
    for kwargs, code in cases:
        with pytest.raises(SociaparisError) as caught:
            evaluate_run(session=session, **kwargs)
        assert caught.value.code == code
    with pytest.raises(SociaparisError) as caught:
        evaluate_offline(session=session, actor=boss, coder="ana", folds=5)
    assert caught.value.code == "ASSIST_067"
    assert "at least 5 documents coded by 'ana'; there are 3" in caught.value.message


def test_the_offline_suggester_by_cross_validation(session: Session) -> None:
    build(session)
    boss = account(session, "boss", Role.RESEARCHER)
    result = evaluate_offline(session=session, actor=boss, coder="ana", bootstrap=50)
    assert result.ai == "offline:tfidf"
    assert result.source == "offline, 5-fold cross-validation by document"
    assert result.n_documents == 10 and result.n_units == 60
    assert [c.code for c in result.codes] == ["Budget", "IA"]
    for x in result.codes:
        # each interview's themed turns share their theme's words only
        assert x.both + x.human_only == 20
        assert x.kappa >= 0.8 and x.recall >= 0.9 and x.precision >= 0.9
        assert x.trust == "reliable"
    again = evaluate_offline(session=session, actor=boss, coder="ana", bootstrap=50)
    assert again.to_dict() == result.to_dict()
