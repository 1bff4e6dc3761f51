"""Storage <-> the pure :class:`~sociaparis.qual.project.Project`: REFI-QDA and agreement.

:func:`to_project` reads the whole qualitative part of the study (users, codebook,
variables, cases, documents with their turns, codings, memos, sets) into a
``Project``; :func:`store_project` writes a ``Project`` into an empty (or
disjoint) study.  :func:`export_qdpx` and :func:`import_qdpx` wrap the REFI-QDA
reader and writer around them, and :func:`stored_agreement` runs the inter-coder
agreement of :mod:`sociaparis.qual.agreement` on the stored codings.

What the project model has no place for is not exported: the case kind, the
review status of documents, the moderator mark of a focus group's speaker, and
the history.  A speaker linked to a case goes out as that case's selections (one
per turn); on import, a case's selections become that participant's turns.  A
source whose text was missing from an imported archive is stored with an empty
text and the format ``missing``, and exported again without text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.errors import Issue, SociaparisError
from sociaparis.qual.corpus import (
    can_manage,
    decode_value,
    encode_value,
    record,
    require,
)
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.document import Turn
from sociaparis.qual.models import (
    QualCase,
    QualCaseDocument,
    QualCaseValue,
    QualCode,
    QualCoder,
    QualCoding,
    QualDocument,
    QualDocumentValue,
    QualMemo,
    QualMemoTarget,
    QualParticipant,
    QualProject,
    QualSet,
    QualSetMember,
    QualTurn,
    QualVariable,
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
    User,
    Variable,
)

MISSING_TEXT = "missing"


def _utc(value: datetime | None) -> datetime | None:
    """Aware values in UTC (SQLite drops the offset); naive ones are taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


# ------------------------------------------------------------------ storage -> Project


