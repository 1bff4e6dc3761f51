"""Codebooks alone: REFI-QDA .qdc (validated against the XSD) and spreadsheets."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from sociaparis.core.errors import CoreError, SociaparisError
from sociaparis.qual.errors import QualError
from sociaparis.qual.io.codebook import (
    Codebook,
    read_codebook,
    read_codebook_csv,
    read_codebook_xlsx,
    read_qdc,
    write_codebook,
    write_codebook_csv,
    write_codebook_xlsx,
    write_qdc,
)
from sociaparis.qual.io.refi_qda import Limits
from sociaparis.qual.project import Code, CodeSet, Project, derived_guid

ROOT = Path(__file__).resolve().parents[3]
REFI = ROOT / "tests" / "reference" / "refi-qda"
SCHEMA = etree.XMLSchema(etree.parse(str(REFI / "Codebook-mrt2019.xsd")))
STUDY = ROOT / "studies" / "sociaparis"


def assert_valid(xml: bytes) -> None:
    assert SCHEMA.validate(etree.fromstring(xml)), SCHEMA.error_log


def _g(n: int) -> str:
    return f"22222222-3333-4444-8555-{n:012d}"


CODEBOOK = Codebook(
    codes=(
        Code(_g(1), "Outils", "Outils d'IA cités", color="#1F77B4"),
        Code(
            _g(2),
            "Généralistes",
            "Outils grand public",
            "ChatGPT, Copilot, Gemini…",
            "Outils internes",
            "« J'utilise ChatGPT pour mes courriers »",
            "#AEC7E8",
            _g(1),
        ),
        Code(_g(3), "Ville", 'Outils de la Ville, "maison"; ex. Albert', parent=_g(1)),
        Code(_g(4), "Risques", inclusion="Ligne 1\nLigne 2", color="#D62728"),
        Code(_g(5), "Hallucinations", example="« il a inventé une loi »", parent=_g(4)),
        Code(_g(6), "Sous-niveau", parent=_g(5)),
    ),
    sets=(CodeSet(_g(9), "Thème A", "codes du thème", code_ids=(_g(2), _g(5))),),
    origin="sociaparis",
)


def test_qdc_is_valid_and_round_trips() -> None:
    xml = write_qdc(CODEBOOK)
    assert_valid(xml)
    result = read_qdc(xml)
    assert result.warnings == ()
    assert result.codebook == CODEBOOK


def test_qdc_layout() -> None:
    root = etree.fromstring(write_qdc(CODEBOOK))
    ns = {"c": "urn:QDA-XML:codebook:1.0"}
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    (leaf,) = root.xpath("//c:Code[@name='Sous-niveau']", namespaces=ns)
    ancestors = [a.get("name") for a in leaf.iterancestors() if a.get("name")]
    assert ancestors == ["Hallucinations", "Risques"]
    (member,) = root.xpath("//c:Set/c:MemberCode[1]", namespaces=ns)
    assert member.get("guid") == _g(2)


def test_qdc_unknown_element_is_a_warning() -> None:
    xml = (
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" xmlns:x="urn:x"><Codes>'
        f'<Code guid="{_g(1)}" name="a" isCodable="false"><x:Y/></Code></Codes>'
        "<x:Z/></CodeBook>"
    ).encode()
    result = read_qdc(xml)
    assert [w.code for w in result.warnings] == ["QUAL_130", "QUAL_130"]
    assert result.codebook.codes == (Code(_g(1), "a", codable=False),)


@pytest.mark.parametrize(
    ("xml", "error"),
    [
        (
            b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>',
            QualError.XML_WRONG_ROOT,
        ),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><CodeBook/>', QualError.XML_DTD),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
            b'<Code guid="zz" name="a" isCodable="true"/></Codes></CodeBook>',
            QualError.XML_BAD_VALUE,
        ),
    ],
)
def test_qdc_errors(xml: bytes, error: QualError) -> None:
    with pytest.raises(SociaparisError) as caught:
        read_qdc(xml)
    assert caught.value.error is error


@pytest.mark.parametrize("headers", ["fr", "en"])
def test_xlsx_round_trip(headers: str, tmp_path: Path) -> None:
    path = tmp_path / "codebook.xlsx"
    write_codebook_xlsx(CODEBOOK, path, headers=headers)  # type: ignore[arg-type]
    result = read_codebook_xlsx(path)
    assert result.warnings == ()
    assert result.codebook.codes == CODEBOOK.codes


@pytest.mark.parametrize(
    ("headers", "delimiter"), [("fr", ";"), ("en", ","), ("fr", "\t")]
)
def test_csv_round_trip(headers: str, delimiter: str, tmp_path: Path) -> None:
    path = tmp_path / "codebook.csv"
    write_codebook_csv(CODEBOOK, path, headers=headers, delimiter=delimiter)  # type: ignore[arg-type]
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_codebook_csv(path).codebook.codes == CODEBOOK.codes


def test_spreadsheet_layout(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    write_codebook_xlsx(CODEBOOK, path)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0] == (
        "nom",
        "chemin parent",
        "description",
        "inclusion",
        "exclusion",
        "exemple",
        "couleur",
        "guid",
    )
    assert rows[6][:2] == ("Sous-niveau", "Risques > Hallucinations")


# A hand-written French spreadsheet, as a researcher would type it: no guid column,
# headers with accents and capitals, a colour without '#', sub-codes before parents.
HANDWRITTEN = (
    "Nom;Chemin parent;Définition;Critères d'inclusion;Critères d'exclusion;"
    "Exemple;Couleur;Remarque\n"
    "Généralistes;Outils;Outils grand public;;;;aec7e8;à revoir\n"
    "Outils;;Outils d'IA;Tout outil;;;;\n"
    ";;;;;;;\n"
    "Albert;Outils > Généralistes;;;;« Albert »;#abc;\n"
)  # fmt: skip


def test_handwritten_french_csv() -> None:
    result = read_codebook_csv(HANDWRITTEN.encode("cp1252", errors="strict"))
    assert [w.code for w in result.warnings] == ["QUAL_146"]
    codes = result.codebook.codes
    outils = derived_guid("code", "Outils")
    generalistes = derived_guid("code", "Outils", "Généralistes")
    assert codes == (
        Code(
            generalistes,
            "Généralistes",
            "Outils grand public",
            color="#AEC7E8",
            parent=outils,
        ),
        Code(outils, "Outils", "Outils d'IA", "Tout outil"),
        Code(
            derived_guid("code", "Outils", "Généralistes", "Albert"),
            "Albert",
            example="« Albert »",
            color="#ABC",
            parent=generalistes,
        ),
    )


@pytest.mark.parametrize(
    ("csv_text", "error", "row"),
    [
        ("Description\nx\n", QualError.CODEBOOK_MISSING_COLUMN, 1),
        ("", QualError.CODEBOOK_MISSING_COLUMN, 1),
        ("name,parent path\nA,\nB,Nope\n", QualError.CODEBOOK_UNKNOWN_PARENT, 3),
        ("name,parent path\nA,\nB,A\nB,A\n", QualError.CODEBOOK_DUPLICATE, 4),
        ("name,colour\nA,red\n", QualError.CODEBOOK_BAD_COLOUR, 2),
        ("name,colour\nA,#12345\n", QualError.CODEBOOK_BAD_COLOUR, 2),
        ("name,description\n,orphan\n", QualError.CODEBOOK_EMPTY_NAME, 2),
        ("name,guid\nA,not-a-guid\n", QualError.CODEBOOK_BAD_GUID, 2),
    ],
)
def test_spreadsheet_errors(csv_text: str, error: QualError, row: int) -> None:
    with pytest.raises(SociaparisError) as caught:
        read_codebook_csv(csv_text.encode())
    assert caught.value.error is error
    assert caught.value.location is not None and caught.value.location.row == row


def test_from_project_and_dispatch(tmp_path: Path) -> None:
    project = Project(
        name="p", codes=CODEBOOK.codes, sets=CODEBOOK.sets, origin="sociaparis"
    )
    assert Codebook.from_project(project) == CODEBOOK
    for suffix in (".qdc", ".xlsx", ".csv"):
        path = tmp_path / f"c{suffix}"
        write_codebook(CODEBOOK, path)
        assert read_codebook(path).codebook.codes == CODEBOOK.codes
    with pytest.raises(SociaparisError) as caught:
        read_codebook(tmp_path / "c.ods")
    assert caught.value.error is QualError.CODEBOOK_FORMAT


def test_to_frame_columns() -> None:
    frame = CODEBOOK.to_frame()
    assert list(frame.columns) == [
        "name",
        "parent",
        "description",
        "inclusion",
        "exclusion",
        "example",
        "color",
        "guid",
    ]
    assert frame.loc[5, "parent"] == "Risques > Hallucinations"
    assert CODEBOOK.to_dict()["sets"][0]["codes"] == [_g(2), _g(5)]


def test_bytes_stream_input() -> None:
    assert read_qdc(io.BytesIO(write_qdc(CODEBOOK))).codebook == CODEBOOK


def test_sociaparis_study_codebook() -> None:
    """The shipped SOCIAPARIS codebook: valid .qdc, same codes in the .xlsx, complete."""
    xml = (STUDY / "codebook.qdc").read_bytes()
    assert_valid(xml)
    from_qdc = read_qdc(xml)
    from_xlsx = read_codebook_xlsx(STUDY / "codebook.xlsx")
    assert from_qdc.warnings == () and from_xlsx.warnings == ()
    codes = from_qdc.codebook.codes
    assert codes == from_xlsx.codebook.codes
    assert all(c.description and c.inclusion and c.exclusion and c.example for c in codes)
    top = {c.name for c in codes if c.parent is None}
    assert {
        "Métiers et expertise",
        "Pratiques de travail",
        "Enjeux organisationnels",
        "Enjeux techniques",
        "Enjeux juridiques et déontologiques",
        "Risque d'hallucination et fiabilité",
        "Impact environnemental",
        "Chartes, guides et doctrines",
        "Coopération entre villes",
        "Outils utilisés",
        "Formation et acculturation",
        "Confiance et contrôle",
        "Relations avec le public",
    } == top
    project = Project(name="p", codes=codes)
    tools = [c for c in codes if c.name == "Outils utilisés"][0]
    assert [c.name for c in project.children(tools.id)] == [
        "Outils généralistes",
        "Outils de la Ville",
        "Outils semi-généralistes",
        "Outils sectoriels",
    ]
    assert all(project.children(c.id) for c in codes if c.parent is None)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: read_codebook_xlsx(b"not a zip"), CoreError.ARCHIVE_UNREADABLE),
        (lambda: read_codebook_xlsx(_zip({"a.txt": b"x"})), CoreError.ARCHIVE_UNREADABLE),
        (
            lambda: read_codebook_xlsx(
                _zip({"xl/worksheets/sheet1.xml": b" " * 20_000_000})
            ),
            CoreError.ARCHIVE_RATIO,
        ),
        (
            lambda: read_codebook_xlsx(_zip({"../x": b"x"})),
            CoreError.ARCHIVE_UNSAFE_NAME,
        ),
        (
            lambda: read_codebook_xlsx(b"x" * 100, limits=Limits(max_codebook_bytes=50)),
            QualError.FILE_TOO_LARGE,
        ),
        (
            lambda: read_codebook_csv(
                b"name\n" + b"a\n" * 50, limits=Limits(max_codebook_bytes=50)
            ),
            QualError.FILE_TOO_LARGE,
        ),
        (
            lambda: read_codebook_csv(
                io.BytesIO(b"name\n" + b"a\n" * 50), limits=Limits(max_codebook_bytes=50)
            ),
            QualError.FILE_TOO_LARGE,
        ),
    ],
)
def test_hostile_spreadsheets(call: Callable[[], object], error: QualError) -> None:
    with pytest.raises(SociaparisError) as caught:
        call()
    assert caught.value.error is error


def test_qdc_set_members_must_be_codes() -> None:
    xml = (
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f'<Code guid="{_g(1)}" name="a" isCodable="true"/></Codes>'
        f'<Sets><Set guid="{_g(9)}" name="s"><MemberCode guid="{_g(1)}"/>'
        f'<MemberCode guid="{_g(7)}"/></Set></Sets></CodeBook>'
    ).encode()
    result = read_qdc(xml)
    assert [w.code for w in result.warnings] == ["QUAL_132"]
    assert result.codebook.sets == (CodeSet(_g(9), "s", code_ids=(_g(1),)),)


def _sheet(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "read",
    [
        lambda limits: read_codebook_csv(b"name\na\nb\n\n\nc\n", limits=limits),
        lambda limits: read_codebook_xlsx(
            _sheet([["name"], ["a"], ["b"], [], [], ["c"]]), limits=limits
        ),
    ],
)
def test_a_codebook_over_max_codes_is_refused(read: Callable) -> None:
    assert len(read(Limits(max_codes=3)).codebook.codes) == 3  # blank rows not codes
    with pytest.raises(SociaparisError) as caught:
        read(Limits(max_codes=2))
    assert caught.value.error is QualError.CODEBOOK_TOO_LARGE
    assert caught.value.context["limit"] == 2


def test_writers_walk_the_codebook_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """No per-code scan of the whole codebook (Project.children is O(n) a call):
    exporting 20,000 codes took minutes when every code called it."""
    from sociaparis.qual.io.refi_qda import write_qdpx
    from sociaparis.qual.project import Code, Project

    calls: list[str | None] = []
    children = Project.children
    monkeypatch.setattr(
        Project,
        "children",
        lambda self, code_id: calls.append(code_id) or children(self, code_id),
    )
    codes: list[Code] = []
    for t in range(5):
        theme = Code(_g(100 + t), f"T{t}")
        codes += [
            theme,
            *(Code(_g(200 + 10 * t + k), f"C{k}", parent=theme.id) for k in range(5)),
        ]
    project = Project(name="p", codes=tuple(codes))
    book = Codebook.from_project(project)
    assert [c.id for c in book.codes] == [c.id for c in codes]
    assert book.to_frame()["parent"].tolist()[:2] == ["", "T0"]
    assert read_qdc(write_qdc(book)).codebook.codes == book.codes
    write_qdpx(project, io.BytesIO())
    assert calls == []


HOSTILE = Codebook(
    codes=(
        Code(_g(1), '=HYPERLINK("http://x.example","clic")', "-2 points de confiance"),
        Code(_g(2), "+ efficace", "@import", parent=_g(1)),
        Code(_g(3), "'déjà cité'", "texte ordinaire"),
    ),
    origin="sociaparis",
)


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_spreadsheet_cells_are_never_formulas_and_round_trip(
    suffix: str, tmp_path: Path
) -> None:
    path = tmp_path / f"codebook.{suffix}"
    if suffix == "csv":
        write_codebook_csv(HOSTILE, path)
        cells = [
            cell
            for line in path.read_text(encoding="utf-8-sig").splitlines()[1:]
            for cell in line.split(",")
        ]
        back = read_codebook_csv(path).codebook
    else:
        write_codebook_xlsx(HOSTILE, path)
        sheet = openpyxl.load_workbook(path).active
        cells = [str(c.value or "") for row in sheet.iter_rows(min_row=2) for c in row]
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
        back = read_codebook_xlsx(path).codebook
    starts = {cell.lstrip('"')[:1] for cell in cells if cell}
    assert not starts & {"=", "+", "-", "@"}, cells
    assert [(c.name, c.description) for c in back.codes] == [
        ('=HYPERLINK("http://x.example","clic")', "-2 points de confiance"),
        ("+ efficace", "@import"),
        ("'déjà cité'", "texte ordinaire"),
    ]
