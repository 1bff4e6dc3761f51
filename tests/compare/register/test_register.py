"""Systems from the transport form's repeats: the frame (one case per tool, joined
repeats, evidence per cell), the published register (names only with consent,
small cells hidden), its exports and a QCA over the systems frame; SQLite and
PostgreSQL."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.compare.matrix.errors import MatrixError
from sociaparis.compare.matrix.export import evidence_text
from sociaparis.compare.matrix.service import get_cell, matrix_frame
from sociaparis.compare.matrix.sources import cell_evidence
from sociaparis.compare.qca import truth_table
from sociaparis.compare.register.errors import RegisterError
from sociaparis.compare.register.examples import (
    EXAMPLE_ORGANISATIONS,
    TRANSPORT_FORM_ID,
    add_example_responses,
)
from sociaparis.compare.register.exports import register_file
from sociaparis.compare.register.repeats import cells_from_repeat
from sociaparis.compare.register.service import build_register, build_systems_frame
from sociaparis.compare.register.standard import STANDARDS, standard_fields
from sociaparis.core.errors import SociaparisError
from sociaparis.survey.fielding.service import Fielding, configure_fielding
from sociaparis.survey.service import add_instrument
from sociaparis.survey.xlsform import parse_xlsform
from tests.compare.test_matrix import make_actor

FORM = (
    Path(__file__).resolve().parents[3]
    / "studies"
    / "sociaparis"
    / "transport_vision_survey.xlsx"
)
#: the example systems, in the order of EXAMPLE_ORGANISATIONS (by hand from examples.py)
TOOLS = [
    ("Régie métropolitaine A", "Affluence des quais", "yes"),
    ("Régie métropolitaine A", "Objets abandonnés", "yes"),
    ("Service de la voirie B", "Lecture de plaques", "no"),
    ("Service de la voirie B", "Comptage des véhicules", "no"),
    ("Autorité des mobilités C", "Reconnaissance faciale aux portiques", "yes"),
    ("Opérateur D", "Recherche de personnes", "no"),
    ("Ville E", "Couloirs de bus", "yes"),
    ("Ville E", "Vélos mal garés", "yes"),
]


@pytest.fixture
def responses(session: Session) -> list[str]:
    form = parse_xlsform(FORM.read_bytes(), filename=FORM.name)
    add_instrument(session=session, form=form)
    configure_fielding(session=session, fielding=Fielding(form_id=TRANSPORT_FORM_ID))
    return add_example_responses(session=session)


@pytest.fixture
def researcher(session: Session) -> Account:
    return make_actor(session, Role.RESEARCHER)


def _case(responses: list[str], organisation: int, tool: int) -> str:
    return f"{responses[organisation]}#{tool}"


def test_one_case_per_tool_with_both_repeats_and_the_organisation(
    session: Session, responses: list[str], researcher: Account
) -> None:
    result = cells_from_repeat(
        session=session, actor=researcher, frame="tools", form_id=TRANSPORT_FORM_ID,
        repeat="tool", join=["tool_detail"],
        questions=["tool_name", "personal_data", "dpia", "org_city", "retention_days"],
    )  # fmt: skip
    assert result.source_kind == "repeat" and result.created_cases == 8
    data = matrix_frame(session=session, frame="tools")
    assert data["retention_days"].dtype == "float64"
    # organisation C has one tool: its first tool is joined with its first detail
    c = _case(responses, 2, 1)
    assert data.loc[c, "tool_name"] == "Reconnaissance faciale aux portiques"
    assert data.loc[c, "dpia"] == "no" and data.loc[c, "org_city"] == "Lyon"
    assert data.loc[c, "retention_days"] == 90
    # B's second tool processes no personal data: no DPIA asked, no cell
    b2 = _case(responses, 1, 2)
    assert data.loc[b2, "personal_data"] == "no" and data.loc[b2, "dpia"] is None
    assert sorted(data["tool_name"]) == sorted(t for _, t, _ in TOOLS)


def test_every_cell_keeps_its_response_repeat_and_instance(
    session: Session, responses: list[str], researcher: Account
) -> None:
    cells_from_repeat(
        session=session, actor=researcher, frame="tools", form_id=TRANSPORT_FORM_ID,
        repeat="tool", join=["tool_detail"], questions=["dpia", "org_city"],
    )  # fmt: skip
    a2 = _case(responses, 0, 2)
    cell = get_cell(session=session, frame="tools", case=a2, dimension="dpia")
    assert cell.source_kind == "repeat"
    assert dict(cell.source) == {
        "form_id": TRANSPORT_FORM_ID, "response": responses[0], "question": "dpia",
        "column": "tool_detail/dpia", "repeat": "tool_detail", "instance": 2,
    }  # fmt: skip
    evidence = cell_evidence(
        session=session, frame="tools", case=a2, dimension="dpia", lang="en"
    )
    assert evidence.answer["answer"] == "done" and evidence.answer["answer_labels"] == [
        "Yes"
    ]
    assert evidence.answer["instance"] == 2 and not evidence.warnings
    assert evidence_text(cell) == (
        f"response {responses[0]} to form '{TRANSPORT_FORM_ID}', repeat 'tool_detail' "
        "instance 2, question 'dpia'"
    )
    # an organisation's answer is a survey cell: the existing evidence reads it
    city = cell_evidence(session=session, frame="tools", case=a2, dimension="org_city")
    assert city.cell.source_kind == "survey" and city.answer["answer"] == "Paris"


@pytest.mark.parametrize(
    ("repeat", "join", "questions", "error"),
    [
        ("tools", (), None, RegisterError.UNKNOWN_REPEAT),
        ("tool", ("details",), None, RegisterError.UNKNOWN_REPEAT),
        ("tool", (), ["dpia"], RegisterError.UNKNOWN_QUESTION),
    ],
)
def test_unknown_repeats_and_questions_are_refused(
    session: Session, responses: list[str], researcher: Account,
    repeat: str, join: tuple, questions: list | None, error: RegisterError,
) -> None:  # fmt: skip
    with pytest.raises(SociaparisError) as caught:
        cells_from_repeat(session=session, actor=researcher, frame="t",
                          form_id=TRANSPORT_FORM_ID, repeat=repeat, join=join,
                          questions=questions)  # fmt: skip
    assert caught.value.error is error


def test_a_coder_may_not_build_a_frame(session: Session, responses: list[str]) -> None:
    with pytest.raises(SociaparisError) as caught:
        build_systems_frame(session=session, actor=make_actor(session, Role.CODER))
    assert caught.value.error is MatrixError.NOT_ALLOWED


def test_the_register_names_only_organisations_that_agreed(
    session: Session, responses: list[str]
) -> None:
    register = build_register(session=session, min_count=5, lang="en")
    named = [
        (s.organisation.split(" — ")[1], s.values["tool_name"]) for s in register.systems
    ]
    assert sorted(named) == sorted((o, t) for o, t, yes in TOOLS if yes == "yes")
    assert register.total == 8 and register.unnamed == 3
    text = json.dumps(register.to_dict(), ensure_ascii=False)
    for organisation, tool, agreed in TOOLS:
        assert (organisation in text) is (agreed == "yes")
        assert (tool in text) is (agreed == "yes")
    assert "not legal advice" in register.disclaimer
    facial = next(s for s in register.systems if s.key == _case(responses, 2, 1))
    assert facial.screening.verdict == "prohibited"
    assert (
        facial.labels["personal_data"] == "Yes, biometric data (recognising individuals)"
    )


def test_counts_cover_every_system_and_hide_small_cells(
    session: Session, responses: list[str]
) -> None:
    register = build_register(session=session, min_count=5, lang="en")
    # 8 systems: Paris 4, Lyon 2, Marseille 2; every city x type cell is below 5
    counts = register.by_city_type.counts
    assert counts.loc["Total", "Total"] == 8 and counts.loc["Paris", "Total"] == 4
    published = register.by_city_type.published
    assert published.loc["Total", "Total"] == 8
    inner = published.drop(index="Total", columns="Total")
    nonzero = counts.drop(index="Total", columns="Total") > 0
    # every non-empty city x type cell is hidden; empty cells (0) stay visible
    assert inner[nonzero].isna().all().all()
    assert (inner[~nonzero].fillna(-1) == 0).sum().sum() == (~nonzero).sum().sum()
    # verdicts by hand: prohibited 1 (C), high-risk 2 (B1 plate reading, D; E1 bus
    # lane), none 4 -> high_risk is 3
    verdicts = register.by_verdict.counts["n"].to_dict()
    assert verdicts == {"Likely prohibited": 1, "Likely high-risk": 3,
                        "None of these": 4, "Total": 8}  # fmt: skip
    assert register.by_verdict.published["n"].isna().to_dict() == {
        "Likely prohibited": True, "Likely high-risk": True, "None of these": True,
        "Total": False,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("filters", "total", "named"),
    [
        ({"biometric": ["yes"]}, 2, 1),
        ({"mode": ["metro"]}, 3, 3),
        ({"dpia": ["done"], "oversight": ["every_alert"]}, 2, 2),
        ({"verdict": ["high_risk", "prohibited"]}, 4, 2),
        ({"status": ["stopped"]}, 1, 0),
        ({"legal_basis": ["gdpr_6_1_e"], "evaluation": ["independent"]}, 1, 1),
        ({"personal_data": ["anonymised"]}, 2, 2),
    ],
)
def test_filters_apply_to_the_list_and_the_counts(
    session: Session, responses: list[str], filters: dict, total: int, named: int
) -> None:
    register = build_register(session=session, filters=filters, min_count=5)
    assert (register.total, len(register.systems)) == (total, named)


def test_an_unknown_filter_is_refused(session: Session, responses: list[str]) -> None:
    with pytest.raises(SociaparisError) as caught:
        build_register(session=session, filters={"colour": ["red"]})
    assert caught.value.error is RegisterError.UNKNOWN_FILTER


def test_exports_are_formula_safe_and_say_not_legal_advice(
    session: Session, responses: list[str]
) -> None:
    organisations = copy.deepcopy(EXAMPLE_ORGANISATIONS)
    organisations[0]["tool"][0]["tool_name"] = '=HYPERLINK("http://x")'
    add_example_responses(session=session, organisations=organisations[:1])
    register = build_register(session=session, min_count=5, lang="en")
    rows = list(
        csv.reader(io.StringIO(register_file(register, "csv").decode("utf-8-sig")))
    )
    assert len(rows) == 1 + 7
    names = [row[rows[0].index("tool_name")] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in names
    assert {row[-1] for row in rows[1:]} == {register.disclaimer}
    book = openpyxl.load_workbook(io.BytesIO(register_file(register, "xlsx")))
    assert book.sheetnames == ["systems", "counts", "rules", "about"]
    cells = [c.value for c in book["systems"]["A"]][1:]
    assert len(cells) == 7
    assert '\'=HYPERLINK("http://x")' in [r[3].value for r in book["systems"].iter_rows()]
    assert book["about"]["B1"].value == register.disclaimer
    data = json.loads(register_file(register, "json"))
    assert (
        data["systems_counted"] == 10 and data["not_legal_advice"] == register.disclaimer
    )


@pytest.mark.parametrize("standard", sorted(STANDARDS))
def test_standard_records_have_exactly_the_fields_and_invent_nothing(
    session: Session, responses: list[str], standard: str
) -> None:
    register = build_register(session=session, min_count=5, lang="en")
    data = json.loads(register_file(register, standard))
    assert data["standard"] == standard and data["source"].startswith("https://")
    assert len(data["records"]) == 5
    for record in data["records"]:
        assert list(record) == [*standard_fields(standard), "sociaparis_system"]
        assert all(isinstance(v, str) for v in record.values())
    by_key = {r["sociaparis_system"]: r for r in data["records"]}
    facial = by_key[_case(responses, 2, 1)]
    empty = {
        "atrs": ["website", "contact_email", "team", "senior_responsible_owner"],
        "annex-viii": [
            "2_submitter_name_address_contact", "3_provider_database_entry_url",
            "4_fundamental_rights_impact_assessment_summary",
            "5_data_protection_impact_assessment_summary",
        ],
        "etalab": ["contact"],
    }[standard]  # fmt: skip
    assert all(facial[name] == "" for name in empty)
    organisation = {
        "atrs": "organisation", "annex-viii": "1_deployer_name_address_contact",
        "etalab": "administration",
    }[standard]  # fmt: skip
    assert facial[organisation].endswith("Autorité des mobilités C")


def test_the_systems_frame_goes_into_qca(
    session: Session, responses: list[str], researcher: Account
) -> None:
    result = build_systems_frame(session=session, actor=researcher)
    assert result.created_cases == 8
    data = matrix_frame(session=session, frame="transport_systems")
    # by hand from examples.py, in frame order (responses as stored)
    expected = {
        _case(responses, 0, 1): (0, 0, 1, 1),
        _case(responses, 0, 2): (1, 1, 1, 1),
        _case(responses, 1, 1): (1, 0, 0, 0),
        _case(responses, 1, 2): (0, 0, 1, 1),
        _case(responses, 2, 1): (0, 0, 0, 0),
        _case(responses, 3, 1): (0, 1, 0, 1),
        _case(responses, 4, 1): (1, 1, 1, 1),
        _case(responses, 4, 2): (0, 0, 0, 1),
    }
    columns = ["dpia_done", "human_review", "evaluated", "public_information"]
    got = {case: tuple(int(v) for v in row) for case, row in data[columns].iterrows()}
    assert got == expected
    evidence = cell_evidence(
        session=session, frame="transport_systems", case=_case(responses, 0, 2),
        dimension="dpia_done",
    )  # fmt: skip
    assert evidence.cell.source["derived"] == "dpia = 'done'"
    assert evidence.answer["answer"] == "done"
    table = truth_table(
        data, outcome="public_information",
        conditions=["dpia_done", "human_review", "evaluated"],
    )  # fmt: skip
    rows = {tuple(int(v) for v in r.values): (r.n, r.incl) for r in table.rows}
    # (1,1,1): A2 and E1, both informed; (1,0,0): B1, not informed
    # (0,0,0): C not informed, E2 informed
    assert rows[(1, 1, 1)] == (2, 1.0) and rows[(0, 0, 0)] == (2, 0.5)
    assert rows[(1, 0, 0)] == (1, 0.0)
    assert rows[(0, 0, 1)] == (2, 1.0) and rows[(0, 1, 0)] == (1, 1.0)
    assert sum(n for n, _ in rows.values()) == 8


def test_no_form_is_refused_and_a_form_without_responses_is_an_empty_register(
    session: Session,
) -> None:
    with pytest.raises(SociaparisError) as caught:
        build_register(session=session)
    assert caught.value.error is RegisterError.NO_FORM
    form = parse_xlsform(FORM.read_bytes(), filename=FORM.name)
    add_instrument(session=session, form=form)
    register = build_register(session=session)
    assert (register.total, register.systems, register.by_city_type) == (0, (), None)
    assert len(register.rules) == 8