def to_project(*, session: Session, name: str | None = None) -> Project:
    """The study's qualitative part as a :class:`Project` (nothing is changed)."""
    meta = session.scalar(select(QualProject).order_by(QualProject.id).limit(1))
    coders = {c.id: c for c in session.scalars(select(QualCoder).order_by(QualCoder.id))}
    codes = list(
        session.scalars(select(QualCode).order_by(QualCode.position, QualCode.id))
    )
    code_guid = {c.id: c.guid for c in codes}
    variables = list(session.scalars(select(QualVariable).order_by(QualVariable.id)))
    var_guid = {v.id: (v.guid, v.type) for v in variables}
    documents = list(session.scalars(select(QualDocument).order_by(QualDocument.id)))
    doc_guid = {d.id: d.guid for d in documents}
    turns: dict[int, list[Turn]] = defaultdict(list)
    for t in session.scalars(
        select(QualTurn).order_by(QualTurn.document_id, QualTurn.position)
    ):
        turns[t.document_id].append(Turn(t.speaker, t.start_s, t.end_s, t.start, t.end))
    doc_values: dict[int, dict[str, Any]] = defaultdict(dict)
    for row in session.scalars(select(QualDocumentValue)):
        guid, kind = var_guid[row.variable_id]
        doc_values[row.document_id][guid] = decode_value(row.value, kind)
    case_values: dict[int, dict[str, Any]] = defaultdict(dict)
    for row in session.scalars(select(QualCaseValue)):
        guid, kind = var_guid[row.variable_id]
        case_values[row.case_id][guid] = decode_value(row.value, kind)
    case_docs: dict[int, list[str]] = defaultdict(list)
    for row in session.scalars(
        select(QualCaseDocument).order_by(
            QualCaseDocument.case_id, QualCaseDocument.document_id
        )
    ):
        case_docs[row.case_id].append(doc_guid[row.document_id])
    case_turns: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    for case_id, document_id, start, end in session.execute(
        select(
            QualParticipant.case_id, QualTurn.document_id, QualTurn.start, QualTurn.end
        )
        .join(
            QualTurn,
            (QualTurn.document_id == QualParticipant.document_id)
            & (QualTurn.speaker == QualParticipant.speaker),
        )
        .where(QualParticipant.case_id.is_not(None))
        .order_by(QualTurn.document_id, QualTurn.position)
    ):
        case_turns[case_id].append((doc_guid[document_id], start, end))
    moderators: dict[int, list[str]] = defaultdict(list)
    for document_id, speaker in session.execute(
        select(QualParticipant.document_id, QualParticipant.speaker)
        .where(QualParticipant.moderator.is_(True))
        .order_by(QualParticipant.id)
    ):
        moderators[document_id].append(speaker)
    coder_guid = {i: c.guid for i, c in coders.items()}
    memo_targets: dict[int, list[MemoTarget]] = defaultdict(list)
    for t in session.scalars(select(QualMemoTarget).order_by(QualMemoTarget.id)):
        memo_targets[t.memo_id].append(MemoTarget(t.kind, t.target_guid, t.start, t.end))  # type: ignore[arg-type]
    members: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for m in session.scalars(
        select(QualSetMember).order_by(QualSetMember.set_id, QualSetMember.position)
    ):
        members[m.set_id][m.kind].append(m.member_guid)
    return Project(
        name=name or (meta.name if meta else "sociaparis"),
        origin=meta.origin if meta else "sociaparis",
        description=meta.description if meta else "",
        created_by=meta.created_by if meta else None,
        created_at=_utc(meta.created_at) if meta else None,
        modified_by=meta.modified_by if meta else None,
        modified_at=_utc(meta.modified_at) if meta else None,
        base_path=meta.base_path if meta else "",
        users=tuple(User(c.guid, c.name, c.login) for c in coders.values()),
        codes=tuple(
            Code(
                c.guid,
                c.name,
                c.description,
                c.inclusion,
                c.exclusion,
                c.example,
                c.color,
                code_guid.get(c.parent_id) if c.parent_id else None,
                c.codable,
            )
            for c in codes
        ),  # fmt: skip
        variables=tuple(
            Variable(v.guid, v.name, v.type, v.description) for v in variables
        ),  # type: ignore[arg-type]
        cases=tuple(
            Case(
                c.guid,
                c.name,
                c.description,
                case_values[c.id],
                tuple(case_docs[c.id]),
                tuple(case_turns[c.id]),
            )
            for c in session.scalars(select(QualCase).order_by(QualCase.id))
        ),
        sources=tuple(
            Source(
                id=d.guid,
                name=d.title,
                text=None if d.format == MISSING_TEXT else d.text,
                turns=tuple(turns[d.id]),
                description=d.description,
                values=doc_values[d.id],
                created_by=d.created_by,
                created_at=_utc(d.created_at),
                modified_by=d.modified_by,
                modified_at=_utc(d.modified_at),
                text_path=d.text_path,
                moderators=tuple(moderators[d.id]),
            )
            for d in documents
        ),
        codings=tuple(
            Coding(
                c.guid,
                doc_guid[c.document_id],
                code_guid[c.code_id],
                c.start,
                c.end,
                coder_guid.get(c.coder_id) if c.coder_id else None,
                _utc(c.created_at),
                c.memo,
                c.selection_guid,
            )
            for c in session.scalars(select(QualCoding).order_by(QualCoding.id))
        ),  # fmt: skip
        memos=tuple(
            Memo(
                m.guid,
                m.text,
                m.name,
                m.description,
                tuple(memo_targets[m.id]),
                m.created_by,
                _utc(m.created_at),
                m.modified_by,
                _utc(m.modified_at),
            )
            for m in session.scalars(select(QualMemo).order_by(QualMemo.id))
        ),  # fmt: skip
        sets=tuple(
            CodeSet(
                s.guid,
                s.name,
                s.description,
                tuple(members[s.id]["code"]),
                tuple(members[s.id]["source"]),
                tuple(members[s.id]["memo"]),
            )
            for s in session.scalars(select(QualSet).order_by(QualSet.id))
        ),  # fmt: skip
    )


# ------------------------------------------------------------------ Project -> storage


def _refuse_existing(
    session: Session, model: Any, kind: str, guids: Sequence[str]
) -> None:
    if not guids:
        return
    clash = session.scalar(select(model.guid).where(model.guid.in_(list(guids))).limit(1))
    if clash is not None:
        raise SociaparisError(CorpusError.GUID_EXISTS, kind=kind, guid=clash)


