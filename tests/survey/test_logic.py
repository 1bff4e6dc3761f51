"""The form-logic engine: relevance, values, checks and pages (ODK semantics).

Every expected value is derived by hand from the XLSForm/ODK rules stated in
``sociaparis/survey/logic.py`` and XPath 1.0 (empty string -> NaN in arithmetic,
sum() of a node-set with an empty node is NaN, numbers print without ``.0``).
"""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

from datetime import datetime

import pytest

from sociaparis.core.errors import Location, SociaparisError
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.logic import (
    FieldError,
    evaluate_form,
    next_page,
    previous_page,
    relevant_pages,
    validate_page,
)

NOW = datetime(2026, 3, 15, 10, 30)

SKIP = """
| survey |
|   | type                  | name       | label::Français (fr) | label::English (en) | relevant           | calculation                         | required | required_message::Français (fr) | required_message::English (en) | constraint             | constraint_message::Français (fr) | constraint_message::English (en) | appearance | default |
|   | select_one yn         | uses_ai    | Utilisez-vous l'IA ? | Do you use AI?      |                    |                                     | yes      | Répondez svp                    | Please answer                  |                        |                                   |                                  |            |         |
|   | begin group           | usage      | Usage                | Use                 | ${uses_ai} = 'yes' |                                     |          |                                 |                                |                        |                                   |                                  | field-list |         |
|   | integer               | hours      | Heures par semaine   | Hours a week        |                    |                                     | yes      |                                 |                                | . >= 0 and . <= 60     | Entre 0 et 60                     | Between 0 and 60                 |            |         |
|   | integer               | minutes    | Minutes              | Minutes             |                    |                                     |          |                                 |                                | . < 60                 |                                   |                                  |            |         |
|   | select_multiple tasks | tasks      | Tâches               | Tasks               |                    |                                     |          |                                 |                                | count-selected(.) <= 2 | Deux au plus                      | Two at most                      |            |         |
|   | text                  | why        | Pourquoi ?           | Why?                | ${hours} > 10      |                                     |          |                                 |                                |                        |                                   |                                  |            |         |
|   | end group             |            |                      |                     |                    |                                     |          |                                 |                                |                        |                                   |                                  |            |         |
|   | calculate             | total_min  |                      |                     |                    | ${hours} * 60 + ${minutes}          |          |                                 |                                |                        |                                   |                                  |            |         |
|   | calculate             | heavy      |                      |                     |                    | if(${total_min} > 600, 'yes', 'no') |          |                                 |                                |                        |                                   |                                  |            |         |
|   | note                  | heavy_note | Usage intensif       | Heavy use           | ${heavy} = 'yes'   |                                     |          |                                 |                                |                        |                                   |                                  |            |         |
|   | text                  | comment    | Commentaire          | Comment             |                    |                                     |          |                                 |                                |                        |                                   |                                  |            | sans    |
| choices |
|   | list_name | name    | label::Français (fr) | label::English (en) |
|   | yn        | yes     | Oui                  | Yes                 |
|   | yn        | no      | Non                  | No                  |
|   | tasks     | write   | Rédiger              | Write               |
|   | tasks     | sum     | Résumer              | Summarise           |
|   | tasks     | code    | Coder                | Code                |
| settings |
|   | form_id | default_language |
|   | skip    | Français (fr)    |
"""

REPEATS = """
| survey |
|   | type         | name         | label   | calculation                            | repeat_count | relevant      | constraint |
|   | integer      | n            | Combien |                                        |              |               |            |
|   | begin repeat | tool         | Outil   |                                        | ${n}         |               |            |
|   | text         | tname        | Nom     |                                        |              |               |            |
|   | integer      | hours        | Heures  |                                        |              |               | . <= 40    |
|   | calculate    | idx          |         | position(..)                           |              |               |            |
|   | calculate    | share        |         | ${hours} div ${total_hours}            |              |               |            |
|   | calculate    | tag          |         | concat(position(..), ':', ${tname})    |              |               |            |
|   | text         | detail       | Détail  |                                        |              | ${hours} > 10 |            |
|   | end repeat   |              |         |                                        |              |               |            |
|   | calculate    | total_hours  |         | sum(${hours})                          |              |               |            |
|   | calculate    | n_tools      |         | count(${tool})                         |              |               |            |
|   | calculate    | first_tool   |         | indexed-repeat(${tname}, ${tool}, 1)   |              |               |            |
|   | calculate    | second_hours |         | indexed-repeat(${hours}, ${tool}, 2)   |              |               |            |
| settings |
|   | form_id |
|   | repeats |
"""

