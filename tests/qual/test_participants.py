"""Focus groups: speakers as participants, codings by participant, interaction.

A synthetic focus group: a moderator (Animatrice), six participants, and one
voice the diarization split in two (SPEAKER_06 and SPEAKER_07).  Every expected
number below is derived by hand from the transcript and the codings table.

Turns (position, speaker, utterance, words):

| t  | speaker    | utterance                              | words | participant |
| 0  | Animatrice | Bonjour à tous, parlons de vos usages. | 7     | moderator   |
| 1  | SPEAKER_01 | J'utilise Copilot tous les jours.      | 5     | P1 DSIN     |
| 2  | SPEAKER_02 | Moi Albert pour les courriers.         | 5     | P2 DRH      |
| 3  | SPEAKER_01 | Copilot gagne du temps.                | 4     | P1 DSIN     |
| 4  | SPEAKER_03 | Je crains les erreurs.                 | 4     | P3 DSIN     |
| 5  | SPEAKER_04 | Les erreurs sont rares.                | 4     | P4 DRH      |
| 6  | Animatrice | Et les risques ?                       | 4     | moderator   |
| 7  | SPEAKER_05 | Les données personnelles.              | 3     | P5 DASES    |
| 8  | SPEAKER_06 | Oui les données.                       | 3     | P6 DRH      |
| 9  | SPEAKER_07 | Je suis d'accord avec les données.     | 6     | P6 (split)  |
| 10 | SPEAKER_03 | Albert aide aussi.                     | 3     | P3 DSIN     |
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
from sociaparis.qual import codebook_service as cb
from sociaparis.qual import coding_service as cs
from sociaparis.qual import corpus
from sociaparis.qual import participant_service as ps
from sociaparis.qual import participants as fg
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.participant_errors import ParticipantError
from tests.qual.focus_group_data import CASES, CODINGS, TEXT, rows, span


def _actor(session: Session, name: str, role: Role) -> Account:
    user = User(username=name, password_hash="-", role=role.value)
    session.add(user)
    session.flush()
    return Account(user.id, name, role, "")


@pytest.fixture
def group(session: Session) -> dict:
    boss = _actor(session, "boss", Role.RESEARCHER)
    coder = _actor(session, "ana", Role.CODER)
    doc = corpus.import_document(
        session=session, actor=boss, data=TEXT.encode(), filename="focus.txt",
        detect_speakers=True, case="Focus group 1", needs_pseudonymization=False,
    )  # fmt: skip
    for name in ("Usage", "Risque", "Accord"):
        cb.add_code(session=session, actor=boss, name=name)
    guids = {}
    for row in rows(CODINGS):
        start, end = span(row["first"], row["last"])
        guids[row["id"]] = cs.apply_coding(
            session=session, actor=coder, document=doc.id, code=row["code"],
            start=start, end=end,
        ).guid  # fmt: skip
    return {"boss": boss, "coder": coder, "doc": doc.id, "guids": guids}


def _prepare(session: Session, group: dict) -> None:
    """The researcher's work on the speakers: merge, rename, moderator, cases."""
    boss, doc = group["boss"], group["doc"]
    moved = ps.merge_speakers(session=session, actor=boss, document=doc,
                              speakers=["SPEAKER_07"], into="SPEAKER_06")  # fmt: skip
    assert moved == 1
    ps.rename_speaker(session=session, actor=boss, document=doc,
                      speaker="SPEAKER_05", name="Participant E")  # fmt: skip
    ps.set_moderator(session=session, actor=boss, document=doc, speaker="Animatrice")
    for speaker, (case, attributes) in CASES.items():
        ps.link_speaker(session=session, actor=boss, document=doc, speaker=speaker,
                        case=case, attributes=attributes)  # fmt: skip


def test_speakers_listed_with_turns_and_words(session: Session, group: dict) -> None:
    speakers = ps.list_speakers(
        session=session, actor=group["coder"], document=group["doc"]
    )
    assert [(s.speaker, s.turns, s.words) for s in speakers] == [
        ("Animatrice", 2, 11),
        ("SPEAKER_01", 2, 9),
        ("SPEAKER_02", 1, 5),
        ("SPEAKER_03", 2, 7),
        ("SPEAKER_04", 1, 4),
        ("SPEAKER_05", 1, 3),
        ("SPEAKER_06", 1, 3),
        ("SPEAKER_07", 1, 6),
    ]
    assert not any(s.moderator or s.case for s in speakers)