def store_project(
    *, session: Session, actor: Account, project: Project
) -> dict[str, int]:
    """Write ``project`` into the study (whose objects must not share its GUIDs).

    Documents are stored as released (they come coded from another tool).
    Users that already exist (same GUID) are reused.  Returns counts per kind.
    """
    require(actor, can_manage(actor), "import projects")
    for model, kind, items in (
        (QualCode, "code", project.codes),
        (QualDocument, "source", project.sources),
        (QualCase, "case", project.cases),
        (QualVariable, "variable", project.variables),
        (QualCoding, "coding", project.codings),
        (QualMemo, "memo", project.memos),
        (QualSet, "set", project.sets),
    ):
        _refuse_existing(session, model, kind, [i.id for i in items])
    for model, kind, names in (
        (QualCase, "case", [c.name for c in project.cases]),
        (QualVariable, "variable", [v.name for v in project.variables]),
    ):
        stored = set(session.scalars(select(model.name).where(model.name.in_(names))))
        seen: set[str] = set()
        for name in names:
            if name in seen or name in stored:
                raise SociaparisError(CorpusError.NAME_EXISTS, kind=kind, name=name)
            seen.add(name)
    if session.scalar(select(QualProject.id).limit(1)) is None:
        session.add(
            QualProject(
                name=project.name, origin=project.origin, description=project.description,
                base_path=project.base_path, created_by=project.created_by,
                created_at=_utc(project.created_at), modified_by=project.modified_by,
                modified_at=_utc(project.modified_at),
            )
        )  # fmt: skip
    coder_ids = dict(session.execute(select(QualCoder.guid, QualCoder.id)).all())
    for user in project.users:
        if user.id not in coder_ids:
            row = QualCoder(guid=user.id, name=user.name, login=user.user_id)
            session.add(row)
            session.flush()
            coder_ids[user.id] = row.id
    start = session.scalar(
        select(QualCode.position).order_by(QualCode.position.desc()).limit(1)
    )
    base = (start if start is not None else -1) + 1
    code_ids: dict[str, int] = {}
    for i, code in enumerate(project.codes):
        row = QualCode(guid=code.id, parent_id=None, position=base + i, name=code.name,
                       description=code.description, inclusion=code.inclusion,
                       exclusion=code.exclusion, example=code.example, color=code.color,
                       codable=code.codable)  # fmt: skip
        session.add(row)
        session.flush()
        code_ids[code.id] = row.id
    for code in project.codes:
        if code.parent is not None:
            session.execute(
                update(QualCode)
                .where(QualCode.id == code_ids[code.id])
                .values(parent_id=code_ids[code.parent])
            )
    var_ids: dict[str, int] = {}
    for variable in project.variables:
        row = QualVariable(guid=variable.id, name=variable.name, type=variable.type,
                           description=variable.description)  # fmt: skip
        session.add(row)
        session.flush()
        var_ids[variable.id] = row.id
    doc_ids: dict[str, int] = {}
    for source in project.sources:
        row = QualDocument(
            guid=source.id, title=source.name, description=source.description,
            format="txt" if source.text is not None else MISSING_TEXT, filename=None,
            text=source.text or "", length=len(source.text or ""), sha256=None,
            status="released", needs_pseudonymization=False, paragraphs=[],
            text_path=source.text_path, created_by=source.created_by,
            created_at=_utc(source.created_at), modified_by=source.modified_by,
            modified_at=_utc(source.modified_at),
        )  # fmt: skip
        session.add(row)
        session.flush()
        doc_ids[source.id] = row.id
        if source.turns:
            session.execute(
                insert(QualTurn),
                [
                    {"document_id": row.id, "position": k, "speaker": t.speaker,
                     "start_s": t.start_s, "end_s": t.end_s, "start": t.start,
                     "end": t.end}
                    for k, t in enumerate(source.turns)
                ],
            )  # fmt: skip
        for speaker in dict.fromkeys(source.moderators):
            session.add(
                QualParticipant(document_id=row.id, speaker=speaker, moderator=True)
            )
        for ref, value in source.values.items():
            session.add(QualDocumentValue(document_id=row.id, variable_id=var_ids[ref],
                                          value=encode_value(value)))  # fmt: skip
    participant_spans: dict[int, list[tuple[int, int, str, int]]] = defaultdict(list)
    for case in project.cases:
        row = QualCase(guid=case.id, name=case.name, description=case.description)
        session.add(row)
        session.flush()
        for ref, value in case.values.items():
            session.add(QualCaseValue(case_id=row.id, variable_id=var_ids[ref],
                                      value=encode_value(value)))  # fmt: skip
        for ref in dict.fromkeys(case.source_ids):
            session.add(QualCaseDocument(case_id=row.id, document_id=doc_ids[ref]))
        for ref, start, end in case.selections:
            participant_spans[doc_ids[ref]].append((start, end, case.name, row.id))
    _participants(session, participant_spans)
    if project.codings:
        session.execute(
            insert(QualCoding.__table__),
            [
                {"guid": c.id, "document_id": doc_ids[c.source_id],
                 "code_id": code_ids[c.code_id], "start": c.start, "end": c.end,
                 "coder_id": coder_ids.get(c.created_by) if c.created_by else None,
                 "memo": c.memo, "selection_guid": c.selection_id,
                 "created_at": _utc(c.created_at)}
                for c in project.codings
            ],
        )  # fmt: skip
    for memo in project.memos:
        row = QualMemo(guid=memo.id, name=memo.name, description=memo.description,
                       text=memo.text, created_by=memo.created_by,
                       created_at=_utc(memo.created_at), modified_by=memo.modified_by,
                       modified_at=_utc(memo.modified_at))  # fmt: skip
        session.add(row)
        session.flush()
        for t in memo.targets:
            session.add(QualMemoTarget(memo_id=row.id, kind=t.kind, target_guid=t.id,
                                       start=t.start, end=t.end))  # fmt: skip
    for code_set in project.sets:
        row = QualSet(
            guid=code_set.id, name=code_set.name, description=code_set.description
        )
        session.add(row)
        session.flush()
        for kind, refs in (("code", code_set.code_ids), ("source", code_set.source_ids),
                           ("memo", code_set.memo_ids)):  # fmt: skip
            for k, ref in enumerate(refs):
                session.add(
                    QualSetMember(set_id=row.id, kind=kind, member_guid=ref, position=k)
                )
    session.flush()
    counts = {
        "users": len(project.users),
        "codes": len(project.codes),
        "variables": len(project.variables),
        "cases": len(project.cases),
        "sources": len(project.sources),
        "codings": len(project.codings),
        "memos": len(project.memos),
        "sets": len(project.sets),
    }
    record(
        session=session, actor=actor, kind="import_project", name=project.name, **counts
    )
    return counts


