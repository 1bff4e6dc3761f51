"""The function library, one table per family.

Each table cites where its expected values come from: the XPath 1.0
Recommendation (§4 core function library), the ODK XForms spec function
table (getodk.github.io/xforms-spec, "XPath Functions"), or the Enketo
openrosa-xpath-evaluator test suite that ODK Web Forms ported
(test/integration/..., cited by file).  Values marked "by hand" are derived
from the cited definition.
"""

from __future__ import annotations

import math

import pytest

from sociaparis.survey.xpath import XPathError, to_string

ANSWERS = {
    "name": "Ana",
    "empty": "",
    "tools": "chatgpt copilot mistral",
    "node": "0123456789",
    "hours": ["7.5", "8", "6.5"],
    "scores": ["3", "17", "-32"],
    "bad": ["3", "17", "cheese"],
    "words": ["one", "two", "three"],
    "holes": ["a", "", "b", ""],
    "none": [],
}


def check(xeval, expression: str, expected: str, **options: object) -> None:
    assert to_string(xeval(expression, ANSWERS, **options)) == expected


# Enketo native/string.spec.js (XPath 1.0 §4.2 string functions), and the ODK
# spec rows for concat (1 argument and node-sets allowed), ends-with (XPath 3.0)
# and substr (0-based start, exclusive end).
STRINGS = [
    ("concat(0, 0)", "00"),
    ("concat('', '', 'b')", "b"),
    ("concat('a', '', 'c')", "ac"),
    ("concat('a', 'b', 'c', 'd', 'e')", "abcde"),
    ("concat('port', 'manteau')", "portmanteau"),
    ("concat(${name})", "Ana"),  # ODK: one argument is allowed
    ("concat(${words}, '!')", "onetwothree!"),  # ODK: every node of a node-set
    ("concat(1 div 2, true())", "0.5true"),
    ("starts-with('', '')", "true"),
    ("starts-with('a', '')", "true"),
    ("starts-with('ba', 'b')", "true"),
    ("starts-with('', 'b')", "false"),
    ("contains('', '')", "true"),
    ("contains('', 'a')", "false"),
    ("contains('asdf', 'sd')", "true"),
    ("contains('asdf', 'af')", "false"),
    ("ends-with('asdf', 'df')", "true"),
    ("ends-with('asdf', 'sd')", "false"),
    ("ends-with('a', '')", "true"),
    ("substring-before('ab', 'b')", "a"),
    ("substring-before('abb', 'b')", "a"),
    ("substring-before('a', '')", ""),
    ("substring-before('ab', 'c')", ""),
    ("substring-after('a', '')", "a"),
    ("substring-after('aab', 'a')", "ab"),
    ("substring-after('ab', 'c')", ""),
    ("substring('12345', 2, 3)", "234"),
    ("substring('12345', 2)", "2345"),
    ("substring('12345', -1)", "12345"),
    ("substring('12345', 1 div 0)", ""),
    ("substring('12345', 0 div 0)", ""),
    ("substring('12345', 1.5, 2.6)", "234"),
    ("substring('12345', 1.3, 2.3)", "12"),
    ("substring('12345', 0, 3)", "12"),
    ("substring('12345', 0, -1 div 0)", ""),
    ("substring('12345', 1, 0 div 0)", ""),
    ("substring('12345', -1 div 0, 1 div 0)", ""),
    ("substring('12345', -42, 1 div 0)", "12345"),  # by hand, §4.2
    ("substr(${node}, 5)", "56789"),  # Enketo subs.spec.js
    ("substr(${node}, 2, 4)", "23"),
    ("substr('hello', 0)", "hello"),
    ("substr('hello', 0, 5)", "hello"),
    ("substr('hello', 1)", "ello"),
    ("substr('hello', 1, 4)", "ell"),
    ("substr('hello', -2)", "lo"),
    ("substr('hello', 0, -1)", "hell"),
    ("substr('hello', 10)", ""),
    ("substr('hello', 0 div 0)", "hello"),
    ("string-length('')", "0"),
    ("string-length(' ')", "1"),
    ("string-length('\r\n')", "2"),
    ("string-length('é€😀')", "3"),  # characters, not bytes or UTF-16 units
    ("string-length(${name})", "3"),
    ("string-length()", "4"),  # context node "here"
    ("normalize-space('')", ""),
    ("normalize-space('    ')", ""),
    ("normalize-space('  a  b  ')", "a b"),
    ("normalize-space(' \r\n\t')", ""),
    ("normalize-space('  a\n \t bc  c\n')", "a bc c"),
    ("normalize-space()", "here"),
    ("translate('', '', '')", ""),
    ("translate('a', 'a', '')", ""),
    ("translate('ab', 'a', 'A')", "Ab"),
    ("translate('ab', 'a', 'AB')", "Ab"),
    ("translate('aabb', 'ab', 'ba')", "bbaa"),
    ("translate('aa', 'aa', 'bc')", "bb"),
    ("translate('--aaa--', 'abc-', 'ABC')", "AAA"),  # XPath 1.0 §4.2 example
    ("join(' :: ', ${words})", "one :: two :: three"),  # Enketo join.spec.js
    ("join(', ', ${name}, 'x', ${words})", "Ana, x, one, two, three"),
    ("join('-', ${none})", ""),
]


