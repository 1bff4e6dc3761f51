"""Retrieval: every segment of a code with its context; code co-occurrence.

Segments are read with their context cut out by the database (``substr`` counts
code points on both SQLite and PostgreSQL), so a retrieval never loads whole
documents.  Filters on case attributes use the attribute table
(``qual_case_values``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Literal

import pandas as pd
from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from sociaparis.accounts.service import Account
from sociaparis.core.errors import SociaparisError
from sociaparis.qual.codebook_service import _all_codes, _path, code_row, list_codes
from sociaparis.qual.corpus import encode_value, variable_id
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.io.codebook import PATH_SEPARATOR
from sociaparis.qual.models import (
    QualCase,
    QualCaseDocument,
    QualCaseValue,
    QualCode,
    QualCoder,
    QualCoding,
    QualDocument,
    QualTurn,
)
from sociaparis.qual.provenance import provenance

SEGMENT_COLUMNS = (
    "coding",
    "document",
    "title",
    "code",
    "coder",
    "speaker",
    "start",
    "end",
    "before",
    "text",
    "after",
    "memo",
    "speakers",
    "origin",
    "model",
    "accepted_by",
)


@dataclass(frozen=True, slots=True)
class Segment:
    """A coded segment: ``text`` is ``document_text[start:end]``; ``before`` and
    ``after`` are up to ``context`` code points around it; ``speaker`` is the
    speaker of the turn where it starts (``None`` outside turns), ``speakers``
    those of every turn it covers, in order (a focus group: who said what).
    ``origin`` is ``human`` or ``model``; a model's coding names its ``model``
    (the coder) and the person who ``accepted_by`` its proposal
    (:mod:`sociaparis.qual.provenance`)."""

    coding: str
    document: str
    title: str
    code: str
    coder: str | None
    speaker: str | None
    start: int
    end: int
    before: str
    text: str
    after: str
    memo: str | None
    document_id: int = 0
    coding_id: int = 0
    speakers: tuple[str, ...] = ()
    origin: str = "human"
    model: str = ""
    accepted_by: str = ""


@dataclass(frozen=True, slots=True)
class SegmentsResult:
    """The segments of one code, with the filters that selected them."""

    code: str
    segments: tuple[Segment, ...]
    include_subcodes: bool = False
    coder: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    context: int = 0
    cases: tuple[str, ...] = ()
    with_code: str | None = None
    mode: str = "overlap"

    def to_frame(self) -> pd.DataFrame:
        """One row per segment, columns :data:`SEGMENT_COLUMNS` (``speakers``
        joined with ``"; "``)."""
        return pd.DataFrame(
            [
                [
                    "; ".join(s.speakers) if c == "speakers" else getattr(s, c)
                    for c in SEGMENT_COLUMNS
                ]
                for s in self.segments
            ],
            columns=list(SEGMENT_COLUMNS),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: parameters and segments."""
        return {
            "code": self.code,
            "include_subcodes": self.include_subcodes,
            "coder": self.coder,
            "attributes": {k: _as_list(v) for k, v in self.attributes.items()},
            "context": self.context,
            "cases": list(self.cases),
            "with_code": self.with_code,
            "mode": self.mode,
            "segments": [
                {c: _plain(getattr(s, c)) for c in SEGMENT_COLUMNS} for s in self.segments
            ],
        }


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _as_list(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple | set | frozenset) else [value]
    return [encode_value(v) for v in items]


def code_ids(session: Session, code: str | int, *, include_subcodes: bool) -> list[int]:
    """The id of ``code``, and of all codes below it with ``include_subcodes``."""
    root = code_row(session, code)
    if not include_subcodes:
        return [root.id]
    codes = _all_codes(session)
    children: dict[int | None, list[int]] = defaultdict(list)
    for c in codes.values():
        children[c.parent_id].append(c.id)
    out, stack = [], [root.id]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(children.get(current, []))
    return out