FREE_REPEAT = """
| survey |
|   | type         | name   | label  | calculation       | relevant     |
|   | select_one yn| any    | Outils |                   |              |
|   | begin repeat | tool   | Outil  |                   | ${any} = 'yes' |
|   | text         | tname  | Nom    |                   |              |
|   | end repeat   |        |        |                   |              |
|   | calculate    | names  |        | count(${tname})   |              |
| choices |
|   | list_name | name | label |
|   | yn        | yes  | Oui   |
|   | yn        | no   | Non   |
"""

FILTERS = """
| survey |
|   | type                          | name      | label     | choice_filter    | calculation                                  |
|   | select_one dir                | direction | Direction |                  |                                              |
|   | select_one svc                | service   | Service   | dir = ${direction} |                                            |
|   | select_multiple tool or_other | tools     | Outils    |                  |                                              |
|   | calculate                     | dir_label |           |                  | jr:choice-name(${direction}, '${direction}') |
| choices |
|   | list_name | name    | label          | dir  |
|   | dir       | dfa     | Finances       |      |
|   | dir       | dsin    | Numérique      |      |
|   | svc       | budget  | Budget         | dfa  |
|   | svc       | paie    | Paie           | dfa  |
|   | svc       | infra   | Infrastructure | dsin |
|   | tool      | chatgpt | ChatGPT        |      |
|   | tool      | copilot | Copilot        |      |
"""

ORDER = """
| survey |
|   | type        | name   | label | calculation        | relevant      | default |
|   | calculate   | early  |       | ${late} + 1        |               |         |
|   | calculate   | half   |       | ${late} div 2      |               |         |
|   | calculate   | inf    |       | ${late} div 0      |               |         |
|   | begin group | outer  | Outer |                    | ${early} > 5  |         |
|   | begin group | inner  | Inner |                    |               |         |
|   | text        | deep   | Deep  |                    | true()        |         |
|   | end group   |        |       |                    |               |         |
|   | end group   |        |       |                    |               |         |
|   | integer     | late   | Late  |                    |               | 3       |
|   | calculate   | seen   |       | concat('[', ${deep}, ']') |        |         |
|   | date        | when   | When  |                    |               |         |
|   | calculate   | today  |       | today()            |               |         |
"""


@pytest.fixture
def skip(form):
    return form(SKIP)


@pytest.fixture
def repeats(form):
    return form(REPEATS)


def record(model, answers):
    return evaluate_form(model, answers, now=NOW).record()


SKIP_CASES = [
    # (answers, expected record) -- calculations and relevant questions only
    (
        {"uses_ai": "no", "hours": "20", "minutes": "5"},
        # usage is not relevant, so hours/minutes are blank everywhere: '' * 60 + '' is NaN
        {"uses_ai": "no", "total_min": "NaN", "heavy": "no", "comment": "sans"},
    ),
    (
        {"uses_ai": "yes", "hours": "12", "minutes": "30"},
        # 12 * 60 + 30 = 750 > 600: heavy; 12 > 10: why is relevant
        {
            "uses_ai": "yes",
            "hours": "12",
            "minutes": "30",
            "tasks": "",
            "why": "",
            "total_min": "750",
            "heavy": "yes",
            "heavy_note": "",
            "comment": "sans",
        },
    ),
    (
        {"uses_ai": "yes", "hours": "2", "minutes": "15", "comment": ""},
        # 135 <= 600; 2 <= 10 hides why; an answered blank comment keeps no default
        {
            "uses_ai": "yes",
            "hours": "2",
            "minutes": "15",
            "tasks": "",
            "total_min": "135",
            "heavy": "no",
            "comment": "",
        },
    ),
    (
        {},
        # nothing answered: uses_ai is '' so the group is hidden
        {"uses_ai": "", "total_min": "NaN", "heavy": "no", "comment": "sans"},
    ),
]