@pytest.mark.parametrize(("expression", "expected"), STRINGS)
def test_string_functions(xeval, expression: str, expected: str) -> None:
    check(xeval, expression, expected, here="here")


# ODK spec "Boolean Functions": if() returns the chosen argument unchanged,
# coalesce() the first non-empty value, regex() tests whether the pattern is
# found in the value (Enketo regex.spec.js: '1234' matches '[0-9]{3}').
BOOLEANS = [
    ("if(true(), 'a', 'b')", "a"),  # Enketo if.spec.js
    ("if(false(), 'a', 'b')", "b"),
    ("if(${empty}, 'a', 'b')", "a"),  # a node-set with one node is true
    ("if(${empty} != '', 'a', 'b')", "b"),
    ("if(${none}, 'a', 'b')", "b"),
    ("if(1 = 1, 3, 'x') + 1", "4"),  # the number is kept, not stringified
    ("if(0, 1 div 0, 2)", "2"),
    ("coalesce('FIRST', 'whatever')", "FIRST"),  # Enketo coalesce.spec.js
    ("coalesce('', 'SECOND')", "SECOND"),
    ("coalesce(${empty}, ${name})", "Ana"),
    ("coalesce(${name}, 'SECOND')", "Ana"),
    ("coalesce(${none}, '')", ""),
    ("regex('123', '[0-9]{3}')", "true"),
    ("regex('1234', '[0-9]{3}')", "true"),
    ("regex('1234', '^[0-9]{3}$')", "false"),
    ("regex('ab', '[0-9]')", "false"),
    ("regex('a.b@paris.fr', '^[^@]+@[^@]+\\.[a-z]+$')", "true"),
    ("regex('', '.*')", "true"),
    ("regex(${name}, concat('^', 'A'))", "true"),
    # \d and \w are ASCII, as in Java (ODK Collect) and JavaScript (Enketo).
    ("regex('\u0663', '\\d')", "false"),
    ("regex('\u00c9lodie', '^\\w+$')", "false"),
    ("regex('\u00c9lodie', '(?i)^\u00e9')", "true"),
    ("checklist(-1, 2, 2 > 1)", "true"),  # Enketo checklist.spec.js
    ("checklist(-1, 2, 1 = 1, 2 = 2, 3 = 3)", "false"),
    ("checklist(1, 2, 1 = 1, 2 = 2, 3 = 3)", "false"),
    ("checklist(1, 1, 1 = 1)", "true"),
    ("checklist(1, 1, true(), false(), false())", "true"),
    ("checklist(2, 2, ${holes})", "true"),  # ODK spec: non-empty answers count
    ("checklist(-1, -1, ${none})", "true"),
    ("weighted-checklist(3, 3, true(), 3, false(), 5)", "true"),  # by hand, ODK spec
    ("weighted-checklist(-1, 4, true(), 3, true(), 2)", "false"),
    ("weighted-checklist(5, -1, 1 = 1, 2, 'x', 3)", "true"),
    ("once('new')", "kept"),  # ODK spec: the current value wins when set
    ("once(concat('n', 'ew'))", "kept"),
    ("not(true())", "false"),
    ("not('')", "true"),
    ("not(${none})", "true"),
    ("true()", "true"),
    ("false()", "false"),
]


@pytest.mark.parametrize(("expression", "expected"), BOOLEANS)
def test_boolean_functions(xeval, expression: str, expected: str) -> None:
    check(xeval, expression, expected, here="kept")


