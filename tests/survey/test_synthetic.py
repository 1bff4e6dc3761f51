"""Synthetic responses: valid for the engine, reproducible, stored with fielding's rules."""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from sociaparis.survey.fielding.service import Fielding, configure_fielding
from sociaparis.survey.logic import evaluate_form
from sociaparis.survey.models import ResponseRecord
from sociaparis.survey.service import add_instrument
from sociaparis.survey.simulate import check_answers
from sociaparis.survey.study import load_study
from sociaparis.survey.synthetic import (
    add_synthetic_responses,
    response_propensities,
    synthetic_answers,
)
from sociaparis.survey.xlsform import parse_xlsform, read_xlsform

STUDY = Path(__file__).resolve().parents[2] / "studies" / "sociaparis"
NOW = datetime(2026, 11, 20, 11, 0)

CONSTRAINED = """
| survey |
| | type               | name    | label   | required | constraint                          | relevant        | choice_filter   | parameters               | calculation |
| | integer            | age     | Âge     | yes      | . >= 18 and . <= 67                 |                 |                 |                          |             |
| | decimal            | hours   | Heures  |          | . > 0 and . <= 39.5                 |                 |                 |                          |             |
| | range              | mark    | Note    | yes      |                                     |                 |                 | start=0 end=10 step=2    |             |
| | date               | since   | Depuis  | yes      | . <= today() and . >= '2020-01-01'  |                 |                 |                          |             |
| | select_one region  | region  | Région  | yes      |                                     |                 |                 |                          |             |
| | select_one city    | city    | Ville   | yes      |                                     |                 | reg = ${region} |                          |             |
| | select_multiple t  | tools   | Outils  | yes      | count-selected(.) <= 2              | ${age} < 60     |                 |                          |             |
| | calculate          | n       |         |          |                                     |                 |                 |                          | count-selected(${tools}) |
| | begin repeat       | per     | Par     |          |                                     |                 |                 |                          |             |
| | text               | why     | Pourquoi| yes      | string-length(.) <= 200             |                 |                 |                          |             |
| | end repeat         |         |         |          |                                     |                 |                 |                          |             |
| | acknowledge        | ok      | D'accord| yes      |                                     |                 |                 |                          |             |
| choices |
| | list_name | name  | label     | reg |
| | region    | idf   | IdF       |     |
| | region    | ara   | AuRA      |     |
| | city      | paris | Paris     | idf |
| | city      | lyon  | Lyon      | ara |
| | city      | grenoble | Grenoble | ara |
| | t         | a     | A         |     |
| | t         | b     | B         |     |
| | t         | c     | C         |     |
| settings |
| | form_id |
| | constrained |
"""


def _form(md: str):
    return parse_xlsform(md.encode("utf-8"), filename="form.md").instrument


@pytest.fixture(scope="module")
def staff():
    return read_xlsform(STUDY / "staff_llm_survey.xlsx").instrument


@pytest.mark.parametrize("which", ["staff", "constrained"])
def test_answers_pass_the_engine(staff, which: str) -> None:
    form = staff if which == "staff" else _form(CONSTRAINED)
    rng = random.Random(7)
    for _ in range(25):
        answers = synthetic_answers(form, rng=rng, now=NOW)
        check_answers(form, answers)  # types, choices, names
        state = evaluate_form(form, answers, now=NOW)
        assert state.errors() == []  # required, constraints, choice filters
        assert next(iter(state.pages())).name in {p.name for p in form.pages()}


def test_constrained_values() -> None:
    form = _form(CONSTRAINED)
    rng = random.Random(3)
    seen_instances = set()
    for _ in range(40):
        answers = synthetic_answers(form, rng=rng, now=NOW)
        assert int(answers["age"]) in range(18, 68)
        assert int(answers["mark"]) in {0, 2, 4, 6, 8, 10}
        assert answers["city"] in (
            {"paris"} if answers["region"] == "idf" else {"lyon", "grenoble"}
        )
        assert "2020-01-01" <= answers["since"] <= "2026-11-20"
        assert ("tools" in answers) == (int(answers["age"]) < 60)
        seen_instances.add(len(answers.get("per", [])))
        assert answers["ok"] == "OK"
    assert seen_instances == {0, 1, 2, 3}


FUTURE = """
| survey |
| | type     | name  | label | required | constraint              |
| | date     | visit | Visit | yes      | . >= today()            |
| | dateTime | call  | Call  | yes      | . > now()               |
"""


def test_a_constraint_refusing_past_days_gets_days_to_come() -> None:
    form = _form(FUTURE)
    rng = random.Random(5)
    for _ in range(20):
        answers = synthetic_answers(form, rng=rng, now=NOW)
        assert answers["visit"] >= NOW.date().isoformat()
        assert answers["call"][:10] >= NOW.date().isoformat()
        assert evaluate_form(form, answers, now=NOW).errors() == []


def test_same_seed_same_answers(staff) -> None:
    first = [synthetic_answers(staff, rng=random.Random(11), now=NOW) for _ in range(2)]
    assert first[0] == first[1]


def test_attributes_answer_the_matching_question(staff) -> None:
    rng = random.Random(5)
    for _ in range(5):
        answers = synthetic_answers(
            staff,
            rng=rng,
            attributes={"directorate": "dase", "job_category": "C"},
            now=NOW,
        )
        assert (answers["directorate"], answers["job_category"]) == ("dase", "C")


def test_response_propensities() -> None:
    cells = [({"d": "x", "c": c}, 100) for c in ("A", "B", "C")]
    weights = response_propensities(cells, random.Random(1))
    # one first-dimension level: only the 1 / (1 + 0.7 k) pattern remains
    assert weights[1] / weights[0] == pytest.approx(1 / 1.7)
    assert weights[2] / weights[0] == pytest.approx(1 / 2.4)


# -- storage -----------------------------------------------------------------------------


def _field_staff(session, *, anonymous: bool) -> str:
    form = read_xlsform(STUDY / "staff_llm_survey.xlsx")
    stored = add_instrument(session=session, form=form).stored
    configure_fielding(
        session=session,
        fielding=Fielding(
            form_id=stored.form_id,
            study_id="sociaparis",
            anonymous=anonymous,
            opens_on=date(2026, 10, 5),
            closes_on=date(2027, 1, 29),
            recorded_attributes=("directorate", "job_category"),
        ),
    )
    return stored.form_id


@pytest.mark.storage
@pytest.mark.parametrize("anonymous", [True, False])
def test_add_synthetic_responses(session, anonymous: bool) -> None:
    form_id = _field_staff(session, anonymous=anonymous)
    margins = load_study(STUDY).population
    ids = add_synthetic_responses(
        session=session,
        form_id=form_id,
        count=12,
        seed=3,
        attribute_cells=margins,
        today=date(2026, 11, 20),
    )
    rows = session.scalars(select(ResponseRecord).where(ResponseRecord.id.in_(ids))).all()
    assert len(rows) == 12 == len(set(ids))
    levels = {tuple(cell.levels) for cell in margins.cells}
    for row in rows:
        assert row.synthetic and row.status == "completed"
        assert row.invitation_id is None
        assert (row.started_at is None) is anonymous
        assert (row.updated_at is None) is anonymous
        assert (
            date(2026, 10, 5) <= row.started_on <= row.completed_on <= date(2026, 11, 20)
        )
        assert (row.attributes["directorate"], row.attributes["job_category"]) in levels
        assert row.answers["directorate"] == row.attributes["directorate"]
        if not anonymous:
            assert row.started_at <= row.updated_at
