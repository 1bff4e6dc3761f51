"""Focus groups, stored: speakers as participants, and the tables by participant.

A document's speakers are the labels of its turns (:class:`QualTurn.speaker`).
A researcher renames them, merges the labels a diarization split, marks the
moderator and links each to a case (a participant, with attributes); those
choices live in :class:`~sociaparis.qual.models.QualParticipant`.  The text
itself is never changed: the transcript's label stays written before each
utterance, and offsets (hence codings) stay valid.

A participant is named by its case when linked, otherwise by its speaker label
(followed by the document title when several documents are counted together).
The analyses read released documents only.  The computation is in
:mod:`sociaparis.qual.participants`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sociaparis.accounts.service import Account
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.core.spreadsheets import neutralize_formula
from sociaparis.qual import participants as fg
from sociaparis.qual.codebook_service import _all_codes, _path
from sociaparis.qual.corpus import (
    CaseInfo,
    can_manage,
    decode_value,
    document_row,
    ensure_case,
    record,
    require,
    variable_id,
)
from sociaparis.qual.io.codebook import PATH_SEPARATOR
from sociaparis.qual.matrices import MatrixResult, _build
from sociaparis.qual.models import (
    QualCase,
    QualCaseValue,
    QualCoding,
    QualDocument,
    QualParticipant,
    QualTurn,
    QualVariable,
    ReidentificationEntry,
)
from sociaparis.qual.participant_errors import ParticipantError
from sociaparis.qual.pseudonymization.replacements import EntityKind
from sociaparis.qual.pseudonymization.table import TableEntry
from sociaparis.qual.retrieval import coder_filter

# ------------------------------------------------------------------ speakers


@dataclass(frozen=True, slots=True)
class SpeakerInfo:
    """A speaker of one document, as a participant.

    Attributes
    ----------
    speaker
        The label of its turns.
    turns, words
        Number of turns and of words it speaks.
    moderator
        Whether it leads the discussion (left out of the tables by default).
    case
        The name of the case it is linked to, if any.
    """

    speaker: str
    turns: int
    words: int
    moderator: bool
    case: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "speaker": self.speaker,
            "turns": self.turns,
            "words": self.words,
            "moderator": self.moderator,
            "case": self.case,
        }


def _readable(actor: Account, document: QualDocument) -> None:
    # before release, speaker labels may still be real names
    if document.status != "released":
        require(actor, can_manage(actor), "read a document before its release")


def _turns(session: Session, document_id: int) -> list[QualTurn]:
    return list(
        session.scalars(
            select(QualTurn)
            .where(QualTurn.document_id == document_id)
            .order_by(QualTurn.position)
        )
    )


def _rows(session: Session, document_id: int) -> dict[str, QualParticipant]:
    return {
        p.speaker: p
        for p in session.scalars(
            select(QualParticipant).where(QualParticipant.document_id == document_id)
        )
    }


def _speaker_stats(document: QualDocument, turns: Sequence[QualTurn]) -> Counter[str]:
    words: Counter[str] = Counter()
    for turn in turns:
        if turn.speaker:
            words[turn.speaker] += fg.count_words(document.text[turn.start : turn.end])
    return words


def list_speakers(
    *, session: Session, actor: Account, document: str | int
) -> list[SpeakerInfo]:
    """The speakers of a document in order of first turn, with turns and words."""
    doc = document_row(session, document)
    _readable(actor, doc)
    turns = _turns(session, doc.id)
    counts = Counter(t.speaker for t in turns if t.speaker)
    words = _speaker_stats(doc, turns)
    rows = _rows(session, doc.id)
    cases = dict(session.execute(select(QualCase.id, QualCase.name)).all())
    out = []
    for speaker in counts:
        row = rows.get(speaker)
        out.append(
            SpeakerInfo(
                speaker,
                counts[speaker],
                words[speaker],
                bool(row and row.moderator),
                cases.get(row.case_id) if row and row.case_id else None,
            )
        )
    return out


def _known(session: Session, doc: QualDocument, speaker: str) -> None:
    speakers = list(
        dict.fromkeys(t.speaker for t in _turns(session, doc.id) if t.speaker)
    )
    if speaker not in speakers:
        raise SociaparisError(
            ParticipantError.UNKNOWN_SPEAKER,
            title=doc.title,
            speaker=speaker,
            known=", ".join(speakers) or Reason(en="(none)", fr="aucun"),
        )


def pseudonymize_name(*, session: Session, name: str) -> str:
    """``name`` with every form of the study's re-identification table (longest
    first) replaced by its label, as release does for speaker labels."""
    pairs: list[tuple[str, str]] = []
    for row in session.scalars(select(ReidentificationEntry)):
        entry = TableEntry(EntityKind(row.kind), row.number, (), tuple(row.forms))
        pairs.extend((form, entry.label) for form in entry.forms if form)
    for form, label in sorted(pairs, key=lambda p: -len(p[0])):
        name = name.replace(form, label)
    return name


def _clean(session: Session, name: str) -> str:
    stripped = " ".join(name.split())
    if not stripped or len(stripped) > 200:
        raise SociaparisError(ParticipantError.BAD_SPEAKER_NAME, name=name)
    return pseudonymize_name(session=session, name=stripped)


def rename_speaker(
    *, session: Session, actor: Account, document: str | int, speaker: str, name: str
) -> str:
    """Give speaker ``speaker`` of a document the name ``name``.

    The name is pseudonymized with the study's re-identification table (a name
    already replaced in some text becomes its label).  Returns the name stored.

    Raises
    ------
    SociaparisError
        ``QUAL_400`` for an unknown speaker, ``QUAL_401`` when the document has
        a speaker of that name already (merge them instead), ``QUAL_402`` for an
        empty name, ``QUAL_200`` for a role that may not manage the corpus.
    """
    require(actor, can_manage(actor), "rename speakers")
    doc = document_row(session, document)
    _known(session, doc, speaker)
    new = _clean(session, name)
    if new == speaker:
        return new
    if any(t.speaker == new for t in _turns(session, doc.id)):
        raise SociaparisError(ParticipantError.SPEAKER_EXISTS, title=doc.title, name=new)
    session.execute(
        update(QualTurn)
        .where(QualTurn.document_id == doc.id, QualTurn.speaker == speaker)
        .values(speaker=new)
    )
    row = _rows(session, doc.id).get(speaker)
    if row is not None:
        row.speaker = new
    record(session=session, actor=actor, kind="speaker_rename",
           document_guid=doc.guid, old=speaker, new=new)  # fmt: skip
    session.flush()
    return new


def merge_speakers(
    *,
    session: Session,
    actor: Account,
    document: str | int,
    speakers: Sequence[str],
    into: str,
) -> int:
    """Give the turns of ``speakers`` to ``into`` (one voice a diarization split).

    ``into`` may be one of the document's speakers or a new name.  The merged
    speakers' moderator mark and case go to ``into`` when it has none.  Returns
    the number of turns that changed speaker.
    """
    require(actor, can_manage(actor), "merge speakers")
    doc = document_row(session, document)
    for speaker in speakers:
        _known(session, doc, speaker)
    target = _clean(session, into)
    if target in speakers:
        raise SociaparisError(ParticipantError.MERGE_INTO_ITSELF, speaker=target)
    moved = 0
    for turn in _turns(session, doc.id):
        if turn.speaker in speakers:
            turn.speaker = target
            moved += 1
    rows = _rows(session, doc.id)
    kept = rows.get(target)
    for speaker in speakers:
        row = rows.get(speaker)
        if row is None:
            continue
        if kept is None:
            row.speaker, kept = target, row
            continue
        kept.moderator = kept.moderator or row.moderator
        kept.case_id = kept.case_id or row.case_id
        session.delete(row)
    record(session=session, actor=actor, kind="speaker_merge", document_guid=doc.guid,
           merged=list(speakers), into=target, turns=moved)  # fmt: skip
    session.flush()
    return moved


def _row(session: Session, doc: QualDocument, speaker: str) -> QualParticipant:
    _known(session, doc, speaker)
    row = _rows(session, doc.id).get(speaker)
    if row is None:
        row = QualParticipant(document_id=doc.id, speaker=speaker, moderator=False)
        session.add(row)
    return row


def set_moderator(
    *,
    session: Session,
    actor: Account,
    document: str | int,
    speaker: str,
    moderator: bool = True,
) -> None:
    """Mark (or unmark) a speaker of a document as the moderator."""
    require(actor, can_manage(actor), "mark the moderator")
    doc = document_row(session, document)
    _row(session, doc, speaker).moderator = moderator
    record(session=session, actor=actor, kind="speaker_moderator",
           document_guid=doc.guid, speaker=speaker, moderator=moderator)  # fmt: skip
    session.flush()


def link_speaker(
    *,
    session: Session,
    actor: Account,
    document: str | int,
    speaker: str,
    case: str | None,
    kind: str = "participant",
    attributes: Mapping[str, Any] | None = None,
) -> CaseInfo | None:
    """Link a speaker to case ``case`` (created with ``kind`` if new, its name
    pseudonymized as a speaker name) and set the case's ``attributes``;
    ``case=None`` unlinks it."""
    require(actor, can_manage(actor), "link speakers to cases")
    doc = document_row(session, document)
    row = _row(session, doc, speaker)
    if case is None:
        row.case_id = None
        session.flush()
        return None
    info = ensure_case(session=session, actor=actor, name=_clean(session, case),
                       kind=kind, attributes=attributes)  # fmt: skip
    row.case_id = info.id
    record(session=session, actor=actor, kind="speaker_link",
           document_guid=doc.guid, speaker=speaker, case=info.guid)  # fmt: skip
    session.flush()
    return info


def rename_after_release(
    session: Session, document_id: int, renamed: Mapping[str, str]
) -> None:
    """Follow the speaker labels that release pseudonymized (old -> new)."""
    rows = _rows(session, document_id)
    for old, row in rows.items():
        new = renamed.get(old, old)
        if new == old:
            continue
        if new in rows and rows[new] is not row:
            session.delete(row)
        else:
            row.speaker = new


# ------------------------------------------------------------------ loading


@dataclass(frozen=True, slots=True)
class _Loaded:
    documents: tuple[QualDocument, ...]
    turns: dict[int, list[fg.SpokenTurn]]
    moderators: set[str]
    cases: dict[str, int | None]
    order: list[str]


def _documents(session: Session, documents: Sequence[str | int] | None) -> list[Any]:
    if documents:
        docs = [document_row(session, d) for d in documents]
        return [d for d in docs if d.status == "released"]
    with_turns = select(QualTurn.document_id).where(QualTurn.speaker.is_not(None))
    return list(
        session.scalars(
            select(QualDocument)
            .where(QualDocument.status == "released", QualDocument.id.in_(with_turns))
            .order_by(QualDocument.id)
        )
    )


def _load(session: Session, documents: Sequence[str | int] | None) -> _Loaded:
    docs = _documents(session, documents)
    case_names = dict(session.execute(select(QualCase.id, QualCase.name)).all())
    several = len(docs) > 1
    turns: dict[int, list[fg.SpokenTurn]] = {}
    moderators: set[str] = set()
    cases: dict[str, int | None] = {}
    order: list[str] = []
    for doc in docs:
        rows = _rows(session, doc.id)

        def name(speaker: str, doc: QualDocument = doc, rows: Any = rows) -> str:
            row = rows.get(speaker)
            if row is not None and row.case_id is not None:
                return case_names[row.case_id]
            return f"{speaker} ({doc.title})" if several else speaker

        spoken = []
        names: dict[str, str] = {}  # many turns, few speakers
        for position, speaker, start, end in session.execute(
            select(QualTurn.position, QualTurn.speaker, QualTurn.start, QualTurn.end)
            .where(QualTurn.document_id == doc.id)
            .order_by(QualTurn.position)
        ):
            words = fg.count_words(doc.text[start:end])
            if not speaker:
                spoken.append(fg.SpokenTurn(position, None, start, end, words))
                continue
            if speaker not in names:
                who = names[speaker] = name(speaker)
                row = rows.get(speaker)
                if who not in cases:
                    order.append(who)
                    cases[who] = row.case_id if row else None
                if row is not None and row.moderator:
                    moderators.add(who)
            spoken.append(fg.SpokenTurn(position, names[speaker], start, end, words))
        turns[doc.id] = spoken
    if not order:
        scope = f" among {', '.join(str(d) for d in documents)}" if documents else ""
        raise SociaparisError(ParticipantError.NO_SPEAKERS, scope=scope)
    return _Loaded(tuple(docs), turns, moderators, cases, order)


def _spans(
    session: Session,
    loaded: _Loaded,
    coder: str | None,
    labels: Mapping[int, str],
    viewer: Account | None,
) -> dict[int, list[tuple[fg.CodedSpan, int]]]:
    query = select(
        QualCoding.guid, QualCoding.code_id, QualCoding.document_id,
        QualCoding.start, QualCoding.end,
    ).where(QualCoding.document_id.in_([d.id for d in loaded.documents]))  # fmt: skip
    query = coder_filter(session, query, coder, viewer).order_by(QualCoding.id)
    out: dict[int, list[tuple[fg.CodedSpan, int]]] = {d.id: [] for d in loaded.documents}
    for guid, code_id, document_id, start, end in session.execute(query):
        label = labels.get(code_id, str(code_id))
        out[document_id].append((fg.CodedSpan(guid, label, start, end), code_id))
    return out


def _code_labels(session: Session) -> dict[int, str]:
    codes = _all_codes(session)
    return {i: PATH_SEPARATOR.join(_path(codes, c)) for i, c in codes.items()}


def _kept(loaded: _Loaded, include_moderator: bool) -> list[str]:
    return [p for p in loaded.order if include_moderator or p not in loaded.moderators]


# ------------------------------------------------------------------ tables


def participation_table(
    *,
    session: Session,
    documents: Sequence[str | int] | None = None,
    include_moderator: bool = False,
) -> pd.DataFrame:
    """Turns and words per participant and their shares (who dominated).

    Parameters
    ----------
    documents
        Documents to count (id, GUID or title; default: every released document
        with speakers).
    include_moderator
        Count the moderator too (shares are of the participants listed).

    Returns
    -------
    pandas.DataFrame
        See :func:`sociaparis.qual.participants.participation`.
    """
    loaded = _load(session, documents)
    kept = _kept(loaded, include_moderator)
    turns = [t for ts in loaded.turns.values() for t in ts if t.speaker in kept]
    return fg.participation(turns, order=kept)


def participant_matrix(
    *,
    session: Session,
    documents: Sequence[str | int] | None = None,
    codes: Sequence[str] | None = None,
    include_subcodes: bool = False,
    coder: str | None = None,
    include_moderator: bool = False,
    viewer: Account | None = None,
) -> MatrixResult:
    """Codes x participants: a coding counts for every participant whose turns
    it covers (a coding over two speakers counts for both).

    Returns the :class:`~sociaparis.qual.matrices.MatrixResult` of the code x
    case matrix, with ``by="participant"``; ``documents`` counts documents.
    ``viewer`` sees only the codings blind mode lets them see
    (:func:`~sociaparis.qual.coding_service.visible_coder_ids`), as in the code x
    case matrix.
    """
    loaded = _load(session, documents)
    kept = _kept(loaded, include_moderator)
    triples = []
    for doc_id, spans in _spans(session, loaded, coder, {}, viewer).items():
        index = fg.TurnIndex(loaded.turns[doc_id])
        for span, code_id in spans:
            triples.extend(
                (span.coding, code_id, doc_id, who)
                for who in fg.speakers_of(span, index)
                if who in kept
            )
    return _build(
        session, triples, kept, codes=codes,
        include_subcodes=include_subcodes, by="participant", coder=coder,
    )  # fmt: skip


def participant_attribute_matrix(
    *,
    session: Session,
    attribute: str,
    documents: Sequence[str | int] | None = None,
    codes: Sequence[str] | None = None,
    include_subcodes: bool = False,
    coder: str | None = None,
    include_moderator: bool = False,
    viewer: Account | None = None,
) -> MatrixResult:
    """Codes x values of an attribute of the participants' cases.

    A coding counts once per value among the participants it covers (two
    speakers of the same directorate count once in that column); participants
    without a case, or whose case lacks the attribute, are left out.
    """
    var = variable_id(session=session, name=attribute, create=False)
    kind = session.scalar(select(QualVariable.type).where(QualVariable.id == var))
    loaded = _load(session, documents)
    kept = set(_kept(loaded, include_moderator))
    values = dict(
        session.execute(
            select(QualCaseValue.case_id, QualCaseValue.value).where(
                QualCaseValue.variable_id == var
            )
        ).all()
    )
    value_of = {p: values.get(c) for p, c in loaded.cases.items() if c is not None}
    columns = sorted(
        {v for p, v in value_of.items() if v is not None and p in kept},
        key=lambda v: decode_value(v, kind or "Text"),
    )
    triples = []
    for doc_id, spans in _spans(session, loaded, coder, {}, viewer).items():
        index = fg.TurnIndex(loaded.turns[doc_id])
        for span, code_id in spans:
            found = {
                value_of.get(who) for who in fg.speakers_of(span, index) if who in kept
            }
            triples.extend(
                (span.coding, code_id, doc_id, v)
                for v in sorted(v for v in found if v is not None)
            )
    return _build(
        session, triples, columns, codes=codes,
        include_subcodes=include_subcodes, by=attribute, coder=coder,
    )  # fmt: skip


# ------------------------------------------------------------------ interaction


@dataclass(frozen=True, slots=True)
class InteractionResult:
    """Who speaks after whom, and which codes follow each other across speakers.

    Attributes
    ----------
    participants
        Participants in order of first turn (the moderator only when included).
    transitions
        ``participants x participants``: times the column's participant spoke
        right after the row's.
    codes
        Code paths that occur in ``cooccurrence``, in codebook order.
    cooccurrence
        ``codes x codes``: pairs of adjacent turns of two different participants
        (the moderator left out unless included) where the row's code covers the
        earlier turn and the column's the later one.
    include_moderator
        Whether the moderator's turns were counted.
    documents
        Titles of the documents counted.
    """

    participants: tuple[str, ...]
    transitions: pd.DataFrame
    codes: tuple[str, ...]
    cooccurrence: pd.DataFrame
    include_moderator: bool
    documents: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: both tables as lists of rows."""
        return {
            "documents": list(self.documents),
            "include_moderator": self.include_moderator,
            "participants": list(self.participants),
            "transitions": self.transitions.values.tolist(),
            "codes": list(self.codes),
            "cooccurrence": self.cooccurrence.values.tolist(),
        }

    def _table(self, which: str) -> list[list[Any]]:
        frame = self.transitions if which == "transitions" else self.cooccurrence
        corner = "after" if which == "transitions" else "code then"
        header = [corner, *frame.columns]
        body = [[i, *(int(v) for v in row)] for i, row in zip(
            frame.index, frame.values, strict=True)]  # fmt: skip
        return [[neutralize_formula(v) for v in line] for line in [header, *body]]

    def to_xlsx(self, path: str | Path) -> None:
        """Write an XLSX workbook: sheets ``transitions`` and ``cooccurrence``."""
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "transitions"
        for line in self._table("transitions"):
            sheet.append(line)
        sheet = book.create_sheet("cooccurrence")
        for line in self._table("cooccurrence"):
            sheet.append(line)
        book.save(path)

    def to_csv(self, path: str | Path, *, table: str = "transitions") -> None:
        """Write ``transitions`` or ``cooccurrence`` as CSV (UTF-8 with BOM)."""
        import csv

        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(self._table(table))

    def plot(self, path: str | Path) -> None:
        """Draw the transitions as an SVG heat map with their counts written in."""
        fg.plot_transitions(self.transitions, path)