def test_once_evaluates_its_argument_when_the_question_is_empty(xeval) -> None:
    assert xeval("once(concat('n', 'ew'))", here="") == "new"


def test_random_and_uuid(xeval) -> None:
    draws = {xeval("random()") for _ in range(50)}
    assert len(draws) > 45 and all(0.0 <= draw < 1.0 for draw in draws)
    identifier = xeval("uuid()")
    assert len(identifier) == 36 and identifier.count("-") == 4 and identifier[14] == "4"
    assert len(xeval("uuid(12)")) == 12 and xeval("uuid(12)").isalnum()
    assert xeval("uuid(0 div 0)") == ""


# ODK spec "Select Functions" and Enketo selected.spec.js,
# selected-at.spec.js, count-selected.spec.js.
SELECTS = [
    ("selected(${tools}, 'chatgpt')", "true"),
    ("selected(${tools}, 'copilot')", "true"),
    ("selected(${tools}, 'mistral')", "true"),
    ("selected(${tools}, 'chat')", "false"),  # whole items, not substrings
    ("selected(${tools}, 'gpt')", "false"),
    ("selected(${tools}, 'gemini')", "false"),
    ("selected(${tools}, '')", "false"),
    ("selected(${empty}, '')", "false"),
    ("selected(${tools}, ' copilot ')", "true"),  # the value is trimmed
    ("selected('a  b', 'b')", "true"),
    ("selected('1 2 3', 2)", "true"),
    ("count-selected(${tools})", "3"),
    ("count-selected(${empty})", "0"),
    ("count-selected('ab')", "1"),
    ("count-selected('ab cd ef gh')", "4"),
    ("selected-at('zero one two three', 1)", "one"),
    ("selected-at('zero one two three', '1')", "one"),
    ("selected-at('zero one two three', 4)", ""),
    ("selected-at('zero one two three', -1)", ""),
    ("selected-at('', 0)", ""),
    ("selected-at('apple baby crimson', 2)", "crimson"),
    ("selected-at('ab', 0)", "ab"),
    ("selected-at('ab cd', 0 div 0)", ""),
    ("selected-at(${tools}, 1.9)", "copilot"),  # index truncated
    ("jr:choice-name(${tools}, '${tools}')", "tools:chatgpt copilot mistral"),
    ("jr:choice-name('yes', ' ${consent} ')", "consent:yes"),
    ("jr:choice-name(${empty}, '${consent}')", ""),
]


@pytest.mark.parametrize(("expression", "expected"), SELECTS)
def test_select_functions(xeval, expression: str, expected: str) -> None:
    check(xeval, expression, expected)


# round(): ODK spec (optional number of decimals) with Enketo round.spec.js
# values: halves go away from zero, on the decimal form of the number.
NUMBERS = [
    ("round(1)", "1"),
    ("round(1.1)", "1"),
    ("round(1.5)", "2"),
    ("round(-1)", "-1"),
    ("round(-1.1)", "-1"),
    ("round(-1.5)", "-2"),
    ("round(-1.55)", "-2"),
    ("round(2.44)", "2"),
    ("round(0.001)", "0"),
    ("round(-1.05)", "-1"),
    ("round(1.5, 0)", "2"),
    ("round(-1.5, 0)", "-2"),
    ("round('23.7825', '2')", "23.78"),
    ("round('23.7825', '1')", "23.8"),
    ("round('2.15', '1')", "2.2"),
    ("round('2.149', '1')", "2.1"),
    ("round('-1.475', '2')", "-1.48"),
    ("round('1', '2')", "1"),
    ("round('23.7825', '-1')", "20"),
    ("round('23.7825', '-2')", "0"),
    ("round('21.5', '-1')", "20"),
    ("round('626.3', '-3')", "1000"),
    ("round('-50.55', '-2')", "-100"),
    ("round('1.98', '-1')", "0"),
    ("round(1.234, 2)", "1.23"),
    ("round(1.234, 5)", "1.234"),
    ("round(33.33, -1)", "30"),
    ("round(1 div 47999799999)", "0"),
    ("round('a')", "NaN"),
    ("round(1 div 0)", "Infinity"),
    ("round(-1 div 0)", "-Infinity"),
    ("int('123')", "123"),  # Enketo int.spec.js
    ("int('123.456')", "123"),
    ("int(-1.9)", "-1"),  # ODK spec: discards the fractional part
    ("int('')", "NaN"),
    ("int(1 div 0)", "Infinity"),
    ("floor(1.5)", "1"),
    ("floor(-1.5)", "-2"),
    ("ceiling(1.2)", "2"),
    ("ceiling(-1.2)", "-1"),
    ("ceiling(-1 div 0)", "-Infinity"),
    ("abs(-3.5)", "3.5"),
    ("pow(2, 10)", "1024"),
    ("pow(4, 0.5)", "2"),
    ("pow(0, -1)", "Infinity"),
    ("pow(-8, 1 div 3)", "NaN"),
    ("sqrt(16)", "4"),
    ("sqrt(-1)", "NaN"),
    ("log10(1000)", "3"),
    ("log(0)", "-Infinity"),
    ("exp(0)", "1"),
    ("exp10(2)", "100"),
    ("round(pi(), 4)", "3.1416"),
    ("sin(0)", "0"),
    ("cos(0)", "1"),
    ("round(tan(pi() div 4), 10)", "1"),
    ("round(asin(1) * 2, 10) = round(pi(), 10)", "true"),
    ("acos(2)", "NaN"),
    ("atan(0)", "0"),
    ("round(atan2(1, 1) * 4, 10) = round(pi(), 10)", "true"),
]


