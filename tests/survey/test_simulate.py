"""``simulate``: the JSON report of pages, values and errors, and bad answer files."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sociaparis.core.errors import SociaparisError
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.simulate import check_answers, load_answers, simulate
from sociaparis.survey.xlsform import parse_xlsform

NOW = datetime(2026, 3, 15, 10, 30)

TOOLS = (Path(__file__).parent / "forms" / "tools.md").read_text(encoding="utf-8")


@pytest.fixture
def tools(form):
    return form(TOOLS)


def test_simulate_report_layout(tools) -> None:
    answers = {
        "age": "15",
        "tools": "chatgpt copilot",
        "per_tool": [{"hours": "10.5"}, {"hours": "45"}],
        "why": "utile",
    }
    # n = 2; each instance picks its tool; total = 10.5 + 45 = 55.5 > 10 shows "more"
    assert simulate(tools, answers, now=NOW) == {
        "pages": [
            {"name": "age", "questions": ["age"]},
            {"name": "tools", "questions": ["tools"]},
            {"name": "per_tool", "questions": ["hours"]},
            {"name": "more", "questions": ["why", "thanks"]},
        ],
        "values": {
            "age": "15",
            "tools": "chatgpt copilot",
            "n": "2",
            "per_tool": [
                {"which": "chatgpt", "hours": "10.5"},
                {"which": "copilot", "hours": "45"},
            ],
            "total": "55.5",
            "why": "utile",
            "thanks": "",
        },
        "errors": [
            {"question": "age", "kind": "constraint", "message": "16 ans au moins"},
            {
                "question": "hours",
                "kind": "constraint",
                "message": "Cette réponse n'est pas acceptée.",
            },
        ],
    }


def test_simulate_without_tools_skips_the_repeat_and_group(tools) -> None:
    report = simulate(tools, {"age": 30}, lang="en", now=NOW)
    # count-selected('') = 0: the repeat is not relevant and absent from values;
    # sum() of an empty node-set is 0, so "more" is hidden
    assert report == {
        "pages": [
            {"name": "age", "questions": ["age"]},
            {"name": "tools", "questions": ["tools"]},
        ],
        "values": {"age": "30", "tools": "", "n": "0", "total": "0"},
        "errors": [],
    }


def test_simulate_reports_required_in_the_language_asked(tools) -> None:
    report = simulate(tools, {"tools": "copilot", "per_tool": [{}]}, lang="en", now=NOW)
    assert report["errors"] == [
        {"question": "age", "kind": "required", "message": "This question is required."},
        {
            "question": "hours",
            "kind": "required",
            "message": "This question is required.",
        },
    ]


BAD_ANSWERS = [
    (["age"], SurveyError.ANSWERS_SHAPE),
    ({"age": {"value": 3}}, SurveyError.ANSWERS_SHAPE),
    ({"age": True}, SurveyError.ANSWERS_SHAPE),
    ({"per_tool": {"hours": "1"}}, SurveyError.ANSWERS_SHAPE),
    ({"per_tool": ["1"]}, SurveyError.ANSWERS_SHAPE),
    ({"agee": "3"}, SurveyError.UNKNOWN_QUESTION),
    ({"hours": "3"}, SurveyError.UNKNOWN_QUESTION),  # inside the repeat, not at the top
    ({"per_tool": [{"age": "3"}]}, SurveyError.UNKNOWN_QUESTION),
    ({"more": "x"}, SurveyError.UNKNOWN_QUESTION),  # a group, not a question
    ({"tools": "chatgpt mistral"}, SurveyError.CHOICE_NOT_IN_LIST),
    ({"n": "2"}, SurveyError.NOT_ANSWERABLE),
    ({"thanks": "x"}, SurveyError.NOT_ANSWERABLE),
    ({"age": "seize"}, SurveyError.BAD_VALUE),
    ({"per_tool": [{"hours": "1,500"}]}, SurveyError.BAD_VALUE),  # 1.5 or 1500?
]


@pytest.mark.parametrize(("answers", "error"), BAD_ANSWERS)
def test_bad_answers(tools, answers, error) -> None:
    with pytest.raises(SociaparisError) as info:
        check_answers(tools, answers)
    assert info.value.error is error


def test_answers_are_normalised_to_odk_strings(tools) -> None:
    checked = check_answers(
        tools, {"age": 42, "tools": None, "per_tool": [{"hours": 2.5}]}
    )
    assert checked == {"age": "42", "per_tool": [{"hours": "2.5"}]}


@pytest.mark.parametrize("text", ["{", "not json", '{"a": 1,}'])
def test_answers_file_that_is_not_json(tmp_path, text) -> None:
    path = tmp_path / "answers.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SociaparisError) as info:
        load_answers(path)
    assert info.value.error is SurveyError.ANSWERS_NOT_JSON


def test_answers_file_round_trip(tmp_path) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"age": "20"}), encoding="utf-8")
    assert load_answers(path) == {"age": "20"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["age", "tools", "hours", "per_tool", "x"]), inner
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(answers=json_values)
def test_any_json_document_is_simulated_or_refused_with_a_catalog_error(answers) -> None:
    model = parse_xlsform(TOOLS.encode(), filename="tools.md").instrument
    try:
        report = simulate(model, answers, now=NOW)
    except SociaparisError as exc:
        assert exc.code.startswith("SURVEY_")
    else:
        assert set(report) == {"pages", "values", "errors"}
