"""REFI-QDA from storage (round trips, XSD) and agreement on stored codings."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy.orm import Session

from sociaparis.accounts.models import User
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.errors import SociaparisError
from sociaparis.qual import codebook_service as cb
from sociaparis.qual import coding_service as cs
from sociaparis.qual import corpus
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.interchange import (
    export_qdpx,
    import_qdpx,
    store_project,
    stored_agreement,
    to_project,
)
from sociaparis.qual.io.refi_qda import read_qdpx
from sociaparis.qual.project import (
    Case,
    Code,
    Coding,
    Memo,
    MemoTarget,
    Project,
    Source,
    Turn,
    Variable,
    derived_guid,
)
from sociaparis.qual.project import User as ProjectUser

REFI = Path(__file__).resolve().parents[1] / "reference" / "refi-qda"
SCHEMA = etree.XMLSchema(etree.parse(str(REFI / "Project-mrt2019.xsd")))


def canonical(project: Project) -> Project:
    """Order-free parts put in one order: codings, and the sources of each case."""
    cases = tuple(
        replace(c, source_ids=tuple(sorted(c.source_ids))) for c in project.cases
    )
    return replace(project, cases=cases).normalized()


def actor(session: Session, name: str, role: Role) -> Account:
    user = User(username=name, password_hash="-", role=role.value)
    session.add(user)
    session.flush()
    return Account(user.id, name, role, "")


def exported(session: Session, who: Account) -> tuple[bytes, Project]:
    buffer = io.BytesIO()
    project = export_qdpx(session=session, actor=who, target=buffer)
    data = buffer.getvalue()
    xml = zipfile.ZipFile(io.BytesIO(data)).read("project.qde")
    assert SCHEMA.validate(etree.fromstring(xml)), SCHEMA.error_log
    return data, project


WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def g(key: str) -> str:
    """A real GUID for a short test key (REFI-QDA requires GUIDs)."""
    return derived_guid("test", key)


PROJECT = Project(
    name="SOCIAPARIS",
    users=(ProjectUser(g("U-1"), "Ana", "ana"), ProjectUser(g("U-2"), "Ben")),
    codes=(
        Code(
            g("C-1"),
            "Outils",
            "Les outils",
            "Tout outil",
            "Pas les usages",
            "« Albert »",
            "#112233",
        ),
        Code(g("C-2"), "Albert", parent=g("C-1")),
        Code(g("C-3"), "Risques", codable=False),
    ),
    variables=(
        Variable(g("V-1"), "direction"),
        Variable(g("V-2"), "anciennete", "Integer"),
        Variable(g("V-3"), "cadre", "Boolean"),
        Variable(g("V-4"), "entretien", "Date"),
    ),
    cases=(
        Case(
            g("K-1"),
            "Agent A",
            "",
            {g("V-1"): "DSIN", g("V-2"): 12, g("V-3"): True, g("V-4"): date(2026, 2, 1)},
            (g("S-1"),),
        ),
        Case(
            g("K-2"), "Ville", values={g("V-1"): "DRH"}, source_ids=(g("S-2"), g("S-1"))
        ),
    ),
    sources=(
        Source(
            g("S-1"),
            "entretien 1",
            "S01: Bonjour.\n\nS02: Albert aide.",
            (Turn("S01", 0.0, 1.5, 5, 13), Turn("S02", 1.5, 3.0, 20, 31)),
            values={g("V-1"): "DSIN"},
            created_by=g("U-1"),
            created_at=WHEN,
        ),
        Source(g("S-2"), "notes", "Notes de terrain : é 🤖."),
    ),
    codings=(
        Coding(
            g("G-1"), g("S-1"), g("C-2"), 20, 26, g("U-1"), WHEN, "un memo", g("SEL-1")
        ),
        Coding(g("G-2"), g("S-1"), g("C-3"), 20, 31, g("U-2")),
        Coding(g("G-3"), g("S-2"), g("C-1"), 0, 5),
    ),
    memos=(
        Memo(g("M-1"), "sur le code", targets=(MemoTarget("code", g("C-1")),)),
        Memo(
            g("M-2"),
            "sur un passage",
            targets=(MemoTarget("span", g("S-1"), 0, 3), MemoTarget("case", g("K-1"))),
        ),
        Memo(g("M-3"), "libre", created_by=g("U-2"), created_at=WHEN),
    ),
)


def test_project_stored_then_read_back_is_the_same(session: Session) -> None:
    boss = actor(session, "boss", Role.RESEARCHER)
    counts = store_project(session=session, actor=boss, project=PROJECT)
    assert counts["codings"] == 3 and counts["cases"] == 2
    assert canonical(to_project(session=session)) == canonical(PROJECT)
    data, _ = exported(session, boss)
    again = read_qdpx(io.BytesIO(data)).project
    assert canonical(again) == canonical(PROJECT)
    with pytest.raises(SociaparisError) as caught:
        store_project(session=session, actor=boss, project=PROJECT)
    assert caught.value.code == CorpusError.GUID_EXISTS.code


@pytest.mark.parametrize(
    "sample",
    [
        "refi-standard-project-atlasti-TestProject.qdpx",
        "target-atlas-project.qdpx",
        "blank-atlas-project.qdpx",
    ],
)
def test_sample_import_export_import_round_trip(session: Session, sample: str) -> None:
    boss = actor(session, "boss", Role.RESEARCHER)
    first = read_qdpx(REFI / "samples" / sample).project
    counts, _warnings = import_qdpx(
        session=session, actor=boss, source=REFI / "samples" / sample
    )
    assert counts["sources"] == len(first.sources)
    data, _ = exported(session, boss)
    second = read_qdpx(io.BytesIO(data)).project
    assert canonical(second) == canonical(first)


def test_export_leaves_out_unreleased_documents_and_needs_a_role(
    session: Session,
) -> None:
    boss = actor(session, "boss", Role.RESEARCHER)
    store_project(session=session, actor=boss, project=PROJECT)
    corpus.import_document(
        session=session, actor=boss, data=b"Mme Durand parle.", filename="raw.txt",
        case="Agent A",
    )  # fmt: skip
    _, project = exported(session, boss)
    assert [s.name for s in project.sources] == ["entretien 1", "notes"]
    with pytest.raises(SociaparisError) as caught:
        export_qdpx(
            session=session, actor=actor(session, "c", Role.CODER), target=io.BytesIO()
        )
    assert caught.value.code == CorpusError.NOT_ALLOWED.code


def test_agreement_on_stored_codings(session: Session) -> None:
    boss = actor(session, "boss", Role.RESEARCHER)
    ana, ben = actor(session, "ana", Role.CODER), actor(session, "ben", Role.CODER)
    text = "A: un.\n\nB: deux.\n\nA: trois.\n\nB: quatre."
    doc = corpus.import_document(
        session=session, actor=boss, data=text.encode(), filename="t.txt",
        detect_speakers=True, needs_pseudonymization=False,
    ).id  # fmt: skip
    cb.add_code(session=session, actor=boss, name="X")
    turns = corpus.turns_of(session=session, document_id=doc)
    # ana codes turns 1, 2, 3; ben codes turns 1, 3: agreement on 3 of 4 turns
    for who, picks in ((ana, (0, 1, 2)), (ben, (0, 2))):
        for i in picks:
            cs.apply_coding(session=session, actor=who, document=doc, code="X",
                            start=turns[i].start, end=turns[i].end)  # fmt: skip
    result = stored_agreement(session=session, unit="turns")
    assert result.n_units == 4
    assert result.per_code["X"]["percent_agreement"].value == pytest.approx(0.75)
    # Cohen: p_o = 3/4; ana 3/4 yes, ben 2/4 yes: p_e = 3/8 + 1/8 = 1/2 -> kappa 0.5
    assert result.per_code["X"]["cohen_kappa"].value == pytest.approx(0.5)
    assert result.disagreements["excerpt"].tolist() == ["deux."]


def test_case_names_must_stay_unique(session: Session) -> None:
    boss = actor(session, "boss", Role.RESEARCHER)
    corpus.ensure_case(session=session, actor=boss, name="Ville")
    with pytest.raises(SociaparisError) as caught:
        store_project(session=session, actor=boss, project=PROJECT)
    assert caught.value.message == CorpusError.NAME_EXISTS.format(
        kind="case", name="Ville"
    )
    cases = (PROJECT.cases[0], replace(PROJECT.cases[1], name="A"))
    variables = (*PROJECT.variables, Variable(g("V-9"), "direction"))
    twice = replace(PROJECT, cases=cases, variables=variables)
    with pytest.raises(SociaparisError) as caught:
        store_project(session=session, actor=boss, project=twice)
    assert caught.value.message == CorpusError.NAME_EXISTS.format(
        kind="variable", name="direction"
    )
