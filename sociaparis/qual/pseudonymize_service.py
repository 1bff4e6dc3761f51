"""Pseudonymization of stored documents: review, release, the re-identification table.

The workflow is: :func:`start_review` detects the entities of an imported
document and stores every proposed replacement; a researcher accepts, rejects,
relabels or adds replacements (:func:`review`); :func:`release_document` applies
the accepted ones, replaces the stored text by the pseudonymized text (turn and
paragraph offsets are mapped), deletes the review rows that held the original
words, and records the labels in the study-wide re-identification table.  Only
then may the document be coded.

The re-identification table is read (:func:`reidentification_table`) and
destroyed (:func:`destroy_reidentification`) by admins only.  Labelling a new
document uses it internally, so the same person keeps the same label across the
study without anyone else seeing it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import islice
from typing import Any, Literal

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.errors import SociaparisError
from sociaparis.qual import pseudonymization as pseudo
from sociaparis.qual.corpus import can_manage, document_row, record, require
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.models import (
    QualDocument,
    QualTurn,
    ReidentificationEntry,
    ReviewReplacement,
)
from sociaparis.qual.pseudonymization.chunks import Progress
from sociaparis.qual.pseudonymization.replacements import EntityKind, Replacement, Status
from sociaparis.qual.pseudonymization.table import TableEntry

Action = Literal[
    "accept", "reject", "relabel", "resize", "add", "add_everywhere", "accept_all"
]


def _table(session: Session) -> pseudo.PseudonymizationTable:
    rows = session.scalars(
        select(ReidentificationEntry).order_by(
            ReidentificationEntry.kind, ReidentificationEntry.number
        )
    )
    order = list(EntityKind)
    entries = sorted(
        (
            TableEntry(EntityKind(r.kind), r.number, tuple(r.keys), tuple(r.forms))
            for r in rows
        ),
        key=lambda e: (order.index(e.kind), e.number),
    )
    return pseudo.PseudonymizationTable(tuple(entries))


def _save_table(session: Session, table: pseudo.PseudonymizationTable) -> None:
    existing = {
        (r.kind, r.number): r for r in session.scalars(select(ReidentificationEntry))
    }
    for entry in table.entries:
        row = existing.get((entry.kind.value, entry.number))
        if row is None:
            session.add(
                ReidentificationEntry(
                    kind=entry.kind.value,
                    number=entry.number,
                    keys=list(entry.keys),
                    forms=list(entry.forms),
                )
            )
        else:
            row.keys = list(entry.keys)
            row.forms = list(entry.forms)
    session.flush()


def reidentification_table(
    *, session: Session, actor: Account
) -> pseudo.PseudonymizationTable:
    """The study's re-identification table (label -> entity forms): admins only.

    Raises
    ------
    SociaparisError
        ``QUAL_200`` for any role but admin.
    """
    require(
        actor,
        Role(actor.role).can_read_reidentification(),
        "read the re-identification table",
    )
    record(session=session, actor=actor, kind="read_reidentification")
    return _table(session)


def destroy_reidentification(*, session: Session, actor: Account) -> int:
    """Erase every entity form of the re-identification table (admins only).

    Label numbers are kept (without their entities) so that a document
    pseudonymized later never reuses an old label for another person; the same
    person in a later document gets a new label.  Returns the number of labels
    whose entities were erased.
    """
    require(
        actor,
        Role(actor.role).can_read_reidentification(),
        "destroy the re-identification table",
    )
    count = session.execute(
        update(ReidentificationEntry).values(keys=[], forms=[])
    ).rowcount
    record(session=session, actor=actor, kind="destroy_reidentification", labels=count)
    return count


# ------------------------------------------------------------------ review


@dataclass(frozen=True, slots=True)
class Review:
    """A document under review: its replacements (with the original words)."""

    document_guid: str
    title: str
    text: str
    replacements: tuple[Replacement, ...]

    @property
    def pending(self) -> tuple[int, ...]:
        """Indices of replacements still only proposed."""
        return tuple(
            i for i, r in enumerate(self.replacements) if r.status is Status.PROPOSED
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the replacements hold personal data)."""
        return {
            "document": self.document_guid,
            "title": self.title,
            "pending": len(self.pending),
            "replacements": [
                {"index": i, **r.to_dict()} for i, r in enumerate(self.replacements)
            ],
        }


#: replacement rows written per INSERT statement (a long document has many)
INSERT_BATCH = 5_000


def _state(session: Session, document: QualDocument) -> pseudo.ReviewState:
    r = ReviewReplacement
    rows = session.execute(
        select(r.start, r.end, r.original, r.kind, r.label, r.detector, r.status, r.key)
        .where(r.document_id == document.id)
        .order_by(r.position)
    )
    replacements = tuple(
        Replacement(
            start, end, original, EntityKind(kind), label, detector, Status(status), key
        )
        for start, end, original, kind, label, detector, status, key in rows
    )
    return pseudo.ReviewState(document.text, replacements, _table(session))


