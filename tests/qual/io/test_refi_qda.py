"""REFI-QDA interchange: samples, XSD validation, round trips and hostile archives.

The schemas and the ATLAS.ti sample exports are copied from
``shared/conformance/refi-qda`` into ``tests/reference/refi-qda`` (see its README).
Expected counts below were read off the sample XML by hand (``grep -c``).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from sociaparis.core.errors import CoreError, SociaparisError
from sociaparis.qual.errors import QualError
from sociaparis.qual.io.refi_qda import (
    ImportResult,
    Limits,
    format_description,
    parse_description,
    read_qde,
    read_qdpx,
    with_authorship,
    write_qde,
    write_qdpx,
)
from sociaparis.qual.project import (
    Case,
    Code,
    CodeSet,
    Coding,
    Memo,
    MemoTarget,
    Project,
    Source,
    Turn,
    User,
    Variable,
    nest_code_names,
)

REFI = Path(__file__).resolve().parents[2] / "reference" / "refi-qda"
SAMPLES = REFI / "samples"
SCHEMA = etree.XMLSchema(etree.parse(str(REFI / "Project-mrt2019.xsd")))


def assert_valid(xml: bytes) -> None:
    """Validate one ``project.qde`` against the REFI-QDA Project XSD."""
    document = etree.fromstring(xml)
    assert SCHEMA.validate(document), SCHEMA.error_log


def export(project: Project) -> bytes:
    buffer = io.BytesIO()
    write_qdpx(project, buffer)
    data = buffer.getvalue()
    assert_valid(zipfile.ZipFile(io.BytesIO(data)).read("project.qde"))
    return data


# ----------------------------------------------------------------------------- samples

SAMPLE_TABLE = [
    # file, users, codes, top-level codes, sources, codings, memos, sets, warnings by code
    ("blank-atlas-project.qdpx", 2, 0, 0, 0, 0, 0, 0, {}),
    ("target-atlas-project.qdpx", 2, 3, 1, 0, 0, 0, 0, {}),
    (
        "refi-standard-project-atlasti-TestProject.qdpx",
        3,
        14,
        14,
        6,
        7,
        4,
        16,
        {"QUAL_130": 14, "QUAL_131": 6, "QUAL_132": 8},
    ),
    (
        "refi-standard-project-atlasti.qde",
        3,
        14,
        14,
        6,
        7,
        4,
        16,
        {"QUAL_130": 14, "QUAL_131": 6, "QUAL_132": 8},
    ),
]


def _read_sample(name: str) -> ImportResult:
    reader = read_qde if name.endswith(".qde") else read_qdpx
    return reader(SAMPLES / name)


@pytest.mark.parametrize(
    ("name", "users", "codes", "top", "sources", "codings", "memos", "sets", "warnings"),
    SAMPLE_TABLE,
)
def test_sample_import_and_round_trip(
    name: str,
    users: int,
    codes: int,
    top: int,
    sources: int,
    codings: int,
    memos: int,
    sets: int,
    warnings: dict[str, int],
) -> None:
    result = _read_sample(name)
    p = result.project
    counts = (len(p.users), len(p.codes), len(p.children(None)), len(p.sources))
    assert counts == (users, codes, top, sources)
    assert (len(p.codings), len(p.memos), len(p.sets)) == (codings, memos, sets)
    assert Counter(w.code for w in result.warnings) == Counter(warnings)
    again = read_qdpx(export(p))
    assert again.project == p
    # a second pass neither loses nor adds anything
    assert read_qdpx(export(again.project)).project == p


def test_standard_sample_details() -> None:
    p = _read_sample("refi-standard-project-atlasti-TestProject.qdpx").project
    assert p.name == "ATLAS.ti standard project"
    assert p.created_at == datetime(2018, 3, 27, 17, 46, 39, tzinfo=UTC)
    diet = p.code("D299EFAE-5779-46DC-9827-A3D1A5D544BC")
    assert (diet.name, diet.description, diet.color) == (
        "Coke::diet Coke",
        "non sucré",
        "#966450",
    )
    (soggy,) = [c for c in p.codings if c.id == "61C727FB-E8CD-442D-B34E-D20F6B843407"]
    assert (soggy.start, soggy.end, soggy.code_id) == (
        215,
        275,
        "0F8A1907-7E42-4739-8610-A676B4D1B69F",
    )
    assert soggy.created_by == "AD68FBE7-E1EE-4A82-A279-23CC698C89EB"
    assert soggy.selection_id == "789A62D6-A2AD-4B59-AB90-EF1D4AB1868F"
    mabel = [
        c for c in p.codings if c.selection_id == "2F24EA88-C6A7-482B-8F89-893EF66D7A21"
    ]
    assert len(mabel) == 3
    memos = {m.text: m for m in p.memos}
    plan = memos["This is a great project by a dynamic team of researcher-developers. "]
    assert (plan.name, plan.description, plan.targets) == (
        "Research Plan",
        "day to day log about this amazing project",
        (),
    )
    quote = memos["Mabel is not the only person I know who has Coke for breakfast!"]
    assert quote.targets == (
        MemoTarget("span", "17FB9CB8-7858-4291-A162-65424B9942EC", 250, 412),
    )
    feelings = [s for s in p.sets if s.name == "Feelings"][0]
    assert len(feelings.code_ids) == 6
    assert [s.text for s in p.sources] == [None] * 6
    assert p.sources[0].text_path == "internal://01106019-2518-43DD-BBD1-8F0252BACB30.txt"


def test_sample_hierarchy() -> None:
    p = _read_sample("target-atlas-project.qdpx").project
    parent = "A182CD3A-D83C-4D8C-BC80-26D9103EC6D6"
    assert [c.name for c in p.children(parent)] == [
        "2022-05-10T02:05:59Z 19e4dce",
        "2022-02-11T10:39:25Z cdbfd92",
    ]
    assert p.path("086AC733-7B1C-4749-A138-D7182F63A5C9") == (
        "Commits",
        "2022-02-11T10:39:25Z cdbfd92",
    )


@pytest.mark.parametrize("name", [row[0] for row in SAMPLE_TABLE])
def test_samples_are_valid_against_the_schema(name: str) -> None:
    """The reference files themselves validate, so the schema test is meaningful."""
    path = SAMPLES / name
    if name.endswith(".qde"):
        assert_valid(path.read_bytes())
    else:
        archive = zipfile.ZipFile(path)
        (qde,) = [n for n in archive.namelist() if n.lower().endswith(".qde")]
        assert_valid(archive.read(qde))


# ------------------------------------------------------------------------ rich project

ALICE, BOB = (
    "0A1B2C3D-0000-4000-8000-000000000001",
    "0A1B2C3D-0000-4000-8000-000000000002",
)
TEXT = (
    "Enquêtrice : Quels outils utilisez-vous ?\n"
    "Agent : ChatGPT 🤖 et l'outil de la Ville, « Albert ».\n"
    "Enquêtrice : Et la confiance ?\n"
    "Agent : Je vérifie tout, à cause des hallucinations."
)
# hand-derived code-point offsets of the coded spans
SPANS = {
    "ChatGPT": (50, 57),
    "🤖": (58, 59),
    "Albert": (86, 92),
    "hallucinations": (164, 178),
}
T0 = datetime(2025, 3, 4, 9, 30, 0, tzinfo=UTC)


def rich_project() -> Project:
    g = "11111111-2222-4333-8444-{:012d}".format
    codes = (
        Code(g(1), "Outils", "Les outils d'IA cités.", color="#1F77B4"),
        Code(
            g(2),
            "Généralistes",
            "Outils grand public.",
            "Tout assistant conversationnel généraliste.",
            "Les outils internes de la Ville.",
            "« J'utilise ChatGPT »",
            "#AEC7E8",
            g(1),
        ),
        Code(g(3), "Outils de la Ville", example="Albert", parent=g(1)),
        Code(
            g(4),
            "Confiance",
            inclusion="Vérification\n\nsur deux paragraphes",
            codable=False,
        ),
        Code(g(5), "Hallucinations", parent=g(4), color="#D62728"),
    )
    variables = (
        Variable(g(10), "direction", "Text", "Direction d'affectation"),
        Variable(g(11), "encadrant", "Boolean"),
        Variable(g(12), "anciennete", "Integer"),
        Variable(g(13), "part_temps_ia", "Float"),
        Variable(g(14), "date_entretien", "Date"),
        Variable(g(15), "debut", "DateTime"),
    )
    source = Source(
        g(20),
        "Entretien 01",
        TEXT,
        turns=(Turn("Enquêtrice", 0.0, 2.5, 0, 41), Turn("Agent", 2.5, 9.04, 42, 95)),
        description="Entretien pseudonymisé",
        values={g(10): "DSIN"},
        created_by=ALICE,
        created_at=T0,
        modified_by=BOB,
        modified_at=T0 + timedelta(days=1),
    )
    other = Source(g(21), "Note de terrain", "Réunion du 3 mars.", created_by=BOB)
    codings = (
        Coding(g(30), g(20), g(2), *SPANS["ChatGPT"], ALICE, T0, memo="cité en premier"),
        Coding(g(31), g(20), g(1), *SPANS["ChatGPT"], BOB, T0, selection_id=g(39)),
        Coding(g(32), g(20), g(1), *SPANS["🤖"], BOB, T0),
        Coding(g(33), g(20), g(3), *SPANS["Albert"], ALICE, T0),
        Coding(g(34), g(20), g(5), *SPANS["hallucinations"], ALICE, None),
        Coding(
            g(35), g(21), g(4), 0, 7, BOB, T0.astimezone(timezone(timedelta(hours=1)))
        ),
    )
    cases = (
        Case(
            g(40),
            "Agent 01",
            "Chef de projet",
            {
                g(10): "DSIN",
                g(11): True,
                g(12): 12,
                g(13): 0.25,
                g(14): date(2025, 3, 4),
                g(15): T0,
            },
            (g(20), g(21)),
        ),
        Case(g(41), "Agent 02", values={g(11): False, g(13): -1e-07}),
    )
    memos = (
        Memo(g(50), "Mémo de projet", "Journal", targets=(MemoTarget("project"),)),
        Memo(
            g(51),
            "Sur la source",
            targets=(MemoTarget("source", g(20)),),
            created_by=ALICE,
        ),
        Memo(
            g(52),
            "Sur le code",
            targets=(MemoTarget("code", g(5)), MemoTarget("code", g(1))),
        ),
        Memo(g(53), "Sur le cas", "Profil", targets=(MemoTarget("case", g(40)),)),
        Memo(g(54), "Sur le codage", "Doute", targets=(MemoTarget("coding", g(33)),)),
        Memo(g(55), "Annotation", targets=(MemoTarget("span", g(20), 0, 11),)),
        Memo(
            g(56),
            "Annotation partagée",
            targets=(MemoTarget("span", g(20), *SPANS["🤖"]),),
        ),
        Memo(g(57), "Mémo libre", "Idées", "à trier", created_at=T0, modified_at=T0),
    )
    sets = (
        CodeSet(g(60), "Technique", "codes techniques", (g(1), g(5)), (g(21),), (g(57),)),
    )
    return Project(
        name="SOCIAPARIS — entretiens",
        origin="sociaparis",
        description="Projet de test",
        created_by=ALICE,
        created_at=T0,
        users=(User(ALICE, "Alice", "alice"), User(BOB, "Bob")),
        codes=codes,
        variables=variables,
        cases=cases,
        sources=(source, other),
        codings=codings,
        memos=memos,
        sets=sets,
    )


def test_spans_are_code_points() -> None:
    for fragment, (start, end) in SPANS.items():
        assert TEXT[start:end] == fragment


def test_rich_project_round_trip() -> None:
    project = rich_project()
    data = export(project)
    result = read_qdpx(data)
    assert result.warnings == ()
    assert result.project == project


def test_rich_project_archive_layout() -> None:
    data = export(rich_project())
    archive = zipfile.ZipFile(io.BytesIO(data))
    source_id = rich_project().sources[0].id
    assert sorted(archive.namelist()) == sorted(
        [
            "project.qde",
            f"sources/{source_id}.txt",
            f"sources/{rich_project().sources[1].id}.txt",
            # the free memo: QualCoder takes a note as a journal from a file only
            f"sources/{rich_project().memos[-1].id}.txt",
            "sociaparis.json",
        ]
    )
    text = archive.read(f"sources/{source_id}.txt").decode("utf-8")
    assert text == TEXT
    root = etree.fromstring(archive.read("project.qde"))
    ns = {"q": "urn:QDA-XML:project:1.0"}
    (source,) = root.xpath("//q:TextSource[@name='Entretien 01']", namespaces=ns)
    assert source.get("plainTextPath") == f"internal://{source_id}.txt"
    positions = {
        (int(s.get("startPosition")), int(s.get("endPosition")))
        for s in source.xpath("q:PlainTextSelection", namespaces=ns)
    }
    # ChatGPT appears twice (two selections: one explicit id, one derived)
    assert positions == {SPANS["ChatGPT"], SPANS["🤖"], SPANS["Albert"]} | {
        SPANS["hallucinations"],
        (0, 11),
    }
    (code,) = root.xpath("//q:Code[@name='Généralistes']", namespaces=ns)
    assert code.findtext("q:Description", namespaces=ns) == (
        "Outils grand public.\n\n[Inclusion]\nTout assistant conversationnel généraliste."
        "\n\n[Exclusion]\nLes outils internes de la Ville."
        "\n\n[Exemple]\n« J'utilise ChatGPT »"
    )
    (value,) = root.xpath("//q:Case[@name='Agent 02']//q:FloatValue", namespaces=ns)
    assert value.text == "-0.0000001"
    turns = json.loads(archive.read("sociaparis.json"))["turns"][source_id]
    assert turns == [["Enquêtrice", 0, 41, 0.0, 2.5], ["Agent", 42, 95, 2.5, 9.04]]


def test_bare_qde_round_trip_keeps_all_but_turns() -> None:
    """A bare .qde has no sociaparis.json: the authors and dates the export
    filled in come back as values."""
    project = rich_project()
    xml = write_qde(project)
    assert_valid(xml)
    result = read_qde(xml)
    assert result.warnings == ()
    filled, _ = with_authorship(project)
    expected = replace(
        filled, sources=tuple(replace(s, turns=()) for s in filled.sources)
    )
    assert result.project == expected


def test_export_refuses_an_inconsistent_project() -> None:
    project = rich_project()
    bad = replace(
        project,
        codings=(
            *project.codings,
            Coding("X", project.sources[0].id, project.codes[0].id, 5, 500),
        ),
    )
    with pytest.raises(SociaparisError) as caught:
        write_qdpx(bad, io.BytesIO())
    assert caught.value.error is QualError.INVALID_PROJECT


# ------------------------------------------------------------------ description layout


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        (("Libre.", "", "", ""), "Libre."),
        (("", "Inc.", "", ""), "[Inclusion]\nInc."),
        (("D", "I", "E", "X"), "D\n\n[Inclusion]\nI\n\n[Exclusion]\nE\n\n[Exemple]\nX"),
        (
            ("D\n\nsuite", "", "", "« ex »\n\nfin"),
            "D\n\nsuite\n\n[Exemple]\n« ex »\n\nfin",
        ),
        (("", "", "", ""), ""),
    ],
)
def test_description_layout(fields: tuple[str, str, str, str], text: str) -> None:
    assert format_description(*fields) == text
    assert parse_description(text) == fields


def test_description_accepts_english_example_marker() -> None:
    assert parse_description("D\n\n[Example]\nX") == ("D", "", "", "X")


# ------------------------------------------------------------------- hostile archives


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


MINIMAL = b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>'
PAD = MINIMAL + b" " * 5000
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol3;"/>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="p">
<Description>&xxe;</Description></Project>"""
G1 = b"11111111-2222-4333-8444-000000000001"
BAD_TEXT = (
    b"""<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources>
<TextSource guid="%s" name="s" plainTextPath="internal://a.txt"/></Sources></Project>"""
    % G1
)
QDE = "project.qde"
UNSAFE = CoreError.ARCHIVE_UNSAFE_NAME
TOO_LARGE = CoreError.ARCHIVE_TOO_LARGE


