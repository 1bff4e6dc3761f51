"""Several files imported at once with a report per file; the case table edited
as text; documents filtered by status, case and attribute; review spans widened
and narrowed.  Runs on SQLite and PostgreSQL (the ``session`` fixture)."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.errors import SociaparisError
from sociaparis.qual import casebook, intake
from sociaparis.qual import coding_service as cs
from sociaparis.qual import pseudonymize_service as ps
from sociaparis.qual.codebook_service import add_code
from sociaparis.qual.corpus import get_document
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.document import ImportedDocument
from sociaparis.qual.errors import QualError
from sociaparis.qual.intake_errors import IntakeError
from sociaparis.qual.pseudonymization import PseudonymizationConfig, parse_terms
from sociaparis.web.i18n import error_text
from tests.qual.test_service import make_actor

NO_NER = PseudonymizationConfig(use_ner=False)

INTERVIEW = (
    "Enquêtrice : Comment utilisez-vous Copilot ?\n\n"
    "Agent : Surtout pour les notes, avec Mme Garnier.\n\n"
    "Enquêtrice : Et ensuite ?"
)
TWO_PARAGRAPHS = "Premier paragraphe sans locuteur.\n\nSecond paragraphe, pareil."
VTT = (
    "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v S01>Bonjour à vous.\n\n"
    "00:00:04.000 --> 00:00:07.000\n<v S02>Bonjour.\n"
)


def _docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def researcher(session: Session) -> Account:
    return make_actor(session, Role.RESEARCHER)


# filename, bytes (or a name of a builder), ok, format, paragraphs, turns,
# speakers, warning codes, error code
CASES = [
    ("entretien.txt", INTERVIEW.encode(), True, "txt", 3, 3,
     ("Enquêtrice", "Agent"), (), None),
    ("notes.txt", b"Une seule note, sans locuteur.", True, "txt", 1, 0,
     (), ("QUAL_320",), None),
    ("deux.txt", TWO_PARAGRAPHS.encode(), True, "txt", 2, 0,
     (), ("QUAL_321",), None),
    ("cues.vtt", VTT.encode(), True, "vtt", 2, 2, ("S01", "S02"), (), None),
    ("faux.docx", b"du texte, pas un zip", False, "", 0, 0, (), (), "QUAL_004"),
    ("rapport.pdf", b"%PDF-1.4", False, "", 0, 0, (), (), "QUAL_005"),
    ("vide.md", b"", False, "", 0, 0, (), (), "QUAL_002"),
    ("copie.txt", INTERVIEW.encode(), False, "", 0, 0, (), (), "QUAL_201"),
]  # fmt: skip


def test_every_file_gets_its_report_and_a_bad_one_does_not_stop_the_others(
    session: Session, researcher: Account, zip_bomb
) -> None:
    bomb = zip_bomb(_docx(["Texte."]), name="word/media/bombe.xml")
    files = [(name, data) for name, data, *_ in CASES] + [("bombe.docx", bomb)]
    report = intake.import_files(
        session=session,
        actor=researcher,
        files=files,
        case="Agent 07",
        detect_speakers=True,
        pseudonymize=False,
    )
    got = [
        (
            f.filename, f.ok, f.format, f.paragraphs, f.turns, f.speakers,
            tuple(w.code for w in f.warnings), f.error.code if f.error else None,
        )
        for f in report.files[:-1]
    ]  # fmt: skip
    assert got == [(n, *rest) for n, _data, *rest in CASES]
    assert report.files[-1].error.code in {"CORE_013", "CORE_014"}
    assert (report.imported, report.refused) == (4, 5)
    stored = [f.document for f in report.files if f.ok]
    assert {d.status for d in stored} == {"released"}
    assert all(d.cases == ("Agent 07",) for d in stored)
    assert report.to_dict()["files"][4]["error"]["code"] == "QUAL_004"


def test_pseudonymize_on_upload_proposes_replacements_and_waits_for_review(
    session: Session, researcher: Account
) -> None:
    report = intake.import_files(
        session=session,
        actor=researcher,
        files=[("e.txt", INTERVIEW.encode())],
        detect_speakers=True,
        config=NO_NER,
    )
    [file] = report.files
    assert file.proposed == {"PERSONNE": 1}
    assert file.document.status == "under_review"
    assert get_document(session=session, ref=file.document.id).status == "under_review"
    code = add_code(session=session, actor=researcher, name="Outils")
    with pytest.raises(SociaparisError) as caught:  # only released text is coded
        cs.apply_coding(
            session=session, actor=researcher, document=file.document.id,
            code=code.guid, start=0, end=5,
        )  # fmt: skip
    assert caught.value.error is CorpusError.NOT_RELEASED


@pytest.mark.parametrize(
    ("files", "error"),
    [([], IntakeError.NO_FILE), ([("a.txt", b"a")] * 3, IntakeError.TOO_MANY_FILES)],
)
def test_upload_limits(session: Session, researcher: Account, files, error) -> None:
    with pytest.raises(SociaparisError) as caught:
        intake.import_files(session=session, actor=researcher, files=files, max_files=2)
    assert caught.value.error is error


def test_a_file_without_a_name_is_an_unnamed_document_in_french(
    session: Session, researcher: Account
) -> None:
    """What the messages call it: "document" in English, as before."""
    [report] = intake.import_files(
        session=session, actor=researcher, files=[("", b"Texte.")], pseudonymize=False
    ).files
    assert report.error.message.startswith(
        "document: cannot tell the document format of 'document';"
    )
    assert error_text(report.error, "fr").startswith(
        "document sans nom : impossible de déterminer le format du document "
        "« document sans nom » ;"
    )
    unnamed = ImportedDocument("Une note.", (), ((0, 9),), "txt", "0" * 64)
    [warning] = intake.layout_warnings(unnamed, detect_speakers=False)
    assert warning.message.startswith("document: one paragraph only")
    assert error_text(warning, "fr").startswith("document sans nom : un seul paragraphe")


def test_a_file_over_the_size_limit_is_refused_in_its_report(
    session: Session, researcher: Account
) -> None:
    report = intake.import_files(
        session=session,
        actor=researcher,
        files=[("gros.txt", b"x" * 101), ("petit.txt", b"Court.")],
        pseudonymize=False,
        max_bytes=100,
    )
    assert [f.error.code if f.error else None for f in report.files] == [
        QualError.FILE_TOO_LARGE.code,
        None,
    ]


@pytest.mark.parametrize("role", [Role.CODER, Role.VIEWER])
def test_only_researchers_and_admins_upload(session: Session, role: Role) -> None:
    who = make_actor(session, role, f"u-{role.value}")
    with pytest.raises(SociaparisError) as caught:
        intake.import_files(session=session, actor=who, files=[("a.txt", b"Texte.")])
    assert caught.value.error is CorpusError.NOT_ALLOWED


# ------------------------------------------------------------------ the case table

CELLS = [
    ("Text", " DSIN ", "DSIN"),
    ("Text", "  ", None),
    ("Integer", "42", 42),
    ("Integer", "-7", -7),
    ("Float", "3,5", 3.5),
    ("Float", "1e3", 1000.0),
    ("Boolean", "oui", True),
    ("Boolean", "FALSE", False),
    ("Date", "2025-03-01", date(2025, 3, 1)),
]
BAD_CELLS = [
    ("Integer", "4.5"),
    ("Integer", "douze"),
    ("Float", "nan"),
    ("Boolean", "peut-être"),
    ("Date", "01/03/2025"),
]


@pytest.mark.parametrize(("kind", "text", "value"), CELLS)
def test_a_cell_is_read_by_its_attribute_type(kind: str, text: str, value) -> None:
    assert casebook.parse_cell(text, kind) == value


@pytest.mark.parametrize(("kind", "text"), BAD_CELLS)
def test_a_cell_that_is_not_of_its_type_is_refused(kind: str, text: str) -> None:
    with pytest.raises(SociaparisError) as caught:
        casebook.parse_cell(text, kind, name="âge")
    assert caught.value.error is IntakeError.BAD_VALUE
    assert f"'{text.strip()}'" in caught.value.message


def test_case_table_add_column_edit_cells_then_filter_documents(
    session: Session, researcher: Account
) -> None:
    intake.import_files(
        session=session, actor=researcher, case="Agent 01", pseudonymize=False,
        files=[("a.txt", b"Premier."), ("b.txt", b"Second.")],
    )  # fmt: skip
    intake.import_files(
        session=session, actor=researcher, case="Agent 02",
        files=[("c.txt", b"Troisieme.")], config=NO_NER,
    )  # fmt: skip
    casebook.add_attribute(session=session, actor=researcher, name="direction")
    casebook.add_attribute(session=session, actor=researcher, name="âge", kind="Integer")
    casebook.set_case_cells(
        session=session, actor=researcher, case="Agent 01",
        cells={"direction": "DSIN", "âge": "41"},
    )  # fmt: skip
    casebook.set_case_cells(
        session=session, actor=researcher, case="Agent 02",
        cells={"direction": "DRH", "âge": ""},
    )  # fmt: skip
    table = casebook.case_table(session=session)
    assert [(a.name, a.type) for a in table.attributes] == [
        ("direction", "Text"),
        ("âge", "Integer"),
    ]
    assert [(r.name, dict(r.cells), len(r.documents)) for r in table.rows] == [
        ("Agent 01", {"direction": "DSIN", "âge": "41"}, 2),
        ("Agent 02", {"direction": "DRH"}, 1),
    ]
    # a bad cell changes nothing, not even the good cells of its row
    with pytest.raises(SociaparisError) as caught:
        casebook.set_case_cells(
            session=session, actor=researcher, case="Agent 02",
            cells={"direction": "DFA", "âge": "vieux"},
        )  # fmt: skip
    assert caught.value.error is IntakeError.BAD_VALUE
    assert casebook.case_table(session=session).rows[1].cells == {"direction": "DRH"}

    def titles(**filters) -> list[str]:
        found = casebook.find_documents(session=session, **filters)
        return [d.title for d in found]

    assert titles() == ["a.txt", "b.txt", "c.txt"]
    assert titles(status="under_review") == ["c.txt"]
    assert titles(status="released", case="Agent 01") == ["a.txt", "b.txt"]
    assert titles(attribute="direction", value="DRH") == ["c.txt"]
    assert titles(attribute="âge", value="41") == ["a.txt", "b.txt"]
    groups = casebook.documents_by_case(casebook.find_documents(session=session))
    assert [(name, len(docs)) for name, docs in groups] == [
        ("Agent 01", 2),
        ("Agent 02", 1),
    ]


@pytest.mark.parametrize(
    ("name", "kind", "error"),
    [
        ("  ", "Text", IntakeError.BAD_ATTRIBUTE_NAME),
        ("x" * 201, "Text", IntakeError.BAD_ATTRIBUTE_NAME),
        ("direction", "Text", IntakeError.ATTRIBUTE_EXISTS),
        ("ville", "Colour", CorpusError.BAD_OPTION),
    ],
)
def test_add_attribute_refusals(
    session: Session, researcher: Account, name: str, kind: str, error
) -> None:
    casebook.add_attribute(session=session, actor=researcher, name="direction")
    with pytest.raises(SociaparisError) as caught:
        casebook.add_attribute(session=session, actor=researcher, name=name, kind=kind)
    assert caught.value.error is error


def test_coders_may_not_edit_the_case_table(session: Session) -> None:
    coder = make_actor(session, Role.CODER, "ana")
    with pytest.raises(SociaparisError) as caught:
        casebook.add_attribute(session=session, actor=coder, name="ville")
    assert caught.value.error is CorpusError.NOT_ALLOWED


# ------------------------------------------------------------------ widen, narrow

TERMS_TEXT = (
    "Agent : Je travaille à la Direction des Finances et des Achats depuis 2019, "
    "avec Mme Garnier."
)


def test_widen_a_span_narrow_it_then_release(
    session: Session, researcher: Account
) -> None:
    config = NO_NER.with_terms(parse_terms("Direction des Finances\n"))
    [file] = intake.import_files(
        session=session, actor=researcher, config=config,
        files=[("t.txt", TERMS_TEXT.encode())],
    ).files  # fmt: skip
    doc = file.document.id
    review = ps.get_review(session=session, actor=researcher, document=doc)
    assert [(r.original, r.label) for r in review.replacements] == [
        ("Direction des Finances", "[TERME-1]"),
        ("Garnier", "[PERSONNE-1]"),
    ]
    start = TERMS_TEXT.index("Direction")
    wide = start + len("Direction des Finances et des Achats")
    # one word too far first: "depuis" is not part of the name
    review = ps.review(
        session=session, actor=researcher, document=doc, action="resize",
        index=0, start=start, end=wide + len(" depuis"),
    )  # fmt: skip
    assert review.replacements[0].original.endswith("Achats depuis")
    review = ps.review(
        session=session, actor=researcher, document=doc, action="resize",
        index=0, start=start, end=wide,
    )  # fmt: skip
    first = review.replacements[0]
    assert (first.original, first.label, first.status.value) == (
        "Direction des Finances et des Achats",
        "[TERME-1]",
        "accepted",
    )
    # a span over another replacement is refused, and nothing changes
    garnier = TERMS_TEXT.index("Garnier")
    with pytest.raises(SociaparisError) as caught:
        ps.review(
            session=session, actor=researcher, document=doc, action="resize",
            index=0, start=start, end=garnier + 2,
        )  # fmt: skip
    assert caught.value.error is QualError.PSEUDO_SPAN_OVERLAP
    ps.review(session=session, actor=researcher, document=doc, action="accept", index=1)
    ps.release_document(session=session, actor=researcher, document=doc)
    released = get_document(session=session, ref=doc)
    assert released.status == "released"
    from sociaparis.qual.corpus import document_text

    assert document_text(session=session, actor=researcher, ref=doc) == (
        "Agent : Je travaille à la [TERME-1] depuis 2019, avec Mme [PERSONNE-1]."
    )


WORD_STEPS = [
    # text, span, step, expected span
    ("la Direction des Finances et des Achats.", (3, 25), "widen_right", (3, 28)),
    ("la Direction des Finances et des Achats.", (3, 25), "widen_left", (0, 25)),
    ("la Direction des Finances et des Achats.", (3, 25), "narrow_left", (13, 25)),
    ("la Direction des Finances et des Achats.", (3, 25), "narrow_right", (3, 16)),
    ("chez Jean-Pierre Martin.", (5, 16), "widen_right", (5, 23)),
    ("chez Jean-Pierre Martin.", (5, 16), "narrow_right", None),
    ("Jo", (0, 2), "widen_left", None),
]


@pytest.mark.parametrize(("text", "span", "step", "expected"), WORD_STEPS)
def test_word_steps(text: str, span, step: str, expected) -> None:
    from sociaparis.qual.pseudonymization import word_steps

    assert word_steps(text, *span)[step] == expected
