"""Behaviours of ODK's runtime, rewritten as XLSForm tables for our engine.

Read (not copied) from JavaRosa's tests as ported in getodk/web-forms,
``packages/scenario/test/``: ``calculate.test.ts`` (TriggerableDagTest: order of
the DAG), ``repeat.test.ts`` (calculation cascades in repeats, count of repeat
instances inside and outside the repeat, position(..)) and
``value-evaluation-order.test.ts`` (default, saved value, calculation). Where
JavaRosa deviates from XPath (``count(/data/repeat)`` inside a repeat gives 1 in
JavaRosa), we follow web-forms and XPath: the count of all instances.
"""

from __future__ import annotations

import pytest

from sociaparis.survey.logic import evaluate_form

DAG = """
| survey |
|   | type      | name | label | calculation        |
|   | integer   | a    | A     |                    |
|   | calculate | c    |       | (${a} + ${b}) * 5  |
|   | calculate | b    |       | ${a} * 3           |
"""

CASCADE = """
| survey |
|   | type         | name   | label  | calculation      |
|   | begin repeat | rep    | Rep    |                  |
|   | integer      | inner1 | Inner1 |                  |
|   | calculate    | inner3 |        | 2 * ${inner2}    |
|   | calculate    | inner2 |        | 2 * ${inner1}    |
|   | end repeat   |        |        |                  |
"""

COUNTS = """
| survey |
|   | type         | name        | label | calculation      |
|   | calculate    | count       |       | count(${rep})    |
|   | begin repeat | rep         | Rep   |                  |
|   | text         | question    | Q     |                  |
|   | calculate    | inner_count |       | ${count}         |
|   | calculate    | self_count  |       | count(${rep})    |
|   | end repeat   |             |       |                  |
"""

POSITIONS = """
| survey |
|   | type         | name         | label | calculation                           |
|   | begin repeat | rep          | Rep   |                                       |
|   | calculate    | concatenated |       | concat(${position_2}, '-', ${other})  |
|   | calculate    | position     |       | position(..)                          |
|   | calculate    | position_2   |       | ${position} * 2                       |
|   | calculate    | other        |       | 2 * 2                                 |
|   | text         | q            | Q     |                                       |
|   | end repeat   |              |       |                                       |
"""

ORDER_OF_VALUES = """
| survey |
|   | type | name     | label | default | calculation    |
|   | text | element  | E     | default |                |
|   | text | computed | C     | default | 'bind value'   |
"""


@pytest.mark.parametrize(("a", "b", "c"), [("2", "6", "40"), ("3", "9", "60")])
def test_calculations_follow_the_dag_not_the_row_order(form, a, b, c) -> None:
    state = evaluate_form(form(DAG), {"a": a})
    assert (state.value("b"), state.value("c")) == (b, c)


def test_calculation_cascade_inside_each_repeat_instance(form) -> None:
    state = evaluate_form(form(CASCADE), {"rep": [{"inner1": "0"}, {"inner1": "1"}]})
    assert [(state.value("inner2", i), state.value("inner3", i)) for i in (1, 2)] == [
        ("0", "0"),
        ("2", "4"),
    ]


@pytest.mark.parametrize("instances", [1, 4, 5])
def test_count_of_instances_inside_and_outside_the_repeat(form, instances) -> None:
    answers = {"rep": [{"question": str(i)} for i in range(instances)]}
    state = evaluate_form(form(COUNTS), answers)
    assert state.value("count") == str(instances)
    for index in range(1, instances + 1):
        assert state.value("inner_count", index) == str(instances)
        assert state.value("self_count", index) == str(instances)


def test_position_cascade(form) -> None:
    state = evaluate_form(form(POSITIONS), {"rep": [{}, {}, {}]})
    assert [state.value("concatenated", i) for i in (1, 2, 3)] == ["2-4", "4-4", "6-4"]


@pytest.mark.parametrize(
    ("answers", "element", "computed"),
    [
        ({}, "default", "bind value"),  # a new record takes the default
        ({"element": "editing value"}, "editing value", "bind value"),  # saved value
        ({"computed": "editing value"}, "default", "bind value"),  # calculation wins
    ],
)
def test_default_saved_value_and_calculation(form, answers, element, computed) -> None:
    state = evaluate_form(form(ORDER_OF_VALUES), answers)
    assert (state.value("element"), state.value("computed")) == (element, computed)