def filter_by_attributes(
    session: Session, query: Select[Any], attributes: Mapping[str, Any]
) -> Select[Any]:
    """Keep codings of documents in a case whose attribute ``name`` has one of the
    given values (a value or a list of values per attribute)."""
    for name, wanted in attributes.items():
        var = variable_id(session=session, name=name, create=False)
        query = query.where(
            exists(
                select(1)
                .select_from(QualCaseDocument)
                .join(QualCaseValue, QualCaseValue.case_id == QualCaseDocument.case_id)
                .where(
                    QualCaseDocument.document_id == QualCoding.document_id,
                    QualCaseValue.variable_id == var,
                    QualCaseValue.value.in_(_as_list(wanted)),
                )
            )
        )
    return query


def attribute_values(*, session: Session) -> dict[str, list[str]]:
    """Every case attribute with its values (canonical text), names sorted and
    values in their natural order (numbers and dates as such): the choices of a
    retrieval filter."""
    from sociaparis.qual.corpus import decode_value
    from sociaparis.qual.models import QualVariable

    kinds = dict(session.execute(select(QualVariable.name, QualVariable.type)).all())
    found: dict[str, set[str]] = defaultdict(set)
    query = (
        select(QualVariable.name, QualCaseValue.value)
        .join(QualCaseValue, QualCaseValue.variable_id == QualVariable.id)
        .distinct()
    )
    for name, value in session.execute(query):
        found[name].add(value)
    return {
        name: sorted(found[name], key=lambda v: decode_value(v, kinds[name] or "Text"))
        for name in sorted(found, key=str.casefold)
    }


def coder_ids(session: Session, coder: str) -> list[int]:
    """The coder rows of ``coder`` (login, name or GUID); ``QUAL_213`` if none."""
    ids = session.scalars(
        select(QualCoder.id).where(
            (QualCoder.login == coder)
            | (QualCoder.name == coder)
            | (QualCoder.guid == coder)
        )
    ).all()
    if not ids:
        raise SociaparisError(CorpusError.UNKNOWN_USER, ref=coder)
    return list(ids)


def coder_filter(
    session: Session,
    query: Select[Any],
    coder: str | None,
    viewer: Account | None = None,
    column: Any = None,
) -> Select[Any]:
    """Keep the codings of one coder (login, name or GUID), and those ``viewer``
    may see (blind mode, :func:`~sociaparis.qual.coding_service.visible_coder_ids`).

    ``column`` is the coder column to filter (default ``QualCoding.coder_id``).
    """
    from sociaparis.qual.coding_service import visible_coder_ids

    column = QualCoding.coder_id if column is None else column
    if coder is not None:
        query = query.where(column.in_(coder_ids(session, coder)))
    visible = visible_coder_ids(session=session, viewer=viewer)
    if visible is not None:
        query = query.where(column.in_(visible))
    return query


def filter_by_cases(
    session: Session, query: Select[Any], cases: Sequence[str]
) -> Select[Any]:
    """Keep codings of documents that belong to one of ``cases`` (names)."""
    if not cases:
        return query
    found = dict(
        session.execute(
            select(QualCase.name, QualCase.id).where(QualCase.name.in_(list(cases)))
        ).all()
    )
    for name in cases:
        if name not in found:
            raise SociaparisError(CorpusError.UNKNOWN_CASE, ref=name)
    return query.where(
        exists(
            select(1).where(
                QualCaseDocument.document_id == QualCoding.document_id,
                QualCaseDocument.case_id.in_(list(found.values())),
            )
        )
    )