@pytest.mark.parametrize(("expression", "expected"), NUMBERS)
def test_number_functions(xeval, expression: str, expected: str) -> None:
    check(xeval, expression, expected)


# Node-set functions over a question inside a repeat seen from outside:
# XPath 1.0 §4.1 count(), §4.4 sum() (NaN as soon as one value is not a
# number); ODK spec min()/max() (Enketo max.spec.js and min.spec.js: NaN if
# any node is not a number or nothing matches); XForms count-non-empty().
NODESETS = [
    ("sum(${hours})", "22"),
    ("sum(${scores})", "-12"),
    ("sum(${bad})", "NaN"),
    ("sum(${none})", "0"),
    ("sum(${empty})", "NaN"),
    ("count(${hours})", "3"),
    ("count(${none})", "0"),
    ("count(${name})", "1"),
    ("count(.)", "1"),
    ("count-non-empty(${holes})", "2"),
    ("count-non-empty(${none})", "0"),
    ("max(${scores})", "17"),
    ("min(${scores})", "-32"),
    ("max(${bad})", "NaN"),
    ("min(${bad})", "NaN"),
    ("max(${none})", "NaN"),
    ("max(${empty})", "NaN"),
    ("max(${hours}, 9)", "9"),
    ("min(3, 1, 2)", "1"),
    ("sum(${hours}) div count(${hours})", "7.333333333333333"),
]


@pytest.mark.parametrize(("expression", "expected"), NODESETS)
def test_nodeset_functions(xeval, expression: str, expected: str) -> None:
    check(xeval, expression, expected)


# ODK spec "Repeat Functions": position(..) is the 1-based index of the repeat
# instance; indexed-repeat() picks the value in the given (1-based) instance.
REPEATS = [
    ("position(..)", "3"),
    ("position(..) - 1", "2"),
    ("indexed-repeat(${member}, ${household}, 2)", "Ben"),
    ("indexed-repeat(${member}, ${household}, 1)", "Ana"),
    ("indexed-repeat(${member}, ${household}, '2')", "Ben"),
    ("indexed-repeat(${member}, ${household}, 2.7)", "Ben"),
    ("indexed-repeat(${member}, ${household}, 9)", ""),
    ("indexed-repeat(${member}, ${household}, 0)", ""),
    ("indexed-repeat(${member}, ${household}, 0 div 0)", ""),
    ("indexed-repeat(${member}, ${household}, position(..) - 1)", "Ben"),
]


@pytest.mark.parametrize(("expression", "expected"), REPEATS)
def test_repeat_functions(xeval, expression: str, expected: str) -> None:
    result = xeval(
        expression, ANSWERS, repeat_position=3, repeats={"member": ["Ana", "Ben", "Cy"]}
    )
    assert to_string(result) == expected


def test_position_outside_a_repeat_raises_the_context_error(xeval) -> None:
    with pytest.raises(XPathError) as caught:
        xeval("position(..) = 1")
    assert caught.value.code == "XPATH_010"


def test_nan_results_are_floats(xeval) -> None:
    result = xeval("sum(${bad})", ANSWERS)
    assert isinstance(result, float)
    assert math.isnan(result)