@pytest.mark.parametrize(("answers", "expected"), SKIP_CASES)
def test_skip_logic_and_cascading_calculations(skip, answers, expected) -> None:
    assert record(skip, answers) == expected


ERROR_CASES = [
    # (answers, lang, expected errors as (question, kind, message))
    ({"uses_ai": "no"}, "fr", []),
    # required only when relevant: hours is required but its group is hidden
    ({"uses_ai": "no", "minutes": "99"}, "fr", []),
    ({}, "fr", [("uses_ai", "required", "Répondez svp")]),
    ({}, "en", [("uses_ai", "required", "Please answer")]),
    (
        {"uses_ai": "yes"},
        "fr",
        [("hours", "required", "Cette question est obligatoire.")],
    ),
    ({"uses_ai": "yes"}, "en", [("hours", "required", "This question is required.")]),
    ({"uses_ai": "yes", "hours": "70"}, "fr", [("hours", "constraint", "Entre 0 et 60")]),
    (
        {"uses_ai": "yes", "hours": "70"},
        "en",
        [("hours", "constraint", "Between 0 and 60")],
    ),
    # no constraint_message: the built-in one
    (
        {"uses_ai": "yes", "hours": "1", "minutes": "75"},
        "en",
        [("minutes", "constraint", "This answer is not allowed.")],
    ),
    # constraints are not checked on empty answers
    ({"uses_ai": "yes", "hours": "1", "minutes": ""}, "fr", []),
    (
        {"uses_ai": "yes", "hours": "1", "tasks": "write sum code"},
        "fr",
        [("tasks", "constraint", "Deux au plus")],
    ),
    ({"uses_ai": "yes", "hours": "1", "tasks": "write code"}, "fr", []),
    # a message in a language the form lacks falls back to the default language
    ({"uses_ai": "yes", "hours": "70"}, "de", [("hours", "constraint", "Entre 0 et 60")]),
]


@pytest.mark.parametrize(("answers", "lang", "expected"), ERROR_CASES)
def test_required_and_constraints(skip, answers, lang, expected) -> None:
    state = evaluate_form(skip, answers, lang=lang, now=NOW)
    assert [(e.question, e.kind, e.message) for e in state.errors()] == expected


REPEAT_CASES = [
    (
        {
            "n": "2",
            "tool": [
                {"tname": "ChatGPT", "hours": "12"},
                {"tname": "Copilot", "hours": "3"},
            ],
        },
        {
            "n": "2",
            "tool": [
                # 12 / 15 = 0.8; 12 > 10 shows detail
                {
                    "tname": "ChatGPT",
                    "hours": "12",
                    "idx": "1",
                    "share": "0.8",
                    "tag": "1:ChatGPT",
                    "detail": "",
                },
                {
                    "tname": "Copilot",
                    "hours": "3",
                    "idx": "2",
                    "share": "0.2",
                    "tag": "2:Copilot",
                },
            ],
            "total_hours": "15",
            "n_tools": "2",
            "first_tool": "ChatGPT",
            "second_hours": "3",
        },
    ),
    (
        # repeat_count 3 with two answered instances: the third is blank, and sum()
        # over a node-set holding '' is NaN (XPath number('') is NaN)
        {"n": "3", "tool": [{"tname": "A", "hours": "1"}, {"tname": "B", "hours": "2"}]},
        {
            "n": "3",
            "tool": [
                {"tname": "A", "hours": "1", "idx": "1", "share": "NaN", "tag": "1:A"},
                {"tname": "B", "hours": "2", "idx": "2", "share": "NaN", "tag": "2:B"},
                {"tname": "", "hours": "", "idx": "3", "share": "NaN", "tag": "3:"},
            ],
            "total_hours": "NaN",
            "n_tools": "3",
            "first_tool": "A",
            "second_hours": "2",
        },
    ),
    (
        # repeat_count 1 drops the second instance; indexed-repeat out of range is ''
        {"n": "1", "tool": [{"tname": "A", "hours": "4"}, {"tname": "B", "hours": "2"}]},
        {
            "n": "1",
            "tool": [
                {"tname": "A", "hours": "4", "idx": "1", "share": "1", "tag": "1:A"}
            ],
            "total_hours": "4",
            "n_tools": "1",
            "first_tool": "A",
            "second_hours": "",
        },
    ),
    (
        # no instance: sum of an empty node-set is 0, count is 0
        {"n": "0"},
        {
            "n": "0",
            "tool": [],
            "total_hours": "0",
            "n_tools": "0",
            "first_tool": "",
            "second_hours": "",
        },
    ),
]


