"""Comparison operators, ported from ODK Web Forms.

Source: getodk/web-forms packages/xpath/test/native/comparison-operator2.spec.ts
(itself ported from Enketo's openrosa-xpath-evaluator).  Their context node's
children ``*`` become ``${...}`` node-sets here.  Where that suite expects
browser behaviour that departs from XPath 1.0 §3.4 (a boolean compared with
``<``/``>`` to a node-set), the XPath 1.0 value is used and the row says so.
"""

from __future__ import annotations

import pytest

NODESETS = {
    "neg5to5": [str(i) for i in range(-5, 6)],
    "six_to_ten": [str(i) for i in range(6, 11)],
    "four_to_eight": [str(i) for i in range(4, 9)],
    "empty": [],
    "strings": ["aaa", "bbb", "cccccc", "ddd", "eee"],
}

# (operand, operand, (=, !=)): checked in both orders (the operators commute).
EQUALITY = [
    ("1", "1", (True, False)),
    ("1", "0", (False, True)),
    ("1", "'1'", (True, False)),
    ("1", "'0'", (False, True)),
    ("1", "true()", (True, False)),
    ("1", "false()", (False, True)),
    ("0", "false()", (True, False)),
    ("-10", "${neg5to5}", (False, True)),
    ("4", "${neg5to5}", (True, True)),
    ("4.3", "${neg5to5}", (False, True)),
    ("0", "${empty}", (False, False)),
    ("true()", "true()", (True, False)),
    ("false()", "false()", (True, False)),
    ("true()", "false()", (False, True)),
    ("true()", "'1'", (True, False)),
    ("true()", "''", (False, True)),
    ("false()", "'0'", (False, True)),
    ("false()", "''", (True, False)),
    ("true()", "${neg5to5}", (True, False)),
    ("false()", "${neg5to5}", (False, True)),
    ("true()", "${empty}", (False, True)),
    ("false()", "${empty}", (True, False)),
    ("'1a'", "'1a'", (True, False)),
    ("'1'", "'0'", (False, True)),
    ("''", "''", (True, False)),
    ("''", "'0'", (False, True)),
    ("'aaa'", "${strings}", (True, True)),
    ("'bb'", "${strings}", (False, True)),
    ("''", "${strings}", (False, True)),
    ("''", "${empty}", (False, False)),
]


@pytest.mark.parametrize(("left", "right", "expected"), EQUALITY)
def test_equality(xeval, left: str, right: str, expected: tuple[bool, bool]) -> None:
    for operator, result in zip(("=", "!="), expected, strict=True):
        assert xeval(f"{left} {operator} {right}", NODESETS) is result
        assert xeval(f"{right} {operator} {left}", NODESETS) is result


# (left, right, (<, <=, >, >=))
RELATIONAL = [
    ("1", "2", (True, True, False, False)),
    ("1", "1", (False, True, False, True)),
    ("1", "0", (False, False, True, True)),
    ("1", "'2'", (True, True, False, False)),
    ("1", "'1'", (False, True, False, True)),
    ("1", "'0'", (False, False, True, True)),
    ("2", "true()", (False, False, True, True)),
    ("1", "true()", (False, True, False, True)),
    ("1", "false()", (False, False, True, True)),
    ("0", "false()", (False, True, False, True)),
    ("0", "true()", (True, True, False, False)),
    ("true()", "2", (True, True, False, False)),
    ("true()", "1", (False, True, False, True)),
    ("false()", "1", (True, True, False, False)),
    ("false()", "0", (False, True, False, True)),
    ("true()", "0", (False, False, True, True)),
    ("true()", "true()", (False, True, False, True)),
    ("true()", "false()", (False, False, True, True)),
    ("false()", "false()", (False, True, False, True)),
    ("false()", "true()", (True, True, False, False)),
    ("true()", "'1'", (False, True, False, True)),
    ("true()", "''", (False, False, False, False)),
    ("false()", "'0'", (False, True, False, True)),
    ("false()", "''", (False, False, False, False)),
    ("'2'", "1", (False, False, True, True)),
    ("'1'", "1", (False, True, False, True)),
    ("'0'", "1", (True, True, False, False)),
    ("'1'", "true()", (False, True, False, True)),
    ("''", "true()", (False, False, False, False)),
    ("'0'", "false()", (False, True, False, True)),
    ("''", "false()", (False, False, False, False)),
    ("'1'", "'0'", (False, False, True, True)),
    # with node-sets
    ("0", "${empty}", (False, False, False, False)),
    ("${empty}", "0", (False, False, False, False)),
    ("-10", "${neg5to5}", (True, True, False, False)),
    ("10", "${neg5to5}", (False, False, True, True)),
    ("5", "${neg5to5}", (False, True, True, True)),
    ("2", "${neg5to5}", (True, True, True, True)),
    ("'4'", "${neg5to5}", (True, True, True, True)),
    ("'aaa'", "${strings}", (False, False, False, False)),
    ("''", "${empty}", (False, False, False, False)),
    ("${neg5to5}", "-10", (False, False, True, True)),
    ("${neg5to5}", "10", (True, True, False, False)),
    ("${neg5to5}", "5", (True, True, False, True)),
    ("${neg5to5}", "2", (True, True, True, True)),
    ("${neg5to5}", "'4'", (True, True, True, True)),
    ("${strings}", "'aaa'", (False, False, False, False)),
    ("${empty}", "''", (False, False, False, False)),
    ("${neg5to5}", "${empty}", (False, False, False, False)),
    ("${neg5to5}", "${four_to_eight}", (True, True, True, True)),
    ("${neg5to5}", "${six_to_ten}", (True, True, False, False)),
    # XPath 1.0 §3.4: a node-set compared with a boolean is first converted
    # with boolean(). Web Forms expects (True,)*4 for the four ${neg5to5} rows
    # and (False,)*4 for the four ${empty} rows (browser XPath compares the
    # boolean as a number with each node); the values below follow XPath 1.0.
    ("true()", "${neg5to5}", (False, True, False, True)),
    ("false()", "${neg5to5}", (True, True, False, False)),
    ("${neg5to5}", "true()", (False, True, False, True)),
    ("${neg5to5}", "false()", (False, False, True, True)),
    ("true()", "${empty}", (False, False, True, True)),
    ("false()", "${empty}", (False, True, False, True)),
    ("${empty}", "true()", (True, True, False, False)),
    ("${empty}", "false()", (False, True, False, True)),
]


@pytest.mark.parametrize(("left", "right", "expected"), RELATIONAL)
def test_relational(xeval, left: str, right: str, expected: tuple[bool, ...]) -> None:
    for operator, result in zip(("<", "<=", ">", ">="), expected, strict=True):
        assert xeval(f"{left} {operator} {right}", NODESETS) is result