def _save_state(
    session: Session, document: QualDocument, state: pseudo.ReviewState
) -> None:
    session.execute(
        delete(ReviewReplacement).where(ReviewReplacement.document_id == document.id)
    )
    rows = (
        {
            "document_id": document.id,
            "position": i,
            "start": r.start,
            "end": r.end,
            "original": r.original,
            "kind": r.kind.value,
            "label": r.label,
            "detector": r.detector,
            "status": r.status.value,
            "key": r.key,
        }
        for i, r in enumerate(state.replacements)
    )
    while batch := list(islice(rows, INSERT_BATCH)):
        session.execute(insert(ReviewReplacement), batch)
    session.flush()


def _review(document: QualDocument, state: pseudo.ReviewState) -> Review:
    return Review(document.guid, document.title, document.text, state.replacements)


def _expect(document: QualDocument, status: str) -> None:
    if document.status != status:
        raise SociaparisError(
            CorpusError.WRONG_STATUS,
            title=document.title,
            status=document.status,
            expected=status.replace("_", " "),
        )


def start_review(
    *,
    session: Session,
    actor: Account,
    document: str | int,
    config: pseudo.PseudonymizationConfig | None = None,
    progress: Progress | None = None,
) -> Review:
    """Detect the entities of an imported document and open its review.

    Labels continue the study's table (the same person keeps the same label).
    The document becomes ``under_review``.  ``progress(done, total, what)`` is
    called after each piece of the text (see :func:`~.pseudonymization.detect.detect`).
    :func:`detect_review` then :func:`open_review`, in one transaction.
    """
    state = detect_review(
        session=session, actor=actor, document=document, config=config, progress=progress
    )
    return open_review(session=session, actor=actor, document=document, state=state)


def check_review_start(
    *, session: Session, actor: Account, document: str | int
) -> QualDocument:
    """The document whose review may start: ``actor`` manages the corpus and the
    document is ``imported``; ``QUAL_200`` or the wrong status's error if not."""
    require(actor, can_manage(actor), "review pseudonymization")
    doc = document_row(session, document)
    _expect(doc, "imported")
    return doc


def detect_review(
    *,
    session: Session,
    actor: Account,
    document: str | int,
    config: pseudo.PseudonymizationConfig | None = None,
    progress: Progress | None = None,
) -> pseudo.ReviewState:
    """The proposed replacements of an imported document, written nowhere (the
    slow part of :func:`start_review`: a background job runs it outside any
    write transaction)."""
    doc = check_review_start(session=session, actor=actor, document=document)
    return pseudo.start_review(
        doc.text, config=config, table=_table(session), progress=progress
    )


def open_review(
    *,
    session: Session,
    actor: Account,
    document: str | int,
    state: pseudo.ReviewState,
) -> Review:
    """Store the replacements ``state`` proposes (from :func:`detect_review`) and
    put the document under review; it must still be ``imported`` (an imported
    document's text never changes, so ``state`` still fits it)."""
    doc = check_review_start(session=session, actor=actor, document=document)
    _save_state(session, doc, state)
    doc.status = "under_review"
    counts = Counter(r.kind.value for r in state.replacements)
    record(
        session=session,
        actor=actor,
        kind="start_review",
        document_guid=doc.guid,
        proposed=dict(counts),
    )
    session.flush()
    return _review(doc, state)


def get_review(*, session: Session, actor: Account, document: str | int) -> Review:
    """The review of a document under review."""
    require(actor, can_manage(actor), "review pseudonymization")
    doc = document_row(session, document)
    _expect(doc, "under_review")
    return _review(doc, _state(session, doc))


def review(
    *,
    session: Session,
    actor: Account,
    document: str | int,
    action: Action,
    index: int | None = None,
    start: int | None = None,
    end: int | None = None,
    kind: str | None = None,
    label: str | None = None,
    phrase: str | None = None,
) -> Review:
    """Record one review decision.

    Parameters
    ----------
    action
        ``accept``, ``reject`` or ``relabel`` (replacement ``index``, with
        ``label``), ``resize`` (replacement ``index`` widened or narrowed to
        ``start..end``, label kept), ``add`` (span ``start..end`` of ``kind``,
        optional ``label``),
        ``add_everywhere`` (every occurrence of ``phrase`` as ``kind``) or
        ``accept_all``.
    """
    require(actor, can_manage(actor), "review pseudonymization")
    doc = document_row(session, document)
    _expect(doc, "under_review")
    state = _state(session, doc)
    entity = _kind(kind)
    if action == "accept":
        state = pseudo.accept(state, _index(index))
    elif action == "reject":
        state = pseudo.reject(state, _index(index))
    elif action == "relabel":
        state = pseudo.relabel(state, _index(index), label or "")
    elif action == "resize":
        state = pseudo.resize(state, _index(index), start=_index(start), end=_index(end))
    elif action == "accept_all":
        state = pseudo.accept_all(state)
    elif action == "add":
        state = pseudo.add(
            state, start=_index(start), end=_index(end), kind=entity, label=label
        )
    elif action == "add_everywhere":
        state = pseudo.add_everywhere(state, phrase or "", kind=entity)
    else:
        raise SociaparisError(
            CorpusError.BAD_OPTION,
            name="action",
            choices="accept, reject, relabel, resize, add, add_everywhere, accept_all",
            value=action,
        )
    _save_state(session, doc, state)
    record(
        session=session,
        actor=actor,
        kind="review",
        document_guid=doc.guid,
        action=action,
        index=index,
    )
    return _review(doc, state)