@pytest.mark.parametrize(("answers", "expected"), REPEAT_CASES)
def test_repeats_with_repeat_count(repeats, answers, expected) -> None:
    assert record(repeats, answers) == expected


def test_constraint_inside_a_repeat_names_the_instance(repeats) -> None:
    answers = {
        "n": "2",
        "tool": [{"tname": "A", "hours": "12"}, {"tname": "B", "hours": "50"}],
    }
    state = evaluate_form(repeats, answers, lang="en", now=NOW)
    assert state.errors() == [
        FieldError("hours", "constraint", "This answer is not allowed.", 2)
    ]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (
            {"any": "yes", "tool": [{"tname": "a"}, {"tname": "b"}, {"tname": "c"}]},
            {
                "any": "yes",
                "tool": [{"tname": "a"}, {"tname": "b"}, {"tname": "c"}],
                "names": "3",
            },
        ),
        ({"any": "yes"}, {"any": "yes", "tool": [], "names": "0"}),
        # a non-relevant repeat is dropped with its instances
        ({"any": "no", "tool": [{"tname": "a"}]}, {"any": "no", "names": "0"}),
    ],
)
def test_repeat_without_count_follows_the_answers(form, answers, expected) -> None:
    assert record(form(FREE_REPEAT), answers) == expected


@pytest.mark.parametrize(
    ("answers", "offered", "value"),
    [
        ({"direction": "dfa"}, ["budget", "paie"], ""),
        ({"direction": "dsin", "service": "infra"}, ["infra"], "infra"),
        # an answer the filter no longer offers is cleared, as ODK Collect does
        ({"direction": "dsin", "service": "paie"}, ["infra"], ""),
        ({}, [], ""),
    ],
)
def test_choice_filter(form, answers, offered, value) -> None:
    state = evaluate_form(form(FILTERS), answers, now=NOW)
    assert [c.name for c in state.offered("service")] == offered
    assert state.value("service") == value


@pytest.mark.parametrize(
    ("tools", "other_relevant"),
    [("chatgpt other", True), ("other", True), ("chatgpt", False), ("", False)],
)
def test_or_other_adds_a_text_relevant_on_other(form, tools, other_relevant) -> None:
    state = evaluate_form(
        form(FILTERS), {"tools": tools, "tools_other": "Mistral"}, now=NOW
    )
    assert state.is_relevant("tools_other") is other_relevant
    assert state.value("tools_other") == ("Mistral" if other_relevant else "")


def test_choice_name_gives_the_label_in_the_language(form) -> None:
    state = evaluate_form(form(FILTERS), {"direction": "dsin"}, now=NOW)
    assert state.value("dir_label") == "Numérique"


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # late's default 3: early 4 hides outer and everything inside it
        (
            {},
            {
                "early": "4",
                "half": "1.5",
                "inf": "Infinity",
                "late": "3",
                "seen": "[]",
                "when": "",
                "today": "2026-03-15",
            },
        ),
        # early 9 > 5: inner inherits outer's relevance; deep is relevant
        (
            {"late": "8", "deep": "x"},
            {
                "early": "9",
                "half": "4",
                "inf": "Infinity",
                "deep": "x",
                "late": "8",
                "seen": "[x]",
                "when": "",
                "today": "2026-03-15",
            },
        ),
        # a hidden group hides its nested questions even when their own relevance is true()
        (
            {"late": "-1", "deep": "x"},
            {
                "early": "0",
                "half": "-0.5",
                "inf": "-Infinity",
                "late": "-1",
                "seen": "[]",
                "when": "",
                "today": "2026-03-15",
            },
        ),
    ],
)
def test_dependency_order_defaults_and_inherited_relevance(
    form, answers, expected
) -> None:
    assert record(form(ORDER), answers) == expected


