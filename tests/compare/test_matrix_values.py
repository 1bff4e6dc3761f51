"""Pure helpers of the case matrix: reading a hand-made CSV, value types, encoding."""

from __future__ import annotations

import pytest

from sociaparis.compare.matrix.errors import MatrixError
from sociaparis.compare.matrix.values import (
    encode_value,
    infer_type,
    read_matrix_csv,
)
from sociaparis.core.errors import SociaparisError


@pytest.mark.parametrize(
    ("text", "cases", "dimensions", "values"),
    [
        ("city,a,b\nLyon,1,x\nGent,,y\n", ("Lyon", "Gent"), ("a", "b"),
         (("1", "x"), ("", "y"))),
        ("# note, with a comma\ncity;a\nLyon;8,5\n", ("Lyon",), ("a",), (("8,5",),)),
        ("city\ta\nLyon\t 3 \n", ("Lyon",), ("a",), (("3",),)),
        ("\ufeffcity,a\n\"Lyon, FR\",\"#1\"\n", ("Lyon, FR",), ("a",), (("#1",),)),
        ("city,a,b\nLyon,1\n", ("Lyon",), ("a", "b"), (("1", ""),)),
    ],
)  # fmt: skip
def test_reading(text: str, cases: tuple, dimensions: tuple, values: tuple) -> None:
    matrix = read_matrix_csv(text.encode("utf-8"))
    assert (matrix.cases, matrix.dimensions, matrix.values) == (
        cases,
        dimensions,
        values,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# only a comment\n", "The file has no header line"),
        ("city\nLyon\n", "[row 1] The header names no dimension"),
        ("city,a,a\nLyon,1,2\n",
         "[row 1, column 'a'] A dimension name is blank or repeated"),
        ("city,a\nLyon,1\nlyon,2\n", "[row 3] The case name 'lyon' is blank or repeated"),
        ("city,a\n,1\n", "[row 2] The case name '' is blank or repeated"),
        ("city,a\nLyon,1,2\n", "[row 2] The row has 3 cells but the header 2"),
    ],
)  # fmt: skip
def test_reading_errors(text: str, message: str) -> None:
    with pytest.raises(SociaparisError) as caught:
        read_matrix_csv(text)
    assert caught.value.error is MatrixError.BAD_CSV
    assert caught.value.message.startswith(message + ". The first column")


def test_windows_1252_is_read() -> None:
    matrix = read_matrix_csv("ville,état\nMünchen,élevé\n".encode("cp1252"))
    assert (matrix.cases, matrix.dimensions, matrix.values) == (
        ("München",),
        ("état",),
        (("élevé",),),
    )


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1", "8.5", "-3", ""], "number"),
        (["1", "yes"], "text"),
        (["nan"], "text"),
        (["inf"], "text"),
        (["", " "], "text"),
        ([0.1, 2], "number"),
    ],
)
def test_infer_type(values: list, expected: str) -> None:
    assert infer_type(values) == expected


@pytest.mark.parametrize(
    ("value", "stored"),
    [("82", "82"), (82.0, "82"), (0.1, "0.1"), (1 / 3, "0.3333333333333333"),
     ("-3", "-3"), (" 8.50 ", "8.5"), (1e20, "1e+20")],
)  # fmt: skip
def test_numbers_are_stored_to_the_last_digit(value: object, stored: str) -> None:
    text = encode_value(value, "number", dimension="d")
    assert text == stored
    assert float(text) == float(value)


def test_text_in_a_number_dimension() -> None:
    with pytest.raises(SociaparisError) as caught:
        encode_value("high", "number", dimension="CIO")
    assert caught.value.message == MatrixError.NOT_A_NUMBER.format(
        value="high", dimension="CIO"
    )