def _with_code(
    session: Session,
    query: Select[Any],
    other_ids: list[int],
    mode: str,
    coder: str | None,
    viewer: Account | None,
) -> Select[Any]:
    """Keep codings that co-occur with a coding of ``other_ids``: whose spans
    overlap (``overlap``) or that share a speaker turn (``turn``), as
    :func:`cooccurrence` counts them; the other coding passes the same coder
    and viewer filters."""
    other = QualCoding.__table__.alias("other")
    partner = select(1).select_from(other).where(
        other.c.code_id.in_(other_ids), other.c.id != QualCoding.id,
        other.c.document_id == QualCoding.document_id,
    )  # fmt: skip
    if mode == "overlap":
        partner = partner.where(
            other.c.start < QualCoding.end, QualCoding.start < other.c.end
        )
    else:
        turn = QualTurn.__table__.alias("shared_turn")
        partner = partner.where(
            exists(
                select(1).select_from(turn).where(
                    turn.c.document_id == QualCoding.document_id,
                    turn.c.start < QualCoding.end, QualCoding.start < turn.c.end,
                    turn.c.start < other.c.end, other.c.start < turn.c.end,
                )
            )
        )  # fmt: skip
    partner = coder_filter(session, partner, coder, viewer, other.c.coder_id)
    return query.where(exists(partner))


def segments(
    *,
    session: Session,
    code: str | int,
    include_subcodes: bool = False,
    coder: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    context: int = 80,
    cases: Sequence[str] = (),
    with_code: str | int | None = None,
    mode: Literal["overlap", "turn"] = "overlap",
    viewer: Account | None = None,
) -> SegmentsResult:
    """All segments coded with ``code``, with their context.

    Parameters
    ----------
    code
        The code (name, path ``"A > B"`` or GUID).
    include_subcodes
        Also the segments of every code below it.
    coder
        Only the codings of this coder (login or name).
    attributes
        Only documents of cases with these attribute values, e.g.
        ``{"direction": ["DSIN", "DRH"], "cadre": True}``.
    context
        Code points of text shown before and after each segment.
    cases
        Only documents of these cases (names), e.g. a cell of a code x case
        matrix.
    with_code
        Only segments that co-occur with a coding of this code (and of its
        sub-codes with ``include_subcodes``), in the sense of ``mode``: a cell
        of :func:`cooccurrence`.
    mode
        ``"overlap"`` (the spans overlap) or ``"turn"`` (both in one speaker
        turn).
    viewer
        Only the codings this account may see (blind mode); ``None``: all.

    Returns
    -------
    SegmentsResult
        The segments in document order, then by start.
    """
    if mode not in ("overlap", "turn"):
        raise SociaparisError(
            CorpusError.BAD_OPTION, name="mode", choices="overlap, turn", value=mode
        )
    ids = code_ids(session, code, include_subcodes=include_subcodes)
    query = _segment_query(context).where(QualCoding.code_id.in_(ids))
    query = filter_by_attributes(session, query, attributes or {})
    query = filter_by_cases(session, query, list(cases))
    query = coder_filter(session, query, coder, viewer)
    codes = _all_codes(session)
    other_path = None
    if with_code is not None:
        other_ids = code_ids(session, with_code, include_subcodes=include_subcodes)
        query = _with_code(session, query, other_ids, mode, coder, viewer)
        other_path = PATH_SEPARATOR.join(_path(codes, codes[other_ids[0]]))
    rows = _segments(session, query, codes)
    root = codes[ids[0]]
    return SegmentsResult(
        PATH_SEPARATOR.join(_path(codes, root)),
        tuple(rows),
        include_subcodes,
        coder,
        dict(attributes or {}),
        context,
        tuple(cases),
        other_path,
        mode,
    )


