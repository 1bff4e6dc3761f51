"""Stored pseudonymization: review, release, then coding; the admin-only table."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.models import User
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.errors import SociaparisError
from sociaparis.qual import coding_service as cs
from sociaparis.qual import corpus
from sociaparis.qual import pseudonymize_service as ps
from sociaparis.qual.codebook_service import add_code
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.errors import QualError
from sociaparis.qual.models import ReviewReplacement
from sociaparis.qual.pseudonymization import PseudonymizationConfig

CONFIG = PseudonymizationConfig(use_ner=False)
TEXT = (
    "Enquêtrice : Bonjour Mme Durand, merci.\n\n"
    "Agent : Appelez-moi au 01 42 76 40 40, je suis à la DSIN avec Copilot."
)


def actor(session: Session, role: Role) -> Account:
    user = User(username=role.value, password_hash="-", role=role.value)
    session.add(user)
    session.flush()
    return Account(user.id, user.username, role, "")


@pytest.fixture
def people(session: Session) -> dict[str, Account]:
    return {role.value: actor(session, role) for role in Role}


def _import(session: Session, who: Account, text: str, name: str) -> int:
    return corpus.import_document(
        session=session,
        actor=who,
        data=text.encode(),
        filename=name,
        detect_speakers=True,
        case=name,
    ).id


def test_pseudonymize_review_release_then_code(
    session: Session, people: dict[str, Account]
) -> None:
    researcher, coder = people["researcher"], people["coder"]
    doc = _import(session, researcher, TEXT, "e1.txt")
    add_code(session=session, actor=researcher, name="Outils")
    review = ps.start_review(
        session=session, actor=researcher, document=doc, config=CONFIG
    )
    assert [(r.original, r.label) for r in review.replacements] == [
        ("Durand", "[PERSONNE-1]"),
        ("01 42 76 40 40", "[TELEPHONE-1]"),
    ]
    # the unreleased text (with names) is hidden from coders, and cannot be coded
    with pytest.raises(SociaparisError) as caught:
        corpus.document_text(session=session, actor=coder, ref=doc)
    assert caught.value.code == CorpusError.NOT_ALLOWED.code
    with pytest.raises(SociaparisError) as caught:
        cs.apply_coding(
            session=session, actor=coder, document=doc, code="Outils", start=0, end=3
        )
    assert caught.value.code == CorpusError.NOT_RELEASED.code
    with pytest.raises(SociaparisError) as caught:
        ps.release_document(session=session, actor=researcher, document=doc)
    assert caught.value.code == QualError.PSEUDO_REVIEW_PENDING.code
    # reject the phone, add the directorate by hand, accept the rest
    ps.review(session=session, actor=researcher, document=doc, action="reject", index=1)
    start = TEXT.index("DSIN")
    ps.review(
        session=session, actor=researcher, document=doc, action="add",
        start=start, end=start + 4, kind="organisation",
    )  # fmt: skip
    ps.review(session=session, actor=researcher, document=doc, action="accept_all")
    counts = ps.release_document(session=session, actor=researcher, document=doc)
    assert counts == {"PERSONNE": 1, "ORGANISATION": 1}
    released = corpus.document_text(session=session, actor=coder, ref=doc)
    assert released == (
        "Enquêtrice : Bonjour Mme [PERSONNE-1], merci.\n\n"
        "Agent : Appelez-moi au 01 42 76 40 40, je suis à la [ORGANISATION-1] avec "
        "Copilot."
    )
    turns = corpus.turns_of(session=session, document_id=doc)
    assert [released[t.start : t.end] for t in turns] == [
        "Bonjour Mme [PERSONNE-1], merci.",
        "Appelez-moi au 01 42 76 40 40, je suis à la [ORGANISATION-1] avec Copilot.",
    ]
    info = corpus.get_document(session=session, ref=doc)
    assert info.status == "released" and info.length == len(released)
    # the review rows (original words) are gone
    rows = session.scalars(
        select(ReviewReplacement).where(ReviewReplacement.document_id == doc)
    ).all()
    assert rows == []
    label = released.index("[PERSONNE-1]")
    coding = cs.apply_coding(
        session=session, actor=coder, document=doc, code="Outils", start=label,
        end=label + 12,
    )  # fmt: skip
    assert coding.text == "[PERSONNE-1]"
    kinds = [e.kind for e in corpus.history(session=session, document_guid=info.guid)]
    assert kinds == ["import", "start_review", "review", "review", "review", "release",
                     "apply"]  # fmt: skip


def test_labels_are_study_wide_and_the_table_is_for_admins_only(
    session: Session, people: dict[str, Account]
) -> None:
    researcher, admin = people["researcher"], people["admin"]
    first = _import(session, researcher, TEXT, "e1.txt")
    ps.start_review(session=session, actor=researcher, document=first, config=CONFIG)
    ps.release_document(
        session=session, actor=researcher, document=first, accept_pending=True
    )
    second = _import(
        session, researcher, "Agent : Claire Durand utilise ChatGPT.", "e2.txt"
    )
    review = ps.start_review(
        session=session, actor=researcher, document=second, config=CONFIG
    )
    assert [r.label for r in review.replacements] == ["[PERSONNE-1]"]
    for role in ("researcher", "coder", "viewer"):
        with pytest.raises(SociaparisError) as caught:
            ps.reidentification_table(session=session, actor=people[role])
        assert caught.value.code == CorpusError.NOT_ALLOWED.code
        with pytest.raises(SociaparisError):
            ps.destroy_reidentification(session=session, actor=people[role])
    table = ps.reidentification_table(session=session, actor=admin)
    assert {e.label: e.forms for e in table.entries} == {
        "[PERSONNE-1]": ("Durand",),
        "[TELEPHONE-1]": ("01 42 76 40 40",),
    }
    assert ps.destroy_reidentification(session=session, actor=admin) == 2
    table = ps.reidentification_table(session=session, actor=admin)
    assert [(e.label, e.keys, e.forms) for e in table.entries] == [
        ("[PERSONNE-1]", (), ()),
        ("[TELEPHONE-1]", (), ()),
    ]
    # after destruction nobody can be linked: a new document gets new numbers
    third = _import(session, researcher, "Agent : Mme Durand, 01 42 76 40 40.", "e3.txt")
    review = ps.start_review(
        session=session, actor=researcher, document=third, config=CONFIG
    )
    assert [r.label for r in review.replacements] == ["[PERSONNE-2]", "[TELEPHONE-2]"]
    assert [
        e.kind for e in corpus.history(session=session, kind="destroy_reidentification")
    ]


def test_review_status_rules(session: Session, people: dict[str, Account]) -> None:
    researcher, coder = people["researcher"], people["coder"]
    doc = _import(session, researcher, TEXT, "e1.txt")
    with pytest.raises(SociaparisError) as caught:
        ps.release_document(session=session, actor=researcher, document=doc)
    assert caught.value.message == CorpusError.WRONG_STATUS.format(
        title="e1.txt", status="imported", expected="under review"
    )
    with pytest.raises(SociaparisError) as caught:
        ps.start_review(session=session, actor=coder, document=doc, config=CONFIG)
    assert caught.value.code == CorpusError.NOT_ALLOWED.code
    ps.mark_not_needed(session=session, actor=researcher, document=doc)
    assert corpus.get_document(session=session, ref=doc).status == "released"
    with pytest.raises(SociaparisError) as caught:
        ps.start_review(session=session, actor=researcher, document=doc, config=CONFIG)
    assert caught.value.code == CorpusError.WRONG_STATUS.code


def test_release_replaces_names_in_speaker_labels(
    session: Session, people: dict[str, Account]
) -> None:
    researcher = people["researcher"]
    text = "Mme Durand : Bonjour.\n\nEnquêtrice : Merci Mme Durand."
    doc = _import(session, researcher, text, "e4.txt")
    ps.start_review(session=session, actor=researcher, document=doc, config=CONFIG)
    ps.release_document(
        session=session, actor=researcher, document=doc, accept_pending=True
    )
    released = corpus.document_text(session=session, actor=researcher, ref=doc)
    turns = corpus.turns_of(session=session, document_id=doc)
    assert [(t.speaker, released[t.start : t.end]) for t in turns] == [
        ("Mme [PERSONNE-1]", "Bonjour."),
        ("Enquêtrice", "Merci Mme [PERSONNE-1]."),
    ]


@pytest.mark.parametrize(
    ("action", "options", "code"),
    [
        ("add", {"start": 0, "end": 3, "kind": "person"}, CorpusError.BAD_OPTION.code),
        ("accept", {"index": 9}, QualError.PSEUDO_NO_SUCH_REPLACEMENT.code),
        (
            "relabel",
            {"index": 0, "label": "[LIEU-1]"},
            QualError.PSEUDO_LABEL_INVALID.code,
        ),
        (
            "add",
            {"start": 25, "end": 27, "kind": "lieu"},
            QualError.PSEUDO_SPAN_OVERLAP.code,
        ),
        ("accept", {}, CorpusError.BAD_OPTION.code),
    ],
)
def test_review_errors(
    session: Session, people: dict[str, Account], action: str, options: dict, code: str
) -> None:
    researcher = people["researcher"]
    doc = _import(session, researcher, TEXT, "e1.txt")
    ps.start_review(session=session, actor=researcher, document=doc, config=CONFIG)
    with pytest.raises(SociaparisError) as caught:
        ps.review(
            session=session, actor=researcher, document=doc, action=action, **options
        )
    assert caught.value.code == code


def test_release_maps_speakers_once_per_distinct_speaker(
    session: Session, people: dict[str, Account], monkeypatch
) -> None:
    researcher = people["researcher"]
    turns = [
        f"Mme Durand : Réponse {i}.\n\nEnquêtrice : Question {i} ?" for i in range(30)
    ]
    doc = _import(session, researcher, "\n\n".join(turns), "e5.txt")
    ps.start_review(session=session, actor=researcher, document=doc, config=CONFIG)
    mapped: list[str] = []
    original = ps._pseudonymize_speaker

    def counted(speaker: str, originals: list[tuple[str, str]]) -> str:
        mapped.append(speaker)
        return original(speaker, originals)

    monkeypatch.setattr(ps, "_pseudonymize_speaker", counted)
    ps.release_document(
        session=session, actor=researcher, document=doc, accept_pending=True
    )
    assert sorted(mapped) == ["Enquêtrice", "Mme Durand"]
    speakers = [t.speaker for t in corpus.turns_of(session=session, document_id=doc)]
    assert speakers == ["Mme [PERSONNE-1]", "Enquêtrice"] * 30


def test_review_rows_are_written_in_bounded_batches(
    session: Session, people: dict[str, Account], monkeypatch
) -> None:
    researcher = people["researcher"]
    text = "\n\n".join(
        f"Agent : Mme Durand{i} appelle le 01 42 76 40 {i:02d}." for i in range(7)
    )
    doc = _import(session, researcher, text, "e6.txt")
    monkeypatch.setattr(ps, "INSERT_BATCH", 4)
    batches: list[int] = []
    execute = session.execute

    def spy(statement, params=None, *args, **kwargs):
        table = getattr(statement, "table", None)
        if getattr(table, "name", None) == ReviewReplacement.__tablename__:
            if isinstance(params, list):
                batches.append(len(params))
        return execute(statement, params, *args, **kwargs)

    monkeypatch.setattr(session, "execute", spy)
    review = ps.start_review(
        session=session, actor=researcher, document=doc, config=CONFIG
    )
    assert len(review.replacements) == 14
    assert batches == [4, 4, 4, 2]
    stored = ps.get_review(session=session, actor=researcher, document=doc)
    assert stored.replacements == review.replacements
