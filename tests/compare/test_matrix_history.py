"""The history of a case matrix's cells, the reason a change needs, imports from
CSV and XLSX with their report, and the round trip through an export (formula-
looking texts included). Runs on SQLite and PostgreSQL (the ``session`` fixture).
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd
import pytest
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.compare.matrix.errors import MatrixError
from sociaparis.compare.matrix.export import matrix_bytes
from sociaparis.compare.matrix.service import (
    MAX_IMPORT_BYTES,
    REASON_LIMIT,
    cell_history,
    import_csv,
    import_file,
    matrix_frame,
    set_cell,
)
from sociaparis.compare.matrix.sources import cell_evidence, cells_from_survey
from sociaparis.core.errors import SociaparisError

from .test_matrix import make_actor
from .test_matrix_survey import FORM_ID, _responses

MATRIX = "city,score,note\nLyon,82,ok\nNantes,8.5,\n"


@pytest.fixture
def researcher(session: Session) -> Account:
    return make_actor(session, Role.RESEARCHER)


def _set(session: Session, actor: Account, value: str, reason: str | None = None):
    return set_cell(session=session, actor=actor, frame="f", case="Lyon",
                    dimension="score", value=value, reason=reason)  # fmt: skip


def _history(session: Session, **where: str) -> list[tuple]:
    return [
        (h.case, h.dimension, h.old_value, h.new_value, h.old_source_kind,
         h.new_source_kind, h.reason, h.changed_by)
        for h in cell_history(session=session, frame="f", **where)
    ]  # fmt: skip


def test_each_change_is_kept_with_who_and_why(
    session: Session, researcher: Account
) -> None:
    import_csv(session=session, actor=researcher, frame="f", data=MATRIX,
               filename="m.csv")  # fmt: skip
    _set(session, researcher, "83", "the city's 2025 report")
    _set(session, researcher, "83")  # the same value: no reason needed, no change
    boss = make_actor(session, Role.ADMIN)
    _set(session, boss, "84.5", "  corrected after the interview  ")
    assert _history(session, case="lyon", dimension="score") == [
        ("Lyon", "score", "83", "84.5", "hand", "hand",
         "corrected after the interview", "m-admin"),
        ("Lyon", "score", "82", "83", "hand", "hand", "the city's 2025 report",
         "m-researcher"),
        ("Lyon", "score", None, "82", None, "hand", "import of m.csv, row 2",
         "m-researcher"),
    ]  # fmt: skip
    # the whole frame: three values imported (Nantes' blank note is skipped) + 2
    assert len(_history(session)) == 5
    assert [h[0] for h in _history(session, dimension="note")] == ["Lyon"]
    # re-importing the file puts 82 back, and says that only this value changed
    result = import_csv(session=session, actor=researcher, frame="f", data=MATRIX,
                        filename="m.csv")  # fmt: skip
    assert [(c.case, c.old_value, c.new_value) for c in result.changes] == [
        ("Lyon", "84.5", "82")
    ]
    assert (result.cells, result.unchanged, result.created_cases) == (3, 2, 0)


@pytest.mark.parametrize(
    ("value", "reason", "error", "context"),
    [
        ("90", None, MatrixError.REASON_REQUIRED,
         {"case": "Lyon", "dimension": "score", "old": "'82'", "new": "'90'",
          "limit": REASON_LIMIT}),
        ("90", "   ", MatrixError.REASON_REQUIRED,
         {"case": "Lyon", "dimension": "score", "old": "'82'", "new": "'90'",
          "limit": REASON_LIMIT}),
        ("90", "x" * (REASON_LIMIT + 1), MatrixError.REASON_TOO_LONG,
         {"length": REASON_LIMIT + 1, "limit": REASON_LIMIT}),
    ],
)  # fmt: skip
def test_a_change_needs_a_reason(
    session: Session,
    researcher: Account,
    value: str,
    reason: str | None,
    error: MatrixError,
    context: dict,
) -> None:
    import_csv(session=session, actor=researcher, frame="f", data=MATRIX)
    with pytest.raises(SociaparisError) as caught:
        _set(session, researcher, value, reason)
    assert caught.value.error is error
    assert caught.value.message == error.format(**context)
    assert len(_history(session, case="Lyon", dimension="score")) == 1


def test_a_first_value_needs_no_reason(session: Session, researcher: Account) -> None:
    import_csv(session=session, actor=researcher, frame="f", data=MATRIX)
    set_cell(session=session, actor=researcher, frame="f", case="Nantes",
             dimension="note", value="checked")  # fmt: skip
    assert _history(session, case="Nantes", dimension="note") == [
        ("Nantes", "note", None, "checked", None, "hand", "", "m-researcher")
    ]


def test_a_viewer_may_not_change_a_value(session: Session, researcher: Account) -> None:
    import_csv(session=session, actor=researcher, frame="f", data=MATRIX)
    viewer = make_actor(session, Role.VIEWER)
    with pytest.raises(SociaparisError) as caught:
        _set(session, viewer, "1", "because")
    assert caught.value.error is MatrixError.NOT_ALLOWED
    assert len(_history(session)) == 3


FORMULAS = {"=SUM(A1)", "+33 1 42 76 40 40", "-", "@cmd", '=HYPERLINK("http://x")'}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_and_import_round_trip(
    session: Session, researcher: Account, fmt: str
) -> None:
    rows = "\n".join(
        f'"{name}",{value},"{text.replace(chr(34), chr(34) * 2)}"'
        for name, value, text in zip(
            ["Lyon", "Nantes", "Wien", "Gent", "=case"],
            ["0.1", "-3", "1e-07", "82", "123456789.125"],
            sorted(FORMULAS),
            strict=True,
        )
    )
    import_csv(session=session, actor=researcher, frame="f",
               data="city,score,label\n" + rows + "\n")  # fmt: skip
    data = matrix_bytes(session=session, frame="f", fmt=fmt)
    # formula-safe: every formula-looking text is written with an apostrophe
    if fmt == "csv":
        text = data.decode("utf-8-sig")
        assert "'=SUM(A1)" in text and "'=case" in text and "'@cmd" in text
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(data))["case matrix"]
        texts = [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        assert texts == []  # no cell is a formula
        assert {sheet.cell(r, 3).value for r in range(2, 7)} == {
            "'" + f for f in FORMULAS
        }
    result = import_file(session=session, actor=researcher, frame="copy", data=data,
                         filename=f"f.{fmt}")  # fmt: skip
    assert result.created_cases == 5 and result.created_dimensions == ("score", "label")
    pd.testing.assert_frame_equal(
        matrix_frame(session=session, frame="f"),
        matrix_frame(session=session, frame="copy"),
    )
    assert set(matrix_frame(session=session, frame="copy")["label"]) == FORMULAS
    # importing the export into its own frame changes nothing
    again = import_file(session=session, actor=researcher, frame="f", data=data,
                        filename=f"f.{fmt}")  # fmt: skip
    assert again.changes == () and again.unchanged == 10


def _not_a_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [
        ("m.ods", b"x", "CASES_052"),
        ("m", b"x", "CASES_052"),
        ("m.csv", b"x" * (MAX_IMPORT_BYTES + 1), "CASES_053"),
        ("m.xlsx", b"not a zip", "CORE_010"),
        ("m.xlsx", _not_a_workbook(), "CASES_054"),
        ("m.csv", b"city\nLyon\n", "CASES_007"),
    ],
)
def test_refused_files(
    session: Session, researcher: Account, filename: str, data: bytes, code: str
) -> None:
    with pytest.raises(SociaparisError) as caught:
        import_file(session=session, actor=researcher, frame="f", data=data,
                    filename=filename)  # fmt: skip
    assert caught.value.code == code


def test_a_response_is_read_only_by_those_who_may_read_responses(
    session: Session, researcher: Account
) -> None:
    records = _responses(session, ["Lyon", "Nantes"])
    cells_from_survey(session=session, actor=researcher, frame="cities",
                      form_id=FORM_ID, case_question="city_name",
                      mapping={"driver": "main_driver"})  # fmt: skip
    expected = records["Lyon"].answers["main_driver"]
    for role, shown in [(Role.ADMIN, True), (Role.RESEARCHER, True),
                        (Role.CODER, False), (Role.VIEWER, False)]:  # fmt: skip
        viewer = make_actor(session, role) if role is not Role.RESEARCHER else researcher
        evidence = cell_evidence(session=session, frame="cities", case="Lyon",
                                 dimension="driver", viewer=viewer)  # fmt: skip
        assert evidence.answer_withheld is not shown
        assert (evidence.answer["answer"] if shown else evidence.answer) == (
            expected if shown else None
        )
        assert evidence.cell.source["response"] == records["Lyon"].id
        if shown:  # the whole response, in the form's order
            answers = {
                a["column"].rpartition("/")[2]: a["answer"]
                for a in evidence.answer["answers"]
            }
            assert answers["city_name"] == "Lyon"
            assert answers["main_driver"] == expected
            assert None not in answers.values()
