"""Export tables: ODK column names, typed values, relevance, select_multiple, repeats."""

from __future__ import annotations

import json
import math
from datetime import date

import pandas as pd
import pytest

from sociaparis.survey.io.tables import ExportData
from tests.survey.io.helpers import ANSWERS, NOW, export_of, read_form

MAIN_COLUMNS = [
    "_id",
    "_instrument_version",
    "_status",
    "_started_on",
    "_submitted_on",
    "_attr_directorate",
    "_synthetic",
    "g/uses",
    "g/tools",
    "g/tools/chatgpt",
    "g/tools/copilot",
    "g/tools/other",
    "g/tools_other",
    "g/hours",
    "when",
    "share",
    "n",
    "tag",
    "comment",
]


def _value(value: object) -> object:
    if (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and math.isnan(value))
    ):
        return None
    return value


def test_main_columns_are_odk_paths_without_notes(usage_export: ExportData) -> None:
    assert list(usage_export.main.frame.columns) == MAIN_COLUMNS
    assert [t.name for t in usage_export.tables] == ["responses", "per"]


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("_id", ["r1", "r2", "r3"]),
        ("_instrument_version", ["v2", "v2", "v2"]),
        ("_status", ["completed"] * 3),
        ("_started_on", [date(2026, 3, 14)] * 3),
        ("_attr_directorate", ["dase", None, "dfa"]),
        ("_synthetic", [0, 1, 0]),
        ("g/uses", ["yes", "no", "yes"]),
        # select_multiple: codes, then 0/1 per choice, empty when not answered
        ("g/tools", ["chatgpt other", None, None]),
        ("g/tools/chatgpt", [1, None, None]),
        ("g/tools/copilot", [0, None, None]),
        ("g/tools/other", [1, None, None]),
        ("g/tools_other", ["Mistral", None, None]),
        # non-relevant answers are empty even when the stored answers hold them
        ("g/hours", [12, None, 60]),
        ("when", [date(2026, 3, 1), None, None]),
        ("share", [2.5, None, None]),
        # calculations: numbers when every value is a number, else text
        ("n", [2, 0, 0]),
        ("tag", ["xyes", "xno", "xyes"]),
        ("comment", ['=HYPERLINK("http://evil")', None, None]),
    ],
)
def test_main_values(usage_export: ExportData, column: str, values: list) -> None:
    assert [_value(v) for v in usage_export.main.frame[column]] == values


@pytest.mark.parametrize(
    ("column", "dtype"),
    [
        ("g/hours", "Int64"),
        ("g/tools/chatgpt", "Int64"),
        ("_synthetic", "Int64"),
        ("share", "float64"),
        ("n", "Int64"),
        ("tag", "object"),
        ("g/uses", "object"),
    ],
)
def test_column_types(usage_export: ExportData, column: str, dtype: str) -> None:
    assert str(usage_export.main.frame[column].dtype) == dtype


@pytest.mark.parametrize(
    ("name", "type_", "relevant"),
    [
        ("g/tools", "select_multiple", "${uses} = 'yes'"),
        ("g/tools/other", "flag", "${uses} = 'yes'"),
        ("g/tools_other", "string", "selected(${tools}, 'other')"),
        ("n", "integer", ""),
        ("tag", "string", ""),
        ("when", "date", ""),
    ],
)
def test_variables(
    usage_export: ExportData, name: str, type_: str, relevant: str
) -> None:
    variable = usage_export.main.variable(name)
    assert (variable.type, variable.relevant) == (type_, relevant)


def test_choice_column_labels(usage_export: ExportData) -> None:
    variable = usage_export.main.variable("g/tools/copilot")
    assert variable.label("en") == "Tools: Copilot"
    assert variable.label("fr") == "Outils: Copilot"


def test_repeat_rows_are_linked_to_their_response(usage_export: ExportData) -> None:
    per = usage_export.table("per").frame
    assert list(per.columns) == ["_parent_id", "_index", "per/why", "per/score"]
    rows = [[_value(v) for v in row] for row in per.itertuples(index=False)]
    # r2's repeat is not relevant (uses = no) and r3 has no instance
    assert rows == [["r1", 1, "rédiger", "3"], ["r1", 2, "=1+1", None]]


