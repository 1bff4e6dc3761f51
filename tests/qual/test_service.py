"""Stored corpus: import of every format, cases, codebook, codings, history, permissions.

Runs on SQLite and PostgreSQL (the ``session`` fixture).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import docx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.models import User
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.errors import SociaparisError
from sociaparis.qual import codebook_service as cb
from sociaparis.qual import coding_service as cs
from sociaparis.qual import corpus
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.errors import QualError
from sociaparis.qual.models import QualTurn


def make_actor(session: Session, role: Role, name: str | None = None) -> Account:
    """An account without a real password hash (argon2 is slow and not tested here)."""
    user = User(username=name or role.value, password_hash="-", role=role.value)
    session.add(user)
    session.flush()
    return Account(user.id, user.username, role, "")


@pytest.fixture
def admin(session: Session) -> Account:
    return make_actor(session, Role.ADMIN)


@pytest.fixture
def researcher(session: Session) -> Account:
    return make_actor(session, Role.RESEARCHER)


@pytest.fixture
def coder(session: Session) -> Account:
    return make_actor(session, Role.CODER)


def _docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _odt(paragraphs: list[str]) -> bytes:
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}>'
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", content)
    return buffer.getvalue()


NOSCRIBE = (
    '<html><head><meta charset="UTF-8" /></head><body>'
    '<p><a name="ts_0_2500_S00" >S00: Bonjour, merci.</a></p>'
    '<p><a name="ts_2500_4000_S01" >S01: Avec plaisir.</a></p>'
    "</body></html>"
)

# filename, bytes, detect_speakers, format, [(speaker, start_s, end_s, utterance)]
FORMATS = [
    (
        "e.txt",
        "Enquêtrice : Vous utilisez l'IA ?\n\nAgent : Oui, égalité.".encode(),
        True,
        "txt",
        [
            ("Enquêtrice", None, None, "Vous utilisez l'IA ?"),
            ("Agent", None, None, "Oui, égalité."),
        ],
    ),
    ("e.md", b"# Notes\n\nPremier paragraphe.", False, "markdown", []),
    ("e.docx", _docx(["S01: Bonjour.", "S02: Salut."]), True, "docx",
     [("S01", None, None, "Bonjour."), ("S02", None, None, "Salut.")]),
    ("e.odt", _odt(["A: un.", "B: deux."]), True, "odt",
     [("A", None, None, "un."), ("B", None, None, "deux.")]),
    (
        "e.vtt",
        b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v S00>Bonjour.\n\n"
        b"00:00:02.000 --> 00:00:03.500\n<v S01>Oui.\n",
        False,
        "vtt",
        [("S00", 1.0, 2.0, "Bonjour."), ("S01", 2.0, 3.5, "Oui.")],
    ),
    (
        "e.srt",
        b"1\n00:00:00,000 --> 00:00:02,500\n[SPEAKER_00]: Albert.\n\n"
        b"2\n00:00:02,500 --> 00:00:05,000\n[SPEAKER_01]: Copilot.\n",
        False,
        "srt",
        [("SPEAKER_00", 0.0, 2.5, "Albert."), ("SPEAKER_01", 2.5, 5.0, "Copilot.")],
    ),
    (
        "e.json",
        json.dumps(
            {"segments": [
                {"start": 0.5, "end": 2.0, "text": " Vous êtes ?",
                 "speaker": "SPEAKER_00"},
                {"start": 2.0, "end": 3.0, "text": " Oui.", "speaker": "SPEAKER_01"},
            ]}
        ).encode(),
        False,
        "whisper_json",
        [("SPEAKER_00", 0.5, 2.0, "Vous êtes ?"), ("SPEAKER_01", 2.0, 3.0, "Oui.")],
    ),
    (
        "e.html",
        NOSCRIBE.encode(),
        False,
        "noscribe_html",
        [("S00", 0.0, 2.5, "Bonjour, merci."), ("S01", 2.5, 4.0, "Avec plaisir.")],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("filename", "data", "speakers", "fmt", "turns"), FORMATS)
def test_import_each_format_keeps_text_and_turns(
    session: Session,
    researcher: Account,
    filename: str,
    data: bytes,
    speakers: bool,
    fmt: str,
    turns: list[tuple],
) -> None:
    info = corpus.import_document(
        session=session,
        actor=researcher,
        data=data,
        filename=filename,
        detect_speakers=speakers,
        case="Agent 1",
        case_kind="interviewee",
    )
    assert (info.format, info.status, info.cases) == (fmt, "imported", ("Agent 1",))
    text = corpus.document_text(session=session, actor=researcher, ref=info.id)
    stored = corpus.turns_of(session=session, document_id=info.id)
    got = [(t.speaker, t.start_s, t.end_s, text[t.start : t.end]) for t in stored]
    assert got == turns
    assert info.length == len(text)


def test_reimport_is_detected_unless_allowed(
    session: Session, researcher: Account
) -> None:
    data = b"Un texte."
    first = corpus.import_document(
        session=session, actor=researcher, data=data, filename="a.txt"
    )
    with pytest.raises(SociaparisError) as caught:
        corpus.import_document(
            session=session, actor=researcher, data=data, filename="b.txt"
        )
    assert caught.value.code == CorpusError.DUPLICATE_DOCUMENT.code
    assert "'a.txt'" in caught.value.message
    again = corpus.import_document(
        session=session,
        actor=researcher,
        data=data,
        filename="b.txt",
        allow_duplicate=True,
    )
    assert again.id != first.id and again.sha256 == first.sha256


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [
        ("a.txt", b"", QualError.EMPTY_DOCUMENT.code),
        ("a.docx", b"not a zip", QualError.CONTENT_MISMATCH.code),
        ("a.xyz", b"text", QualError.UNKNOWN_FORMAT.code),
    ],
)
def test_unreadable_files_are_refused(
    session: Session, researcher: Account, filename: str, data: bytes, code: str
) -> None:
    with pytest.raises(SociaparisError) as caught:
        corpus.import_document(
            session=session, actor=researcher, data=data, filename=filename
        )
    assert caught.value.code == code


def test_coders_and_viewers_may_not_import(session: Session, coder: Account) -> None:
    with pytest.raises(SociaparisError) as caught:
        corpus.import_document(session=session, actor=coder, data=b"x", filename="a.txt")
    assert caught.value.message == CorpusError.NOT_ALLOWED.format(
        user="coder", role="coder", action="import documents"
    )


def test_case_attributes_typed_and_filled_from_a_table(
    session: Session, researcher: Account
) -> None:
    import pandas as pd

    corpus.ensure_case(
        session=session,
        actor=researcher,
        name="Agent 1",
        kind="interviewee",
        attributes={"direction": "DSIN", "anciennete": 12, "cadre": True},
    )
    survey = pd.DataFrame(
        {"case": ["Agent 1", "Inconnu"], "direction": ["DRH", "DVD"], "age": [41, 30]}
    )
    warnings = corpus.fill_case_attributes(
        session=session, actor=researcher, data=survey, case_column="case"
    )
    assert [w.code for w in warnings] == [CorpusError.UNKNOWN_CASE.code]
    case = corpus.get_case(session=session, ref="Agent 1")
    assert case.attributes == {
        "direction": "DRH",
        "anciennete": 12,
        "cadre": True,
        "age": 41,
    }
    assert [c.name for c in corpus.list_cases(session=session)] == ["Agent 1"]


# ------------------------------------------------------------------ codebook, coding


def _released(
    session: Session, actor: Account, text: str = "Le chatbot Albert aide."
) -> int:
    info = corpus.import_document(
        session=session,
        actor=actor,
        data=text.encode(),
        filename="doc.txt",
        needs_pseudonymization=False,
        allow_duplicate=True,
    )
    return info.id


def test_coding_needs_a_released_document_and_a_span_inside_it(
    session: Session, researcher: Account
) -> None:
    code = cb.add_code(session=session, actor=researcher, name="Outils")
    pending = corpus.import_document(
        session=session, actor=researcher, data=b"Un texte en attente.", filename="p.txt"
    )
    with pytest.raises(SociaparisError) as caught:
        cs.apply_coding(
            session=session, actor=researcher, document=pending.id, code=code.guid,
            start=0, end=2,
        )  # fmt: skip
    assert caught.value.code == CorpusError.NOT_RELEASED.code
    doc = _released(session, researcher)
    for start, end in [(-1, 2), (5, 5), (3, 2), (0, 24)]:
        with pytest.raises(SociaparisError) as caught:
            cs.apply_coding(
                session=session, actor=researcher, document=doc, code="Outils",
                start=start, end=end,
            )  # fmt: skip
        assert caught.value.code == CorpusError.BAD_SPAN.code
    coding = cs.apply_coding(
        session=session, actor=researcher, document=doc, code="Outils", start=11, end=17
    )
    assert coding.text == "Albert"


def test_code_references_by_name_path_and_guid(
    session: Session, researcher: Account
) -> None:
    top = cb.add_code(session=session, actor=researcher, name="Outils")
    cb.add_code(session=session, actor=researcher, name="Albert", parent="Outils")
    other = cb.add_code(session=session, actor=researcher, name="Risques")
    cb.add_code(session=session, actor=researcher, name="Albert", parent=other.guid)
    assert cb.code_row(session, "Outils > Albert").parent_id == top.id
    with pytest.raises(SociaparisError) as caught:
        cb.code_row(session, "Albert")
    assert caught.value.code == CorpusError.AMBIGUOUS_CODE.code
    with pytest.raises(SociaparisError) as caught:
        cb.add_code(session=session, actor=researcher, name="Albert", parent="Outils")
    assert caught.value.code == CorpusError.DUPLICATE_CODE.code
    assert [c.path for c in cb.list_codes(session=session)] == [
        ("Outils",),
        ("Outils", "Albert"),
        ("Risques",),
        ("Risques", "Albert"),
    ]
    with pytest.raises(SociaparisError) as caught:
        cb.move_code(
            session=session, actor=researcher, code="Outils", parent="Outils > Albert"
        )
    assert caught.value.code == QualError.CODE_CYCLE.code


def test_merge_and_split_keep_codings_and_are_recorded(
    session: Session, researcher: Account, coder: Account
) -> None:
    doc = _released(session, researcher, "abcdefghij")
    for name in ("A", "B", "C"):
        cb.add_code(session=session, actor=researcher, name=name)
    cb.add_code(session=session, actor=researcher, name="B1", parent="B")
    spans = {"A": [(0, 2), (2, 4)], "B": [(4, 6)], "C": [(6, 8), (8, 10)]}
    for name, items in spans.items():
        for start, end in items:
            cs.apply_coding(
                session=session,
                actor=coder,
                document=doc,
                code=name,
                start=start,
                end=end,
            )
    merged = cb.merge_codes(
        session=session, actor=researcher, sources=["B", "C"], target="A"
    )
    assert merged.codings == 5
    assert [c.path for c in cb.list_codes(session=session)] == [("A",), ("A", "B1")]
    moving = [c.guid for c in cs.codings_of(session=session, code="A") if c.start >= 6]
    new = cb.split_code(
        session=session, actor=researcher, code="A", codings=moving, name="A2"
    )
    assert new.codings == 2
    assert cb.code_row(session, "A").id == merged.id
    counts = {c.name: c.codings for c in cb.list_codes(session=session)}
    assert counts == {"A": 3, "B1": 0, "A2": 2}
    kinds = [e.kind for e in corpus.history(session=session)]
    assert kinds.count("apply") == 5
    assert kinds[-2:] == ["create_code", "split"]
    assert "merge" in kinds
    merge = corpus.history(session=session, kind="merge")[0]
    assert (merge.actor, merge.details["codings_moved"], merge.details["names"]) == (
        "researcher",
        3,
        ["B", "C"],
    )
    with pytest.raises(SociaparisError) as caught:
        cb.split_code(session=session, actor=researcher, code="A2", codings=[moving[0],
                      "nope"], name="X")  # fmt: skip
    assert caught.value.code == QualError.CODING_NOT_OF_CODE.code


def test_rename_and_remove_are_in_the_history(
    session: Session, researcher: Account, coder: Account
) -> None:
    doc = _released(session, researcher)
    code = cb.add_code(session=session, actor=researcher, name="Outil")
    cb.update_code(
        session=session,
        actor=researcher,
        code="Outil",
        name="Outils",
        inclusion="Tout outil",
    )
    coding = cs.apply_coding(
        session=session, actor=coder, document=doc, code="Outils", start=0, end=2
    )
    other = make_actor(session, Role.CODER, "autre")
    with pytest.raises(SociaparisError) as caught:
        cs.remove_coding(session=session, actor=other, coding=coding.guid)
    assert caught.value.code == CorpusError.NOT_ALLOWED.code
    cs.remove_coding(session=session, actor=coder, coding=coding.guid)
    events = corpus.history(session=session, code_guid=code.guid)
    assert [(e.kind, e.actor) for e in events] == [
        ("create_code", "researcher"),
        ("rename", "researcher"),
        ("edit_code", "researcher"),
        ("apply", "coder"),
        ("remove", "coder"),
    ]
    assert events[1].details == {"old": "Outil", "new": "Outils"}
    assert cs.codings_of(session=session, code="Outils") == []
    with pytest.raises(SociaparisError) as caught:
        cb.add_code(session=session, actor=coder, name="Nope")
    assert caught.value.code == CorpusError.NOT_ALLOWED.code


def test_bulk_apply_checks_every_row_and_stores_history(
    session: Session, researcher: Account
) -> None:
    doc = _released(session, researcher, "0123456789")
    code = cb.add_code(session=session, actor=researcher, name="X")
    rows = [
        {"document_id": doc, "code_id": code.id, "start": i, "end": i + 1}
        for i in range(10)
    ]
    with pytest.raises(SociaparisError) as caught:
        cs.bulk_apply(
            session=session,
            actor=researcher,
            codings=[
                *rows,
                {"document_id": doc, "code_id": code.id, "start": 9, "end": 11},
            ],
        )
    assert caught.value.code == CorpusError.BAD_SPAN.code
    assert cs.bulk_apply(session=session, actor=researcher, codings=rows) == 10
    texts = [c.text for c in cs.codings_of(session=session, document=doc)]
    assert texts == list("0123456789")
    assert len(corpus.history(session=session, kind="apply")) == 10


def test_memos_on_document_code_and_case(session: Session, researcher: Account) -> None:
    doc = _released(session, researcher)
    cb.add_code(session=session, actor=researcher, name="Outils")
    corpus.ensure_case(session=session, actor=researcher, name="Paris")
    cs.add_memo(session=session, actor=researcher, text="m1", on="document", target=doc)
    cs.add_memo(session=session, actor=researcher, text="m2", on="code", target="Outils")
    cs.add_memo(session=session, actor=researcher, text="m3", on="case", target="Paris")
    cs.add_memo(session=session, actor=researcher, text="m4", on="document", target=doc)
    assert cs.memos_on(session=session, on="document", target=doc) == ["m1", "m4"]
    assert cs.memos_on(session=session, on="code", target="Outils") == ["m2"]
    assert cs.memos_on(session=session, on="case", target="Paris") == ["m3"]
    with pytest.raises(SociaparisError) as caught:
        cs.add_memo(
            session=session, actor=researcher, text="x", on="span", target=doc, start=5,
            end=500,
        )  # fmt: skip
    assert caught.value.code == CorpusError.BAD_SPAN.code


@pytest.mark.parametrize("suffix", [".qdc", ".xlsx", ".csv"])
def test_codebook_export_then_import_into_an_empty_study(
    session: Session, researcher: Account, tmp_path: object, suffix: str
) -> None:
    cb.add_code(
        session=session, actor=researcher, name="Risques", description="Les risques",
        inclusion="Erreurs", exclusion="Coûts", example="« il invente »", color="#AA0000",
    )  # fmt: skip
    cb.add_code(session=session, actor=researcher, name="Hallucination", parent="Risques")
    path = tmp_path / f"codebook{suffix}"  # type: ignore[operator]
    cb.export_codebook(session=session, path=path)
    before = cb.list_codes(session=session)
    # a fresh study: delete and import back
    for info in reversed(before):
        session.delete(cb.code_row(session, info.guid))
    session.flush()
    assert cb.list_codes(session=session) == []
    after, warnings = cb.import_codebook(session=session, actor=researcher, path=path)
    assert warnings == []
    fields = [(c.guid, c.path, c.description, c.inclusion, c.exclusion, c.example,
               c.color) for c in after]  # fmt: skip
    assert fields == [
        (c.guid, c.path, c.description, c.inclusion, c.exclusion, c.example, c.color)
        for c in before
    ]


def test_turn_rows_cascade_with_their_document(
    session: Session, researcher: Account
) -> None:
    info = corpus.import_document(
        session=session, actor=researcher, data=FORMATS[4][1], filename="x.vtt"
    )
    session.delete(corpus.document_row(session, info.id))
    session.flush()
    assert (
        session.scalars(select(QualTurn).where(QualTurn.document_id == info.id)).all()
        == []
    )


STUDY = Path(__file__).resolve().parents[2] / "studies" / "sociaparis"


def test_the_bundled_sociaparis_codebook_imports_the_same_from_qdc_and_xlsx(
    session: Session, researcher: Account
) -> None:
    codes, warnings = cb.import_codebook(
        session=session, actor=researcher, path=STUDY / "codebook.qdc"
    )
    assert warnings == [] and len(codes) > 10
    before = [(c.guid, c.path, c.inclusion, c.exclusion, c.example) for c in codes]
    again, warnings = cb.import_codebook(
        session=session, actor=researcher, path=STUDY / "codebook.xlsx"
    )
    assert warnings == []
    assert [
        (c.guid, c.path, c.inclusion, c.exclusion, c.example) for c in again
    ] == before


def test_codebook_and_memo_guards(session: Session, researcher: Account) -> None:
    for name in ("", "  "):
        with pytest.raises(SociaparisError) as caught:
            cb.add_code(session=session, actor=researcher, name=name)
        assert caught.value.code == QualError.CODEBOOK_EMPTY_NAME.code
    cb.add_code(session=session, actor=researcher, name="A")
    cb.add_code(session=session, actor=researcher, name="B")
    with pytest.raises(SociaparisError) as caught:
        cb.update_code(session=session, actor=researcher, code="A", name="")
    assert caught.value.code == QualError.CODEBOOK_EMPTY_NAME.code
    merged = cb.merge_codes(
        session=session, actor=researcher, sources=["B", "B"], target="A"
    )
    assert [c.name for c in cb.list_codes(session=session)] == [merged.name] == ["A"]
    pending = corpus.import_document(
        session=session, actor=researcher, data=b"Mme Durand parle.", filename="p.txt"
    )
    with pytest.raises(SociaparisError) as caught:
        cs.add_memo(
            session=session, actor=researcher, text="x", on="span", target=pending.id,
            start=0, end=3,
        )  # fmt: skip
    assert caught.value.code == CorpusError.NOT_RELEASED.code


def test_delete_code_keeps_sub_codes_and_guards_codings(
    session: Session, researcher: Account
) -> None:
    doc = _released(session, researcher, "abcdef")
    cb.add_code(session=session, actor=researcher, name="Top")
    cb.add_code(session=session, actor=researcher, name="Mid", parent="Top")
    cb.add_code(session=session, actor=researcher, name="Leaf", parent="Top > Mid")
    coding = cs.apply_coding(
        session=session, actor=researcher, document=doc, code="Mid", start=0, end=2
    )
    with pytest.raises(SociaparisError) as caught:
        cb.delete_code(session=session, actor=researcher, code="Mid")
    assert caught.value.message == CorpusError.CODE_HAS_CODINGS.format(
        name="Mid", count=1
    )
    removed = cb.delete_code(
        session=session, actor=researcher, code="Mid", with_codings=True
    )
    assert removed == 1
    assert [c.path for c in cb.list_codes(session=session)] == [("Top",), ("Top", "Leaf")]
    events = [(e.kind, e.coding_guid) for e in corpus.history(session=session)[-2:]]
    assert events == [("remove", coding.guid), ("delete_code", None)]


def _codebook_file(tmp_path: Path, parents: int, children: int) -> Path:
    from sociaparis.qual.io.codebook import Codebook, write_qdc
    from sociaparis.qual.project import Code, derived_guid

    codes = []
    for p in range(parents):
        parent = Code(derived_guid("code", f"p{p}"), f"Thème {p}")
        codes.append(parent)
        codes.extend(
            Code(derived_guid("code", f"p{p}", f"c{c}"), f"Code {c}", parent=parent.id)
            for c in range(children)
        )
    path = tmp_path / f"codebook-{parents}x{children}.qdc"
    write_qdc(Codebook(tuple(codes)), path)
    return path


def test_codebook_import_work_grows_with_the_codebook_not_its_square(
    session: Session, researcher: Account, tmp_path: Path
) -> None:
    """The codebook is read once, not once a code (which made 200,000 codes run for
    hours): the queries do not grow with the number of codes."""
    from sqlalchemy import event

    queries: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT"):
            queries.append(statement)

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", count)
    try:
        codes, _ = cb.import_codebook(
            session=session, actor=researcher, path=_codebook_file(tmp_path, 20, 19)
        )
        first = len(queries)
        again, _ = cb.import_codebook(
            session=session, actor=researcher, path=_codebook_file(tmp_path, 20, 19)
        )
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert len(codes) == len(again) == 400
    assert codes[1].path == ("Thème 0", "Code 0")
    assert first < 10  # old code: five queries a code, one reading the whole codebook
    assert len(queries) - first < 10


def test_codebook_import_refuses_a_codebook_over_the_limit(
    session: Session, researcher: Account, tmp_path: Path
) -> None:
    from sociaparis.qual.io.codebook import read_qdc
    from sociaparis.qual.io.refi_qda import Limits

    path = _codebook_file(tmp_path, 1, Limits().max_codes)
    with pytest.raises(SociaparisError) as caught:
        cb.import_codebook(session=session, actor=researcher, path=path)
    assert caught.value.message == QualError.CODEBOOK_TOO_LARGE.format(
        path=str(path), count=Limits().max_codes + 1, limit=Limits().max_codes
    )
    assert cb.list_codes(session=session) == []
    small = _codebook_file(tmp_path, 2, 2)
    assert len(read_qdc(small, limits=Limits(max_codes=6)).codebook.codes) == 6
    with pytest.raises(SociaparisError, match="QUAL_148"):
        read_qdc(small, limits=Limits(max_codes=5))
