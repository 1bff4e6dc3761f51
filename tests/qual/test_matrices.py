"""Retrieval with filters, co-occurrence and code x case / attribute matrices.

The corpus is small and written out here, so every expected count is derived
by hand from the table of codings below.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.orm import Session

from sociaparis.accounts.models import User
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.errors import SociaparisError
from sociaparis.core.spreadsheets import neutralize_formula
from sociaparis.qual import codebook_service as cb
from sociaparis.qual import coding_service as cs
from sociaparis.qual import corpus
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.matrices import code_attribute_matrix, code_case_matrix
from sociaparis.qual.retrieval import cooccurrence, segments, segments_of

DOCS = {
    "d1": ("Agent A", "Enquêtrice : Et Copilot ?\n\nAgent : Copilot aide, Albert aussi."),
    "d2": ("Agent B", "Agent : Albert hallucine. Copilot aussi hallucine."),
    "d3": ("Ville", "Notes : la ville teste Albert."),
}
CASES = {
    "Agent A": {"direction": "DSIN", "anciennete": 12},
    "Agent B": {"direction": "DRH", "anciennete": 3},
    "Ville": {},
}
# document | code | coder | the coded words (first occurrence at or after `after`)
CODINGS = """
| doc | code              | coder | words               | after |
| d1  | Outils > Copilot  | ana   | Copilot aide        | 20    |
| d1  | Outils            | ana   | Albert              | 0     |
| d1  | Risques           | ben   | Copilot aide        | 20    |
| d2  | Outils            | ana   | Albert              | 0     |
| d2  | Risques           | ana   | Albert hallucine    | 0     |
| d2  | Outils > Copilot  | ben   | Copilot             | 0     |
| d2  | Risques           | ben   | hallucine.          | 30    |
| d3  | Outils            | ana   | Albert              | 0     |
"""


def _rows(table: str) -> list[dict[str, str]]:
    lines = [line.strip().strip("|") for line in table.strip().splitlines()]
    header = [h.strip() for h in lines[0].split("|")]
    return [dict(zip(header, (c.strip() for c in line.split("|")), strict=True))
            for line in lines[1:]]  # fmt: skip


def _actor(session: Session, name: str, role: Role) -> Account:
    user = User(username=name, password_hash="-", role=role.value)
    session.add(user)
    session.flush()
    return Account(user.id, name, role, "")


@pytest.fixture
def study(session: Session) -> dict[str, int]:
    boss = _actor(session, "boss", Role.RESEARCHER)
    coders = {n: _actor(session, n, Role.CODER) for n in ("ana", "ben")}
    for name, attributes in CASES.items():
        corpus.ensure_case(session=session, actor=boss, name=name, attributes=attributes)
    ids = {}
    for key, (case, text) in DOCS.items():
        ids[key] = corpus.import_document(
            session=session, actor=boss, data=text.encode(), filename=f"{key}.txt",
            detect_speakers=True, case=case, needs_pseudonymization=False,
        ).id  # fmt: skip
    corpus.assign_case(session=session, actor=boss, document=ids["d3"], case="Agent A")
    cb.add_code(session=session, actor=boss, name="Outils")
    cb.add_code(session=session, actor=boss, name="Copilot", parent="Outils")
    cb.add_code(session=session, actor=boss, name="Risques")
    for row in _rows(CODINGS):
        text = DOCS[row["doc"]][1]
        start = text.index(row["words"], int(row["after"]))
        cs.apply_coding(
            session=session, actor=coders[row["coder"]], document=ids[row["doc"]],
            code=row["code"], start=start, end=start + len(row["words"]),
        )  # fmt: skip
    return ids


def test_segments_with_context_and_filters(session: Session, study: dict) -> None:
    result = segments(session=session, code="Outils", context=6)
    assert [(s.title, s.before, s.text, s.after) for s in result.segments] == [
        ("d1.txt", "aide, ", "Albert", " aussi"),
        ("d2.txt", "ent : ", "Albert", " hallu"),
        ("d3.txt", "teste ", "Albert", "."),
    ]
    assert [s.speaker for s in result.segments] == ["Agent", "Agent", "Notes"]
    with_sub = segments(session=session, code="Outils", include_subcodes=True)
    assert [s.code for s in with_sub.segments] == [
        "Outils > Copilot", "Outils", "Outils", "Outils > Copilot", "Outils",
    ]  # fmt: skip
    dsin = segments(session=session, code="Outils", attributes={"direction": "DSIN"})
    # d1 is Agent A's (DSIN); d3 is in Agent A and Ville
    assert [s.title for s in dsin.segments] == ["d1.txt", "d3.txt"]
    both = segments(
        session=session, code="Risques", attributes={"direction": ["DSIN", "DRH"]},
        coder="ben",
    )  # fmt: skip
    assert [s.text for s in both.segments] == ["Copilot aide", "hallucine."]
    ana = segments(
        session=session, code="Risques", attributes={"anciennete": 3}, coder="ana"
    )
    assert ana.to_frame()["text"].tolist() == ["Albert hallucine"]
    with pytest.raises(SociaparisError) as caught:
        segments(session=session, code="Outils", attributes={"poste": "x"})
    assert caught.value.code == CorpusError.UNKNOWN_VARIABLE.code


def test_cooccurrence_overlap_and_turn(session: Session, study: dict) -> None:
    overlap = cooccurrence(session=session, mode="overlap").to_frame()
    # d1: Copilot/Risques same span; d2: Outils "Albert" inside Risques "Albert hallucine"
    assert overlap.loc["Outils > Copilot", "Risques"] == 1
    assert overlap.loc["Outils", "Risques"] == 1
    assert overlap.loc["Outils", "Outils > Copilot"] == 0
    turn = cooccurrence(session=session, mode="turn").to_frame()
    # turns: d1 has 2 (Copilot, Outils, Risques in the 2nd); d2 one turn with all three
    assert turn.loc["Outils", "Outils > Copilot"] == 2
    assert turn.loc["Outils", "Risques"] == 2
    assert turn.loc["Outils > Copilot", "Risques"] == 2
    assert turn.loc["Outils", "Outils"] == 0
    ana = cooccurrence(session=session, mode="turn", coder="ana").to_frame()
    assert (
        ana.loc["Outils", "Risques"] == 1 and ana.loc["Outils", "Outils > Copilot"] == 1
    )


def test_code_case_matrix_counts_documents_and_segments(
    session: Session, study: dict
) -> None:
    result = code_case_matrix(session=session)
    assert result.columns == ("Agent A", "Agent B", "Ville")
    assert result.to_frame().values.tolist() == [[2, 1, 1], [1, 1, 0], [1, 2, 0]]
    assert result.to_frame("documents").values.tolist() == [
        [2, 1, 1],
        [1, 1, 0],
        [1, 1, 0],
    ]
    cell = result.segments[("Risques", "Agent B")]
    assert [s.text for s in segments_of(session=session, codings=cell)] == [
        "Albert hallucine",
        "hallucine.",
    ]
    rolled = code_case_matrix(session=session, include_subcodes=True)
    assert rolled.to_frame().loc["Outils"].tolist() == [3, 2, 1]
    ben = code_case_matrix(session=session, coder="ben", codes=["Risques"])
    assert ben.to_frame().values.tolist() == [[1, 1, 0]]


def test_code_attribute_matrix_orders_numbers(session: Session, study: dict) -> None:
    result = code_attribute_matrix(session=session, attribute="anciennete")
    assert result.columns == ("3", "12")
    assert result.to_frame().values.tolist() == [[1, 2], [1, 1], [2, 1]]
    by_dir = code_attribute_matrix(session=session, attribute="direction")
    assert by_dir.columns == ("DRH", "DSIN")
    assert by_dir.to_frame("documents").loc["Outils"].tolist() == [1, 2]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33", "'+33"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Risques", "Risques"),
        (-3, -3),
    ],
)
def test_matrix_cells_are_neutralized(value: object, expected: object) -> None:
    assert neutralize_formula(value) == expected


def test_exports_are_injection_safe(
    session: Session, study: dict, tmp_path: Path
) -> None:
    user_id = session.query(User.id).filter(User.username == "boss").scalar()
    researcher = Account(user_id, "boss", Role.RESEARCHER, "")
    cb.update_code(session=session, actor=researcher, code="Risques", name="=HACK()")
    result = code_case_matrix(session=session)
    result.to_csv(tmp_path / "m.csv")
    with open(tmp_path / "m.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["code", "Agent A", "Agent B", "Ville"]
    assert rows[3] == ["'=HACK()", "1", "2", "0"]
    result.to_xlsx(tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(tmp_path / "m.xlsx")
    assert book.sheetnames == ["codings", "documents", "segments"]
    assert book["codings"]["A4"].value == "'=HACK()"
    assert book["codings"]["C4"].value == 2
    assert book["segments"].max_row == 1 + 9  # d3's coding counts in two cases
