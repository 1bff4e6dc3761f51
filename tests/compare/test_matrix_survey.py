"""Cells from the CIO survey (one response per city), with evidence; SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.compare.matrix.errors import MatrixError
from sociaparis.compare.matrix.service import get_cell, import_csv, matrix_frame
from sociaparis.compare.matrix.sources import cell_evidence, cells_from_survey
from sociaparis.core.errors import SociaparisError
from sociaparis.survey.fielding.service import Fielding, configure_fielding
from sociaparis.survey.models import ResponseRecord
from sociaparis.survey.service import add_instrument
from sociaparis.survey.synthetic import add_synthetic_responses
from sociaparis.survey.xlsform import parse_xlsform

from .test_matrix import make_actor

FORM = (
    Path(__file__).resolve().parents[2]
    / "studies"
    / "sociaparis"
    / "cio_city_survey.xlsx"
)
FORM_ID = "sociaparis_cio_cities"
MAPPING = {
    "driver": "main_driver",
    "charter": "charter",
    "population": "population",
    "SEMI": "tools_deployed/semi_general",
}
#: The questions and choices as the file says (read here with pandas, not with ours).
SHEET = pd.read_excel(FORM, sheet_name="survey").dropna(subset=["name"]).set_index("name")
CHOICES = pd.read_excel(FORM, sheet_name="choices")
LABELS = dict(
    CHOICES.loc[
        CHOICES.list_name == "main_driver", ["name", "label::English (en)"]
    ].values
)


@pytest.fixture
def researcher(session: Session) -> Account:
    return make_actor(session, Role.RESEARCHER)


def _responses(session: Session, cities: list[str]) -> dict[str, ResponseRecord]:
    """One synthetic CIO response per city (the city's name typed in city_name)."""
    form = parse_xlsform(FORM.read_bytes(), filename=FORM.name)
    add_instrument(session=session, form=form)
    configure_fielding(session=session, fielding=Fielding(form_id=FORM_ID))
    ids = add_synthetic_responses(
        session=session,
        form_id=FORM_ID,
        count=len(cities),
        seed=7,
        today=date(2026, 3, 1),
    )
    records = {}
    for response_id, city in zip(ids, cities, strict=True):
        record = session.get(ResponseRecord, response_id)
        record.answers = {**record.answers, "city_name": city}
        records[city] = record
    session.flush()
    return records


def _import(session: Session, actor: Account) -> object:
    return cells_from_survey(
        session=session,
        actor=actor,
        frame="cities",
        form_id=FORM_ID,
        case_question="city_name",
        mapping=MAPPING,
    )


def test_each_cell_points_at_its_response(session: Session, researcher: Account) -> None:
    records = _responses(session, ["Lyon", "Nantes", "Wien"])
    result = _import(session, researcher)
    assert sorted(result.cases) == ["Lyon", "Nantes", "Wien"]
    assert result.dimensions == tuple(MAPPING)
    matrix = matrix_frame(session=session, frame="cities")
    assert matrix["population"].dtype == "float64"
    assert matrix["SEMI"].dtype == "float64"
    for city, record in records.items():
        answers = record.answers
        assert matrix.loc[city, "driver"] == answers["main_driver"]
        assert matrix.loc[city, "population"] == float(answers["population"])
        semi = "semi_general" in answers.get("tools_deployed", "").split()
        assert matrix.loc[city, "SEMI"] == float(semi)
        cell = get_cell(session=session, frame="cities", case=city, dimension="driver")
        assert cell.source_kind == "survey"
        assert cell.source == {
            "form_id": FORM_ID,
            "response": record.id,
            "question": "main_driver",
            "column": "strategy/main_driver",
        }
        evidence = cell_evidence(session=session, frame="cities", case=city,
                                 dimension="driver", lang="en")  # fmt: skip
        assert evidence.answer["response"] == record.id
        assert evidence.answer["answer"] == answers["main_driver"]
        assert evidence.answer["label"] == SHEET.loc["main_driver", "label::English (en)"]
        assert evidence.answer["answer_labels"] == [LABELS[answers["main_driver"]]]


def test_reimport_matches_existing_cases_and_updates(
    session: Session, researcher: Account
) -> None:
    import_csv(session=session, actor=researcher, frame="cities",
               data="city,country\nLYON,FR\nWien,AT\n")  # fmt: skip
    records = _responses(session, ["Lyon", " Wien "])
    first = _import(session, researcher)
    assert first.created_cases == 0
    records["Lyon"].answers = {**records["Lyon"].answers, "population": "522000"}
    session.flush()
    second = _import(session, researcher)
    assert (second.created_cases, second.cells) == (0, first.cells)
    matrix = matrix_frame(session=session, frame="cities")
    assert list(matrix.index) == ["LYON", "Wien"]
    assert matrix.loc["LYON", "population"] == 522000.0
    assert matrix.loc["LYON", "country"] == "FR"


def test_two_responses_naming_one_case_are_refused(
    session: Session, researcher: Account
) -> None:
    records = _responses(session, ["Lyon", "Nantes", "lyon"])
    with pytest.raises(SociaparisError) as caught:
        _import(session, researcher)
    ordered = session.scalars(
        select(ResponseRecord.id).order_by(ResponseRecord.started_on, ResponseRecord.id)
    ).all()
    lyons = [i for i in ordered if i in {records["Lyon"].id, records["lyon"].id}]
    case = caught.value.context["case"]
    assert caught.value.message == MatrixError.DUPLICATE_SURVEY_CASE.format(
        first=lyons[0], second=lyons[1], form_id=FORM_ID, case=case, question="city_name"
    )
    assert caught.value.context["case"].casefold() == "lyon"
    with pytest.raises(SociaparisError) as unknown:
        matrix_frame(session=session, frame="cities")
    assert unknown.value.error is MatrixError.UNKNOWN_FRAME  # nothing was written


def test_unknown_question(session: Session, researcher: Account) -> None:
    _responses(session, ["Lyon"])
    with pytest.raises(SociaparisError) as caught:
        cells_from_survey(session=session, actor=researcher, frame="cities",
                          form_id=FORM_ID, case_question="city_name",
                          mapping={"x": "no_such_question"})  # fmt: skip
    assert caught.value.message == MatrixError.UNKNOWN_QUESTION.format(
        form_id=FORM_ID, question="no_such_question"
    )


def test_unnamed_responses_are_left_out_and_lost_evidence_is_said(
    session: Session, researcher: Account
) -> None:
    records = _responses(session, ["Lyon", "Nantes"])
    unnamed = records["Nantes"]
    unnamed.answers = {k: v for k, v in unnamed.answers.items() if k != "city_name"}
    session.flush()
    result = _import(session, researcher)
    assert result.cases == ("Lyon",)
    assert [str(w) for w in result.warnings] == [
        "CASES_101: "
        + MatrixError.NO_CASE_ANSWER.format(response=unnamed.id, question="city_name")
    ]
    session.delete(records["Lyon"])
    session.flush()
    evidence = cell_evidence(session=session, frame="cities", case="Lyon",
                             dimension="driver")  # fmt: skip
    assert evidence.answer is None
    assert [str(w) for w in evidence.warnings] == [
        "CASES_103: " + MatrixError.NO_RESPONSE.format(response=records["Lyon"].id)
    ]
