"""Type conversions: string(), number(), boolean() (XPath 1.0 §4.2-4.4).

Sources: the XPath 1.0 Recommendation (§4.2 number-to-string rules, §4.3
boolean(), §4.4 number() and the Number production of §3.7); the ODK XForms
spec extension of number() to date strings ("days since January 1, 1970
UTC"); and the string()/number() tables of ODK Web Forms
(packages/xpath/test/xforms/number.test.ts) and Enketo's
openrosa-xpath-evaluator (test/integration/native/string.spec.js).
"""

from __future__ import annotations

import math

import pytest

from sociaparis.survey.xpath import NodeSet, to_boolean, to_number, to_string

# XPath 1.0 §4.2: numbers print without exponent, integers without a decimal
# point, negative zero as "0"; Enketo native/string.spec.js for the literals.
STRING_OF = [
    ("string(0)", "0"),
    ("string(-0)", "0"),
    ("string(-123)", "-123"),
    ("string(123.)", "123"),
    ("string(123.0)", "123"),
    ("string(.123)", "0.123"),
    ("string(-0.1000)", "-0.1"),
    ("string(1.1)", "1.1"),
    ("string(-1.1)", "-1.1"),
    ("string(true())", "true"),
    ("string(false())", "false"),
    ("string('-1.0')", "-1.0"),
    ("string('  \nhello \n\r')", "  \nhello \n\r"),
    ("string(1 div 0)", "Infinity"),
    ("string(-1 div 0)", "-Infinity"),
    ("string(number('a'))", "NaN"),
    ("string(1000000 * 1000000 * 1000000 * 1000)", "1000000000000000000000"),
    ("string(1 div 10000000)", "0.0000001"),
    ("string(2.5)", "2.5"),
    ("string(-0.5)", "-0.5"),
    ("string(${none})", ""),  # empty node-set
    ("string(${rep})", "1"),  # first node in document order
    ("string()", "here"),  # context node
]

# XPath 1.0 §4.4 and §3.7 Number; Web Forms number.test.ts ("called on a
# string", "returns NaN if not convertible").
NUMBER_OF = [
    ("number('0')", 0.0),
    ("number('-1')", -1.0),
    ("number(-1.0)", -1.0),
    ("number(0.199999)", 0.199999),
    ("number(- 0.199999)", -0.199999),
    ("number(.0)", 0.0),
    ("number(0.)", 0.0),
    ("number('-1.0')", -1.0),
    ("number('0.199999')", 0.199999),
    ("number('-0.9991')", -0.9991),
    ("number('.112')", 0.112),
    ("number('0.')", 0.0),
    ("number('  1.1')", 1.1),
    ("number('1.1   ')", 1.1),
    ("number('  1.1 \n\r\n  ')", 1.1),
    ("number(true())", 1.0),
    ("number(false())", 0.0),
    ("number(1 = 1)", 1.0),
    ("number('asdf')", math.nan),
    ("number('1asdf')", math.nan),
    ("number('1.1sd')", math.nan),
    ("number('.1sd')", math.nan),
    ("number(' . ')", math.nan),
    ("number('')", math.nan),
    ("number('1e3')", math.nan),  # §3.7: no exponent notation
    ("number('+1')", math.nan),  # §3.7: no plus sign
    ("number('1 000')", math.nan),
    ("number('1,5')", math.nan),  # French decimal comma is not a number
    ("number('- 1')", math.nan),
    ("number('\u00a012')", math.nan),  # only XPath whitespace is trimmed
    ("number('٣')", math.nan),  # only ASCII digits
    ("number(${rep})", 1.0),  # first node
    ("number(${none})", math.nan),
    ("number()", 42.5),  # context node
]