@pytest.mark.parametrize(
    ("archive", "limits", "error"),
    [
        (b"not a zip", Limits(), CoreError.ARCHIVE_UNREADABLE),
        (_zip({"other.xml": MINIMAL}), Limits(), QualError.ARCHIVE_NO_PROJECT),
        (_zip({QDE: MINIMAL, "../evil.txt": b"x"}), Limits(), UNSAFE),
        (_zip({QDE: MINIMAL, "/etc/evil": b"x"}), Limits(), UNSAFE),
        (_zip({QDE: MINIMAL, "C:/evil": b"x"}), Limits(), UNSAFE),
        (_zip({QDE: MINIMAL, "sources\\..\\..\\x": b"x"}), Limits(), UNSAFE),
        (_zip({QDE: MINIMAL + b" " * 20_000_000}), Limits(), CoreError.ARCHIVE_RATIO),
        (_zip({QDE: PAD}), Limits(max_entry_bytes=4096), TOO_LARGE),
        (_zip({QDE: PAD}), Limits(max_total_bytes=4096), TOO_LARGE),
        (_zip({QDE: PAD}), Limits(max_xml_bytes=4096), QualError.XML_TOO_LARGE),
        (
            _zip({f"s/{i}": b"" for i in range(11)} | {QDE: MINIMAL}),
            Limits(max_entries=10),
            CoreError.ARCHIVE_TOO_MANY,
        ),
        (_zip({QDE: LAUGHS}), Limits(), QualError.XML_DTD),
        (_zip({QDE: XXE}), Limits(), QualError.XML_DTD),
        (_zip({QDE: b"<Project"}), Limits(), QualError.XML_UNREADABLE),
        (_zip({QDE: b"<CodeBook/>"}), Limits(), QualError.XML_WRONG_ROOT),
        (
            _zip({QDE: BAD_TEXT, "sources/a.txt": "é".encode("latin-1")}),
            Limits(),
            QualError.ARCHIVE_UNREADABLE,
        ),
        (
            _zip({QDE: BAD_TEXT.replace(G1, b"1111-2222")}),
            Limits(),
            QualError.XML_BAD_VALUE,
        ),
        (
            _zip({QDE: BAD_TEXT.replace(b' guid="%s"' % G1, b"")}),
            Limits(),
            QualError.XML_MISSING,
        ),
    ],
)
def test_hostile_archives_are_refused(
    archive: bytes, limits: Limits, error: QualError | CoreError
) -> None:
    with pytest.raises(SociaparisError) as caught:
        read_qdpx(archive, limits=limits)
    assert caught.value.error is error


