"""Dates: today(), now(), date(), decimal-date-time(), format-date() and date arithmetic.

Sources: the ODK XForms spec (data types "date"/"dateTime", number() on dates
"days since January 1, 1970 UTC", the today/now/format-date/format-date-time
rows), Enketo's openrosa-xpath-evaluator (test/integration/openrosa-xpath/
date.spec.js, format-date.spec.js, decimal-date-time.spec.js,
test/integration/date-comparison.spec.js) and ODK Web Forms
(packages/xpath/test/xforms/decimal-date-time.test.ts).  The stub context's
clock is 2024-03-05 10:30:15.250 at UTC+01:00, a Tuesday.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from sociaparis.survey.xpath import to_string

# ODK spec: today() is the local date; now() the local dateTime with its offset.
CLOCK = [
    ("today()", "2024-03-05"),
    ("now()", "2024-03-05T10:30:15.250+01:00"),
    ("string-length(now())", "29"),
    ("today() = '2024-03-05'", "true"),
    ("today() + 1", "19788"),  # days since the epoch (by hand: 19787 + 1)
    ("date(today() + 1)", "2024-03-06"),
    ("date(today() - 5)", "2024-02-29"),  # 2024 is a leap year
    # 09:30:15.250 UTC is 34215.25 s into day 19787
    ("round((decimal-date-time(now()) - 19787) * 86400, 3)", "34215.25"),
]


@pytest.mark.parametrize(("expression", "expected"), CLOCK)
def test_clock(xeval, expression: str, expected: str) -> None:
    assert to_string(xeval(expression)) == expected


def test_today_is_the_local_date_of_the_clock(xeval) -> None:
    # 00:30 in Paris is still the previous day in UTC: today() is local.
    moment = datetime(2024, 3, 5, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    assert xeval("today()", moment=moment) == "2024-03-05"
    assert xeval("now()", moment=moment) == "2024-03-05T00:30:00.000+01:00"


def test_naive_clock_is_read_as_utc(xeval) -> None:
    moment = datetime(2024, 3, 5, 23, 0)
    assert xeval("now()", moment=moment) == "2024-03-05T23:00:00.000+00:00"


def test_negative_offsets_are_written_with_a_minus(xeval) -> None:
    moment = datetime(2024, 3, 5, 8, 5, tzinfo=timezone(timedelta(hours=-3, minutes=-30)))
    assert xeval("now()", moment=moment) == "2024-03-05T08:05:00.000-03:30"


# Enketo date.spec.js: date() of dates, numbers (days, fraction dropped) and
# comparisons; invalid dates give '' here (Enketo: 'Invalid Date').
DATE_FUNCTION = [
    ("date('1970-01-01')", "1970-01-01"),
    ("date('1970-1-2')", "1970-01-02"),
    ("date(0)", "1970-01-01"),
    ("date(1)", "1970-01-02"),
    ("date(1.5)", "1970-01-02"),
    ("date(-1)", "1969-12-31"),
    ("date(-0.5)", "1969-12-31"),  # the day containing that moment
    ("date('nonsense')", ""),
    ("date('')", ""),
    ("date(0 div 0)", ""),
    ("date(1 div 0)", ""),
    ("date('19787')", "2024-03-05"),
    ("date('2024-03-05T23:30:00.000-05:00')", "2024-03-05"),  # its own calendar day
    ("date(${d})", "2024-01-02"),
    ("date('2001-12-26') > date('2001-12-25')", "true"),
    ("date('2001-12-26') < date('2001-12-25')", "false"),
    ("date('1969-07-20') < date('1969-07-21')", "true"),
    ("date('2004-05-01') = date('2004-05-01')", "true"),
    ("date('2004-05-01') != date('2004-05-01')", "false"),
    ("'string' != date('1999-09-09')", "true"),
    ("'string' = date('1999-09-09')", "false"),
    ("date(0) = date('1970-01-01')", "true"),
    ("date(1) = date('1970-01-02')", "true"),
    ("date(-1) = date('1969-12-31')", "true"),
    ("date(14127) = date('2008-09-05')", "true"),
    ("date(-10252) = date('1941-12-07')", "true"),
    ("date(-10252) != date('1941-12-07')", "false"),
    ("date('2012-01-01') < today()", "true"),
    ("date('2012-01-01') > today()", "false"),
    ("date('2100-01-02') > today()", "true"),
    ("date('2100-01-02') < today()", "false"),
]


@pytest.mark.parametrize(("expression", "expected"), DATE_FUNCTION)
def test_date_function(xeval, expression: str, expected: str) -> None:
    assert to_string(xeval(expression, {"d": "2024-01-02"})) == expected


# Date arithmetic is on days (ODK spec number() extension); Enketo date.spec.js
# "math" gives the dates below, here obtained by wrapping the sum in date()
# because arithmetic returns a number (docs/xpath.md).
DATE_ARITHMETIC = [
    ("date(date('2001-12-26') + 5)", "2001-12-31"),
    ("date(date('2001-12-26') - 5)", "2001-12-21"),
    ("date(5 + date('2001-12-26'))", "2001-12-31"),
    ("date(-5 + date('2001-12-26'))", "2001-12-21"),
    ("date(3 + date('2001-12-26') + 5)", "2002-01-03"),
    ("date(3 + date('2001-12-26') - 5)", "2001-12-24"),
    ("date('2001-12-26') + 5", "11687"),  # by hand: days from 1970-01-01
    ("'2024-03-05' - '2024-01-01'", "64"),
    ("${d} - '2023-12-25'", "8"),
    ("(today() - ${birth}) div 365.25 >= 18", "true"),
    ("int((today() - ${birth}) div 365.25)", "34"),
    ("date('2024-03-01') - date('2024-02-28')", "2"),  # leap day counted
    ("'2024-03-05T12:00:00Z' - '2024-03-05'", "0.5"),
]


@pytest.mark.parametrize(("expression", "expected"), DATE_ARITHMETIC)
def test_date_arithmetic(xeval, expression: str, expected: str) -> None:
    values = {"d": "2024-01-02", "birth": "1989-06-15"}
    assert to_string(xeval(expression, values)) == expected


# Enketo date-comparison.spec.js with a field holding today's date.  Unlike
# Enketo (where today() is a precise moment, so today() > the date of today),
# today() is a date string here, as in the ODK spec and JavaRosa.
DATE_COMPARISONS = [
    ("${d} < today() + 1", "true"),
    ("${d} > today() + 1", "false"),
    ("${d} > today() - 1", "true"),
    ("${d} < today() - 1", "false"),
    ("${d} < (today() + 1)", "true"),
    ("${d} > (today() - 1)", "true"),
    ("${d} = today()", "true"),
    ("${d} <= today()", "true"),
    ("today() > ${d}", "false"),
    ("${yesterday} < today()", "true"),
    ("${yesterday} >= today()", "false"),
    ("today() < ${tomorrow}", "true"),
    ("today() >= ${tomorrow}", "false"),
    ("${d} >= '2024-01-01' and ${d} <= '2024-12-31'", "true"),
    ("${empty} < today()", "false"),  # empty answer is NaN: never compares
    ("${dt} > ${d}", "true"),  # dateTime later on the same day
    ("${dt} < today() + 1", "true"),
]


@pytest.mark.parametrize(("expression", "expected"), DATE_COMPARISONS)
def test_date_comparisons(xeval, expression: str, expected: str) -> None:
    values = {
        "d": "2024-03-05",
        "yesterday": "2024-03-04",
        "tomorrow": "2024-03-06",
        "empty": "",
        "dt": "2024-03-05T09:00:00.000+01:00",
    }
    assert to_string(xeval(expression, values)) == expected


# decimal-date-time(): Enketo decimal-date-time.spec.js and Web Forms
# decimal-date-time.test.ts ("different format", offset given so independent
# of the test machine).  Date-only values are UTC midnight here (Web Forms
# expects +0.291667 from its UTC-07:00 test zone).
DECIMAL_DATE_TIME = [
    ("decimal-date-time('1970-01-01T00:00:00Z')", "0"),
    ("decimal-date-time('1970-01-02T00:00:00Z')", "1"),
    ("decimal-date-time('1969-12-31T00:00:00Z')", "-1"),
    ("decimal-date-time('2018-04-24T15:30:00.000+06:00')", "17645.395833333332"),
    ("decimal-date-time('1970-01-01')", "0"),
    ("decimal-date-time('2021-10-06')", "18906"),
    ("decimal-date-time('1970-01-01T00:00:00')", "0"),
    ("decimal-date-time('1970-01-01T18:00:00.000-06:00')", "1"),
    ("decimal-date-time('not a date')", "NaN"),
]


@pytest.mark.parametrize(("expression", "expected"), DECIMAL_DATE_TIME)
def test_decimal_date_time(xeval, expression: str, expected: str) -> None:
    assert to_string(xeval(expression)) == expected


# ODK spec format-date / format-date-time identifiers; Enketo
# format-date.spec.js for 'Dec 31, 2001'.  Month and day names are English.
FORMAT_DATE = [
    ("format-date('2001-12-31', '%b %e, %Y')", "Dec 31, 2001"),
    ("format-date('2024-03-05', '%Y-%m-%d')", "2024-03-05"),
    ("format-date('2024-03-05', '%d/%m/%y')", "05/03/24"),
    ("format-date('2024-03-05', '%e/%n')", "5/3"),
    ("format-date('2024-03-05', '%a %e %b')", "Tue 5 Mar"),
    ("format-date('2001-12-31', '%a')", "Mon"),
    ("format-date(today(), 'le %d/%m/%Y')", "le 05/03/2024"),
    ("format-date(19787, '%Y-%m-%d')", "2024-03-05"),
    ("format-date('19787', '%Y-%m-%d')", "2024-03-05"),
    ("format-date(${d}, '%Y')", "2024"),
    ("format-date('', '%Y')", ""),
    ("format-date('garbage', '%Y')", ""),
    ("format-date('2024-03-05', '%Q 100%')", "%Q 100%"),  # unknown: kept as written
    ("format-date-time('2024-03-05T09:07:03.045+01:00', '%H:%M:%S.%3')", "09:07:03.045"),
    ("format-date-time('2024-03-05T09:07:03.045+01:00', '%h %Y-%m-%d')", "9 2024-03-05"),
    ("format-date-time(now(), '%d/%m/%Y %H:%M')", "05/03/2024 10:30"),
    ("format-date-time('2024-03-05', '%H:%M')", "00:00"),
    ("format-date-time(0.75, '%H:%M')", "18:00"),  # days since the epoch, UTC
]


@pytest.mark.parametrize(("expression", "expected"), FORMAT_DATE)
def test_format_date(xeval, expression: str, expected: str) -> None:
    assert to_string(xeval(expression, {"d": "2024-03-05"})) == expected
