"""Codings and memos: apply and remove codes on spans of released documents.

Offsets are code points into the document text, end exclusive.  Every apply,
remove and change (:func:`edit_coding`) is written to the history with a
snapshot of the coding, so that :func:`undo_last` can apply its inverse (itself
recorded); :func:`bulk_apply` stores thousands of codings (and their history)
with one executemany each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.db import utcnow
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.qual.codebook_service import code_row
from sociaparis.qual.corpus import (
    can_manage,
    coder_id,
    document_row,
    new_guid,
    record,
    record_many,
    require,
)
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.errors import QualError
from sociaparis.qual.models import (
    QualCode,
    QualCoder,
    QualCoding,
    QualDocument,
    QualEvent,
    QualMemo,
    QualMemoTarget,
)

MEMO_KINDS = ("project", "document", "span", "code", "case", "coding")


@dataclass(frozen=True, slots=True)
class CodingInfo:
    """A stored coding and the text it covers."""

    guid: str
    document_guid: str
    code_guid: str
    start: int
    end: int
    coder: str | None
    memo: str | None
    text: str
    created_at: datetime | None = None
    id: int = 0
    code_id: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "guid": self.guid,
            "document": self.document_guid,
            "code": self.code_guid,
            "start": self.start,
            "end": self.end,
            "coder": self.coder,
            "memo": self.memo,
            "text": self.text,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }


def _check(document: QualDocument, start: int, end: int) -> None:
    if document.status != "released":
        raise SociaparisError(
            CorpusError.NOT_RELEASED, title=document.title, status=document.status
        )
    if not 0 <= start < end <= document.length:
        raise SociaparisError(
            CorpusError.BAD_SPAN,
            start=start,
            end=end,
            title=document.title,
            length=document.length,
        )


def apply_coding(
    *,
    session: Session,
    actor: Account,
    document: str | int,
    code: str | int,
    start: int,
    end: int,
    memo: str | None = None,
    as_coder: int | None = None,
) -> CodingInfo:
    """Apply ``code`` to ``text[start:end]`` of a released document.

    ``as_coder`` (a coder's id) attributes the coding to that coder rather
    than to ``actor``'s: a model's proposal that ``actor`` accepted
    (:mod:`sociaparis.assist.service`).  The history names ``actor``.

    Raises
    ------
    SociaparisError
        ``QUAL_205`` on a document not yet released, ``QUAL_206`` for a span
        outside the text, ``QUAL_200`` for a role that may not code.
    """
    require(actor, Role(actor.role).can_code(), "code documents")
    doc = document_row(session, document)
    code_ = code_row(session, code)
    _check(doc, start, end)
    coder = coder_id(session=session, actor=actor) if as_coder is None else as_coder
    guid = new_guid()
    created_at = utcnow()
    # A Core INSERT rather than the unit of work: one coding is one request of
    # the API, whose rate is measured (benchmarks/coding_workbench.py).
    inserted = session.connection().execute(
        insert(QualCoding.__table__),
        {
            "guid": guid,
            "document_id": doc.id,
            "code_id": code_.id,
            "start": start,
            "end": end,
            "coder_id": coder,
            "memo": memo,
            "selection_guid": None,
            "created_at": created_at,
        },
    )
    record(
        session=session,
        actor=actor,
        kind="apply",
        document_guid=doc.guid,
        code_guid=code_.guid,
        coding_guid=guid,
        start=start,
        end=end,
        coding={
            "id": inserted.inserted_primary_key[0],
            "code": code_.guid,
            "start": start,
            "end": end,
            "memo": memo,
            "coder": session.scalar(select(QualCoder.guid).where(QualCoder.id == coder)),
            "created_at": created_at.isoformat(),
        },
    )
    return CodingInfo(
        guid,
        doc.guid,
        code_.guid,
        start,
        end,
        actor.username if as_coder is None else _coder_name(session, as_coder),
        memo,
        doc.text[start:end],
        created_at=created_at,
        id=inserted.inserted_primary_key[0],
        code_id=code_.id,
    )


def _coder_name(session: Session, coder: int) -> str | None:
    found = session.execute(
        select(QualCoder.login, QualCoder.name).where(QualCoder.id == coder)
    ).first()
    return (found[0] or found[1]) if found is not None else None


def _snapshot(session: Session, row: QualCoding, code_guid: str) -> dict[str, Any]:
    """What the history keeps of a coding, enough to put it back as it was."""
    coder = (
        session.scalar(select(QualCoder.guid).where(QualCoder.id == row.coder_id))
        if row.coder_id is not None
        else None
    )
    return {
        "id": row.id,
        "code": code_guid,
        "start": row.start,
        "end": row.end,
        "memo": row.memo,
        "coder": coder,
        "created_at": row.created_at.isoformat() if row.created_at else None,
    }


def _coding_row(
    session: Session, coding: str | int, document: str | int | None = None
) -> QualCoding:
    """The coding ``coding`` (GUID or id), checked to lie on ``document`` if given."""
    row = (
        session.get(QualCoding, coding)
        if isinstance(coding, int)
        else session.scalar(select(QualCoding).where(QualCoding.guid == coding))
    )
    if row is None:
        raise SociaparisError(CorpusError.UNKNOWN_CODING, ref=coding)
    if document is not None:
        doc = document_row(session, document)
        if doc.id != row.document_id:
            raise SociaparisError(
                QualError.CODING_ELSEWHERE, coding=coding, title=doc.title
            )
    return row


def _may_change(session: Session, actor: Account, row: QualCoding, action: str) -> None:
    """Coders change only their own codings; researchers and admins any."""
    require(actor, Role(actor.role).can_code(), "code documents")
    if not can_manage(actor) and row.coder_id != coder_id(session=session, actor=actor):
        require(actor, False, action)


def apply_codes(
    *,
    session: Session,
    actor: Account,
    document: str | int,
    codes: Sequence[str | int],
    start: int,
    end: int,
    memo: str | None = None,
) -> list[CodingInfo]:
    """Apply several codes to one span at once (the code picker's "apply").

    Every code and the span are checked before anything is stored, so that a
    bad code stores none of them.

    Raises
    ------
    SociaparisError
        ``QUAL_305`` for an empty list of codes, and as :func:`apply_coding`.
    """
    require(actor, Role(actor.role).can_code(), "code documents")
    if not codes:
        raise SociaparisError(QualError.NO_CODE_GIVEN, start=start, end=end)
    _check(document_row(session, document), start, end)
    guids = list(dict.fromkeys(code_row(session, c).guid for c in codes))
    return [
        apply_coding(
            session=session,
            actor=actor,
            document=document,
            code=guid,
            start=start,
            end=end,
            memo=memo,
        )
        for guid in guids
    ]


def remove_coding(
    *,
    session: Session,
    actor: Account,
    coding: str | int,
    document: str | int | None = None,
) -> None:
    """Remove a coding, by GUID or id (coders may remove only their own).

    ``document``, if given, must be the document the coding is on (``QUAL_303``).
    """
    require(actor, Role(actor.role).can_code(), "code documents")
    row = _coding_row(session, coding, document)
    _may_change(session, actor, row, "remove another coder's coding")
    doc_guid = session.scalar(
        select(QualDocument.guid).where(QualDocument.id == row.document_id)
    )
    code_guid = session.scalar(select(QualCode.guid).where(QualCode.id == row.code_id))
    record(
        session=session,
        actor=actor,
        kind="remove",
        document_guid=doc_guid,
        code_guid=code_guid,
        coding_guid=row.guid,
        start=row.start,
        end=row.end,
        coding=_snapshot(session, row, code_guid or ""),
    )
    session.delete(row)
    session.flush()


def bulk_apply(
    *,
    session: Session,
    actor: Account,
    codings: Iterable[Mapping[str, Any]],
) -> int:
    """Store many codings at once, checked, with one history event each.

    Parameters
    ----------
    codings
        Mappings with ``document_id`` and ``code_id`` (internal ids, see
        :func:`~sociaparis.qual.corpus.list_documents` and
        :func:`~sociaparis.qual.codebook_service.list_codes`), ``start``, ``end``
        and optionally ``memo``.  They are all attributed to ``actor``.

    Returns
    -------
    int
        The number of codings stored.

    Raises
    ------
    SociaparisError
        As :func:`apply_coding`, for the first bad row; nothing is stored then.
    """
    require(actor, Role(actor.role).can_code(), "code documents")
    rows = list(codings)
    if not rows:
        return 0
    doc_ids = {int(r["document_id"]) for r in rows}
    documents = {
        d.id: d
        for d in session.scalars(select(QualDocument).where(QualDocument.id.in_(doc_ids)))
    }
    code_guids = dict(
        session.execute(
            select(QualCode.id, QualCode.guid).where(
                QualCode.id.in_({int(r["code_id"]) for r in rows})
            )
        ).all()
    )
    coder = coder_id(session=session, actor=actor)
    now = utcnow()
    values: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for row in rows:
        doc = documents.get(int(row["document_id"]))
        if doc is None:
            raise SociaparisError(CorpusError.UNKNOWN_DOCUMENT, ref=row["document_id"])
        code_guid = code_guids.get(int(row["code_id"]))
        if code_guid is None:
            raise SociaparisError(CorpusError.UNKNOWN_CODE, ref=row["code_id"])
        start, end = int(row["start"]), int(row["end"])
        _check(doc, start, end)
        guid = new_guid()
        values.append(
            {
                "guid": guid,
                "document_id": doc.id,
                "code_id": int(row["code_id"]),
                "start": start,
                "end": end,
                "coder_id": coder,
                "memo": row.get("memo"),
                "selection_guid": None,
                "created_at": now,
            }
        )
        events.append(
            {
                "document_guid": doc.guid,
                "code_guid": code_guid,
                "coding_guid": guid,
                "details": {"start": start, "end": end, "bulk": True},
            }
        )
    session.execute(insert(QualCoding.__table__), values)
    record_many(session=session, actor=actor, kind="apply", rows=events)
    return len(values)


def visible_coder_ids(*, session: Session, viewer: Account | None) -> list[int] | None:
    """The coders whose codings ``viewer`` may see; ``None`` means every coder.

    Every coding is visible unless the project is in blind mode and not yet
    revealed (:mod:`sociaparis.qual.blind`): then a coder (or viewer) sees only
    their own codings, while researchers and admins still see all.  ``viewer=None``
    is a caller that applies no per-person view (the CLI's reports, notebooks).
    """
    from sociaparis.qual.blind import blind_state

    if viewer is None or can_manage(viewer):
        return None
    if not blind_state(session=session).hiding:
        return None
    own = session.scalar(select(QualCoder.id).where(QualCoder.account_id == viewer.id))
    return [own] if own is not None else []


def codings_of(
    *,
    session: Session,
    document: str | int | None = None,
    code: str | int | None = None,
    viewer: Account | None = None,
) -> list[CodingInfo]:
    """Stored codings of a document and/or a code, by document and start.

    With ``viewer``, only the codings that account may see
    (:func:`visible_coder_ids`: blind mode hides other coders' codings).
    """
    # Plain columns, and each document's text read once: loading the document
    # row with every coding costs its whole text (and JSON) per coding.
    query = (
        select(
            QualCoding.guid,
            QualCoding.document_id,
            QualCode.guid,
            QualCoding.start,
            QualCoding.end,
            QualCoder.login,
            QualCoder.name,
            QualCoding.memo,
            QualCoding.created_at,
            QualCoding.id,
            QualCoding.code_id,
        )
        .join(QualCode, QualCode.id == QualCoding.code_id)
        .outerjoin(QualCoder, QualCoder.id == QualCoding.coder_id)
        .order_by(QualCoding.document_id, QualCoding.start, QualCoding.id)
    )
    if document is not None:
        query = query.where(QualCoding.document_id == document_row(session, document).id)
    if code is not None:
        query = query.where(QualCoding.code_id == code_row(session, code).id)
    visible = visible_coder_ids(session=session, viewer=viewer)
    if visible is not None:
        query = query.where(QualCoding.coder_id.in_(visible))
    rows = session.execute(query).all()
    texts = {
        doc_id: (guid, text)
        for doc_id, guid, text in session.execute(
            select(QualDocument.id, QualDocument.guid, QualDocument.text).where(
                QualDocument.id.in_({row[1] for row in rows})
            )
        )
    }
    return [
        CodingInfo(
            guid,
            texts[doc_id][0],
            code_guid,
            start,
            end,
            login or name,
            memo,
            texts[doc_id][1][start:end],
            created_at=created_at,
            id=coding_id,
            code_id=code_id,
        )
        for (
            guid,
            doc_id,
            code_guid,
            start,
            end,
            login,
            name,
            memo,
            created_at,
            coding_id,
            code_id,
        ) in rows
    ]


def document_codings(
    *, session: Session, actor: Account, document: str | int
) -> list[CodingInfo]:
    """The codings ``actor`` sees on ``document``: the one place the coding view
    and its JSON endpoints ask, so that a filter by viewer applies to all."""
    return codings_of(session=session, document=document, viewer=actor)


def _info_of(session: Session, row: QualCoding) -> CodingInfo:
    doc = session.get(QualDocument, row.document_id)
    code_guid = session.scalar(select(QualCode.guid).where(QualCode.id == row.code_id))
    coder = session.execute(
        select(QualCoder.login, QualCoder.name).where(QualCoder.id == row.coder_id)
    ).first()
    text = doc.text if doc is not None else ""
    return CodingInfo(
        row.guid,
        doc.guid if doc is not None else "",
        code_guid or "",
        row.start,
        row.end,
        (coder[0] or coder[1]) if coder is not None else None,
        row.memo,
        text[row.start : row.end],
        created_at=row.created_at,
        id=row.id,
        code_id=row.code_id,
    )


def edit_coding(
    *,
    session: Session,
    actor: Account,
    coding: str,
    start: int | None = None,
    end: int | None = None,
    code: str | int | None = None,
    memo: str | None = None,
    document: str | int | None = None,
) -> CodingInfo:
    """Change a coding's bounds, its code or its memo (coders: their own only).

    Parameters
    ----------
    coding
        The coding's GUID.
    start, end
        New code-point offsets (end exclusive); ``None`` keeps the old one.
    code
        The new code (name, path ``"A > B"``, GUID or id); ``None`` keeps it.
    memo
        The new memo; ``""`` clears it, ``None`` keeps it.
    document
        If given, the document the coding must be on (``QUAL_303``).

    Returns
    -------
    CodingInfo
        The coding as it now is.

    Raises
    ------
    SociaparisError
        ``QUAL_206`` for bounds outside the text, ``QUAL_204`` for an unknown
        code, ``QUAL_302`` when nothing would change, ``QUAL_200`` for a coder
        changing another coder's coding or a role that may not code.
    """
    row = _coding_row(session, coding, document)
    _may_change(session, actor, row, "change another coder's coding")
    doc = document_row(session, row.document_id)
    old_code_guid = session.scalar(
        select(QualCode.guid).where(QualCode.id == row.code_id)
    )
    new_code = code_row(session, code) if code is not None else None
    new_start = row.start if start is None else start
    new_end = row.end if end is None else end
    new_memo = row.memo if memo is None else (memo or None)
    new_code_id = new_code.id if new_code is not None else row.code_id
    _check(doc, new_start, new_end)
    if (new_start, new_end, new_code_id, new_memo) == (
        row.start,
        row.end,
        row.code_id,
        row.memo,
    ):
        raise SociaparisError(QualError.NOTHING_TO_CHANGE, coding=coding)
    before = _snapshot(session, row, old_code_guid or "")
    row.start, row.end, row.code_id, row.memo = new_start, new_end, new_code_id, new_memo
    session.flush()
    after = _snapshot(session, row, new_code.guid if new_code else before["code"])
    record(
        session=session,
        actor=actor,
        kind="recode",
        document_guid=doc.guid,
        code_guid=after["code"],
        coding_guid=row.guid,
        before=before,
        coding=after,
    )
    return _info_of(session, row)


# ------------------------------------------------------------------ undo

#: history kinds that :func:`undo_last` can invert (with a ``coding`` snapshot)
UNDOABLE = ("apply", "remove", "recode")
#: an undoable event's kind as the messages name it, in English and French
_UNDOABLE_NAMES = {
    "apply": Reason(en="apply", fr="application"),
    "remove": Reason(en="remove", fr="retrait"),
    "recode": Reason(en="recode", fr="modification"),
}


@dataclass(frozen=True, slots=True)
class UndoResult:
    """What :func:`undo_last` undid.

    Attributes
    ----------
    undone
        The kind of action undone: ``apply``, ``remove`` or ``recode``.
    coding
        The GUID of the coding concerned.
    document_guid
        The GUID of its document.
    restored
        The coding as it is after the undo (``None`` when undoing an apply
        removed it).
    """

    undone: str
    coding: str
    document_guid: str | None
    restored: CodingInfo | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "undone": self.undone,
            "coding": self.coding,
            "document": self.document_guid,
            "restored": self.restored.to_dict() if self.restored else None,
        }


def _same(row: QualCoding, code_guid: str | None, state: Mapping[str, Any]) -> bool:
    return (code_guid, row.start, row.end, row.memo) == (
        state.get("code"),
        state.get("start"),
        state.get("end"),
        state.get("memo"),
    )


def _invert(session: Session, actor: Account, event: QualEvent) -> UndoResult:
    """Apply the inverse of ``event`` (an apply, remove or recode of ``actor``)."""
    state: dict[str, Any] = dict(event.details["coding"])
    guid = event.coding_guid or ""

    def conflict(en: str, fr: str) -> SociaparisError:
        return SociaparisError(
            QualError.UNDO_CONFLICT,
            user=actor.username,
            kind=_UNDOABLE_NAMES.get(event.kind, event.kind),
            coding=guid,
            reason=Reason(en=en, fr=fr),
        )

    row = session.scalar(select(QualCoding).where(QualCoding.guid == guid))
    current_code = (
        session.scalar(select(QualCode.guid).where(QualCode.id == row.code_id))
        if row is not None
        else None
    )
    restored: CodingInfo | None = None
    if event.kind == "apply":
        if row is None:
            raise conflict(
                "the coding was removed since", "le codage a été supprimé depuis"
            )
        if not _same(row, current_code, state):
            raise conflict(
                "the coding was changed since", "le codage a été modifié depuis"
            )
        session.delete(row)
        session.flush()
    elif event.kind == "remove":
        if row is not None:
            raise conflict("the coding exists again", "le codage existe de nouveau")
        code_id = session.scalar(
            select(QualCode.id).where(QualCode.guid == state["code"])
        )
        doc_id = session.scalar(
            select(QualDocument.id).where(QualDocument.guid == event.document_guid)
        )
        if code_id is None or doc_id is None:
            raise conflict(
                "its code or its document was deleted since",
                "son code ou son document a été supprimé depuis",
            )
        coder = session.scalar(
            select(QualCoder.id).where(QualCoder.guid == state["coder"])
        )
        created = state.get("created_at")
        # The same id as before where it is free (SQLite may have given it to a
        # newer coding), so that an API client's reference stays valid.
        old_id = state.get("id")
        free = isinstance(old_id, int) and session.get(QualCoding, old_id) is None
        row = QualCoding(
            id=old_id if free else None,
            guid=guid,
            document_id=doc_id,
            code_id=code_id,
            start=int(state["start"]),
            end=int(state["end"]),
            coder_id=coder,
            memo=state.get("memo"),
            created_at=datetime.fromisoformat(created) if created else utcnow(),
        )
        session.add(row)
        session.flush()
        restored = _info_of(session, row)
    else:
        before: dict[str, Any] = dict(event.details["before"])
        if row is None:
            raise conflict(
                "the coding was removed since", "le codage a été supprimé depuis"
            )
        if not _same(row, current_code, state):
            raise conflict(
                "the coding was changed since", "le codage a été modifié depuis"
            )
        code_id = session.scalar(
            select(QualCode.id).where(QualCode.guid == before["code"])
        )
        if code_id is None:
            raise conflict(
                "its former code was deleted since",
                "son ancien code a été supprimé depuis",
            )
        row.start, row.end = int(before["start"]), int(before["end"])
        row.code_id, row.memo = code_id, before.get("memo")
        session.flush()
        restored = _info_of(session, row)
    record(
        session=session,
        actor=actor,
        kind="undo",
        document_guid=event.document_guid,
        code_guid=event.code_guid,
        coding_guid=guid,
        undoes=event.id,
        undone=event.kind,
    )
    return UndoResult(event.kind, guid, event.document_guid, restored)


def undo_last(
    *, session: Session, actor: Account, document: str | int | None = None
) -> UndoResult:
    """Undo ``actor``'s last coding action not undone yet (on ``document`` if given).

    The inverse (remove an applied coding, put a removed one back with its
    GUID, coder, date and memo, restore the former bounds, code and memo) is
    applied by the service and recorded in the history as an ``undo`` event
    pointing at the event it undoes; undoing again goes one action further
    back.  Bulk codings (imports) are not undone one by one.

    Raises
    ------
    SociaparisError
        ``QUAL_300`` when nothing is left to undo, ``QUAL_301`` when the coding
        was changed, removed or put back since by someone else (nothing is
        changed then), ``QUAL_200`` for a role that may not code.
    """
    require(actor, Role(actor.role).can_code(), "code documents")
    query = (
        select(QualEvent)
        .where(
            QualEvent.actor == actor.username,
            QualEvent.kind.in_((*UNDOABLE, "undo")),
        )
        .order_by(QualEvent.id.desc())
    )
    where: Reason | str = ""
    if document is not None:
        doc = document_row(session, document)
        query = query.where(QualEvent.document_guid == doc.guid)
        where = Reason(
            en=f" on document '{doc.title}'", fr=f" dans le document « {doc.title} »"
        )
    undone: set[int] = set()
    for event in session.scalars(query):
        if event.kind == "undo":
            undone.add(int(event.details.get("undoes", 0)))
            continue
        if event.id in undone or "coding" not in event.details:
            continue
        return _invert(session, actor, event)
    raise SociaparisError(QualError.NOTHING_TO_UNDO, user=actor.username, where=where)


def recent_codes(*, session: Session, actor: Account, limit: int = 8) -> list[str]:
    """GUIDs of the codes ``actor`` applied most recently (newest first)."""
    seen: list[str] = []
    query = (
        select(QualEvent.code_guid)
        .where(QualEvent.actor == actor.username, QualEvent.kind == "apply")
        .order_by(QualEvent.id.desc())
        .limit(200)
    )
    for guid in session.scalars(query):
        if guid and guid not in seen:
            seen.append(guid)
            if len(seen) == limit:
                break
    return seen


def code_hits(
    *, session: Session, actor: Account, code: str | int, hits: Iterable[str]
) -> int:
    """Apply ``code`` to places found by a search, after a person chose them.

    Parameters
    ----------
    code
        The code (id, name, path ``"A > B"`` or GUID).
    hits
        ``"DOCUMENT:START:END"`` strings (document GUID or id, code-point
        offsets, end exclusive), as a search hit names its place.

    Returns
    -------
    int
        The number of codings stored (one per hit, through :func:`bulk_apply`).

    Raises
    ------
    SociaparisError
        ``QUAL_342`` when no hit is given, ``QUAL_341`` for a malformed hit, and
        as :func:`bulk_apply` (nothing is stored then).
    """
    from sociaparis.qual.errors import QualError

    require(actor, Role(actor.role).can_code(), "code documents")
    wanted = list(dict.fromkeys(hits))
    if not wanted:
        raise SociaparisError(QualError.NO_HITS)
    code_id = code_row(session, code).id
    documents: dict[str, int] = {}
    rows = []
    for hit in wanted:
        document, _, span = hit.rpartition(":")
        document, _, start = document.rpartition(":")
        if not document or not start.isdigit() or not span.isdigit():
            raise SociaparisError(QualError.BAD_HIT, value=hit[:80])
        if document not in documents:
            documents[document] = document_row(session, document).id
        rows.append({"document_id": documents[document], "code_id": code_id,
                     "start": int(start), "end": int(span)})  # fmt: skip
    return bulk_apply(session=session, actor=actor, codings=rows)


# ------------------------------------------------------------------ memos


def add_memo(
    *,
    session: Session,
    actor: Account,
    text: str,
    on: str,
    target: str | int | None = None,
    start: int | None = None,
    end: int | None = None,
    name: str = "",
) -> str:
    """Write a memo on the project, a document, a span, a code, a case or a coding.

    Returns the memo's GUID.
    """
    require(actor, Role(actor.role).can_code(), "write memos")
    if on not in MEMO_KINDS:
        raise SociaparisError(
            CorpusError.BAD_OPTION, name="on", choices=", ".join(MEMO_KINDS), value=on
        )
    guid = ""
    if on in ("document", "span"):
        doc = document_row(session, target if target is not None else "")
        guid = doc.guid
        if on == "span":
            _check(
                doc, start if start is not None else -1, end if end is not None else -1
            )
    elif on == "code":
        guid = code_row(session, target if target is not None else "").guid
    elif on == "case":
        from sociaparis.qual.corpus import _case

        guid = _case(session, target if target is not None else "").guid
    elif on == "coding":
        found = session.scalar(select(QualCoding.guid).where(QualCoding.guid == target))
        if found is None:
            raise SociaparisError(CorpusError.UNKNOWN_CODING, ref=target)
        guid = found
    author = session.scalar(
        select(QualCoder.guid).where(
            QualCoder.id == coder_id(session=session, actor=actor)
        )
    )
    memo = QualMemo(
        guid=new_guid(), name=name, text=text, created_by=author, created_at=utcnow()
    )
    session.add(memo)
    session.flush()
    session.add(
        QualMemoTarget(
            memo_id=memo.id,
            kind="source" if on == "document" else on,
            target_guid=guid,
            start=start if on == "span" else None,
            end=end if on == "span" else None,
        )
    )
    record(session=session, actor=actor, kind="memo", memo=memo.guid, on=on, target=guid)
    session.flush()
    return memo.guid


@dataclass(frozen=True, slots=True)
class MemoInfo:
    """A memo: its text, who wrote it and when."""

    guid: str
    text: str
    author: str | None
    created_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "guid": self.guid,
            "text": self.text,
            "author": self.author,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }


def _memo_target(session: Session, on: str, target: str | int) -> tuple[str, str]:
    """The ``(kind, guid)`` a memo on ``on`` ``target`` is stored under."""
    if on == "document":
        return "source", document_row(session, target).guid
    if on == "code":
        return "code", code_row(session, target).guid
    if on == "case":
        from sociaparis.qual.corpus import _case

        return "case", _case(session, target).guid
    if on == "coding":
        return "coding", _coding_row(session, str(target)).guid
    raise SociaparisError(
        CorpusError.BAD_OPTION,
        name="on",
        choices="document, code, case, coding",
        value=on,
    )


def memo_notes(*, session: Session, on: str, target: str | int) -> list[MemoInfo]:
    """The memos on a document, code, case or coding, oldest first, with author."""
    kind, guid = _memo_target(session, on, target)
    rows = session.execute(
        select(QualMemo, QualCoder.login, QualCoder.name)
        .join(QualMemoTarget, QualMemoTarget.memo_id == QualMemo.id)
        .outerjoin(QualCoder, QualCoder.guid == QualMemo.created_by)
        .where(QualMemoTarget.kind == kind, QualMemoTarget.target_guid == guid)
        .order_by(QualMemo.id)
    )
    return [
        MemoInfo(memo.guid, memo.text, login or name, memo.created_at)
        for memo, login, name in rows
    ]


def memos_on(*, session: Session, on: str, target: str | int) -> list[str]:
    """The texts of the memos on a document, code, case or coding (oldest first)."""
    return [m.text for m in memo_notes(session=session, on=on, target=target)]


# ------------------------------------------------------------------ coders


@dataclass(frozen=True, slots=True)
class CoderInfo:
    """Someone who coded: a sociaparis account or a user of an imported project.

    ``name`` is how agreement and retrieval name the coder (the login, else the
    name).
    """

    id: int
    guid: str
    name: str
    codings: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"id": self.id, "guid": self.guid, "name": self.name,
                "codings": self.codings}  # fmt: skip


def list_coders(*, session: Session, viewer: Account | None = None) -> list[CoderInfo]:
    """The coders, by name, with their number of codings; with ``viewer``, only
    those whose codings that account may see (blind mode)."""
    from sqlalchemy import func

    counts = dict(
        session.execute(
            select(QualCoding.coder_id, func.count()).group_by(QualCoding.coder_id)
        ).all()
    )
    visible = visible_coder_ids(session=session, viewer=viewer)
    coders = [
        CoderInfo(c.id, c.guid, c.login or c.name, counts.get(c.id, 0))
        for c in session.scalars(select(QualCoder))
        if visible is None or c.id in visible
    ]
    return sorted(coders, key=lambda c: c.name.casefold())