def test_zip_bomb_ratio_is_measured_not_trusted() -> None:
    """A 20 MB run of spaces deflates to about 20 kB: refused before it is inflated."""
    bomb = _zip({"project.qde": MINIMAL + b" " * 20_000_000})
    assert len(bomb) < 100_000
    with pytest.raises(SociaparisError, match="CORE_014"):
        read_qdpx(bomb)


def test_bare_qde_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.qde"
    path.write_bytes(MINIMAL + b" " * 5000)
    with pytest.raises(SociaparisError) as caught:
        read_qde(path, limits=Limits(max_xml_bytes=4096))
    assert caught.value.error is QualError.XML_TOO_LARGE
    with pytest.raises(SociaparisError) as caught:
        read_qde(io.BytesIO(MINIMAL + b" " * 5000), limits=Limits(max_xml_bytes=4096))
    assert caught.value.error is QualError.XML_TOO_LARGE


_NO_REF = """<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources>
<TextSource guid="{g}" name="s"><PlainTextContent>abc</PlainTextContent>{inner}
</TextSource></Sources></Project>"""


@pytest.mark.parametrize(
    ("inner", "element", "attribute"),
    [
        (
            '<PlainTextSelection guid="{g}" startPosition="0" endPosition="1">'
            '<Coding guid="{g}"/></PlainTextSelection>',
            "Coding",
            "CodeRef",
        ),
        (
            "<VariableValue><TextValue>x</TextValue></VariableValue>",
            "VariableValue",
            "VariableRef",
        ),
    ],
)
def test_a_missing_reference_element_is_named(
    inner: str, element: str, attribute: str
) -> None:
    g = "11111111-2222-4333-8444-000000000001"
    xml = _NO_REF.format(g=g, inner=inner.format(g=g)).encode()
    with pytest.raises(SociaparisError) as caught:
        read_qde(xml)
    assert caught.value.message == QualError.XML_MISSING.format(
        path="<stream>", element=element, attribute=attribute
    )


