"""Agreement on codings of text spans: presence tables, per code, overall, disagreements.

Every expected number below is derived by hand in the comments.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from sociaparis.qual.agreement import (
    coding_agreement,
    fixed_units,
    presence_tables,
    span_units,
)

# d1 has 4 units of 10 code points, d2 has 2.
UNITS = span_units(
    {"d1": [(0, 10), (10, 20), (20, 30), (30, 40)], "d2": [(0, 10), (10, 20)]}
)
TEXTS = {"d1": "Élise : é" + "x" * 31, "d2": "🙂 café\u0301 " + "y" * 12}

CODINGS_MD = """
| coder | document | start | end | code   |
| ana   | d1       | 2     | 5   | IA     |
| ana   | d1       | 25    | 35  | IA     |
| ana   | d2       | 0     | 3   | IA     |
| ben   | d1       | 0     | 10  | IA     |
| ben   | d1       | 28    | 30  | IA     |
| ben   | d2       | 12    | 14  | IA     |
| ana   | d1       | 15    | 18  | RISQUE |
| ben   | d1       | 19    | 21  | RISQUE |
"""


def md_table(md: str) -> pd.DataFrame:
    """Parse a small markdown table into a DataFrame (numbers as int)."""
    lines = [line.strip().strip("|") for line in md.strip().splitlines()]
    header, *rows = ([cell.strip() for cell in line.split("|")] for line in lines)
    frame = pd.DataFrame(rows, columns=header)
    for col in ("start", "end"):
        frame[col] = frame[col].astype(int)
    return frame


CODINGS = md_table(CODINGS_MD)

# Presence (ana, ben) per unit d1#1..d1#4, d2#1, d2#2:
#   IA:     (1,1) (0,0) (1,1) (1,0) (1,0) (0,1)
#   RISQUE: (0,0) (1,1) (0,1) (0,0) (0,0) (0,0)   [ben's 19-21 touches d1#2 and d1#3]
IA = [[1, 1], [0, 0], [1, 1], [1, 0], [1, 0], [0, 1]]
RISQUE = [[0, 0], [1, 1], [0, 1], [0, 0], [0, 0], [0, 0]]


def test_presence_tables() -> None:
    tables = presence_tables(CODINGS, UNITS)
    assert list(tables) == ["IA", "RISQUE"]
    assert tables["IA"].values.tolist() == IA
    assert tables["RISQUE"].values.tolist() == RISQUE
    assert tables["IA"].index.tolist() == ["d1#1", "d1#2", "d1#3", "d1#4", "d2#1", "d2#2"]
    assert tables["IA"].columns.tolist() == ["ana", "ben"]


# IA: p_o = 3/6; Cohen p_e = 4/6*3/6 + 2/6*3/6 = 1/2 -> kappa 0.
#     alpha: o_11 = 4, o_00 = 2, o_01 = o_10 = 3, n = 12, n_1 = 7, n_0 = 5;
#     D_o = 6/12, D_e = 2*5*7/(12*11) = 70/132 -> 1 - 66/70 = 2/35.
#     AC1: pi_1 = (1 + 0 + 1 + .5 + .5 + .5)/6 = 7/12, p_e = 2*7/12*5/12 = 70/144
#     -> (72 - 70)/(144 - 70) = 1/37.
# RISQUE: p_o = 5/6; p_e = 1/6*2/6 + 5/6*4/6 = 22/36 -> kappa (30-22)/(36-22) = 4/7.
# overall (12 stacked decisions): p_o = 8/12; ana yes 5/12, ben yes 5/12;
#     p_e = (25 + 49)/144 -> kappa (96 - 74)/(144 - 74) = 11/35.
EXPECTED = [
    ("IA", "percent_agreement", 0.5),
    ("IA", "cohen_kappa", 0.0),
    ("IA", "fleiss_kappa", 1 - (0.5 / (1 - ((7 / 12) ** 2 + (5 / 12) ** 2)))),
    ("IA", "krippendorff_alpha", 2 / 35),
    ("IA", "gwet_ac1", 1 / 37),
    ("RISQUE", "percent_agreement", 5 / 6),
    ("RISQUE", "cohen_kappa", 4 / 7),
    ("(overall)", "percent_agreement", 8 / 12),
    ("(overall)", "cohen_kappa", 11 / 35),
]


@pytest.mark.parametrize(("code", "measure", "expected"), EXPECTED)
def test_per_code_and_overall(code: str, measure: str, expected: float) -> None:
    frame = coding_agreement(CODINGS, UNITS).to_frame()
    assert_allclose(frame.loc[code, measure], expected, rtol=1e-12, atol=1e-15)


def test_min_overlap_changes_which_units_a_coding_touches() -> None:
    # with 2 code points required, ben's RISQUE 19-21 touches no unit:
    # (0,0) (1,0) (0,0)... -> p_o = 5/6, p_e = 1/6*0 + 5/6*1 -> kappa 0
    result = coding_agreement(CODINGS, UNITS, min_overlap=2)
    assert presence_tables(CODINGS, UNITS, min_overlap=2)["RISQUE"]["ben"].sum() == 0
    assert_allclose(result.per_code["RISQUE"]["cohen_kappa"].value, 0.0, atol=1e-15)
    assert_allclose(result.per_code["IA"]["cohen_kappa"].value, 0.0, atol=1e-15)


def test_disagreement_list_with_excerpts() -> None:
    result = coding_agreement(CODINGS, UNITS, texts=TEXTS, excerpt_chars=8)
    rows = result.disagreements[["unit", "code", "applied_by", "not_applied_by"]]
    assert rows.values.tolist() == [
        ["d1#4", "IA", "ana", "ben"],
        ["d2#1", "IA", "ana", "ben"],
        ["d2#2", "IA", "ben", "ana"],
        ["d1#3", "RISQUE", "ben", "ana"],
    ]
    excerpts = result.disagreements.set_index(["unit", "code"])["excerpt"]
    assert excerpts[("d2#1", "IA")] == "🙂 café\u0301…"
    assert excerpts[("d1#3", "RISQUE")] == "x" * 7 + "…"


def test_three_coders_and_codes_nobody_used() -> None:
    result = coding_agreement(
        CODINGS, UNITS, coders=["ana", "ben", "chloé"], codes=["IA", "ENVIRONNEMENT"]
    )
    assert result.coders == ("ana", "ben", "chloé")
    assert "cohen_kappa" not in result.overall
    unused = result.per_code["ENVIRONNEMENT"]
    assert unused["percent_agreement"].value == 1.0
    assert math.isnan(unused["krippendorff_alpha"].value)  # no variation: undefined
    assert unused["gwet_ac1"].value == 1.0  # pi_0 = 1 -> p_e = 0
    # IA with chloé at 0 everywhere: units (1,1,0) (0,0,0) (1,1,0) (1,0,0) (1,0,0)
    # (0,1,0); pairwise agreement 1/3, 1, 1/3, 1/3, 1/3, 1/3 -> (5/3 + 1)/6 = 4/9
    assert_allclose(result.per_code["IA"]["percent_agreement"].value, 4 / 9, rtol=1e-12)
    with pytest.raises(ValueError, match="exactly 2 coders"):
        coding_agreement(
            CODINGS, UNITS, coders=["ana", "ben", "c"], measures=["cohen_kappa"]
        )


def test_fixed_units_and_dict_output() -> None:
    units = fixed_units({"d1": 40, "d2": 20}, size=20)
    assert units[["document", "start", "end"]].values.tolist() == [
        ["d1", 0, 20],
        ["d1", 20, 40],
        ["d2", 0, 20],
    ]
    result = coding_agreement(CODINGS.to_dict(orient="records"), units)
    # IA: d1 0-20 (1,1), d1 20-40 (1,1), d2 (1,1) -> full agreement
    assert result.per_code["IA"]["percent_agreement"].value == 1.0
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["coders"] == ["ana", "ben"] and payload["n_units"] == 3
    # RISQUE: ben's 19-21 straddles d1 0-20 and 20-40: (1,1) (0,1) (0,0) -> 2/3
    assert_allclose(payload["per_code"]["RISQUE"]["percent_agreement"]["value"], 2 / 3)


BAD = [
    (CODINGS.drop(columns="coder"), UNITS, {}, "lack the column"),
    (CODINGS.assign(end=CODINGS["start"]), UNITS, {}, "end must be greater"),
    (CODINGS.assign(start=-1), UNITS, {}, "integers >= 0"),
    (CODINGS, pd.concat([UNITS, UNITS]), {}, "unit labels repeat"),
    (CODINGS, UNITS, {"min_overlap": 0}, "min_overlap"),
    (CODINGS, UNITS, {"coders": ["ana"]}, "at least 2 coders"),
    (CODINGS, UNITS, {"measures": ["kappa"]}, "unknown measures"),
]


@pytest.mark.parametrize(("codings", "units", "options", "message"), BAD)
def test_bad_input_is_refused(codings, units, options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        coding_agreement(codings, units, **options)


def test_fixed_units_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        fixed_units({"d": 3}, size=0)


def test_document_units_and_excerpts_from_an_imported_transcript() -> None:
    from sociaparis.qual.agreement import document_units
    from sociaparis.qual.io import read_document

    vtt = (
        "WEBVTT\n\n00:00.000 --> 00:02.000\n<v S00>Vous utilisez Copilot ?\n\n"
        "00:02.000 --> 00:05.000\n<v S01>Oui, pour les comptes rendus 🙂.\n"
    )
    doc = read_document(vtt.encode(), filename="e.vtt")
    units = document_units({"e": doc})
    assert units[["start", "end"]].values.tolist() == [
        [t.start, t.end] for t in doc.turns
    ]
    # text: "S00: Vous utilisez Copilot ?\n\nS01: Oui, pour les comptes rendus 🙂."
    start = doc.text.index("comptes")
    codings = [
        {"coder": "ana", "document": "e", "start": start, "end": start + 7, "code": "CR"},
        {"coder": "ana", "document": "e", "start": 5, "end": 9, "code": "IA"},
        {"coder": "ben", "document": "e", "start": 14, "end": 27, "code": "IA"},
    ]
    result = coding_agreement(codings, units, texts={"e": doc.text})
    assert result.per_code["IA"]["percent_agreement"].value == 1.0
    [row] = result.disagreements.to_dict(orient="records")
    assert row["code"] == "CR" and row["applied_by"] == "ana"
    assert row["excerpt"] == "Oui, pour les comptes rendus 🙂."
    paragraphs = document_units({"e": doc}, kind="paragraphs")
    assert paragraphs["start"].tolist() == [0, doc.text.index("S01")]
    segments = document_units({"e": doc}, kind="segments", size=40)
    assert segments["end"].tolist() == [40, len(doc.text)]
    with pytest.raises(ValueError, match="kind must be"):
        document_units({"e": doc}, kind="sentences")
