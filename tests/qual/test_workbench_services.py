"""Services behind the codebook, retrieval and agreement pages: blind mode, matrix
cells' segments, coding search hits, exports and the agreement report.

The corpus is the one of ``test_matrices.py`` (written out there, every count
derived by hand from its table of codings); runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io

import docx
import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.models import User
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.errors import SociaparisError
from sociaparis.qual import codebook_service as cb
from sociaparis.qual import coding_service as cs
from sociaparis.qual.agreement_report import agreement_report
from sociaparis.qual.blind import blind_state, reveal, set_blind
from sociaparis.qual.corpus import history
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.errors import QualError
from sociaparis.qual.interchange import stored_agreement
from sociaparis.qual.matrices import code_attribute_matrix, code_case_matrix
from sociaparis.qual.models import QualCoding
from sociaparis.qual.retrieval import cooccurrence, segments, segments_of
from sociaparis.qual.search import search
from sociaparis.qual.segments_export import export_segments
from sociaparis.web.i18n import error_text
from tests.qual.test_matrices import study  # noqa: F401 - the fixture

__all__ = ["study"]


def _account(session: Session, name: str) -> Account:
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        user = User(username=name, password_hash="-", role=Role.VIEWER.value)
        session.add(user)
        session.flush()
    return Account(user.id, user.username, Role(user.role), "")


# steps | viewer | codings seen (coder of each, in document order)
BLIND_CASES = [
    ([], "ana", "ana ana ben ana ana ben ben ana"),
    (["on"], "ana", "ana ana ana ana ana"),
    (["on"], "ben", "ben ben ben"),
    (["on"], "boss", "ana ana ben ana ana ben ben ana"),
    (["on"], None, "ana ana ben ana ana ben ben ana"),
    (["on"], "reader", ""),
    (["on", "reveal"], "ana", "ana ana ben ana ana ben ben ana"),
    (["on", "reveal", "on"], "ben", "ben ben ben"),
    (["on", "off"], "ben", "ana ana ben ana ana ben ben ana"),
]


def _apply(session: Session, steps: list[str]) -> None:
    boss = _account(session, "boss")
    for step in steps:
        if step == "reveal":
            reveal(session=session, actor=boss)
        else:
            set_blind(session=session, actor=boss, blind=step == "on")


@pytest.mark.parametrize(("steps", "viewer", "seen"), BLIND_CASES)
def test_blind_mode_hides_other_coders_codings_until_revealed(
    session: Session, study: dict, steps: list[str], viewer: str | None, seen: str
) -> None:
    _apply(session, steps)
    account = _account(session, viewer) if viewer else None
    codings = cs.codings_of(session=session, viewer=account)
    assert sorted(c.coder for c in codings) == sorted(seen.split())
    found = [
        s.coder
        for code in ("Outils", "Outils > Copilot", "Risques")
        for s in segments(session=session, code=code, viewer=account).segments
    ]
    assert sorted(found) == sorted(seen.split())
    counted = sum(c.codings for c in cb.list_codes(session=session, viewer=account))
    assert counted == len(seen.split())
    matrix = code_case_matrix(session=session, viewer=account)
    if viewer in ("ana", "ben") and blind_state(session=session).hiding:
        assert matrix.to_frame().equals(
            code_case_matrix(session=session, coder=viewer).to_frame()
        )
    everyone = code_case_matrix(session=session)
    # a document in two cases puts its codings in two cells
    guids = {g for cell in matrix.segments.values() for g in cell}
    assert len(segments_of(session=session, codings=list(guids), viewer=account)) == (
        len(guids)
    )
    all_guids = [g for cell in everyone.segments.values() for g in cell]
    hidden = segments_of(session=session, codings=all_guids, viewer=account)
    assert sorted({s.coder for s in hidden}) == sorted(set(seen.split()))


def test_blind_mode_is_for_researchers_and_recorded(
    session: Session, study: dict
) -> None:
    ana = _account(session, "ana")
    with pytest.raises(SociaparisError) as caught:
        set_blind(session=session, actor=ana, blind=True)
    assert caught.value.code == CorpusError.NOT_ALLOWED.code
    with pytest.raises(SociaparisError):
        reveal(session=session, actor=ana)
    _apply(session, ["on", "reveal", "off"])
    assert [e.kind for e in history(session=session) if e.kind.startswith("blind")] == [
        "blind_on",
        "blind_reveal",
        "blind_off",
    ]
    state = blind_state(session=session)
    assert (state.blind, state.revealed, state.changed_by) == (False, False, "boss")


def test_agreement_is_refused_to_a_coder_in_blind_mode(
    session: Session, study: dict
) -> None:
    _apply(session, ["on"])
    ana = _account(session, "ana")
    with pytest.raises(SociaparisError) as caught:
        agreement_report(session=session, viewer=ana, coders=["ana", "ben"])
    assert caught.value.code == QualError.BLIND_HIDDEN.code
    with pytest.raises(SociaparisError):
        stored_agreement(session=session, viewer=ana)
    boss = _account(session, "boss")
    assert agreement_report(session=session, viewer=boss, coders=["ana", "ben"])
    _apply(session, ["reveal"])
    assert agreement_report(session=session, viewer=ana, coders=["ana", "ben"])


# code | cases | with | mode | coded words of the segments
CELL_CASES = [
    ("Risques", ["Agent B"], None, "overlap", ["Albert hallucine", "hallucine."]),
    ("Outils", ["Agent A"], None, "overlap", ["Albert", "Albert"]),
    ("Outils", ["Ville"], None, "overlap", ["Albert"]),
    ("Outils", [], "Risques", "overlap", ["Albert"]),
    ("Outils", [], "Risques", "turn", ["Albert", "Albert"]),
    ("Risques", [], "Outils > Copilot", "overlap", ["Copilot aide"]),
    ("Risques", ["Agent A"], "Outils", "turn", ["Copilot aide"]),
]


@pytest.mark.parametrize(("code", "cases", "other", "mode", "words"), CELL_CASES)
def test_segments_behind_a_matrix_or_cooccurrence_cell(
    session: Session,
    study: dict,
    code: str,
    cases: list[str],
    other: str | None,
    mode: str,
    words: list[str],
) -> None:
    result = segments(session=session, code=code, cases=cases, with_code=other, mode=mode)
    assert [s.text for s in result.segments] == words
    if cases and other is None:
        cell = code_case_matrix(session=session).segments[(code, cases[0])]
        assert len(cell) == len(words)


def test_cooccurrence_turn_cells_match_their_segments(
    session: Session, study: dict
) -> None:
    turn = cooccurrence(session=session, mode="turn").to_frame()
    # d1's second turn and d2's only turn hold both Outils and Risques
    assert turn.loc["Outils", "Risques"] == 2
    found = segments(session=session, code="Outils", with_code="Risques", mode="turn")
    assert len({s.document for s in found.segments}) == 2
    with pytest.raises(SociaparisError) as caught:
        segments(session=session, code="Outils", cases=["Nulle part"])
    assert caught.value.code == CorpusError.UNKNOWN_CASE.code


def test_code_hits_stores_the_chosen_places(session: Session, study: dict) -> None:
    ana = _account(session, "ana")
    hits = search(session=session, query="hallucine").hits
    assert [h.match for h in hits] == ["hallucine", "hallucine"]
    chosen = [f"{h.document}:{h.start}:{h.end}" for h in hits]
    before = len(cs.codings_of(session=session, code="Risques"))
    assert cs.code_hits(session=session, actor=ana, code="Risques", hits=chosen) == 2
    after = cs.codings_of(session=session, code="Risques")
    assert len(after) == before + 2
    assert [c.text for c in after if c.coder == "ana"].count("hallucine") == 2
    for bad, error in [
        ([], QualError.NO_HITS),
        (["nothing"], QualError.BAD_HIT),
        ([f"{hits[0].document}:x:3"], QualError.BAD_HIT),
        ([chosen[0], f"{hits[0].document}:5:99999"], CorpusError.BAD_SPAN),
    ]:
        with pytest.raises(SociaparisError) as caught:
            cs.code_hits(session=session, actor=ana, code="Risques", hits=bad)
        assert caught.value.code == error.code
    assert len(cs.codings_of(session=session, code="Risques")) == before + 2
    with pytest.raises(SociaparisError) as caught:
        cs.code_hits(
            session=session, actor=_account(session, "reader"), code="Risques",
            hits=chosen,
        )  # fmt: skip
    assert caught.value.code == CorpusError.NOT_ALLOWED.code


def test_segment_exports_are_safe_to_open(session: Session, study: dict) -> None:
    boss = _account(session, "boss")
    cb.update_code(session=session, actor=boss, code="Risques", name="=HACK()")
    first = cs.codings_of(session=session, code="=HACK()")[0].guid
    coding = session.scalar(select(QualCoding).where(QualCoding.guid == first))
    coding.memo = "<script>alert(1)</script>\x07"
    session.flush()
    result = segments(session=session, code="=HACK()")
    rows = list(
        csv.reader(io.StringIO(export_segments(result, "csv").decode("utf-8-sig")))
    )
    assert rows[0][:4] == ["coding", "document", "title", "code"]
    assert {r[3] for r in rows[1:]} == {"'=HACK()"}
    html = export_segments(result, "html").decode()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>Albert hallucine</mark>" in html
    word = docx.Document(io.BytesIO(export_segments(result, "docx")))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Albert hallucine" in text and "<script>alert(1)</script>" in text
    with pytest.raises(SociaparisError) as caught:
        export_segments(result, "pdf")
    assert caught.value.code == QualError.SEGMENTS_FORMAT.code


def test_matrix_downloads_match_the_files(
    session: Session, study: dict, tmp_path
) -> None:
    result = code_attribute_matrix(session=session, attribute="direction")
    result.to_csv(tmp_path / "m.csv", measure="documents")
    assert result.csv_bytes(measure="documents") == (tmp_path / "m.csv").read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(result.xlsx_bytes()))
    assert book.sheetnames == ["codings", "documents", "segments"]
    assert [c.value for c in book["codings"][1]] == ["code", "DRH", "DSIN"]


# documents | code: percent agreement, Cohen's kappa | disagreements
AGREEMENT_CASES = [
    (
        None,
        {"Outils": (0.25, None), "Outils > Copilot": (0.5, None),
         "Risques": (0.75, 0.5), "(overall)": (0.5, None)},
        6,
    ),
    (["d2"], {"Outils": (0.0, None), "Risques": (1.0, None),
              "(overall)": (1 / 3, None)}, 2),
]  # fmt: skip


@pytest.mark.parametrize(("docs", "values", "count"), AGREEMENT_CASES)
def test_agreement_report_per_code_overall_and_side_by_side(
    session: Session, study: dict, docs: list[str] | None, values: dict, count: int
) -> None:
    boss = _account(session, "boss")
    documents = [study[d] for d in docs] if docs else None
    report = agreement_report(
        session=session, viewer=boss, coders=["ana", "ben"], documents=documents
    )
    rows = dict(report.rows)
    for code, (percent, kappa) in values.items():
        assert rows[code]["percent_agreement"] == pytest.approx(percent, rel=1e-12)
        if kappa is not None:
            assert rows[code]["cohen_kappa"] == pytest.approx(kappa, rel=1e-12)
    assert len(report.disagreements) == count
    assert report.measures[0] == "percent_agreement"


def test_disagreement_shows_both_coders_segments(session: Session, study: dict) -> None:
    boss = _account(session, "boss")
    report = agreement_report(
        session=session, viewer=boss, coders=["ana", "ben"], codes=["Risques"],
        documents=[study["d1"]],
    )  # fmt: skip
    [one] = report.disagreements
    assert (one.code, one.applied_by, one.not_applied_by) == (
        "Risques",
        ("ben",),
        ("ana",),
    )
    sides = dict(one.sides)
    assert [(s.code, s.text, s.same_code) for s in sides["ana"]] == [
        ("Outils > Copilot", "Copilot aide", False),
        ("Outils", "Albert", False),
    ]
    assert [(s.code, s.text, s.same_code) for s in sides["ben"]] == [
        ("Risques", "Copilot aide", True)
    ]
    assert one.excerpt == "Copilot aide, Albert aussi."


@pytest.mark.parametrize(
    ("coders", "documents", "error"),
    [
        (["ana"], None, QualError.AGREEMENT_CODERS),
        (["ana", "ana"], None, QualError.AGREEMENT_CODERS),
        (["ana", "ben"], [], QualError.AGREEMENT_NOTHING),
        (["ana", "nobody"], None, CorpusError.UNKNOWN_USER),
    ],
)
def test_agreement_report_refusals(
    session: Session, study: dict, coders: list[str], documents: list | None, error
) -> None:
    boss = _account(session, "boss")
    try:
        agreement_report(session=session, viewer=boss, coders=coders, documents=documents)
    except SociaparisError as caught:
        assert caught.code == error.code
    else:
        assert error is CorpusError.UNKNOWN_USER, "no refusal"


@pytest.mark.parametrize(
    ("name", "parent", "en", "fr"),
    [
        ("Outils", None, "the top level", "au premier niveau du livre de codes"),
        ("Copilot", "Outils", "'Outils'", "sous « Outils »"),
    ],
)
def test_a_code_name_taken_says_where_in_the_page_language(
    session: Session, study: dict, name: str, parent: str | None, en: str, fr: str
) -> None:
    boss = _account(session, "boss")
    with pytest.raises(SociaparisError) as caught:
        cb.add_code(session=session, actor=boss, name=name, parent=parent)
    assert caught.value.error is CorpusError.DUPLICATE_CODE
    assert caught.value.message == (
        f"A code named '{name}' already exists at {en}. Choose another name."
    )
    assert error_text(caught.value, "fr") == (
        f"Un code nommé « {name} » existe déjà à cet endroit ({fr}). Choisissez un "
        "autre nom."
    )


def test_codebook_download_and_upload_and_merge_guard(
    session: Session, study: dict
) -> None:
    boss = _account(session, "boss")
    for fmt in ("qdc", "xlsx", "csv"):
        data = cb.codebook_bytes(session=session, fmt=fmt)
        codes, warnings = cb.import_codebook(
            session=session, actor=boss, path=f"upload.{fmt}", data=data
        )
        assert [c.name for c in codes] == ["Outils", "Copilot", "Risques"]
    with pytest.raises(SociaparisError) as caught:
        cb.codebook_bytes(session=session, fmt="pdf")
    assert caught.value.code == QualError.CODEBOOK_FORMAT.code
    with pytest.raises(SociaparisError) as caught:
        cb.merge_codes(session=session, actor=boss, sources=[], target="Risques")
    assert caught.value.code == QualError.MERGE_NOTHING.code
    coders = cs.list_coders(session=session)
    assert [(c.name, c.codings) for c in coders] == [("ana", 5), ("ben", 3), ("boss", 0)]