def test_rename_merge_moderator_link(session: Session, group: dict) -> None:
    _prepare(session, group)
    speakers = ps.list_speakers(
        session=session, actor=group["boss"], document=group["doc"]
    )
    assert [(s.speaker, s.turns, s.words, s.moderator, s.case) for s in speakers] == [
        ("Animatrice", 2, 11, True, None),
        ("SPEAKER_01", 2, 9, False, "P1"),
        ("SPEAKER_02", 1, 5, False, "P2"),
        ("SPEAKER_03", 2, 7, False, "P3"),
        ("SPEAKER_04", 1, 4, False, "P4"),
        ("Participant E", 1, 3, False, "P5"),
        ("SPEAKER_06", 2, 9, False, "P6"),
    ]
    p6 = corpus.get_case(session=session, ref="P6")
    assert (p6.kind, dict(p6.attributes)) == ("participant", {"direction": "DRH",
                                                              "usage": 4})  # fmt: skip
    # the text is untouched: the transcript's label stays before the utterance
    assert "SPEAKER_07: Je suis" in corpus.document_text(
        session=session, actor=group["boss"], ref=group["doc"]
    )


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda s, a, d: ps.rename_speaker(session=s, actor=a, document=d,
         speaker="Nobody", name="X"), ParticipantError.UNKNOWN_SPEAKER),
        (lambda s, a, d: ps.rename_speaker(session=s, actor=a, document=d,
         speaker="SPEAKER_01", name="SPEAKER_02"), ParticipantError.SPEAKER_EXISTS),
        (lambda s, a, d: ps.rename_speaker(session=s, actor=a, document=d,
         speaker="SPEAKER_01", name="   "), ParticipantError.BAD_SPEAKER_NAME),
        (lambda s, a, d: ps.merge_speakers(session=s, actor=a, document=d,
         speakers=["SPEAKER_01"], into="SPEAKER_01"),
         ParticipantError.MERGE_INTO_ITSELF),
    ],
)  # fmt: skip
def test_speaker_errors(session: Session, group: dict, call, error) -> None:
    with pytest.raises(SociaparisError) as caught:
        call(session, group["boss"], group["doc"])
    assert caught.value.code == error.code


@pytest.mark.parametrize(
    "call",
    [
        lambda s, a, d: ps.rename_speaker(session=s, actor=a, document=d,
                                          speaker="SPEAKER_01", name="X"),
        lambda s, a, d: ps.merge_speakers(session=s, actor=a, document=d,
                                          speakers=["SPEAKER_07"], into="SPEAKER_06"),
        lambda s, a, d: ps.set_moderator(session=s, actor=a, document=d,
                                         speaker="Animatrice"),
        lambda s, a, d: ps.link_speaker(session=s, actor=a, document=d,
                                        speaker="SPEAKER_01", case="P1"),
    ],
)  # fmt: skip
def test_coder_may_not_change_speakers(session: Session, group: dict, call) -> None:
    with pytest.raises(SociaparisError) as caught:
        call(session, group["coder"], group["doc"])
    assert caught.value.code == CorpusError.NOT_ALLOWED.code


def test_code_by_participant_matrix(session: Session, group: dict) -> None:
    _prepare(session, group)
    result = ps.participant_matrix(session=session)
    assert result.columns == ("P1", "P2", "P3", "P4", "P5", "P6")
    assert result.codings.values.tolist() == [
        [2, 1, 1, 0, 0, 0],  # Usage: c1, c2 | c2 | c9
        [1, 0, 2, 1, 1, 0],  # Risque: c10 | - | c3, c10 | c4 | c6  (c5 moderator)
        [0, 0, 0, 0, 0, 2],  # Accord: c7, c8 (P6 after the merge)
    ]
    g = group["guids"]
    assert result.segments[("Usage", "P1")] == (g["c1"], g["c2"])
    assert result.segments[("Risque", "P3")] == (g["c3"], g["c10"])
    with_moderator = ps.participant_matrix(session=session, include_moderator=True)
    assert with_moderator.columns[0] == "Animatrice"
    assert with_moderator.codings["Animatrice"].tolist() == [0, 1, 0]