# ------------------------------------------------------------------- warnings, lenience


def _g(n: int) -> str:
    return f"11111111-2222-4333-8444-{n:012X}"


UNKNOWN = f"""<Project xmlns="urn:QDA-XML:project:1.0" xmlns:x="urn:other" name="p">
<x:Extra name="mine"/>
<CodeBook><Codes><Code guid="{_g(1)}" name="c" isCodable="true">
<x:Tag/></Code></Codes></CodeBook>
<Variables><Variable guid="{_g(20)}" name="age" typeOfVariable="Integer"/>
<Variable guid="{_g(21)}" name="part" typeOfVariable="Float"/></Variables>
<Cases><Case guid="{_g(22)}" name="k">
<VariableValue><VariableRef targetGUID="{_g(20)}"/>
<TextValue>douze</TextValue></VariableValue>
<VariableValue><VariableRef targetGUID="{_g(21)}"/>
<IntegerValue>2</IntegerValue></VariableValue>
<SourceRef targetGUID="{_g(99)}"/></Case></Cases>
<Sources><TextSource guid="{_g(2)}" name="s">
<PlainTextContent>abc</PlainTextContent>
<PlainTextSelection guid="{_g(3)}" startPosition="0" endPosition="2">
<Coding guid="{_g(4)}" creatingUser="{_g(9)}">
<CodeRef targetGUID="{_g(1)}"/></Coding></PlainTextSelection>
<PlainTextSelection guid="{_g(16)}" startPosition="0" endPosition="9">
<Coding guid="{_g(17)}"><CodeRef targetGUID="{_g(1)}"/></Coding></PlainTextSelection>
<PlainTextSelection guid="{_g(5)}" startPosition="0" endPosition="1"/>
<PlainTextSelection guid="{_g(6)}" startPosition="1" endPosition="2">
<Coding guid="{_g(7)}"><CodeRef targetGUID="{_g(15)}"/>
<NoteRef targetGUID="{_g(30)}"/></Coding></PlainTextSelection>
<VariableValue><VariableRef targetGUID="{_g(23)}"/>
<TextValue>x</TextValue></VariableValue>
</TextSource></Sources>
<Notes><Note guid="{_g(30)}" name="on a dropped coding"/></Notes>
<NoteRef targetGUID="{_g(14)}"/>
</Project>""".encode()