def _participants(
    session: Session, spans: Mapping[int, list[tuple[int, int, str, int]]]
) -> None:
    """Make the cases' selections participants again (see :func:`import_project`).

    A document that has no turns gets one turn per selection, spoken by the
    case (REFI-QDA has no turns: this is how NVivo's cases by speaker come in);
    a document with turns links the speaker of the turn with that very span.
    """
    for document_id, items in spans.items():
        turns = list(
            session.scalars(
                select(QualTurn)
                .where(QualTurn.document_id == document_id)
                .order_by(QualTurn.position)
            )
        )
        linked: dict[str, int] = {}
        if not turns:
            ordered = sorted(items)
            session.execute(
                insert(QualTurn),
                [
                    {"document_id": document_id, "position": k, "speaker": name,
                     "start_s": None, "end_s": None, "start": start, "end": end}
                    for k, (start, end, name, _) in enumerate(ordered)
                ],
            )  # fmt: skip
            linked = {name: case_id for _, _, name, case_id in ordered}
        else:
            by_span = {(t.start, t.end): t.speaker for t in turns if t.speaker}
            for start, end, _, case_id in items:
                speaker = by_span.get((start, end))
                if speaker is not None:
                    linked.setdefault(speaker, case_id)
        session.flush()
        for speaker, case_id in linked.items():
            row = session.scalar(
                select(QualParticipant).where(
                    QualParticipant.document_id == document_id,
                    QualParticipant.speaker == speaker,
                )
            )
            if row is None:
                row = QualParticipant(document_id=document_id, speaker=speaker,
                                      moderator=False)  # fmt: skip
                session.add(row)
            row.case_id = case_id
    session.flush()