def _segment_query(context: int) -> Select[Any]:
    """Codings with their document, code, coder, speaker and context, in order."""
    lo = case((QualCoding.start - context < 0, 0), else_=QualCoding.start - context)
    speaker = (
        select(QualTurn.speaker)
        .where(
            QualTurn.document_id == QualCoding.document_id,
            QualTurn.start <= QualCoding.start,
            QualTurn.end > QualCoding.start,
        )
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(
            QualCoding.guid,
            QualDocument.guid,
            QualDocument.title,
            QualCode.id,
            func.coalesce(QualCoder.login, QualCoder.name),
            speaker,
            QualCoding.start,
            QualCoding.end,
            func.substr(QualDocument.text, lo + 1, QualCoding.start - lo),
            func.substr(
                QualDocument.text, QualCoding.start + 1, QualCoding.end - QualCoding.start
            ),
            func.substr(QualDocument.text, QualCoding.end + 1, context),
            QualCoding.memo,
            QualDocument.id,
            QualCoding.id,
        )
        .join(QualDocument, QualDocument.id == QualCoding.document_id)
        .join(QualCode, QualCode.id == QualCoding.code_id)
        .outerjoin(QualCoder, QualCoder.id == QualCoding.coder_id)
        .order_by(QualCoding.document_id, QualCoding.start, QualCoding.id)
    )


def _speakers(
    session: Session, spans: list[tuple[str, int, int]]
) -> list[tuple[str, ...]]:
    """The speakers of the turns each ``(document GUID, start, end)`` covers."""
    turns: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    wanted = list({doc for doc, _, _ in spans})
    for first in range(0, len(wanted), 500):
        for doc, start, end, speaker in session.execute(
            select(QualDocument.guid, QualTurn.start, QualTurn.end, QualTurn.speaker)
            .join(QualDocument, QualDocument.id == QualTurn.document_id)
            .where(
                QualDocument.guid.in_(wanted[first : first + 500]),
                QualTurn.speaker.is_not(None),
            )
            .order_by(QualTurn.document_id, QualTurn.position)
        ):
            turns[doc].append((start, end, speaker))
    return [
        tuple(dict.fromkeys(sp for ts, te, sp in turns[doc] if ts < end and start < te))
        for doc, start, end in spans
    ]


def _segments(
    session: Session, query: Select[Any], codes: dict[int, QualCode]
) -> list[Segment]:
    rows = list(session.execute(query))
    speakers = _speakers(session, [(r[1], r[6], r[7]) for r in rows])
    origins = provenance(session=session, codings=[(r[0], r[4]) for r in rows])
    out = []
    for row, who_spoke in zip(rows, speakers, strict=True):
        (guid, doc, title, code_id, who, speaker, start, end, before, text, after,
         memo, document_id, coding_id) = row  # fmt: skip
        out.append(
            Segment(
                guid,
                doc,
                title,
                PATH_SEPARATOR.join(_path(codes, codes[code_id])),
                who,
                speaker,
                start,
                end,
                before or "",
                text or "",
                after or "",
                memo,
                document_id,
                coding_id,
                who_spoke,
                origins[guid].origin,
                origins[guid].model,
                origins[guid].accepted_by,
            )
        )
    return out


def segments_of(
    *,
    session: Session,
    codings: Sequence[str],
    context: int = 80,
    viewer: Account | None = None,
) -> list[Segment]:
    """The segments of the codings ``codings`` (GUIDs), e.g. those behind a cell of
    a matrix (:attr:`~sociaparis.qual.matrices.MatrixResult.segments`); with
    ``viewer``, only those that account may see (blind mode)."""
    segments_: list[Segment] = []
    wanted = list(dict.fromkeys(codings))
    codes = _all_codes(session)
    for first in range(0, len(wanted), 500):
        query = _segment_query(context).where(
            QualCoding.guid.in_(wanted[first : first + 500])
        )
        query = coder_filter(session, query, None, viewer)
        segments_.extend(_segments(session, query, codes))
    order = {g: i for i, g in enumerate(wanted)}
    return sorted(segments_, key=lambda s: order[s.coding])


# ------------------------------------------------------------------ co-occurrence


