"""The round trip: the bundled staff survey to .sav and .dta, read back with pyreadstat.

Every variable label, value label and value is compared with what the form and
the engine's records say, computed here independently of the export tables; the
file's variable is found through the data dictionary (odk_name → name).
"""

from __future__ import annotations

import csv
import math
import random
from datetime import date
from pathlib import Path
from typing import Any

import pyreadstat
import pytest

from sociaparis.survey.instrument import Instrument
from sociaparis.survey.io.tables import batch_from_records, build_export, odk_path
from sociaparis.survey.io.writers import write_export
from sociaparis.survey.logic import evaluate_form
from sociaparis.survey.synthetic import synthetic_answers
from sociaparis.survey.xlsform import read_xlsform
from tests.survey.io.helpers import NOW

STAFF = (
    Path(__file__).resolve().parents[3]
    / "studies"
    / "sociaparis"
    / "staff_llm_survey.xlsx"
)
RESPONSES = 40


@pytest.fixture(scope="module")
def staff() -> tuple[Instrument, list[str], list[dict[str, Any]]]:
    form = read_xlsform(STAFF).instrument
    rng = random.Random(20261125)
    answers = [synthetic_answers(form, rng=rng, now=NOW) for _ in range(RESPONSES)]
    answers[0]["open_city_role"] = "=cmd|' /C calc'!A0 « guillemets » é"
    records = [evaluate_form(form, a, now=NOW).record() for a in answers]
    ids = [f"resp{n:03d}" for n in range(RESPONSES)]
    return form, ids, records


def _label(texts, lang: str, form: Instrument) -> str:
    return form.text(texts, lang)


def _cut(text: str, fmt: str) -> str:
    if fmt == "dta":
        return text if len(text) <= 80 else text[:79] + "…"
    data = text.encode("utf-8")
    if len(data) <= 256:
        return text
    while len((text + "…").encode("utf-8")) > 256:
        text = text[:-1]
    return text + "…"


def _missing(value: Any) -> bool:
    return (
        value is None or (isinstance(value, float) and math.isnan(value)) or value == ""
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_round_trip(staff, tmp_path: Path, fmt: str, lang: str) -> None:
    form, ids, records = staff
    batch = batch_from_records(
        form,
        form.version,
        ids,
        records,
        started_on=[date(2026, 10, 6)] * RESPONSES,
        submitted_on=[date(2026, 10, 7)] * RESPONSES,
        synthetic=[True] * RESPONSES,
        attributes={"directorate": [r.get("directorate") for r in records]},
    )
    write_export(build_export([batch]), out=tmp_path, fmt=fmt, lang=lang)
    with (tmp_path / f"{form.form_id}-dictionary.csv").open(encoding="utf-8-sig") as f:
        dictionary = {(row["table"], row["odk_name"]): row for row in csv.DictReader(f)}
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    tables = {
        "responses": reader(str(tmp_path / f"{form.form_id}.{fmt}")),
        "tool": reader(str(tmp_path / f"{form.form_id}-tool.{fmt}")),
    }
    main, _ = tables["responses"]
    assert len(main) == RESPONSES
    tool_rows = [
        (i, n)
        for i, r in zip(ids, records, strict=True)
        for n in range(1, len(r.get("tool", [])) + 1)
    ]
    assert len(tables["tool"][0]) == len(tool_rows) > 0

    checked = 0
    for question in form.questions:
        if question.type == "note":
            continue
        table = "tool" if question.repeat == "tool" else "responses"
        frame, meta = tables[table]
        path = odk_path(form, question.name)
        row = dictionary[(table, path)]
        name = row["name"]
        # variable label
        assert meta.column_names_to_labels[name] == _cut(
            _label(question.labels, lang, form) or question.name, fmt
        )
        # the values the engine recorded, row by row
        if table == "responses":
            expected = [r.get(question.name) for r in records]
        else:
            expected = [
                instance.get(question.name)
                for r in records
                for instance in r.get("tool", [])
            ]
        found = frame[name].tolist()
        choices = form.choice_list(question)
        if question.type == "select_one":
            numeric = all(c.name.isdigit() for c in choices)
            codes = (
                {c.name: int(c.name) for c in choices}
                if numeric
                else {c.name: n for n, c in enumerate(choices, start=1)}
            )
            if not numeric:
                assert row["codes"] == "; ".join(f"{n}={c}" for c, n in codes.items())
            labels = {codes[c.name]: _label(c.labels, lang, form) for c in choices}
            assert meta.variable_value_labels[name] == labels
            expected = [None if _missing(v) else codes[v] for v in expected]
        elif question.type in {"integer", "decimal"} or question.name in {
            "is_user",
            "n_tools",
            "uses_personal",
        }:
            expected = [None if _missing(v) else float(v) for v in expected]
        for want, got in zip(expected, found, strict=True):
            if want is None:
                assert _missing(got), (name, got)
            else:
                assert got == want, (name, got, want)
        checked += 1
        if question.type == "select_multiple":
            for choice in choices:
                flag = dictionary[(table, f"{path}/{choice.name}")]["name"]
                text = _label(question.labels, lang, form)
                text += ": " + _label(choice.labels, lang, form)
                assert meta.column_names_to_labels[flag] == _cut(text, fmt)
                yes_no = {0: "Non", 1: "Oui"} if lang == "fr" else {0: "No", 1: "Yes"}
                assert meta.variable_value_labels[flag] == yes_no
                want_flags = [
                    None if _missing(v) else float(choice.name in v.split())
                    for v in expected
                ]
                got_flags = frame[flag].tolist()
                for want, got in zip(want_flags, got_flags, strict=True):
                    assert _missing(got) if want is None else got == want, (
                        flag,
                        got,
                        want,
                    )
                checked += 1
    assert checked > 100

    # meta columns and the link from the repeat to its response
    id_name = dictionary[("responses", "_id")]["name"]
    assert main[id_name].tolist() == ids
    tool, _ = tables["tool"]
    parent = dictionary[("tool", "_parent_id")]["name"]
    index = dictionary[("tool", "_index")]["name"]
    assert list(zip(tool[parent], tool[index].astype(int), strict=True)) == tool_rows
    synthetic = dictionary[("responses", "_synthetic")]["name"]
    assert set(main[synthetic]) == {1.0}
    assert (
        main[dictionary[("responses", "_submitted_on")]["name"]].tolist()
        == [date(2026, 10, 7)] * RESPONSES
    )