@pytest.mark.parametrize(
    ("answers", "pages"),
    [
        ({"uses_ai": "no"}, ["uses_ai", "comment"]),
        ({"uses_ai": "yes", "hours": "2"}, ["uses_ai", "usage", "comment"]),
        (
            {"uses_ai": "yes", "hours": "12", "minutes": "0"},
            ["uses_ai", "usage", "heavy_note", "comment"],
        ),
        # minutes left blank: 12 * 60 + NaN is NaN, not heavy
        ({"uses_ai": "yes", "hours": "12"}, ["uses_ai", "usage", "comment"]),
    ],
)
def test_page_sequence_keeps_relevant_pages(skip, answers, pages) -> None:
    assert [page.name for page in relevant_pages(skip, answers, now=NOW)] == pages


@pytest.mark.parametrize(
    ("answers", "current", "following", "preceding"),
    [
        ({"uses_ai": "no"}, None, "uses_ai", None),
        ({"uses_ai": "no"}, "uses_ai", "comment", None),
        ({"uses_ai": "no"}, "comment", None, "uses_ai"),
        (
            {"uses_ai": "yes", "hours": "12", "minutes": "0"},
            "usage",
            "heavy_note",
            "uses_ai",
        ),
        (
            {"uses_ai": "yes", "hours": "12", "minutes": "0"},
            "comment",
            None,
            "heavy_note",
        ),
        # the current page may have become irrelevant: still step from its place
        ({"uses_ai": "no"}, "usage", "comment", "uses_ai"),
    ],
)
def test_next_and_previous_page(skip, answers, current, following, preceding) -> None:
    assert next_page(skip, answers, current, now=NOW) == following
    if current is not None:
        assert previous_page(skip, answers, current, now=NOW) == preceding


def test_repeat_page_is_shown_while_the_repeat_is_relevant(form, repeats) -> None:
    free = form(FREE_REPEAT)
    assert [p.name for p in relevant_pages(free, {"any": "yes"})] == ["any", "tool"]
    assert [p.name for p in relevant_pages(free, {"any": "no"})] == ["any"]
    # with repeat_count 0 there is nothing to answer
    assert [p.name for p in relevant_pages(repeats, {"n": "0"})] == ["n"]
    assert [p.name for p in relevant_pages(repeats, {"n": "1"})] == ["n", "tool"]


VALIDATE_CASES = [
    # (page, answers, lang, errors, record)
    (
        "usage",
        {"uses_ai": "yes", "hours": "70", "minutes": "x"},
        "en",
        [
            ("hours", "constraint", "Between 0 and 60"),
            ("minutes", "type", "Enter a whole number."),
        ],
        {"hours": "70", "minutes": "x", "tasks": "", "why": ""},
    ),
    (
        "usage",
        {"uses_ai": "yes", "hours": "5", "tasks": "write teleport"},
        "fr",
        [("tasks", "choice", "Choisissez parmi les réponses proposées.")],
        {"hours": "5", "minutes": "", "tasks": "write teleport"},
    ),
    (
        "usage",
        {"uses_ai": "yes", "hours": "5", "minutes": "10"},
        "fr",
        [],
        {"hours": "5", "minutes": "10", "tasks": ""},
    ),
    # a hidden page accepts anything and stores nothing
    ("usage", {"uses_ai": "no", "hours": "999"}, "fr", [], {}),
    ("uses_ai", {}, "en", [("uses_ai", "required", "Please answer")], {"uses_ai": ""}),
    (
        "uses_ai",
        {"uses_ai": "maybe"},
        "fr",
        [("uses_ai", "choice", "Choisissez parmi les réponses proposées.")],
        {"uses_ai": "maybe"},
    ),
]


@pytest.mark.parametrize(("page", "answers", "lang", "errors", "stored"), VALIDATE_CASES)
def test_validate_page(skip, page, answers, lang, errors, stored) -> None:
    result = validate_page(skip, answers, page, lang, now=NOW)
    assert [(e.question, e.kind, e.message) for e in result.errors] == errors
    assert result.ok is (not errors)
    assert result.record == stored