def test_unknown_content_is_reported() -> None:
    result = read_qde(UNKNOWN)
    codes = [w.code for w in result.warnings]
    assert Counter(codes) == Counter(
        {"QUAL_130": 2, "QUAL_133": 1, "QUAL_135": 1, "QUAL_132": 4, "QUAL_136": 1}
        | {"QUAL_137": 1}
    )
    assert any("<Extra> 'mine'" in w.message for w in result.warnings)
    p = result.project
    assert [(c.id, c.start, c.end) for c in p.codings] == [(_g(4), 0, 2)]
    assert [u.id for u in p.users] == [_g(9)]
    (case,) = p.cases
    assert case.values == {_g(21): 2.0} and case.source_ids == ()
    assert p.sources[0].values == {}
    assert p.memos[0].targets == ()
    assert read_qdpx(export(p)).project == p


def test_a_dropped_set_member_is_named_by_its_element() -> None:
    xml = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sets>'
        f'<Set guid="{_g(40)}" name="s"><MemberCode targetGUID="{_g(41)}"/>'
        f'<MemberSource targetGUID="{_g(42)}"/><MemberNote targetGUID="{_g(43)}"/>'
        "</Set></Sets></Project>"
    ).encode()
    warnings = read_qde(xml).warnings
    assert [(w.code, w.context["element"]) for w in warnings] == [
        ("QUAL_132", "MemberCode"),
        ("QUAL_132", "MemberSource"),
        ("QUAL_132", "MemberNote"),
    ]
    assert warnings[0].message.startswith(f"<stream>: <MemberCode> refers to {_g(41)},")


@pytest.mark.parametrize(
    ("guid", "expected"),
    [
        (
            "{0a1b2c3d-0000-4000-8000-000000000001}",
            "0A1B2C3D-0000-4000-8000-000000000001",
        ),
        ("0a1b2c3d-0000-4000-8000-000000000001", "0A1B2C3D-0000-4000-8000-000000000001"),
    ],
)
def test_guid_forms_are_normalised(guid: str, expected: str) -> None:
    xml = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="p">'
        f'<Users><User guid="{guid}"/></Users></Project>'
    )
    assert read_qde(xml.encode()).project.users == (User(expected),)


def test_member_names_are_case_insensitive_and_bom_is_dropped() -> None:
    xml = BAD_TEXT
    data = _zip({"Project.qde": xml, "Sources/A.TXT": "\ufeffété".encode()})
    (source,) = read_qdpx(data).project.sources
    assert source.text == "été"
    assert source.text_path is None


def test_atlas_flat_hierarchy_can_be_nested() -> None:
    p = nest_code_names(_read_sample("refi-standard-project-atlasti.qde").project)
    assert p.code("D299EFAE-5779-46DC-9827-A3D1A5D544BC").parent == (
        "7496BA52-9C8D-4396-8FAB-CC438614E453"
    )
    assert p.path("0983E32E-6866-431A-BD94-DAC9BB963825") == ("Coke", "full-fat Coke")
    assert len(p.codes) == 14
    assert (
        read_qdpx(export(p)).project.code("D299EFAE-5779-46DC-9827-A3D1A5D544BC").parent
    )