def export_qdpx(
    *, session: Session, actor: Account, target: str | Path | IO[bytes]
) -> Project:
    """Write the study's qualitative part as a REFI-QDA ``.qdpx`` archive.

    Only released documents carry no personal data, so roles that may export
    (researchers, admins) may do it; documents not yet released are left out,
    with their codings, memos on them and set memberships.  A coding a model
    proposed and a person accepted carries a note saying so
    (:func:`~sociaparis.qual.provenance.with_provenance_notes`).
    """
    from sociaparis.qual.io.refi_qda import write_qdpx

    require(actor, Role(actor.role).can_export(), "export projects")
    from sociaparis.qual.provenance import with_provenance_notes

    project = _released_only(session, to_project(session=session))
    project = with_provenance_notes(session=session, project=project)
    write_qdpx(project, target)
    record(
        session=session, actor=actor, kind="export_project", sources=len(project.sources)
    )
    return project


def _released_only(session: Session, project: Project) -> Project:
    """The project without the documents not yet released (and what hangs on them)."""
    from dataclasses import replace

    hidden = set(
        session.scalars(
            select(QualDocument.guid).where(QualDocument.status != "released")
        )
    )
    if not hidden:
        return project
    hidden |= {c.id for c in project.codings if c.source_id in hidden}
    memos = []
    for memo in project.memos:
        kept = tuple(t for t in memo.targets if t.id not in hidden)
        if kept or not memo.targets:
            memos.append(replace(memo, targets=kept))
        else:
            hidden.add(memo.id)
    return replace(
        project,
        sources=tuple(s for s in project.sources if s.id not in hidden),
        codings=tuple(c for c in project.codings if c.id not in hidden),
        cases=tuple(
            replace(
                c,
                source_ids=tuple(i for i in c.source_ids if i not in hidden),
                selections=tuple(x for x in c.selections if x[0] not in hidden),
            )
            for c in project.cases
        ),
        memos=tuple(memos),
        sets=tuple(
            replace(
                s,
                source_ids=tuple(i for i in s.source_ids if i not in hidden),
                memo_ids=tuple(i for i in s.memo_ids if i not in hidden),
            )
            for s in project.sets
        ),
    )


def import_qdpx(
    *, session: Session, actor: Account, source: str | Path | bytes | IO[bytes]
) -> tuple[dict[str, int], list[Issue]]:
    """Read a ``.qdpx`` archive and store it; returns counts and the reader's
    warnings (what the archive holds that the model has no place for)."""
    from sociaparis.qual.io.refi_qda import read_qdpx

    require(actor, can_manage(actor), "import projects")
    result = read_qdpx(source)
    counts = store_project(session=session, actor=actor, project=result.project)
    return counts, list(result.warnings)


# ------------------------------------------------------------------ agreement


