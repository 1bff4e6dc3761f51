"""The stored case matrix: hand entry, survey responses, codings, evidence, export.

Runs on SQLite and PostgreSQL (the ``session`` fixture).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.models import User
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.compare.matrix.errors import MatrixError
from sociaparis.compare.matrix.export import export_matrix
from sociaparis.compare.matrix.service import (
    get_cell,
    import_csv,
    link_case,
    list_cells,
    matrix_frame,
    set_cell,
)
from sociaparis.compare.matrix.sources import cell_evidence, cells_from_codes
from sociaparis.core.errors import SociaparisError
from sociaparis.qual import service as qual
from sociaparis.qual.models import QualDocument
from sociaparis.qual.retrieval import SEGMENT_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
CITIES = ROOT / "studies" / "sociaparis" / "cities" / "cities.csv"


def make_actor(session: Session, role: Role) -> Account:
    """An account without a real password hash (argon2 is slow and not tested here)."""
    user = User(username=f"m-{role.value}", password_hash="-", role=role.value)
    session.add(user)
    session.flush()
    return Account(user.id, user.username, role, "")


@pytest.fixture
def researcher(session: Session) -> Account:
    return make_actor(session, Role.RESEARCHER)


def _import_cities(session: Session, actor: Account) -> None:
    import_csv(
        session=session,
        actor=actor,
        frame="cities",
        data=CITIES.read_bytes(),
        filename="cities.csv",
    )


# ------------------------------------------------------------------ by hand


def test_the_15_city_frame_is_the_csv(session: Session, researcher: Account) -> None:
    _import_cities(session, researcher)
    expected = pd.read_csv(CITIES, index_col=0, comment="#")
    matrix = matrix_frame(session=session, frame="cities")
    assert list(matrix.index) == list(expected.index)
    assert list(matrix.columns) == list(expected.columns)
    for column in ("cio_engagement", "adoption_score"):
        assert matrix[column].dtype == "float64"
        assert matrix[column].tolist() == expected[column].astype(float).tolist()
    for column in ("strategy_driver", "charter_guide", "cooperation_channel"):
        assert matrix[column].tolist() == expected[column].tolist()


def test_reimport_updates_cells_instead_of_duplicating(
    session: Session, researcher: Account
) -> None:
    _import_cities(session, researcher)
    set_cell(
        session=session,
        actor=researcher,
        frame="cities",
        case="lyon",
        dimension="adoption_score",
        value="83",
        note="checked with the city's report",
        reason="the city's 2025 report",
    )
    assert get_cell(
        session=session, frame="cities", case="Lyon", dimension="adoption_score"
    ).value == pytest.approx(83)
    result = import_csv(
        session=session, actor=researcher, frame="cities", data=CITIES.read_bytes()
    )
    assert (result.created_cases, result.cells) == (0, 15 * 9)
    # only the hand-corrected value changed back: the report says so
    assert [(c.case, c.dimension, c.old_value, c.new_value) for c in result.changes] == [
        ("Lyon", "adoption_score", "83", "82")
    ]
    assert result.unchanged == 15 * 9 - 1 and result.created_dimensions == ()
    assert len(list_cells(session=session, frame="cities")) == 15 * 9
    cell = get_cell(
        session=session, frame="cities", case="Lyon", dimension="adoption_score"
    )
    # the CSV wins again; the note of the cell is kept
    assert (cell.value, cell.source_kind, cell.note) == (
        82.0,
        "hand",
        "checked with the city's report",
    )
    assert cell.updated_by == researcher.username
    assert cell.source == {"row": 5}  # line 5 of the file (after 3 comments, header)


@pytest.mark.parametrize(
    ("case", "dimension", "value", "error", "context"),
    [
        (
            "Lyon",
            "adoption_score",
            "high",
            MatrixError.TYPE_CONFLICT,
            {
                "dimension": "adoption_score",
                "existing": "number",
                "source": "this import",
                "new": "text",
            },
        ),
        ("", "adoption_score", "3", MatrixError.BAD_NAME,
         {"what": "Case", "name": "", "limit": 200}),
    ],
)  # fmt: skip
def test_hand_entry_errors(
    session: Session,
    researcher: Account,
    case: str,
    dimension: str,
    value: str,
    error: MatrixError,
    context: dict,
) -> None:
    _import_cities(session, researcher)
    with pytest.raises(SociaparisError) as caught:
        set_cell(
            session=session,
            actor=researcher,
            frame="cities",
            case=case,
            dimension=dimension,
            value=value,
        )
    assert caught.value.error is error
    assert caught.value.message == error.format(**context)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, True),
        (Role.RESEARCHER, True),
        (Role.CODER, False),
        (Role.VIEWER, False),
    ],
)
def test_who_may_edit_a_matrix(session: Session, role: Role, allowed: bool) -> None:
    actor = make_actor(session, role)
    if allowed:
        _import_cities(session, actor)
        return
    with pytest.raises(SociaparisError) as caught:
        _import_cities(session, actor)
    assert caught.value.message == MatrixError.NOT_ALLOWED.format(
        user=actor.username, role=role.value, action="import a case matrix"
    )


def test_unknown_frame(session: Session) -> None:
    with pytest.raises(SociaparisError) as caught:
        matrix_frame(session=session, frame="nowhere")
    assert caught.value.message == MatrixError.UNKNOWN_FRAME.format(
        frame="nowhere", known="none"
    )


# ------------------------------------------------------------------ export


def test_export_round_trip_and_formula_neutralization(
    session: Session, researcher: Account, tmp_path: Path
) -> None:
    _import_cities(session, researcher)
    formula = '=HYPERLINK("http://x")'
    set_cell(session=session, actor=researcher, frame="cities", case="Wien",
             dimension="country", value=formula, note="+1",
             reason="a formula-looking value")  # fmt: skip
    target = export_matrix(session=session, frame="cities", out=tmp_path / "m.csv")
    with open(target, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["case", "country", "strategy_driver"]
    wien = next(r for r in rows if r[0] == "Wien")
    assert wien[1] == '\'=HYPERLINK("http://x")'
    # back into a new frame: the same matrix (numbers to the last digit, the
    # apostrophe that protected the formula-looking text taken off again)
    import_csv(session=session, actor=researcher, frame="copy", data=target.read_bytes())
    original = matrix_frame(session=session, frame="cities")
    copy = matrix_frame(session=session, frame="copy")
    assert copy.loc["Wien", "country"] == formula
    pd.testing.assert_frame_equal(original, copy)
    book = openpyxl.load_workbook(
        export_matrix(session=session, frame="cities", out=tmp_path / "m.xlsx")
    )
    assert book.sheetnames == ["case matrix", "sources", "dimensions"]
    matrix_rows = list(book["case matrix"].values)
    assert matrix_rows[1][:2] == ("Lyon", "FR")
    assert matrix_rows[1][-1] == 82 and matrix_rows[1][-3] == 8.5
    sources = [r for r in book["sources"].values if r[0] == "Wien" and r[1] == "country"]
    assert sources[0][2] == '\'=HYPERLINK("http://x")'
    assert sources[0][3:5] == ("hand", "entered by hand")
    assert sources[0][6] == "'+1"


def test_export_refuses_other_formats(session: Session, researcher: Account) -> None:
    _import_cities(session, researcher)
    with pytest.raises(SociaparisError) as caught:
        export_matrix(session=session, frame="cities", out="m.ods")
    assert caught.value.error is MatrixError.BAD_OUTPUT


# ------------------------------------------------------------------ codes

INTERVIEW = (
    "Nous avons adopté une charte en 2024. "
    "Le chatbot répond aux usagers. "
    "La charte prévoit une évaluation."
)


def _coded_study(session: Session, actor: Account) -> list[str]:
    """Lyon: one interview with two 'Charte' codings; Nantes: one without."""
    lyon = qual.import_document(session=session, actor=actor, data=INTERVIEW.encode(),
        filename="lyon.txt", case="Lyon", needs_pseudonymization=False)  # fmt: skip
    qual.import_document(session=session, actor=actor, data=b"Pas de charte ici.",
        filename="nantes.txt", case="Nantes", needs_pseudonymization=False)  # fmt: skip
    qual.add_code(session=session, actor=actor, name="Charte")
    qual.add_code(session=session, actor=actor, name="Chatbot")
    spans = [(18, 37), (69, 101)]
    guids = [
        qual.apply_coding(
            session=session,
            actor=actor,
            document=lyon.id,
            code="Charte",
            start=start,
            end=end,
        ).guid  # fmt: skip
        for start, end in spans
    ]
    qual.apply_coding(session=session, actor=actor, document=lyon.id, code="Chatbot",
                      start=38, end=68)  # fmt: skip
    return guids


@pytest.mark.parametrize(
    ("measure", "lyon", "nantes"),
    [("present", 1.0, 0.0), ("count", 2.0, 0.0)],
)
def test_cells_from_codes_keep_the_coding_ids(
    session: Session, researcher: Account, measure: str, lyon: float, nantes: float
) -> None:
    guids = _coded_study(session, researcher)
    import_csv(session=session, actor=researcher, frame="f",
               data="city,country\nLyon,FR\nNantes,FR\nWien,AT\n")  # fmt: skip
    result = cells_from_codes(
        session=session, actor=researcher, frame="f", code="Charte", measure=measure
    )
    assert result.cases == ("Lyon", "Nantes")
    assert [w.code for w in result.warnings] == ["CASES_102"]
    assert result.warnings[0].message == MatrixError.NOT_LINKED.format(
        case="Wien", dimension="Charte"
    )
    matrix = matrix_frame(session=session, frame="f")
    assert matrix.loc["Lyon", "Charte"] == lyon
    assert matrix.loc["Nantes", "Charte"] == nantes
    assert math.isnan(matrix.loc["Wien", "Charte"])
    cell = get_cell(session=session, frame="f", case="Lyon", dimension="Charte")
    assert cell.source_kind == "codes"
    assert cell.source["codings"] == guids
    assert cell.source["documents"] == ["lyon.txt"]
    absent = get_cell(session=session, frame="f", case="Nantes", dimension="Charte")
    assert absent.source["codings"] == [] and absent.source["documents"] == ["nantes.txt"]
    evidence = cell_evidence(
        session=session, frame="f", case="Lyon", dimension="Charte", context=5
    )
    assert [s["text"] for s in evidence.segments] == [INTERVIEW[18:37], INTERVIEW[69:101]]
    assert [s["coding"] for s in evidence.segments] == guids
    assert {tuple(s) for s in evidence.segments} == {
        (*SEGMENT_COLUMNS, "document_id", "coding_id")
    }
    lyon = session.scalar(select(QualDocument.id).where(QualDocument.title == "lyon.txt"))
    assert {s["document_id"] for s in evidence.segments} == {lyon}
    assert all(s["coding_id"] > 0 for s in evidence.segments)
    assert evidence.segments[0]["before"] == INTERVIEW[13:18]
    assert evidence.segments[0]["after"] == INTERVIEW[37:42]


def test_codes_follow_an_explicit_link(session: Session, researcher: Account) -> None:
    _coded_study(session, researcher)
    import_csv(session=session, actor=researcher, frame="f",
               data="city,country\nLyon (ville),FR\n")  # fmt: skip
    lyon = qual.get_case(session=session, ref="Lyon")
    link_case(session=session, actor=researcher, frame="f", case="Lyon (ville)",
              qual_case=lyon.id)  # fmt: skip
    cells_from_codes(session=session, actor=researcher, frame="f", code="Chatbot",
                     measure="count", dimension="BOT_n")  # fmt: skip
    cell = get_cell(session=session, frame="f", case="Lyon (ville)", dimension="BOT_n")
    assert cell.value == 1.0 and cell.source["qual_case"] == "Lyon"