LINKS = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="p">
<CodeBook><Codes><Code guid="{_g(1)}" name="c" isCodable="true"/></Codes></CodeBook>
<Cases><Case guid="{_g(8)}" name="k"/></Cases>
<Sources><TextSource guid="{_g(2)}" name="s"><PlainTextContent>abcdef</PlainTextContent>
<PlainTextSelection guid="{_g(3)}" startPosition="1" endPosition="4">
<Coding guid="{_g(4)}"><CodeRef targetGUID="{_g(1)}"/></Coding></PlainTextSelection>
</TextSource></Sources>
<Notes><Note guid="{_g(5)}" name="n"><PlainTextContent>memo</PlainTextContent>
</Note></Notes>
<Links>
<Link guid="{_g(10)}" originGUID="{_g(5)}" targetGUID="{_g(1)}"/>
<Link guid="{_g(11)}" originGUID="{_g(5)}" targetGUID="{_g(2)}"/>
<Link guid="{_g(12)}" originGUID="{_g(5)}" targetGUID="{_g(3)}"/>
<Link guid="{_g(13)}" originGUID="{_g(5)}" targetGUID="{_g(8)}"/>
<Link guid="{_g(14)}" originGUID="{_g(1)}" targetGUID="{_g(2)}" name="code-source"/>
</Links></Project>""".encode()


def test_links_from_notes_become_memo_targets() -> None:
    result = read_qde(LINKS)
    assert [w.code for w in result.warnings] == ["QUAL_130"]  # the code-source link
    (memo,) = result.project.memos
    assert set(memo.targets) == {
        MemoTarget("code", _g(1)),
        MemoTarget("source", _g(2)),
        MemoTarget("span", _g(2), 1, 4),
        MemoTarget("case", _g(8)),
    }
    assert read_qdpx(export(result.project)).project == result.project


@settings(max_examples=200, deadline=None)
@given(
    fields=st.tuples(*[st.text(alphabet=st.characters(codec="utf-8"), max_size=30)] * 4)
)
def test_description_layout_property(fields: tuple[str, str, str, str]) -> None:
    """Any field values round-trip unless a value itself holds a marker line."""
    text = format_description(*fields)
    if any(f"[{m}]\n" in text for m in ("Inclusion", "Exclusion", "Exemple", "Example")):
        markers = sum(bool(f) for f in fields[1:])
        if text.count("]\n") != markers:
            return
    assert parse_description(text) == fields


def test_coding_order_is_the_only_thing_an_export_may_change() -> None:
    project = rich_project()
    shuffled = replace(project, codings=tuple(reversed(project.codings)))
    again = read_qdpx(export(shuffled)).project
    assert again != shuffled  # grouped by source and selection on export...
    assert again.normalized() == shuffled.normalized() == project.normalized()
    assert read_qdpx(export(again)).project == again  # ...and stable from then on


def test_export_is_reproducible() -> None:
    data = export(rich_project())
    assert data == export(rich_project())
    dates = {i.date_time for i in zipfile.ZipFile(io.BytesIO(data)).infolist()}
    assert dates == {(1980, 1, 1, 0, 0, 0)}  # not the clock: same project, same bytes


@pytest.mark.parametrize("late", ["9" * 400, "1e300"])
def test_giant_turn_times_in_the_extension_are_refused(late: str) -> None:
    data = export(rich_project())
    source_id = rich_project().sources[0].id
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    turns = f'{{"turns": {{"{source_id}": [["Agent", 0, 41, {late}, 2.5]]}}}}'
    parts["sociaparis.json"] = turns.encode()
    with pytest.raises(SociaparisError) as caught:
        read_qdpx(_zip(parts))
    assert caught.value.error is QualError.ARCHIVE_UNREADABLE
    assert "past the limit of 3600000 seconds" in caught.value.message


# ------------------------------------------------ what other tools' importers need

Q = {"q": "urn:QDA-XML:project:1.0"}
DATED = ("Project", "TextSource", "PlainTextSelection", "Coding", "Note")


def _qde(data: bytes) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("project.qde"))


def test_every_dated_element_has_an_author_and_a_date() -> None:
    """QualCoder's importer stops on a Note without creationDateTime; every
    element the schema dates gets one, and an author that is a declared user."""
    root = _qde(export(rich_project()))
    users = {u.get("guid") for u in root.xpath("//q:User", namespaces=Q)}
    for tag in DATED:
        elements = root.xpath(f"//q:{tag}", namespaces=Q)
        assert elements, tag
        for element in elements:
            by = "creatingUserGUID" if tag == "Project" else "creatingUser"
            assert element.get(by) in users, (tag, element.get("guid"))
            datetime.fromisoformat(element.get("creationDateTime"))
    # an unknown author is the project's creator, an unknown date its creation
    (memo,) = root.xpath("//q:Note[@guid=$g]", g=rich_project().memos[0].id, namespaces=Q)
    assert (memo.get("creatingUser"), memo.get("creationDateTime")) == (
        ALICE,
        "2025-03-04T09:30:00Z",
    )


S1, S2 = "33333333-0000-4000-8000-000000000001", "33333333-0000-4000-8000-000000000002"


@pytest.mark.parametrize(
    ("project", "author", "when"),
    [
        # the creator is the author of what has none; no project date: the earliest
        (
            Project(
                "p",
                created_by=ALICE,
                users=(User(ALICE, "Alice"), User(BOB, "Bob")),
                sources=(
                    Source(S1, "s", "texte", created_at=T0 + timedelta(days=2)),
                    Source(S2, "t", "texte", created_at=T0 + timedelta(days=1)),
                ),
            ),
            ALICE,
            T0 + timedelta(days=1),
        ),
        # no creator: a user "sociaparis" of its own, never Bob
        (
            Project(
                "p",
                users=(User(BOB, "Bob"),),
                sources=(Source(S1, "s", "texte", created_at=T0),),
            ),
            None,
            T0,
        ),
        # no user at all: a user "sociaparis" of its own; no date at all: 1970
        (Project("p", sources=(Source(S1, "s", "texte"),)), None, None),
    ],
)
def test_authorship_fallbacks(
    project: Project, author: str | None, when: datetime | None
) -> None:
    filled, record = with_authorship(project)
    if author is None:
        assert filled.users[-1].name == "sociaparis"
        author = filled.users[-1].id
    assert {s.created_by for s in filled.sources} == {author}
    assert filled.created_by == author
    assert filled.users[: len(project.users)] == project.users
    assert len(filled.users) == len(project.users) + (project.created_by is None)
    expected = when or datetime(1970, 1, 1, tzinfo=UTC)
    assert filled.sources[-1].created_at == (project.sources[-1].created_at or expected)
    assert filled.created_at == expected
    # the record lets a sociaparis import clear exactly what was filled in
    assert read_qdpx(export(project)).project == project
    assert (["project", "", "by"] in record) == (project.created_by is None)


def _memo_project(codings: tuple[tuple[str, str | None], ...]) -> Project:
    g = "22222222-3333-4444-8555-{:012d}".format
    return Project(
        "m",
        created_by=ALICE,
        created_at=T0,
        users=(User(ALICE, "Alice"), User(BOB, "Bob")),
        codes=(Code(g(1), "A"), Code(g(2), "B")),
        sources=(Source(g(10), "s", TEXT),),
        codings=tuple(
            Coding(g(20 + i), g(10), g(1 + i % 2), 50, 57, coder, T0, memo)
            for i, (coder, memo) in enumerate(codings)
        ),
    )


@pytest.mark.parametrize(
    ("codings", "selections", "descriptions"),
    [
        (((ALICE, "vu"),), 1, ["vu"]),
        (((ALICE, "vu"), (ALICE, "vu")), 1, ["vu"]),
        (((ALICE, None), (ALICE, None)), 1, []),
        # QualCoder gives every coding of a selection its Description as memo and
        # its creatingUser as coder: a span gets one selection per coder and memo
        (((ALICE, "vu"), (ALICE, None)), 2, ["vu"]),
        (((ALICE, "vu"), (ALICE, "lu")), 2, ["vu", "lu"]),
        (((ALICE, None), (BOB, None)), 2, []),
        (((ALICE, "vu"), (BOB, "vu"), (ALICE, None)), 3, ["vu", "vu"]),
    ],
)
def test_coding_memos_and_coders_are_where_other_tools_read_them(
    codings: tuple[tuple[str, str | None], ...], selections: int, descriptions: list[str]
) -> None:
    project = _memo_project(codings)
    data = export(project)
    root = _qde(data)
    found = root.xpath("//q:PlainTextSelection", namespaces=Q)
    assert len(found) == selections
    for selection in found:  # one coder per selection, and it is the selection's
        coders = {
            c.get("creatingUser") for c in selection.xpath("q:Coding", namespaces=Q)
        }
        assert coders == {selection.get("creatingUser")}
    texts = [
        d.text for d in root.xpath("//q:PlainTextSelection/q:Description", namespaces=Q)
    ]
    assert sorted(texts) == sorted(descriptions)
    assert len(root.xpath("//q:Coding/q:NoteRef", namespaces=Q)) == sum(
        m is not None for _, m in codings
    )
    again = read_qdpx(data)
    assert again.warnings == ()
    # no memo twice, no span memo added (split selections may reorder codings)
    assert again.project.normalized() == project.normalized()
    filled = with_authorship(project)[0].normalized()
    assert read_qde(write_qde(project)).project.normalized() == filled


def _qualcoder_like(selection: str, notes: str = "", source_refs: str = "") -> bytes:
    """A .qde written the way QualCoder writes one (its shapes, our words)."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="{{origin}}">