def test_validate_repeat_page(repeats) -> None:
    answers = {
        "n": "2",
        "tool": [{"tname": "A", "hours": "50"}, {"tname": "B", "hours": "zz"}],
    }
    result = validate_page(repeats, answers, "tool", "en", now=NOW)
    assert result.errors == (
        FieldError("hours", "constraint", "This answer is not allowed.", 1),
        FieldError("hours", "type", "Enter a whole number.", 2),
    )
    assert result.record == {
        "tool": [
            {"tname": "A", "hours": "50", "detail": ""},
            {"tname": "B", "hours": "zz"},
        ]
    }


@pytest.mark.parametrize(
    ("qtype", "params", "value", "message"),
    [
        ("decimal", "", "1,5", None),  # a French decimal comma
        ("decimal", "", "-.5", None),
        ("integer", "", "3.0", "Enter a whole number."),
        # Numbers as French respondents write them, and what stays ambiguous.
        ("integer", "", "1 200", None),
        ("integer", "", "1\u202f200", None),
        ("integer", "", "1\u00a0234\u00a0567", None),
        ("integer", "", "3,5", "Enter a whole number."),
        ("integer", "", "1,200", "Enter a whole number."),
        ("integer", "", "12 00", "Enter a whole number."),
        ("integer", "", "1  200", "Enter a whole number."),
        ("decimal", "", "1 200,5", None),
        ("decimal", "", "0,125", None),
        ("decimal", "", "1,200", "Enter a number."),  # 1.2 or 1200?
        ("decimal", "", "1.200,5", "Enter a number."),
        ("decimal", "", "1,200.5", "Enter a number."),
        ("decimal", "", ",", "Enter a number."),
        ("range", "start=0 end=10 step=0.5", "2,5", None),
        ("date", "", "2026-02-30", "Enter a date as YYYY-MM-DD."),
        ("date", "", "15/03/2026", "Enter a date as YYYY-MM-DD."),
        ("date", "", "2024-02-29", None),
        (
            "range",
            "start=1 end=5 step=1",
            "6",
            "Choose a value from 1 to 5 (in steps of 1).",
        ),
        ("range", "start=0 end=10 step=2.5", "5", None),
        (
            "range",
            "start=0 end=10 step=2.5",
            "4",
            "Choose a value from 0 to 10 (in steps of 2.5).",
        ),
        ("acknowledge", "", "OK", None),
        ("acknowledge", "", "yes", "Tick the box to confirm."),
    ],
)
def test_type_checks_on_page_submission(form, qtype, params, value, message) -> None:
    model = form(
        "| survey |\n| | type | name | label | parameters |\n"
        f"| | {qtype} | q | Q | {params} |\n"
    )
    errors = validate_page(model, {"q": value}, "q", "en").errors
    assert [e.message for e in errors] == ([message] if message else [])


def test_unknown_page(skip) -> None:
    with pytest.raises(SociaparisError) as info:
        validate_page(skip, {}, "nope")
    assert info.value.error is SurveyError.UNKNOWN_PAGE


def test_page_evaluation_only_computes_what_the_page_needs(skip) -> None:
    state = evaluate_form(skip, {"uses_ai": "yes"}, page="uses_ai")
    assert state.is_relevant("uses_ai")
    assert ("total_min", 0) not in state.values


@pytest.mark.parametrize(
    ("qtype", "answer", "stored"),
    [
        ("integer", "007", "7"),
        ("integer", "-0", "0"),
        ("decimal", "2.50", "2.5"),
        ("decimal", ".5", "0.5"),
        ("decimal", "-3", "-3"),
        ("integer", "1 200", "1200"),
        ("integer", "-1\u202f000\u202f000", "-1000000"),
        ("integer", "0" * 5000 + "12", "12"),
        ("integer", "9" * 5000, "9" * 5000),  # no int(), whose limit is 4,300 digits
        ("decimal", "3,5", "3.5"),
        ("decimal", "1 200,5", "1200.5"),
        ("decimal", "1\u00a0200,50", "1200.5"),
        ("range", "2,5", "2.5"),
        ("integer", "1,200", "1,200"),  # ambiguous: kept as typed, and reported
        ("integer", "x1", "x1"),  # malformed: kept, and reported by page validation
        ("text", "007", "007"),
    ],
)
def test_numbers_are_stored_as_odk_writes_them(form, qtype, answer, stored) -> None:
    model = form(f"| survey |\n| | type | name | label |\n| | {qtype} | q | Q |\n")
    assert evaluate_form(model, {"q": answer}).value("q") == stored


