"""Whatever the file holds, reading it succeeds or raises a catalog error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sociaparis.core.errors import SociaparisError
from sociaparis.survey.xlsform import parse_xlsform

TYPES = [
    "text",
    "integer",
    "select_one yn",
    "select_multiple yn or_other",
    "select_one nope",
    "begin group",
    "end group",
    "begin repeat",
    "end repeat",
    "calculate",
    "note",
    "range",
    "geopoint",
    "",
]
NAMES = ["a", "b", "g", "r", "", "a b", "1x"]
CELLS = [
    "",
    "${a}",
    "${b} > 1",
    ". > 2",
    "${zz}",
    "position(..)",
    "count(${r})",
    "${a} +",
]
COLUMNS = [
    "relevant",
    "calculation",
    "constraint",
    "required",
    "repeat_count",
    "read_only",
]
rows = st.lists(
    st.tuples(st.sampled_from(TYPES), st.sampled_from(NAMES), st.sampled_from(CELLS)),
    max_size=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows, column=st.sampled_from(COLUMNS), fmt=st.sampled_from(["md", "csv"]))
def test_random_forms_are_read_or_refused_with_a_catalog_error(rows, column, fmt) -> None:
    if fmt == "md":
        text = f"| survey |\n| | type | name | label | {column} |\n"
        text += "".join(f"| | {t} | {n} | L | {e} |\n" for t, n, e in rows)
        text += "| choices |\n| | list_name | name | label |\n| | yn | yes | Yes |\n"
    else:
        text = f"survey,type,name,label,{column}\n"
        text += "".join(f",{t},{n},L,{e}\n" for t, n, e in rows)
        text += "choices,list_name,name,label\n,yn,yes,Yes\n"
    try:
        parse_xlsform(text.encode("utf-8"), filename=f"form.{fmt}")
    except SociaparisError as exc:
        assert exc.code.startswith("SURVEY_")


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300), suffix=st.sampled_from(["xlsx", "xls", "md", "csv"]))
def test_random_bytes_are_refused_with_a_catalog_error(data, suffix) -> None:
    try:
        parse_xlsform(data, filename=f"form.{suffix}")
    except SociaparisError as exc:
        assert exc.code.startswith("SURVEY_")
