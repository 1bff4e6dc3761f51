"""Codings and memos: apply and remove codes on spans of released documents.

Offsets are code points into the document text, end exclusive.  Every apply and
remove is written to the history; :func:`bulk_apply` stores thousands of codings
(and their history) with one executemany each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.db import utcnow
from sociaparis.core.errors import SociaparisError
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
from sociaparis.qual.models import (
    QualCode,
    QualCoder,
    QualCoding,
    QualDocument,
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
) -> CodingInfo:
    """Apply ``code`` to ``text[start:end]`` of a released document.

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
    coder = coder_id(session=session, actor=actor)
    coding = QualCoding(
        guid=new_guid(),
        document_id=doc.id,
        code_id=code_.id,
        start=start,
        end=end,
        coder_id=coder,
        memo=memo,
        created_at=utcnow(),
    )
    session.add(coding)
    session.flush()
    record(
        session=session,
        actor=actor,
        kind="apply",
        document_guid=doc.guid,
        code_guid=code_.guid,
        coding_guid=coding.guid,
        start=start,
        end=end,
    )
    return CodingInfo(
        coding.guid,
        doc.guid,
        code_.guid,
        start,
        end,
        actor.username,
        memo,
        doc.text[start:end],
    )


def remove_coding(*, session: Session, actor: Account, coding: str) -> None:
    """Remove a coding (coders may remove only their own)."""
    require(actor, Role(actor.role).can_code(), "code documents")
    row = session.scalar(select(QualCoding).where(QualCoding.guid == coding))
    if row is None:
        raise SociaparisError(CorpusError.UNKNOWN_CODING, ref=coding)
    if not can_manage(actor) and row.coder_id != coder_id(session=session, actor=actor):
        require(actor, False, "remove another coder's coding")
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
    query = (
        select(QualCoding, QualDocument, QualCode.guid, QualCoder.login, QualCoder.name)
        .join(QualDocument, QualDocument.id == QualCoding.document_id)
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
    return [
        CodingInfo(
            c.guid,
            d.guid,
            code_guid,
            c.start,
            c.end,
            login or name,
            c.memo,
            d.text[c.start : c.end],
        )
        for c, d, code_guid, login, name in session.execute(query)
    ]


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


def memos_on(*, session: Session, on: str, target: str | int) -> list[str]:
    """The texts of the memos on a document, code or case (oldest first)."""
    if on == "document":
        guid, kind = document_row(session, target).guid, "source"
    elif on == "code":
        guid, kind = code_row(session, target).guid, "code"
    else:
        from sociaparis.qual.corpus import _case

        guid, kind = _case(session, target).guid, on
    return list(
        session.scalars(
            select(QualMemo.text)
            .join(QualMemoTarget, QualMemoTarget.memo_id == QualMemo.id)
            .where(QualMemoTarget.kind == kind, QualMemoTarget.target_guid == guid)
            .order_by(QualMemo.id)
        )
    )


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