def test_values_that_are_not_strings_or_numbers_are_not_answers(skip) -> None:
    state = evaluate_form(skip, {"uses_ai": ["yes"], "comment": {"a": 1}, "hours": True})
    # uses_ai is unanswered (''), so usage is hidden; comment keeps its default
    assert state.record() == {
        "uses_ai": "",
        "total_min": "NaN",
        "heavy": "no",
        "comment": "sans",
    }


def test_required_and_constraints_apply_to_answerable_questions_only(form) -> None:
    model = form(
        "| survey |\n| | type | name | label | required | constraint | calculation |\n"
        "| | note | n | Note | yes | | |\n"
        "| | calculate | c | | yes | . > 5 | 1 |\n"
        "| | text | t | T | yes | | |\n"
    )
    errors = evaluate_form(model, {}, lang="en").errors()
    assert [(e.question, e.kind) for e in errors] == [("t", "required")]


TEXTS = """
| survey |
|   | type         | name   | label::Français (fr)         | label::English (en)        | calculation      | constraint        | constraint_message::English (en) |
|   | integer      | limit  | Limite                       | Limit                      |                  |                   |                                  |
|   | begin repeat | tool   | Outil                        | Tool                       |                  |                   |                                  |
|   | text         | tname  | Nom                          | Name                       |                  |                   |                                  |
|   | calculate    | upper  |                              |                            | concat(${tname}, "!") |               |                                  |
|   | integer      | hours  | Heures avec ${upper}         | Hours with ${upper}        |                  | . <= ${limit}     | At most ${limit} for ${tname}    |
|   | end repeat   |        |                              |                            |                  |                   |                                  |
|   | note         | first  | Premier outil : ${tname}     | First tool: ${tname}       |                  |                   |                                  |
"""


def test_texts_show_values_from_their_own_repeat_instance(form) -> None:
    model = form(TEXTS)
    answers = {
        "limit": "10",
        "tool": [{"tname": "a", "hours": "3"}, {"tname": "b", "hours": "12"}],
    }
    state = evaluate_form(model, answers, lang="en")
    assert [state.text("hours", instance=i) for i in (1, 2)] == [
        "Hours with a!",
        "Hours with b!",
    ]
    # outside the repeat, the first instance's value (XPath string() of a node-set)
    assert state.text("first") == "First tool: a"
    assert state.errors() == [FieldError("hours", "constraint", "At most 10 for b", 2)]
    french = evaluate_form(model, answers, lang="fr")
    assert french.text("hours", instance=2) == "Heures avec b!"


def test_page_evaluation_computes_what_its_texts_show(form) -> None:
    model = form(TEXTS)
    answers = {"tool": [{"tname": "x"}]}
    result = validate_page(model, answers, "tool", "en")
    assert result.state.text("hours", instance=1) == "Hours with x!"


JOINED = """
| survey |
|   | type         | name   | label | calculation     | constraint                          |
|   | begin repeat | r      | R     |                 |                                     |
|   | text         | q      | Q     |                 |                                     |
|   | end repeat   |        |       |                 |                                     |
|   | calculate    | all    |       | join('', ${q})  |                                     |
|   | text         | code   | Code  |                 | regex(., concat('(a)', '\\1'))      |
"""


@pytest.mark.parametrize(
    ("answers", "name", "location", "code"),
    [
        (
            {"r": [{"q": "a" * 60_000}, {"q": "a" * 60_000}]},
            "all",
            Location("survey", 5, "calculation"),
            "XPATH_018",
        ),
        ({"code": "aa"}, "code", Location("survey", 6, "constraint"), "XPATH_015"),
    ],
)
def test_an_evaluation_error_names_its_cell(form, answers, name, location, code) -> None:
    model = form(JOINED)
    with pytest.raises(SociaparisError) as caught:
        evaluate_form(model, answers).errors()
    assert caught.value.error is SurveyError.EVALUATION_FAILED
    assert caught.value.location == location
    assert caught.value.context["name"] == name
    # the XPath error itself, quoted by its code ("XPATH_018: ...")
    assert caught.value.context["reason"].code == code
    assert str(caught.value.context["reason"]).startswith(f"{code}: ")
