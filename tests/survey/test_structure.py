"""Form structure: names used in several groups, legacy loops (issue 20).

Each case is a markdown XLSForm and what the instrument must make of it, read by
the same parser as a real spreadsheet.
"""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

import random

import pytest

from sociaparis.core.errors import Location, SociaparisError
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.fielding.service import edit_instances
from sociaparis.survey.instrument import Question, item_key, written_name
from sociaparis.survey.io.tables import batch_from_records, build_export
from sociaparis.survey.logic import evaluate_form, relevant_pages
from sociaparis.survey.simulate import simulate
from sociaparis.survey.synthetic import synthetic_answers
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


NESTED = """
| survey |
| | type         | name     | label | relevant       | calculation                                     | repeat_count | constraint |
| | integer      | n        | N     |                |                                                 |              |            |
| | begin repeat | person   | P     |                |                                                 |              |            |
| | text         | pname    | Name  |                |                                                 |              |            |
| | integer      | njobs    | Jobs  |                |                                                 |              |            |
| | begin repeat | job      | Job   |                |                                                 | ${njobs}     |            |
| | text         | title    | Title |                |                                                 |              |            |
| | integer      | hours    | Hours | ${title} != '' |                                                 |              | . <= 60    |
| | calculate    | who      |       |                | concat(${pname}, ':', position(..), '/', ${n}) |              |            |
| | end repeat   |          |       |                |                                                 |              |            |
| | calculate    | total    |       |                | sum(${hours})                                   |              |            |
| | calculate    | jobcount |       |                | count(${job})                                   |              |            |
| | calculate    | second   |       |                | indexed-repeat(${title}, ${job}, 2)             |              |            |
| | end repeat   |          |       |                |                                                 |              |            |
| | calculate    | all      |       |                | sum(${hours})                                   |              |            |
"""
NESTED_ANSWERS = {
    "n": "7",
    "person": [
        {
            "pname": "A",
            "njobs": "2",
            "job": [{"title": "x", "hours": "10"}, {"title": "y", "hours": "5"}],
        },
        {
            "pname": "B",
            "njobs": "1",
            "job": [{"title": "z", "hours": "70"}, {"title": "cut by njobs"}],
        },
        {"pname": "C", "njobs": "1", "job": [{"title": "", "hours": "3"}]},
    ],
}


@pytest.mark.parametrize(
    ("name", "index", "expected"),
    [
        # ${pname} from a job: the enclosing person's; position(..): the job's number
        ("who", (1, 1), "A:1/7"),
        ("who", (1, 2), "A:2/7"),
        ("who", (2, 1), "B:1/7"),
        # from a person: its own jobs only (the node-set within the shared instance)
        ("total", 1, "15"),
        ("total", 2, "70"),
        ("total", 3, "NaN"),  # hours not relevant (no title): '' in sum(), as in ODK
        ("jobcount", 1, "2"),
        ("jobcount", 2, "1"),  # repeat_count ${njobs} = 1 cuts the second job
        ("second", 1, "y"),
        ("second", 2, ""),  # no second job
        # from the top: every job of every person
        ("all", 0, "NaN"),
        ("hours", (3, 1), ""),  # not relevant
    ],
)
def test_nested_repeat_references_follow_odk(name: str, index, expected: str) -> None:
    state = evaluate_form(read_form(NESTED), NESTED_ANSWERS)
    assert state.value(name, index) == expected


def test_nested_repeat_record_errors_and_counts() -> None:
    state = evaluate_form(read_form(NESTED), NESTED_ANSWERS)
    assert [state.instances("job", p) for p in (1, 2, 3)] == [2, 1, 1]
    assert state.indexes("job") == [(1, 1), (1, 2), (2, 1), (3, 1)]
    assert [(e.question, e.instance, e.kind) for e in state.errors()] == [
        ("hours", (2, 1), "constraint")
    ]
    person = state.record()["person"][1]
    assert person == {
        "pname": "B",
        "njobs": "1",
        "job": [{"title": "z", "hours": "70", "who": "B:1/7"}],
        "total": "70",
        "jobcount": "1",
        "second": "",
    }


def test_repeats_nest_three_deep_and_simulate_checks_each_level() -> None:
    md = (
        "| survey |\n| | type | name | label | calculation |\n"
        "| | begin repeat | a | A | |\n| | begin repeat | b | B | |\n"
        "| | begin repeat | c | C | |\n| | integer | x | X | |\n"
        "| | calculate | path | | concat(position(..), ${x}) |\n"
        "| | end repeat | | | |\n| | end repeat | | | |\n| | end repeat | | | |\n"
    )
    form = read_form(md)
    answers = {"a": [{"b": [{"c": [{"x": "4"}, {"x": "5"}]}]}]}
    assert simulate(form, answers)["values"] == {
        "a": [{"b": [{"c": [{"x": "4", "path": "14"}, {"x": "5", "path": "25"}]}]}]
    }
    with pytest.raises(SociaparisError) as info:
        simulate(form, {"a": [{"b": [{"x": "4"}]}]})  # x belongs to c, not b
    assert info.value.error is SurveyError.UNKNOWN_QUESTION


@pytest.mark.parametrize("seed", range(6))
def test_synthetic_respondents_answer_nested_repeats_within_the_rules(seed: int) -> None:
    form = read_form(NESTED)
    answers = synthetic_answers(form, rng=random.Random(seed))
    state = evaluate_form(form, answers)
    assert state.errors() == []
    for person, row in enumerate(answers.get("person", []), start=1):
        wanted = min(max(0, int(row.get("njobs") or 0)), 1000)  # ${njobs}, clamped
        assert len(row.get("job", [])) == state.instances("job", person) == wanted
        assert set(row) <= {"pname", "njobs", "job"}  # calculations are not stored


def test_or_other_on_a_shared_name_reads_its_own_select() -> None:
    md = (
        "| survey |\n| | type | name | label |\n"
        "| | begin group | g1 | G1 |\n| | select_one yn or_other | q | Q |\n| | end group | | |\n"
        "| | begin group | g2 | G2 |\n| | select_one yn or_other | q | Q |\n| | end group | | |\n"
        "| choices |\n| | list_name | name | label |\n| | yn | yes | Yes |\n"
    )
    form = read_form(md)
    assert form.item("g2~q_other").relevant == "selected(${g2~q}, 'other')"
    answers = {"g1~q": "other", "g1~q_other": "blue", "g2~q": "yes", "g2~q_other": "x"}
    assert evaluate_form(form, answers).record() == {
        "g1~q": "other",
        "g1~q_other": "blue",
        "g2~q": "yes",
    }


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("add", [{"job": [{"t": "a"}]}, {}]),
        ("remove:1", []),
        ("add:job:1", [{"job": [{"t": "a"}, {}]}]),
        ("remove:job:1.1", [{"job": []}]),
        # what names no instance changes nothing
        ("add:job:2", [{"job": [{"t": "a"}]}]),
        ("remove:job:1.5", [{"job": [{"t": "a"}]}]),
        ("add:person:1", [{"job": [{"t": "a"}]}]),
        ("add:nowhere:1", [{"job": [{"t": "a"}]}]),
        ("remove:job:x", [{"job": [{"t": "a"}]}]),
    ],
)
def test_add_and_remove_buttons_of_nested_instances(action: str, expected) -> None:
    form = read_form(NESTED)
    rows = [{"job": [{"t": "a"}]}]
    assert edit_instances(form, "person", rows, action) == expected
    assert rows == [{"job": [{"t": "a"}]}]  # the stored answers are not changed in place