def stored_agreement(
    *,
    session: Session,
    unit: Literal["turns", "paragraphs", "segments"] = "turns",
    size: int = 500,
    coders: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
    measures: Sequence[str] | None = None,
    min_overlap: int = 1,
    documents: Sequence[str | int] | None = None,
    viewer: Account | None = None,
) -> Any:
    """Inter-coder agreement on the stored codings of released documents.

    Parameters
    ----------
    unit
        ``turns`` (documents without turns use their paragraphs), ``paragraphs``
        or ``segments`` of ``size`` code points.
    coders
        Coder logins (or names) to compare (default: every coder).
    codes, measures, min_overlap
        As in :func:`~sociaparis.qual.agreement.coding_agreement`; codes are
        given by path ``"A > B"``.
    documents
        The documents to compare (ids, GUIDs or titles; default: every released
        document).
    viewer
        The account asking: refused (``QUAL_340``) while blind mode hides other
        coders' codings from it.  ``None``: no per-person view.

    Returns
    -------
    CodingAgreement
        Per code and overall coefficients and the disagreements.
    """
    from sociaparis.qual.agreement import coding_agreement

    data = stored_codings(
        session=session, unit=unit, size=size, documents=documents, viewer=viewer
    )
    return coding_agreement(
        data.codings, data.units, coders=coders, codes=codes, measures=measures,
        texts=data.texts, min_overlap=min_overlap,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class StoredCodings:
    """The codings of released documents and the units agreement compares them on.

    Attributes
    ----------
    codings
        DataFrame ``coder, document, start, end, code`` (coder login or name,
        document GUID, code path ``"A > B"``), every coder's codings.
    units
        DataFrame ``document, unit, start, end`` as :func:`stored_agreement`
        cuts them.
    texts
        ``{document GUID: text}``.
    ids, titles
        ``{document GUID: id}`` and ``{document GUID: title}``.
    """

    codings: pd.DataFrame
    units: pd.DataFrame
    texts: dict[str, str]
    ids: dict[str, int]
    titles: dict[str, str]


def stored_codings(
    *,
    session: Session,
    unit: Literal["turns", "paragraphs", "segments"] = "turns",
    size: int = 500,
    documents: Sequence[str | int] | None = None,
    viewer: Account | None = None,
) -> StoredCodings:
    """The codings of released documents and their units, as agreement uses them.

    Parameters are those of :func:`stored_agreement`; this is its reading half,
    for other comparisons on the same units (e.g. AI suggestions and people).
    """
    from sociaparis.qual.agreement import fixed_units, span_units
    from sociaparis.qual.codebook_service import _all_codes, _path
    from sociaparis.qual.io.codebook import PATH_SEPARATOR

    if unit not in ("turns", "paragraphs", "segments"):
        raise SociaparisError(
            CorpusError.BAD_OPTION, name="unit", choices="turns, paragraphs, segments",
            value=unit,
        )  # fmt: skip
    from sociaparis.qual.coding_service import visible_coder_ids
    from sociaparis.qual.corpus import document_row
    from sociaparis.qual.errors import QualError

    hidden = visible_coder_ids(session=session, viewer=viewer) is not None
    if viewer is not None and hidden:
        raise SociaparisError(QualError.BLIND_HIDDEN, user=viewer.username)
    query = select(QualDocument).where(QualDocument.status == "released")
    if documents is not None:
        ids_ = [document_row(session, d).id for d in documents]
        query = query.where(QualDocument.id.in_(ids_))
    documents_ = list(session.scalars(query.order_by(QualDocument.id)))
    all_codes = _all_codes(session)
    paths = {i: PATH_SEPARATOR.join(_path(all_codes, c)) for i, c in all_codes.items()}
    who = {c.id: c.login or c.name for c in session.scalars(select(QualCoder))}
    ids = [d.id for d in documents_]
    rows = [
        {"coder": who.get(c.coder_id, ""), "document": d, "start": c.start, "end": c.end,
         "code": paths[c.code_id]}
        for c, d in session.execute(
            select(QualCoding, QualDocument.guid)
            .join(QualDocument, QualDocument.id == QualCoding.document_id)
            .where(QualCoding.document_id.in_(ids))
        )
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["coder", "document", "start", "end", "code"])
    if unit == "segments":
        units = fixed_units({d.guid: d.length for d in documents_}, size=size)
    else:
        spans: dict[str, list[tuple[int, int]]] = {}
        for d in documents_:
            turns = [
                (t.start, t.end)
                for t in session.scalars(
                    select(QualTurn)
                    .where(QualTurn.document_id == d.id)
                    .order_by(QualTurn.position)
                )
            ]
            paragraphs = [(int(s), int(e)) for s, e in d.paragraphs] or [(0, d.length)]
            spans[d.guid] = turns if unit == "turns" and turns else paragraphs
        units = span_units(spans)
    return StoredCodings(
        frame, units, {d.guid: d.text for d in documents_},
        {d.guid: d.id for d in documents_}, {d.guid: d.title for d in documents_},
    )  # fmt: skip