<Users><User guid="{ALICE}" name="alice"/></Users>
<CodeBook><Codes>
<Code guid="0A1B2C3D-0000-4000-8000-0000000000C1" name="A" isCodable="true"/>
</Codes></CodeBook>
<Sources><TextSource guid="0A1B2C3D-0000-4000-8000-0000000000F1" name="s">
<PlainTextContent>{TEXT}</PlainTextContent>
{selection}{source_refs}</TextSource></Sources>
{notes}</Project>""".encode()


CODED = f"""<PlainTextSelection guid="0A1B2C3D-0000-4000-8000-0000000000A1"
 startPosition="50" endPosition="57"><Description>mémo du codage</Description>
<Coding guid="0A1B2C3D-0000-4000-8000-0000000000B1" creatingUser="{ALICE}">
<CodeRef targetGUID="0A1B2C3D-0000-4000-8000-0000000000C1"/></Coding>
</PlainTextSelection>"""


@pytest.mark.parametrize(
    ("origin", "coding_memo", "span_memos"),
    [
        # QualCoder and MAXQDA keep a coding's memo in the selection's Description
        ("QualCoder 3.6", "mémo du codage", []),
        ("MAXQDA 2022", "mémo du codage", []),
        # ATLAS.ti: the comment of a quotation, a memo on the span
        ("ATLAS.ti 8.4.0", None, ["mémo du codage"]),
    ],
)
def test_selection_description_by_origin(
    origin: str, coding_memo: str | None, span_memos: list[str]
) -> None:
    xml = _qualcoder_like(CODED).replace(b"{origin}", origin.encode())
    p = read_qde(xml).project
    (coding,) = p.codings
    assert coding.memo == coding_memo
    assert [m.text for m in p.memos] == span_memos


def test_qualcoder_annotation_note_is_a_memo_on_its_span() -> None:
    note = f"""<Notes><Note guid="0A1B2C3D-0000-4000-8000-0000000000D1"
 creatingUser="{ALICE}" creationDateTime="2025-03-04T09:30:00Z">
