"""Form structure: names used in several groups, legacy loops (issue 20).

Each case is a markdown XLSForm and what the instrument must make of it, read by
the same parser as a real spreadsheet.
"""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

import pytest

from sociaparis.core.errors import Location
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.instrument import Question, item_key, written_name
from sociaparis.survey.io.tables import batch_from_records, build_export
from sociaparis.survey.logic import evaluate_form, relevant_pages
from sociaparis.survey.simulate import simulate
from sociaparis.survey.xlsform import parse_xlsform

from .conftest import form_error, read_form

SAME_NAME = """
| survey |
| | type            | name   | label        | relevant     |
| | integer         | adults | Adults       |              |
| | begin group     | home   | Home         |              |
| | text            | city   | Home city    |              |
| | integer         | age    | House age    | ${adults} > 0 |
| | end group       |        |              |              |
| | begin group     | work   | Work         |              |
| | text            | city   | Work city    |              |
| | begin group     | boss   | Boss         |              |
| | integer         | age    | Boss age     |              |
| | end group       |        |              |              |
| | end group       |        |              |              |
"""

LOOP = """
| survey |
| | type                           | name  | label:English                     | relevant   |
| | integer                        | rooms | Rooms                             |            |
| | begin loop over toilet_type    | loop  | Toilets                           |            |
| | integer                        | count | How many %(label)s?               | ${rooms} > 0 |
| | text                           | notes | Notes on %(label)s (%(name)s)     |            |
| | end loop                       |       |                                   |            |
| choices |
| | list name   | name  | label:English |
| | toilet_type | pit   | Pit latrine   |
| | toilet_type | flush | Flush toilet  |
| | toilet_type | none  | None          |
"""


@pytest.mark.parametrize(
    ("md", "keys"),
    [
        (
            SAME_NAME,
            [
                "adults",
                "home",
                "home~city",
                "home~age",
                "work",
                "work~city",
                "boss",
                "work~boss~age",
            ],
        ),
        (
            LOOP,
            [
                "rooms",
                "loop",
                "pit",
                "loop~pit~count",
                "loop~pit~notes",
                "flush",
                "loop~flush~count",
                "loop~flush~notes",
            ],
        ),
    ],
    ids=["same name in groups", "loop"],
)
def test_keys_are_names_or_group_paths(md: str, keys: list[str]) -> None:
    form = read_form(md)
    assert [item.name for item in form.items] == keys


def test_a_loop_is_a_group_per_choice_with_its_label_filled_in() -> None:
    form = read_form(LOOP)
    count = form.item("loop~flush~count")
    assert isinstance(count, Question)
    assert (count.parent, count.type, dict(count.labels)) == (
        "flush",
        "integer",
        {"English": "How many Flush toilet?"},
    )
    assert form.item("loop~pit~notes").labels == {"English": "Notes on Pit latrine (pit)"}
    assert form.item("loop").children == (
        "pit",
        "flush",
    )  # 'none' is skipped, as pyxform does
    assert form.item("loop~pit~count").row == 4  # the loop's row on the sheet
    assert form.item("pit").row is None
    assert [p.name for p in form.pages()][1:] == [
        "loop~pit~count",
        "loop~pit~notes",
        "loop~flush~count",
        "loop~flush~notes",
    ]


def test_same_names_keep_their_rows_and_their_own_answers() -> None:
    form = read_form(SAME_NAME)
    assert [form.item(k).row for k in ("home~city", "work~city", "work~boss~age")] == [
        4,
        8,
        10,
    ]
    answers = {
        "adults": "0",
        "home~city": "Paris",
        "work~city": "Lyon",
        "work~boss~age": "50",
        "home~age": "30",
    }
    state = evaluate_form(form, answers)
    assert state.record() == {
        "adults": "0",
        "home~city": "Paris",
        "work~city": "Lyon",
        "work~boss~age": "50",
    }  # home~age is not relevant: adults is 0
    assert "home~age" not in [p.name for p in relevant_pages(form, answers)]


def test_simulate_takes_answers_by_key() -> None:
    form = read_form(SAME_NAME)
    result = simulate(form, {"adults": "1", "home~age": "12", "work~boss~age": "40"})
    assert result["values"]["home~age"] == "12"
    assert result["values"]["work~boss~age"] == "40"


def test_exports_name_columns_by_group_path() -> None:
    form = read_form(SAME_NAME)
    record = evaluate_form(
        form, {"adults": "2", "home~city": "Paris", "work~city": "Lyon", "home~age": "30"}
    ).record()
    export = build_export([batch_from_records(form, "1", [1], [record])])
    table = export.tables[0]
    assert [c for c in table.frame.columns if not c.startswith("_")] == [
        "adults",
        "home/city",
        "home/age",
        "work/city",
        "work/boss/age",
    ]
    row = table.frame.iloc[0]
    assert (row["home/city"], row["work/city"], row["home/age"]) == ("Paris", "Lyon", 30)


@pytest.mark.parametrize(
    ("rows", "error", "location", "context"),
    [
        (
            [
                "| | text | a | A |",
                "| | begin group | g | G |",
                "| | text | a | A again |",
                "| | end group | | |",
                "| | note | n | ${a} |",
            ],
            SurveyError.AMBIGUOUS_REFERENCE,
            Location("survey", 6, "label"),
            {"reference": "a", "rows": "2, 4"},
        ),
        (
            [
                "| | begin group | g | G |",
                "| | text | a | A |",
                "| | text | b | B |",
                "| | text | a | A again |",
                "| | end group | | |",
            ],
            SurveyError.DUPLICATE_NAME,
            Location("survey", 5, "name"),
            {"name": "a", "first_row": 3},
        ),
    ],
    ids=["ambiguous reference", "same name in the same group"],
)
def test_refused_uses_of_a_shared_name(rows, error, location, context) -> None:
    md = "| survey |\n| | type | name | label |\n" + "\n".join(rows) + "\n"
    exc = form_error(md)
    assert (exc.error, exc.location) == (error, location)
    assert {key: exc.context[key] for key in context} == context


def test_key_helpers_round_trip() -> None:
    key = item_key(("household", "person", "age"))
    assert (key, written_name(key), written_name("age")) == (
        "household~person~age",
        "age",
        "age",
    )


PASTEL = """
| survey |
| | type             | name  | label | choice_filter |
| | select_one color | plain | Plain |               |
| | select_one color | soft  | Soft  | pastel=yes    |
| | select_one color | sure  | Sure  | pastel='yes'  |
| | select_one color | blank | Blank | pastel=''     |
| choices |
| | list_name | name   | label  | pastel |
| | color     | red    | Red    | no     |
| | color     | pink   | Pink   | yes    |
| | color     | grey   | Grey   |        |
"""


def test_a_choice_filter_on_a_missing_column_is_empty_with_a_warning() -> None:
    result = parse_xlsform(PASTEL.encode(), filename="pastel.md")
    [warning] = [w for w in result.warnings if w.code == "SURVEY_W08"]
    assert "'yes', which is not a column of its list" in warning.message
    assert warning.location == Location("survey", 3, "choice_filter")
    state = evaluate_form(result.instrument, {})
    offered = {
        name: [c.name for c in state.offered(name)]
        for name in ("plain", "soft", "sure", "blank")
    }
    # `yes` unquoted is a path to no node (an empty node-set): `=` never holds;
    # a column the list has but a choice leaves empty is ''.
    assert offered == {
        "plain": ["red", "pink", "grey"],
        "soft": [],
        "sure": ["pink"],
        "blank": ["grey"],
    }