def test_code_by_participant_attribute(session: Session, group: dict, tmp_path: Path):
    _prepare(session, group)
    result = ps.participant_attribute_matrix(session=session, attribute="direction")
    assert result.columns == ("DASES", "DRH", "DSIN")
    assert result.codings.values.tolist() == [
        [0, 1, 3],  # Usage: c2 (P2) | c1, c2 (P1), c9
        [1, 1, 2],  # Risque: c6 | c4 | c3, c10 (P1 and P3 both DSIN: once)
        [0, 2, 0],  # Accord: c7, c8
    ]
    usage = ps.participant_attribute_matrix(session=session, attribute="usage")
    assert usage.columns == ("1", "2", "3", "4", "5")  # numbers in their order
    assert usage.codings.loc["Usage"].tolist() == [1, 1, 0, 0, 2]
    result.to_csv(tmp_path / "m.csv")
    with open(tmp_path / "m.csv", encoding="utf-8-sig") as handle:
        assert list(csv.reader(handle))[1] == ["Usage", "0", "1", "3"]
    result.to_xlsx(tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(tmp_path / "m.xlsx")
    assert [c.value for c in book["codings"][3]] == ["Risque", 1, 1, 2]


def test_participation_who_dominated(session: Session, group: dict) -> None:
    _prepare(session, group)
    table = ps.participation_table(session=session)
    assert table.index.tolist() == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert table["turns"].tolist() == [2, 1, 2, 1, 1, 2]
    assert table["words"].tolist() == [9, 5, 7, 4, 3, 9]
    assert table["word_share"].tolist() == pytest.approx(
        [9 / 37, 5 / 37, 7 / 37, 4 / 37, 3 / 37, 9 / 37], rel=1e-12
    )
    assert table["turn_share"].tolist() == pytest.approx(
        [2 / 9, 1 / 9, 2 / 9, 1 / 9, 1 / 9, 2 / 9], rel=1e-12
    )
    full = ps.participation_table(session=session, include_moderator=True)
    assert full.loc["Animatrice", ["turns", "words"]].tolist() == [2, 11]
    assert full["words"].sum() == 48


def test_interaction_tables(session: Session, group: dict, tmp_path: Path) -> None:
    _prepare(session, group)
    result = ps.interaction(session=session)
    # A P1 P2 P1 P3 P4 A P5 P6 P6 P3: the moderator's row and column dropped,
    # P6 -> P6 (the merged split voice) is no transition
    assert result.transitions.values.tolist() == [
        [0, 1, 1, 0, 0, 0],  # P1 -> P2, P1 -> P3
        [1, 0, 0, 0, 0, 0],  # P2 -> P1
        [0, 0, 0, 1, 0, 0],  # P3 -> P4
        [0, 0, 0, 0, 0, 0],  # P4 -> moderator only
        [0, 0, 0, 0, 0, 1],  # P5 -> P6
        [0, 0, 1, 0, 0, 0],  # P6 -> P3
    ]
    # codes of turns: t1 U, t2 U, t3 U R, t4 R, t5 R, (t6 A), t7 R, t8 Ac, t9 Ac, t10 U
    # adjacent pairs of different non-moderator speakers: (1,2) (2,3) (3,4) (4,5)
    # (7,8) (9,10)
    assert result.codes == ("Usage", "Risque", "Accord")
    assert result.cooccurrence.values.tolist() == [
        [2, 2, 0],
        [0, 2, 1],
        [1, 0, 0],
    ]
    full = ps.interaction(session=session, include_moderator=True)
    assert full.participants[0] == "Animatrice"
    assert full.transitions.loc["Animatrice"].tolist() == [0, 1, 0, 0, 0, 1, 0]
    assert full.transitions["Animatrice"].sum() == 1  # P4 -> moderator
    # with the moderator: (5,6) R->R and (6,7) R->R add two
    assert full.cooccurrence.loc["Risque", "Risque"] == 4
    svg = tmp_path / "t.svg"
    result.plot(svg)
    assert svg.read_text().startswith("<?xml") and ">P6<" in svg.read_text()
    result.to_xlsx(tmp_path / "i.xlsx")
    book = openpyxl.load_workbook(tmp_path / "i.xlsx")
    assert [c.value for c in book["transitions"][2]] == ["P1", 0, 1, 1, 0, 0, 0]


def test_split_voice_before_merge_counts_twice(session: Session, group: dict) -> None:
    result = ps.interaction(session=session, include_moderator=True)
    assert "SPEAKER_07" in result.participants
    assert result.transitions.loc["SPEAKER_06", "SPEAKER_07"] == 1


def test_segments_show_who_said_what(session: Session, group: dict) -> None:
    from sociaparis.qual.retrieval import segments

    _prepare(session, group)
    usage = segments(session=session, code="Usage")
    assert [s.speaker for s in usage.segments] == [
        "SPEAKER_01", "SPEAKER_02", "SPEAKER_03"
    ]  # fmt: skip
    # c2 runs from P2's turn into P1's: both said it
    assert [s.speakers for s in usage.segments] == [
        ("SPEAKER_01",), ("SPEAKER_02", "SPEAKER_01"), ("SPEAKER_03",)
    ]  # fmt: skip
    assert usage.to_frame()["speakers"].tolist() == [
        "SPEAKER_01", "SPEAKER_02; SPEAKER_01", "SPEAKER_03"
    ]  # fmt: skip
    assert usage.to_dict()["segments"][1]["speakers"] == ["SPEAKER_02", "SPEAKER_01"]


def test_pure_attribution_over_turns() -> None:
    turns = [fg.SpokenTurn(0, "A", 0, 10, 2), fg.SpokenTurn(1, "B", 12, 20, 2)]
    cases = [
        (fg.CodedSpan("x", "k", 0, 10), ("A",)),
        (fg.CodedSpan("x", "k", 9, 13), ("A", "B")),
        (fg.CodedSpan("x", "k", 10, 12), ()),  # the label between turns only
        (fg.CodedSpan("x", "k", 19, 30), ("B",)),
    ]
    for coded, expected in cases:
        assert fg.speakers_of(coded, turns) == expected
    # overlapping turns (selections from another tool): a long one, then two
    # inside it; a span after the short ones still finds the long one
    overlapping = [
        fg.SpokenTurn(0, "A", 0, 100, 1),
        fg.SpokenTurn(1, "B", 10, 20, 1),
        fg.SpokenTurn(2, "C", 30, 40, 1),
    ]
    index = fg.TurnIndex(overlapping)
    for (start, end), expected in [
        ((50, 60), ("A",)),
        ((15, 35), ("A", "B", "C")),
        ((20, 30), ("A",)),
        ((100, 110), ()),
    ]:
        assert fg.speakers_of(fg.CodedSpan("x", "k", start, end), index) == expected


def test_no_speakers(session: Session) -> None:
    with pytest.raises(SociaparisError) as caught:
        ps.participation_table(session=session)
    assert caught.value.code == ParticipantError.NO_SPEAKERS.code


def test_pseudonymization_follows_speakers(session: Session) -> None:
    from sociaparis.qual import pseudonymize_service as pseudo
    from sociaparis.qual.pseudonymization import PseudonymizationConfig

    boss = _actor(session, "boss", Role.RESEARCHER)
    text = "Mme Durand : Bonjour.\n\nEnquêtrice : Merci Mme Durand."
    doc = corpus.import_document(
        session=session, actor=boss, data=text.encode(), filename="p.txt",
        detect_speakers=True,
    ).id  # fmt: skip
    # marked before release: the participant row follows the pseudonymized label
    ps.link_speaker(session=session, actor=boss, document=doc, speaker="Mme Durand",
                    case="P9")  # fmt: skip
    ps.set_moderator(session=session, actor=boss, document=doc, speaker="Enquêtrice")
    config = PseudonymizationConfig(use_ner=False)
    pseudo.start_review(session=session, actor=boss, document=doc, config=config)
    pseudo.release_document(session=session, actor=boss, document=doc,
                            accept_pending=True)  # fmt: skip
    speakers = ps.list_speakers(session=session, actor=boss, document=doc)
    assert [(s.speaker, s.moderator, s.case) for s in speakers] == [
        ("Mme [PERSONNE-1]", False, "P9"),
        ("Enquêtrice", True, None),
    ]
    # a name the study already pseudonymized is stored as its label
    stored = ps.rename_speaker(
        session=session, actor=boss, document=doc, speaker="Enquêtrice",
        name="Durand (animatrice)",
    )  # fmt: skip
    assert stored == "[PERSONNE-1] (animatrice)"


def test_refi_qda_round_trip_keeps_participants(session: Session, group: dict) -> None:
    import io
    import zipfile

    from lxml import etree
    from sqlalchemy import delete

    from sociaparis.qual import models as m
    from sociaparis.qual.interchange import export_qdpx, import_qdpx

    _prepare(session, group)
    before = ps.participant_matrix(session=session)
    buffer = io.BytesIO()
    export_qdpx(session=session, actor=group["boss"], target=buffer)
    xml = etree.fromstring(zipfile.ZipFile(buffer).read("project.qde"))
    schema = Path(__file__).resolve().parents[1] / "reference" / "refi-qda"
    xsd = etree.XMLSchema(etree.parse(str(schema / "Project-mrt2019.xsd")))
    assert xsd.validate(xml), xsd.error_log
    ns = {"q": "urn:QDA-XML:project:1.0"}
    p6 = xml.find(".//q:Case[@name='P6']", ns)
    assert len(p6.findall("q:SelectionRef", ns)) == 2  # t8 and the merged t9
    for model in (m.QualCoding, m.QualParticipant, m.QualTurn, m.QualCaseDocument,
                  m.QualCaseValue, m.QualCase, m.QualDocument, m.QualCode,
                  m.QualVariable):  # fmt: skip
        session.execute(delete(model))
    counts, warnings = import_qdpx(
        session=session, actor=group["boss"], source=io.BytesIO(buffer.getvalue())
    )
    assert counts["cases"] == 7 and warnings == []
    # the turns travel in sociaparis.json; each case's selections name its speaker
    speakers = ps.list_speakers(
        session=session, actor=group["boss"], document="focus.txt"
    )
    assert [(s.speaker, s.turns, s.words, s.moderator, s.case) for s in speakers] == [
        ("Animatrice", 2, 11, True, None),
        ("SPEAKER_01", 2, 9, False, "P1"),
        ("SPEAKER_02", 1, 5, False, "P2"),
        ("SPEAKER_03", 2, 7, False, "P3"),
        ("SPEAKER_04", 1, 4, False, "P4"),
        ("Participant E", 1, 3, False, "P5"),
        ("SPEAKER_06", 2, 9, False, "P6"),
    ]
    after = ps.participant_matrix(session=session)
    assert after.columns == before.columns
    assert after.codings.values.tolist() == before.codings.values.tolist()
    by_direction = ps.participant_attribute_matrix(session=session, attribute="direction")
    assert by_direction.codings.values.tolist() == [[0, 1, 3], [1, 1, 2], [0, 2, 0]]
    again = ps.interaction(session=session)
    assert again.transitions.values.tolist() == ps_transitions_by_hand()
    assert again.cooccurrence.values.tolist() == [[2, 2, 0], [0, 2, 1], [1, 0, 0]]


def ps_transitions_by_hand() -> list[list[int]]:
    """The transitions of test_interaction_tables (P1..P6, moderator left out)."""
    return [
        [0, 1, 1, 0, 0, 0],
        [1, 0, 0, 0, 0, 0],
        [0, 0, 0, 1, 0, 0],
        [0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 1],
        [0, 0, 1, 0, 0, 0],
    ]


def test_refi_qda_cases_by_speaker_without_turns(session: Session) -> None:
    """A project from another tool (NVivo's cases coded by speaker): no turns, the
    cases' selections become turns spoken by each case."""
    from sociaparis.qual.interchange import store_project
    from sociaparis.qual.project import Case, Project, Source, derived_guid

    boss = _actor(session, "boss", Role.RESEARCHER)
    text = "Ana: oui.\n\nBen: non merci.\n\nAna: bon."
    src = derived_guid("t", "src")
    project = Project(
        name="p",
        sources=(Source(src, "fg", text),),
        cases=(
            Case(derived_guid("t", "a"), "Ana", selections=((src, 5, 9), (src, 33, 37))),
            Case(derived_guid("t", "b"), "Ben", selections=((src, 16, 26),)),
        ),
    )
    store_project(session=session, actor=boss, project=project)
    speakers = ps.list_speakers(session=session, actor=boss, document="fg")
    assert [(s.speaker, s.turns, s.words, s.case) for s in speakers] == [
        ("Ana", 2, 2, "Ana"),
        ("Ben", 1, 2, "Ben"),
    ]
    assert ps.interaction(session=session).transitions.values.tolist() == [
        [0, 1],
        [1, 0],
    ]


def test_blind_mode_hides_other_coders_codings(session: Session, group: dict) -> None:
    from sociaparis.qual.blind import set_blind

    _prepare(session, group)
    other = _actor(session, "ben", Role.CODER)
    start, end = span("Oui les", "données.")
    cs.apply_coding(session=session, actor=other, document=group["doc"],
                    code="Usage", start=start, end=end)  # fmt: skip
    set_blind(session=session, actor=group["boss"], blind=True)
    # ana sees her own ten codings; ben sees only his one (Usage, P6)
    ana = ps.participant_matrix(session=session, viewer=group["coder"])
    assert ana.codings.values.tolist()[0] == [2, 1, 1, 0, 0, 0]
    ben = ps.participant_matrix(session=session, viewer=other)
    assert ben.codings.values.tolist() == [[0] * 5 + [1], [0] * 6, [0] * 6]
    assert ps.participant_matrix(session=session).codings.loc["Usage", "P6"] == 1