<PlainTextContent>une annotation</PlainTextContent>
<PlainTextSelection guid="0A1B2C3D-0000-4000-8000-0000000000D2" startPosition="86"
 endPosition="92"/></Note></Notes>"""
    ref = '<NoteRef targetGUID="0A1B2C3D-0000-4000-8000-0000000000D1"/>'
    xml = _qualcoder_like(CODED, note, ref).replace(b"{origin}", b"QualCoder 3.6")
    result = read_qde(xml)
    assert result.warnings == ()
    (memo,) = result.project.memos
    assert memo.text == "une annotation"
    assert memo.targets == (
        MemoTarget("span", "0A1B2C3D-0000-4000-8000-0000000000F1", 86, 92),
    )
    assert TEXT[86:92] == "Albert"


def test_shapes_that_qualcoder_reads() -> None:
    """Measured with scripts/interop-qualcoder: an annotation only on a selection
    without codings, a journal only from a note's file, dates in UTC."""
    project = rich_project()
    data = export(project)
    root = _qde(data)
    source_id = project.sources[0].id
    # the memo on the 🤖 span, which is also coded, has a selection of its own
    emoji = root.xpath(
        "//q:PlainTextSelection[@startPosition=58][not(q:Coding)]", namespaces=Q
    )
    assert [e.findtext("q:Description", namespaces=Q) for e in emoji] == [
        "Annotation partagée"
    ]
    # the free memo's text is a file of the archive
    (note,) = root.xpath("//q:Note[@name='Idées']", namespaces=Q)
    assert note.get("plainTextPath") == f"internal://{project.memos[-1].id}.txt"
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.read(f"sources/{project.memos[-1].id}.txt").decode() == "Mémo libre"
    # a coding dated at +01:00 is written in UTC
    (coding,) = root.xpath("//q:Coding[@guid=$g]", g=project.codings[-1].id, namespaces=Q)
    assert coding.get("creationDateTime") == "2025-03-04T09:30:00Z"
    assert source_id in {
        s.get("guid") for s in root.xpath("//q:TextSource", namespaces=Q)
    }


def test_a_coding_without_date_takes_its_selections() -> None:
    """QualCoder dates the selection and names the coder there, not on the Coding."""
    xml = _qualcoder_like(CODED).replace(b"{origin}", b"QualCoder 3.6")
    xml = xml.replace(
        b'startPosition="50" endPosition="57">',
        b'startPosition="50" endPosition="57" creationDateTime="2025-03-04T09:30:00Z">',
    ).replace(f'creatingUser="{ALICE}">'.encode(), b">")
    xml = xml.replace(
        b"<PlainTextSelection guid",
        f'<PlainTextSelection creatingUser="{BOB}" guid'.encode(),
    )
    (coding,) = read_qde(xml).project.codings
    assert (coding.created_by, coding.created_at) == (BOB, T0)


def test_document_attributes_in_a_nameless_case_go_to_the_document() -> None:
    """MAXQDA and Quirkos write a document's attributes as a case without a name
    holding that one document; QualCoder reads them as document attributes."""
    source = "0A1B2C3D-0000-4000-8000-0000000000F1"
    variables = """<Variables>
<Variable guid="0A1B2C3D-0000-4000-8000-0000000000E1" name="ville" typeOfVariable="Text"/>
<Variable guid="0A1B2C3D-0000-4000-8000-0000000000E2" name="minutes"
 typeOfVariable="Integer"/></Variables>
<Cases><Case guid="0A1B2C3D-0000-4000-8000-0000000000E3">
<VariableValue><VariableRef targetGUID="0A1B2C3D-0000-4000-8000-0000000000E1"/>
<TextValue>Lyon</TextValue></VariableValue>
<VariableValue><VariableRef targetGUID="0A1B2C3D-0000-4000-8000-0000000000E2"/>
<IntegerValue>55</IntegerValue></VariableValue>
<SourceRef targetGUID="{source}"/></Case>
<Case guid="0A1B2C3D-0000-4000-8000-0000000000E4" name="Agent 01">
<VariableValue><VariableRef targetGUID="0A1B2C3D-0000-4000-8000-0000000000E1"/>
<TextValue>Paris</TextValue></VariableValue>
<SourceRef targetGUID="{source}"/></Case></Cases>
""".replace("{source}", source)
    xml = _qualcoder_like(CODED).replace(b"{origin}", b"MAXQDA 2022")
    xml = xml.replace(b"<Sources>", variables.encode() + b"<Sources>")
    result = read_qde(xml)
    assert result.warnings == ()
    p = result.project
    names = {v.id: v.name for v in p.variables}
    (document,) = p.sources
    assert {names[k]: v for k, v in document.values.items()} == {
        "ville": "Lyon",
        "minutes": 55,
    }
    (case,) = p.cases  # a named case stays a case
    assert (case.name, case.source_ids) == ("Agent 01", (source,))
    assert {names[k]: v for k, v in case.values.items()} == {"ville": "Paris"}