def _kind(value: str | None) -> EntityKind:
    if value is None:
        return EntityKind.PERSONNE
    try:
        return EntityKind(value.upper())
    except ValueError:
        raise SociaparisError(
            CorpusError.BAD_OPTION,
            name="kind",
            choices=", ".join(k.value.lower() for k in EntityKind),
            value=value,
        ) from None


def _index(value: int | None) -> int:
    if value is None:
        raise SociaparisError(
            CorpusError.BAD_OPTION, name="index", choices="a number", value=value
        )
    return value


def release_document(
    *,
    session: Session,
    actor: Account,
    document: str | int,
    accept_pending: bool = False,
) -> dict[str, int]:
    """Apply the accepted replacements and release the document for coding.

    The stored text becomes the pseudonymized text; turn and paragraph offsets
    (and speaker labels that were replaced) follow; the review rows, which hold
    the original words, are deleted; the labels go into the re-identification
    table.  Returns the number of replacements applied per kind.

    Raises
    ------
    SociaparisError
        ``QUAL_058`` while replacements are still only proposed (unless
        ``accept_pending``), ``QUAL_210`` for a document not under review.
    """
    require(actor, can_manage(actor), "release documents")
    doc = document_row(session, document)
    _expect(doc, "under_review")
    result = pseudo.finish(_state(session, doc), accept_pending=accept_pending)
    offsets = result.text.offsets
    applied = [r for r in result.replacements if r.status is not Status.REJECTED]
    originals = sorted(
        {r.original: r.label for r in applied}.items(), key=lambda kv: -len(kv[0])
    )
    speakers: dict[str, str] = {}  # a transcript has few speakers and many turns
    for turn in session.scalars(select(QualTurn).where(QualTurn.document_id == doc.id)):
        turn.start = offsets.to_new(turn.start, side="start")
        turn.end = offsets.to_new(turn.end, side="end")
        if turn.speaker:
            if turn.speaker not in speakers:
                speakers[turn.speaker] = _pseudonymize_speaker(turn.speaker, originals)
            turn.speaker = speakers[turn.speaker]
    from sociaparis.qual.participant_service import rename_after_release

    rename_after_release(session, doc.id, speakers)
    doc.paragraphs = [
        [offsets.to_new(s, side="start"), offsets.to_new(e, side="end")]
        for s, e in doc.paragraphs
    ]
    doc.text = result.text.text
    doc.length = len(result.text.text)
    doc.status = "released"
    session.execute(
        delete(ReviewReplacement).where(ReviewReplacement.document_id == doc.id)
    )
    _save_table(session, result.table)
    counts = dict(Counter(r.kind.value for r in applied))
    record(
        session=session,
        actor=actor,
        kind="release",
        document_guid=doc.guid,
        replaced=counts,
    )
    session.flush()
    return counts


def _pseudonymize_speaker(speaker: str, originals: list[tuple[str, str]]) -> str:
    """A speaker label with every replaced word (longest first) by its label."""
    for original, label in originals:
        speaker = speaker.replace(original, label)
    return speaker


def mark_not_needed(*, session: Session, actor: Account, document: str | int) -> None:
    """Release an imported document without pseudonymization (e.g. already
    pseudonymized elsewhere); recorded in the history."""
    require(actor, can_manage(actor), "release documents")
    doc = document_row(session, document)
    _expect(doc, "imported")
    doc.status = "released"
    doc.needs_pseudonymization = False
    record(session=session, actor=actor, kind="release_unchanged", document_guid=doc.guid)
    session.flush()


def release_as_proposed(
    *,
    session: Session,
    actor: Account,
    document: str | int,
    config: pseudo.PseudonymizationConfig | None = None,
) -> dict[str, int]:
    """Release a document with every proposed replacement accepted (scripts, API).

    A document still ``imported`` is first reviewed by :func:`start_review`
    (with ``config``); one ``under_review`` keeps the decisions already taken
    (a rejected replacement stays rejected) and its pending proposals are
    accepted. Returns the number of replacements applied per kind.

    Raises
    ------
    SociaparisError
        ``QUAL_210`` for a document already released, ``QUAL_200`` for a role
        that may not release documents.
    """
    require(actor, can_manage(actor), "release documents")
    doc = document_row(session, document)
    if doc.status == "imported":
        start_review(session=session, actor=actor, document=doc.id, config=config)
    return release_document(
        session=session, actor=actor, document=doc.id, accept_pending=True
    )