# XPath 1.0 §4.3 boolean(); the ODK spec note that boolean('false') is true.
BOOLEAN_OF = [
    ("boolean(0)", "false"),
    ("boolean(-0)", "false"),
    ("boolean(0 div 0)", "false"),
    ("boolean(0.1)", "true"),
    ("boolean(-1)", "true"),
    ("boolean(1 div 0)", "true"),
    ("boolean('')", "false"),
    ("boolean(' ')", "true"),
    ("boolean('false')", "true"),
    ("boolean('0')", "true"),
    ("boolean(${none})", "false"),
    ("boolean(${empty})", "true"),  # a node-set holding one (empty) node
    ("boolean(${rep})", "true"),
    ("not(${empty} != '')", "true"),
    ("boolean-from-string('true')", "true"),  # ODK spec: true for "true" or "1"
    ("boolean-from-string('1')", "true"),
    ("boolean-from-string('false')", "false"),
    ("boolean-from-string('yes')", "false"),
    ("boolean-from-string('')", "false"),
]

VALUES = {"rep": ["1", "2", "x"], "none": [], "empty": ""}


@pytest.mark.parametrize(("expression", "expected"), STRING_OF)
def test_string_conversion(xeval, expression: str, expected: str) -> None:
    result = xeval(expression, VALUES, here="here")
    assert isinstance(result, str)
    assert result == expected


@pytest.mark.parametrize(("expression", "expected"), NUMBER_OF)
def test_number_conversion(xeval, expression: str, expected: float) -> None:
    result = xeval(expression, VALUES, here="42.5")
    assert isinstance(result, float)
    if math.isnan(expected):
        assert math.isnan(result)
    else:
        assert result == expected


@pytest.mark.parametrize(("expression", "expected"), BOOLEAN_OF)
def test_boolean_conversion(xeval, expression: str, expected: str) -> None:
    result = xeval(expression, VALUES)
    assert isinstance(result, bool)
    assert to_string(result) == expected


# The Python-level conversions the engine uses on results.
PY_CONVERSIONS = [
    (True, "true", 1.0, True),
    (False, "false", 0.0, False),
    (3.0, "3", 3.0, True),
    (-0.0, "0", -0.0, False),
    (math.nan, "NaN", math.nan, False),
    (math.inf, "Infinity", math.inf, True),
    ("", "", math.nan, False),
    ("7", "7", 7.0, True),
    ("2024-03-05", "2024-03-05", 19787.0, True),
    (NodeSet(()), "", math.nan, False),
    (NodeSet(("",)), "", math.nan, True),
    (NodeSet(("4", "5")), "4", 4.0, True),
]


@pytest.mark.parametrize(("value", "string", "number", "boolean"), PY_CONVERSIONS)
def test_python_conversions(value, string: str, number: float, boolean: bool) -> None:
    assert to_string(value) == string
    converted = to_number(value)
    assert converted == number or (math.isnan(number) and math.isnan(converted))
    assert to_boolean(value) is boolean


# ODK XForms spec, number(): date and dateTime strings become days since
# 1970-01-01 UTC.  Web Forms number.test.ts expects the same day counts plus
# 0.29 because its suite runs at UTC-07:00 and reads dates as local midnight;
# here dates are UTC midnight (docs/xpath.md).
DATE_NUMBERS = [
    ("number('1970-01-01')", 0.0),
    ("number('1970-01-02')", 1.0),
    ("number('1969-12-31')", -1.0),
    ("number('2008-09-05')", 14127.0),
    ("number('1941-12-07')", -10252.0),
    ("number('1970-01-01T00:00:00Z')", 0.0),
    ("number('1970-01-02T00:00:00Z')", 1.0),
    ("number('1969-12-31T00:00:00Z')", -1.0),
    ("number('1970-01-01T12:00:00Z')", 0.5),
    ("number('1970-01-01T06:00:00.000+06:00')", 0.0),
    ("number('2024-02-30')", math.nan),  # not a calendar date
    ("number('2024-13-01')", math.nan),
    ("number('24-03-05')", math.nan),
]


@pytest.mark.parametrize(("expression", "expected"), DATE_NUMBERS)
def test_dates_convert_to_days(xeval, expression: str, expected: float) -> None:
    result = xeval(expression)
    if math.isnan(expected):
        assert math.isnan(result)
    else:
        assert result == expected
