"""SPSS and Stata variable names: characters, length, reserved words, collisions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sociaparis.survey.io.names import is_valid, unique_names


@pytest.mark.parametrize(
    ("fmt", "wanted", "expected"),
    [
        # characters: '/' and '-' are not allowed; SPSS keeps '.', Stata does not
        ("sav", ["use/tools_used"], ["use_tools_used"]),
        ("dta", ["use/tools_used"], ["use_tools_used"]),
        ("sav", ["tools.general"], ["tools.general"]),
        ("dta", ["tools.general"], ["tools_general"]),
        ("sav", ["a-b c"], ["a_b_c"]),
        # accents are dropped
        ("sav", ["durée_été"], ["duree_ete"]),
        ("dta", ["âge"], ["age"]),
        # first character: a letter for SPSS, a letter or _ for Stata
        ("sav", ["_id"], ["v_id"]),
        ("dta", ["_id"], ["_id"]),
        ("sav", ["2nd"], ["v2nd"]),
        ("dta", ["2nd"], ["v2nd"]),
        ("sav", ["end."], ["end"]),
        # reserved words (SPSS in any case; Stata exact, str1..str2045)
        ("sav", ["by", "WITH", "to"], ["vby", "vWITH", "vto"]),
        ("sav", ["byte"], ["byte"]),
        (
            "dta",
            ["if", "byte", "_n", "str80", "strL", "str2046"],
            ["vif", "vbyte", "v_n", "vstr80", "vstrL", "str2046"],
        ),
        ("dta", ["IF", "by"], ["IF", "by"]),
        # collisions, ignoring case, in order: the first keeps its name
        ("sav", ["age", "AGE", "Age"], ["age", "AGE_2", "Age_3"]),
        ("dta", ["a/b", "a_b", "a.b"], ["a_b", "a_b_2", "a_b_3"]),
        # length: SPSS 64 bytes, Stata 32 characters; suffixes stay within
        ("sav", ["x" * 70], ["x" * 64]),
        ("dta", ["x" * 40], ["x" * 32]),
        ("dta", ["x" * 40, "x" * 33], ["x" * 32, "x" * 30 + "_2"]),
        ("sav", ["y" * 64, "y" * 65], ["y" * 64, "y" * 62 + "_2"]),
        # a suffix must not collide with a name claimed earlier
        ("dta", ["q", "q_2", "Q"], ["q", "q_2", "Q_3"]),
    ],
)
def test_unique_names(fmt: str, wanted: list[str], expected: list[str]) -> None:
    names = unique_names(wanted, fmt)  # type: ignore[arg-type]
    assert names == expected
    assert all(is_valid(name, fmt) for name in names)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fmt", "name", "valid"),
    [
        ("sav", "age", True),
        ("sav", "_age", False),
        ("sav", "a.b", True),
        ("sav", "a.", False),
        ("sav", "AND", False),
        ("sav", "x" * 65, False),
        ("dta", "_age", True),
        ("dta", "a.b", False),
        ("dta", "with", False),
        ("dta", "x" * 33, False),
    ],
)
def test_is_valid(fmt: str, name: str, valid: bool) -> None:
    assert is_valid(name, fmt) is valid  # type: ignore[arg-type]


def test_per_name_limit() -> None:
    assert unique_names(["a" * 40, "b"], "dta", limits=[29, None]) == ["a" * 29, "b"]


@settings(max_examples=200, deadline=None)
@given(
    names=st.lists(
        st.text(
            alphabet=st.sampled_from("aAzZé_./-#$@09 ") | st.characters(), max_size=80
        ),
        max_size=30,
    ),
    fmt=st.sampled_from(["sav", "dta"]),
)
def test_any_names_become_valid_and_unique(names: list[str], fmt: str) -> None:
    result = unique_names(names, fmt)  # type: ignore[arg-type]
    assert len(result) == len(names)
    assert all(is_valid(name, fmt) for name in result)  # type: ignore[arg-type]
    assert len({name.casefold() for name in result}) == len(result)
    assert unique_names(names, fmt) == result  # deterministic  # type: ignore[arg-type]