def interaction(
    *,
    session: Session,
    documents: Sequence[str | int] | None = None,
    coder: str | None = None,
    include_moderator: bool = False,
    viewer: Account | None = None,
) -> InteractionResult:
    """Transitions between participants and codes adjacent across speakers.

    Transitions are counted with every turn in place; leaving the moderator out
    only drops its row and column (``A -> moderator -> B`` is not ``A -> B``).
    """
    loaded = _load(session, documents)
    kept = _kept(loaded, include_moderator)
    labels = _code_labels(session)
    moves: Counter[tuple[str, str]] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    exclude = () if include_moderator else tuple(loaded.moderators)
    for doc_id, spans in _spans(session, loaded, coder, labels, viewer).items():
        turns = loaded.turns[doc_id]
        moves.update(fg.transitions(turns))
        pairs.update(
            fg.adjacent_cooccurrence([s for s, _ in spans], turns, exclude=exclude)
        )
    ordered = [labels[i] for i in sorted(labels, key=_codebook_order(session))]
    used = {c for pair in pairs for c in pair}
    codes = [c for c in ordered if c in used]
    return InteractionResult(
        tuple(kept),
        fg.square(moves, kept),
        tuple(codes),
        fg.square(pairs, codes),
        include_moderator,
        tuple(d.title for d in loaded.documents),
    )


def _codebook_order(session: Session) -> Any:
    from sociaparis.qual.codebook_service import list_codes

    position = {c.id: i for i, c in enumerate(list_codes(session=session))}
    return lambda code_id: position.get(code_id, len(position))
