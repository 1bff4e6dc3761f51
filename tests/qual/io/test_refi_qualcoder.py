"""A project exported by QualCoder's own code, read by sociaparis.

The fixtures in ``tests/qual/data/qualcoder/`` were made by
``scripts/interop-qualcoder`` (provenance in their README): sociaparis wrote
``sociaparis.qdpx``, QualCoder imported it and exported ``qualcoder-export.qdpx``.
The values below were read off the export's ``project.qde`` by hand; the offsets
are checked against the text as well.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from sociaparis.qual.io.refi_qda import read_qdpx, write_qdpx
from sociaparis.qual.project import MemoTarget, Project

DATA = Path(__file__).resolve().parents[1] / "data" / "qualcoder"
SCHEMA = etree.XMLSchema(
    etree.parse(
        str(
            Path(__file__).resolve().parents[2] / "reference/refi-qda/Project-mrt2019.xsd"
        )
    )
)
ENTRETIEN_01 = (
    "Enquêtrice : Quels outils utilisez-vous ?\n"
    "Agent : ChatGPT 🤖 au début, puis l'outil de la Ville, « Albert ».\n"
    "Enquêtrice : Et la confiance ?\n"
    "Agent : Je vérifie tout, à cause des hallucinations. Ça prend du temps.\n"
)


def t(minute: int) -> datetime:
    return datetime(2025, 3, 4, 9, minute, tzinfo=UTC)


@pytest.fixture(scope="module")
def exported() -> Project:
    result = read_qdpx(DATA / "qualcoder-export.qdpx")
    # QualCoder names a project creator it does not declare as a user
    assert [w.code for w in result.warnings] == ["QUAL_136"]
    return result.project


def test_the_export_is_valid_refi_qda() -> None:
    archive = zipfile.ZipFile(DATA / "qualcoder-export.qdpx")
    assert SCHEMA.validate(etree.fromstring(archive.read("project.qde")))
    # QualCoder writes its texts with a byte-order mark, which is not counted
    names = [n for n in archive.namelist() if n.startswith("sources/")]
    texts = [archive.read(n) for n in names if not n.endswith("/")]
    # each source twice (QualCoder's copy of the document and the plain text
    # its TextSource points to), and the journal
    assert len(texts) == 5
    assert all(text.startswith(b"\xef\xbb\xbf") for text in texts)


def test_project_users_and_sources(exported: Project) -> None:
    assert (exported.name, exported.origin) == ("interop.qda", "QualCoder 4.0 Beta")
    assert exported.description == "Projet de vérification de l'échange REFI-QDA."
    assert sorted(u.name for u in exported.users) == ["", "alice", "bob"]
    one, two = exported.sources
    assert (one.name, one.description) == ("Entretien 01", "Entretien 01, pseudonymisé")
    assert one.text == ENTRETIEN_01
    assert two.name == "Entretien 02"
    assert (one.created_at, two.created_at) == (t(30), t(30))


def test_codebook_and_hierarchy(exported: Project) -> None:
    assert len(exported.codes) == 55
    assert len(exported.children(None)) == 14
    (category,) = [c for c in exported.codes if not c.codable]
    assert category.name == "Thème non codable"
    assert [c.name for c in exported.children(category.id)] == [
        "Sous-code d'une catégorie"
    ]
    (tools,) = [c for c in exported.codes if c.name == "Outils généralistes"]
    assert exported.path(tools.id) == ("Outils utilisés", "Outils généralistes")
    # the criteria come back from the Description QualCoder kept as its memo
    (top,) = [c for c in exported.codes if c.name == "Métiers et expertise"]
    assert top.example.startswith("« Mon métier, ce n'est plus d'écrire la note")


# source, code, start, end, coder, memo, date (minute past 9:00), coded text
CODINGS = [
    ("Entretien 01", "Outils généralistes", 50, 59, "alice", "cité en premier", 30,
     "ChatGPT 🤖"),
    ("Entretien 01", "Outils généralistes", 50, 59, "bob", None, 31, "ChatGPT 🤖"),
    ("Entretien 01", "Outils de la Ville", 96, 106, "alice", None, 32, "« Albert »"),
    ("Entretien 01", "Outils de la Ville", 96, 106, "bob", None, 33, "« Albert »"),
    ("Entretien 01", "Stratégies de vérification", 164, 190, "alice",
     "le mot revient trois fois", 34, "à cause des hallucinations"),
    ("Entretien 01", "Temps et productivité", 192, 210, "bob", "durée non chiffrée", 35,
     "Ça prend du temps."),
    ("Entretien 02", "Gouvernance et pilotage", 84, 106, "alice", None, 36,
     "chacun fait à sa façon"),
    ("Entretien 02", "Usages non déclarés", 84, 106, "bob", "à confirmer", 37,
     "chacun fait à sa façon"),
    ("Entretien 02", "Sous-code d'une catégorie", 189, 223, "alice", None, 38,
     "On ne met jamais de noms d'usagers"),
]  # fmt: skip


def test_codings_offsets_coders_memos_and_dates(exported: Project) -> None:
    users = {u.id: u.name for u in exported.users}
    sources = {s.id: s for s in exported.sources}
    found = Counter(
        (
            sources[c.source_id].name,
            exported.code(c.code_id).name,
            c.start,
            c.end,
            users[c.created_by or ""],
            c.memo,
            c.created_at,
            (sources[c.source_id].text or "")[c.start : c.end],
        )
        for c in exported.codings
    )
    assert found == Counter(
        (s, code, a, b, who, memo, t(minute), text)
        for s, code, a, b, who, memo, minute, text in CODINGS
    )


def test_memos(exported: Project) -> None:
    journal, annotation = exported.memos
    # a journal: a note whose text is a file of the archive
    assert (journal.name, journal.text, journal.targets) == (
        "Journal de terrain",
        "Idées pour l'analyse.",
        (),
    )
    # an annotation: a note holding its span, referred to by its source
    source = exported.sources[0]
    assert annotation.text == "Le nom de l'outil interne."
    assert annotation.targets == (MemoTarget("span", source.id, 96, 106),)


def test_cases_and_attributes(exported: Project) -> None:
    types = {v.id: (v.name, v.type) for v in exported.variables}
    # QualCoder has two types: numbers come back as Float, the rest as Text
    assert sorted(types.values()) == [
        ("anciennete", "Float"),
        ("date_entretien", "Text"),
        ("direction", "Text"),
        ("duree_minutes", "Float"),
        ("encadrant", "Text"),
        ("part_temps_ia", "Float"),
    ]
    cases = {
        c.name: (
            c.description,
            {types[k][0]: v for k, v in c.values.items()},
            c.source_ids,
        )
        for c in exported.cases
    }
    assert cases == {
        "Agent 01": (
            "Chef de projet, DSIN",
            {"direction": "DSIN", "anciennete": 12.0, "part_temps_ia": 0.25,
             "encadrant": "true"},
            (),  # QualCoder's importer does not read a case's SourceRef
        ),
        "Cheffe 02": (
            "Cheffe de service, DASES",
            {"direction": "DASES", "anciennete": 20.0, "encadrant": "false"},
            (),
        ),
    }  # fmt: skip
    documents = {
        s.name: {types[k][0]: v for k, v in s.values.items()} for s in exported.sources
    }
    assert documents == {
        "Entretien 01": {"date_entretien": "2025-03-04", "duree_minutes": 55.0},
        "Entretien 02": {"date_entretien": "2025-03-11", "duree_minutes": 40.0},
    }


def test_what_we_sent_is_what_qualcoder_sent_back(exported: Project) -> None:
    """The other fixture is the sociaparis export QualCoder imported: every
    coding of it is in QualCoder's export, on the same words."""
    sent = read_qdpx(DATA / "sociaparis.qdpx")
    assert sent.warnings == ()

    def spans(p: Project) -> Counter[tuple[str, str, str]]:
        sources = {s.id: s for s in p.sources}
        return Counter(
            (
                sources[c.source_id].name,
                p.code(c.code_id).name,
                (sources[c.source_id].text or "")[c.start : c.end],
            )
            for c in p.codings
        )

    assert spans(sent.project) == spans(exported)


def test_a_qualcoder_project_round_trips_through_sociaparis(exported: Project) -> None:
    buffer = io.BytesIO()
    write_qdpx(exported, buffer)
    assert read_qdpx(buffer.getvalue()).project == exported