def test_versions_are_merged_newest_first() -> None:
    old = read_form(
        "| survey |\n| | type | name | label |\n| | integer | age | Âge |\n"
        "| | text | gone | Ancienne |\n"
        "| settings |\n| | form_id | version |\n| | usage | v1 |\n"
    )
    new = read_form(
        "| survey |\n| | type | name | label |\n| | text | fresh | Nouvelle |\n"
        "| | integer | age | Âge |\n"
        "| settings |\n| | form_id | version |\n| | usage | v2 |\n"
    )

    from sociaparis.survey.io.tables import batch_from_records, build_export
    from sociaparis.survey.logic import evaluate_form

    def batch(form, ids, answers):
        records = [evaluate_form(form, a, now=NOW).record() for a in answers]
        return batch_from_records(form, form.version, ids, records)

    data = build_export(
        [
            batch(old, ["a"], [{"age": "30", "gone": "x"}]),
            batch(new, ["b", "c"], [{"fresh": "y", "age": "41"}, {"age": "52"}]),
        ]
    )
    frame = data.main.frame
    assert list(frame.columns)[-3:] == ["fresh", "age", "gone"]
    assert frame["_instrument_version"].tolist() == ["v1", "v2", "v2"]
    assert [_value(v) for v in frame["age"]] == [30, 41, 52]
    assert [_value(v) for v in frame["gone"]] == ["x", None, None]
    assert [_value(v) for v in frame["fresh"]] == [None, "y", None]
    assert data.versions == ("v1", "v2")


def test_times_only_when_recorded(usage) -> None:
    from datetime import UTC, datetime

    anonymous = export_of(usage, ANSWERS[:1])
    assert "_started_at" not in anonymous.main.frame.columns
    stamped = export_of(
        usage,
        ANSWERS[:1],
        started_at=[datetime(2026, 3, 14, 9, 5, tzinfo=UTC)],
        updated_at=[datetime(2026, 3, 14, 9, 25, tzinfo=UTC)],
    )
    assert str(stamped.main.frame["_updated_at"][0]) == "2026-03-14 09:25:00+00:00"


def test_no_batches_is_an_error() -> None:
    from sociaparis.survey.io.tables import build_export

    with pytest.raises(ValueError, match="no responses"):
        build_export([])


@pytest.mark.parametrize(
    ("repeat", "table"),
    [
        ("per", "per"),
        ("responses", "responses_repeat"),
        ("dictionary", "dictionary_repeat"),
    ],
)
def test_repeat_table_names(repeat: str, table: str) -> None:
    form = read_form(
        "| survey |\n| | type | name | label |\n"
        f"| | begin repeat | {repeat} | R |\n| | text | t | T |\n| | end repeat | | |\n"
    )
    data = export_of(form, [{repeat: [{"t": "a"}]}])
    assert [t.name for t in data.tables] == ["responses", table]
    assert data.tables[1].is_repeat and not data.main.is_repeat


def test_rows_share_equal_texts_and_keep_each_number_type() -> None:
    from sociaparis.survey.io.tables import batch_from_rows

    form = read_form(
        "| survey |\n| | type | name | label | calculation |\n| | calculate | c | | 1 |\n"
        "| | begin repeat | per | P | |\n| | text | t | T | |\n| | end repeat | | | |\n"
    )
    # As load_export decodes kept rows: every text a string object of its own.
    rows = json.loads(
        '[["yes", {"per": [{"t": "a"}, {"t": "a"}]}], ["yes", {}], [1, {}],'
        " [1.0, {}], [true, {}], [null, {}]]"
    )
    assert rows[0][0] is not rows[1][0]
    batch = batch_from_rows(form, "v1", list("abcdef"), rows)
    cells = batch.values["c"]
    assert cells[0] is cells[1] and cells[:2] == ["yes", "yes"]
    assert [type(cell) for cell in cells[2:]] == [int, float, bool, type(None)]
    first, second = batch.repeats["per"].values["t"]
    assert first is second


def test_rows_gathered_a_chunk_at_a_time_then_reordered(usage) -> None:
    from sociaparis.survey.io.tables import (
        RowColumns,
        batch_from_columns,
        batch_from_rows,
        export_row,
    )
    from sociaparis.survey.logic import evaluate_form

    rows = [
        export_row(usage, evaluate_form(usage, answers, now=NOW).record())
        for answers in ANSWERS
    ]
    whole = batch_from_rows(usage, "v2", ["r1", "r2", "r3"], rows[::-1])
    gathered = RowColumns(usage)
    gathered.add(rows[:1])
    gathered.add(rows[1:])
    gathered.add([])
    gathered.reorder([2, 1, 0])
    chunked = batch_from_columns("v2", ["r1", "r2", "r3"], gathered)
    assert chunked.values == whole.values
    for name, repeat in whole.repeats.items():
        assert chunked.repeats[name] == repeat
    with pytest.raises(ValueError, match="is not"):
        gathered.add([rows[0][:-1]])