@dataclass(frozen=True, slots=True)
class Cooccurrence:
    """Code x code co-occurrence counts (symmetric, zero diagonal).

    ``mode="overlap"``: a cell counts the pairs of codings (one of each code)
    whose spans overlap.  ``mode="turn"``: a cell counts the speaker turns where
    both codes are applied (a coding is in a turn when their spans overlap).
    """

    codes: tuple[str, ...]
    counts: pd.DataFrame
    mode: str
    coder: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """The code x code table of counts."""
        return self.counts

    def csv_bytes(self) -> bytes:
        """The table as CSV (UTF-8 with BOM, injection-safe code names)."""
        import csv
        import io

        from sociaparis.core.spreadsheets import neutralize_formula

        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow([neutralize_formula(c) for c in ("code", *self.codes)])
        for code in self.codes:
            writer.writerow(
                [neutralize_formula(code), *(int(v) for v in self.counts.loc[code])]
            )
        return buffer.getvalue().encode("utf-8-sig")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: codes, mode and the non-zero pairs."""
        pairs = [
            {"a": a, "b": b, "count": int(self.counts.loc[a, b])}
            for a, b in combinations(self.codes, 2)
            if self.counts.loc[a, b]
        ]
        return {"mode": self.mode, "coder": self.coder, "codes": list(self.codes),
                "pairs": pairs}  # fmt: skip


def cooccurrence(
    *,
    session: Session,
    mode: Literal["overlap", "turn"] = "overlap",
    codes: Sequence[str] | None = None,
    coder: str | None = None,
    viewer: Account | None = None,
) -> Cooccurrence:
    """How often codes are applied together (see :class:`Cooccurrence`); with
    ``viewer``, counting only the codings that account may see (blind mode)."""
    if mode not in ("overlap", "turn"):
        raise SociaparisError(
            CorpusError.BAD_OPTION, name="mode", choices="overlap, turn", value=mode
        )
    all_codes = _all_codes(session)
    chosen = (
        [code_row(session, c).id for c in codes]
        if codes
        else [c.id for c in list_codes(session=session)]
    )
    names = {i: PATH_SEPARATOR.join(_path(all_codes, all_codes[i])) for i in chosen}
    labels = [names[i] for i in chosen]
    matrix = pd.DataFrame(0, index=labels, columns=labels, dtype="int64")
    if mode == "overlap":
        a, b = QualCoding.__table__.alias("a"), QualCoding.__table__.alias("b")
        query = (
            select(a.c.code_id, b.c.code_id, func.count())
            .select_from(a)
            .join(
                b,
                (a.c.document_id == b.c.document_id)
                & (a.c.start < b.c.end)
                & (b.c.start < a.c.end)
                & (a.c.code_id < b.c.code_id),
            )
            .where(a.c.code_id.in_(chosen), b.c.code_id.in_(chosen))
            .group_by(a.c.code_id, b.c.code_id)
        )
        query = coder_filter(session, query, coder, viewer, a.c.coder_id)
        query = coder_filter(session, query, coder, viewer, b.c.coder_id)
        for x, y, n in session.execute(query):
            matrix.loc[names[x], names[y]] += n
            matrix.loc[names[y], names[x]] += n
    else:
        query = (
            select(QualTurn.id, QualCoding.code_id)
            .join(
                QualTurn,
                (QualTurn.document_id == QualCoding.document_id)
                & (QualCoding.start < QualTurn.end)
                & (QualTurn.start < QualCoding.end),
            )
            .where(QualCoding.code_id.in_(chosen))
            .distinct()
        )
        query = coder_filter(session, query, coder, viewer)
        by_turn: dict[int, set[int]] = defaultdict(set)
        for turn_id, code_id in session.execute(query):
            by_turn[turn_id].add(code_id)
        for present in by_turn.values():
            for x, y in combinations(sorted(present), 2):
                matrix.loc[names[x], names[y]] += 1
                matrix.loc[names[y], names[x]] += 1
    return Cooccurrence(tuple(labels), matrix, mode, coder)
