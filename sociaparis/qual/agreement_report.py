"""The agreement report of the workbench: coefficients per code and overall, and
each disagreement with both coders' segments side by side.

It wraps :func:`~sociaparis.qual.interchange.stored_agreement` (the same
coefficients as the CLI's ``qual corpus-agreement``) and reads, for each unit on
which the coders did not decide alike, the codings each coder put on that unit,
so that a person can see what each did and open the text there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.service import Account
from sociaparis.core.errors import SociaparisError
from sociaparis.qual.agreement import CodingAgreement
from sociaparis.qual.codebook_service import _all_codes, _path, code_path
from sociaparis.qual.errors import QualError
from sociaparis.qual.interchange import stored_agreement
from sociaparis.qual.io.codebook import PATH_SEPARATOR
from sociaparis.qual.models import QualCoder, QualCoding, QualDocument

#: coefficients in the order the report shows them
REPORT_MEASURES = (
    "percent_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
)


@dataclass(frozen=True, slots=True)
class CoderSegment:
    """A coding one coder put on a disagreement's unit; ``same_code`` when its
    code is the disagreement's."""

    coding_id: int
    guid: str
    code: str
    start: int
    end: int
    text: str
    same_code: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"coding_id": self.coding_id, "guid": self.guid, "code": self.code,
                "start": self.start, "end": self.end, "text": self.text,
                "same_code": self.same_code}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A unit and code on which the coders did not all decide the same.

    ``sides`` holds, for every coder compared, the codings they put on the unit
    (of any code), so both coders' segments can be read side by side.
    """

    document_id: int
    document_title: str
    unit: str
    start: int
    end: int
    code: str
    applied_by: tuple[str, ...]
    not_applied_by: tuple[str, ...]
    excerpt: str
    sides: tuple[tuple[str, tuple[CoderSegment, ...]], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "document_id": self.document_id,
            "document": self.document_title,
            "unit": self.unit,
            "start": self.start,
            "end": self.end,
            "code": self.code,
            "applied_by": list(self.applied_by),
            "not_applied_by": list(self.not_applied_by),
            "excerpt": self.excerpt,
            "sides": {c: [s.to_dict() for s in segs] for c, segs in self.sides},
        }


@dataclass(frozen=True, slots=True)
class AgreementReport:
    """Agreement per code and overall, and the disagreements, of chosen coders,
    documents and codes.

    Attributes
    ----------
    agreement
        The :class:`~sociaparis.qual.agreement.CodingAgreement` (full precision).
    measures
        The coefficients computed, in :data:`REPORT_MEASURES` order.
    rows
        ``(code, {measure: value})`` per code, then ``("(overall)", ...)``.
    disagreements
        Each with both coders' segments.
    unit, min_overlap
        How the text was cut into units, and the overlap that counts.
    documents
        Titles of the documents compared.
    """

    agreement: CodingAgreement
    measures: tuple[str, ...]
    rows: tuple[tuple[str, dict[str, float]], ...]
    disagreements: tuple[Disagreement, ...]
    unit: str
    min_overlap: int
    documents: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON twin of the page."""
        return {
            "coders": list(self.agreement.coders),
            "documents": list(self.documents),
            "unit": self.unit,
            "min_overlap": self.min_overlap,
            "n_units": self.agreement.n_units,
            "measures": list(self.measures),
            "rows": [{"code": c, **v} for c, v in self.rows],
            "disagreements": [d.to_dict() for d in self.disagreements],
        }


def agreement_report(
    *,
    session: Session,
    viewer: Account | None,
    coders: Sequence[str],
    documents: Sequence[str | int] | None = None,
    codes: Sequence[str] | None = None,
    unit: Literal["turns", "paragraphs", "segments"] = "turns",
    size: int = 500,
    min_overlap: int = 1,
) -> AgreementReport:
    """Agreement of ``coders`` on ``documents`` for ``codes``, with disagreements.

    Parameters
    ----------
    viewer
        The account asking; refused with ``QUAL_340`` while blind mode hides
        other coders' codings from it.
    coders
        At least two coder names (logins, or names of imported users).
    documents
        Released documents (ids, GUIDs or titles; default: all released).
    codes
        Code paths (default: the codes these coders applied).
    unit, size, min_overlap
        As in :func:`~sociaparis.qual.interchange.stored_agreement`.

    Raises
    ------
    SociaparisError
        ``QUAL_344`` with fewer than two coders, ``QUAL_345`` when there is no
        document or code to compare, ``QUAL_340`` in blind mode.
    """
    chosen = list(dict.fromkeys(coders))
    if len(chosen) < 2:
        raise SociaparisError(
            QualError.AGREEMENT_CODERS, count=len(chosen), coders=", ".join(chosen)
        )
    if documents is not None and not documents:
        raise SociaparisError(QualError.AGREEMENT_NOTHING)
    codes_ = [code_path(session, c) for c in codes] if codes else None
    try:
        result = stored_agreement(
            session=session, unit=unit, size=size, coders=chosen, codes=codes_,
            min_overlap=min_overlap, documents=documents, viewer=viewer,
        )  # fmt: skip
    except ValueError:
        # no units (no released document) or no code applied by anyone
        raise SociaparisError(QualError.AGREEMENT_NOTHING) from None
    measures = tuple(m for m in REPORT_MEASURES if m in result.overall)
    rows = [
        (code, {m: res[m].value for m in measures})
        for code, res in result.per_code.items()
    ]
    rows.append(("(overall)", {m: result.overall[m].value for m in measures}))
    frame = result.disagreements
    guids = sorted(set(frame["document"])) if len(frame) else []
    docs = {
        d.guid: d
        for d in session.scalars(select(QualDocument).where(QualDocument.guid.in_(guids)))
    }
    by_place = _codings_by_place(session, [d.id for d in docs.values()], chosen)
    disagreements = []
    for row in frame.itertuples(index=False):
        doc = docs[row.document]
        start, end = int(row.start), int(row.end)
        sides = []
        applied = []
        for coder in result.coders:
            segs = tuple(
                CoderSegment(cid, guid, code, s, e, doc.text[s:e], code == row.code)
                for cid, guid, code, s, e in by_place.get((doc.id, coder), [])
                if min(e, end) - max(s, start) >= min_overlap
            )
            sides.append((coder, segs))
            if any(seg.same_code for seg in segs):
                applied.append(coder)
        disagreements.append(
            Disagreement(
                doc.id, doc.title, row.unit, start, end, row.code, tuple(applied),
                tuple(c for c in result.coders if c not in applied), row.excerpt,
                tuple(sides),
            )
        )  # fmt: skip
    query = select(QualDocument.title).where(QualDocument.status == "released")
    if documents is not None:
        query = query.where(QualDocument.id.in_([_doc_id(session, d) for d in documents]))
    titles = session.scalars(query.order_by(QualDocument.id)).all()
    return AgreementReport(
        result, measures, tuple(rows), tuple(disagreements), unit, min_overlap,
        tuple(titles),
    )  # fmt: skip


def _doc_id(session: Session, ref: str | int) -> int:
    from sociaparis.qual.corpus import document_row

    return document_row(session, ref).id


def _codings_by_place(
    session: Session, document_ids: list[int], coders: list[str]
) -> dict[tuple[int, str], list[tuple[int, str, str, int, int]]]:
    """``{(document id, coder name): [(id, guid, code path, start, end)]}``."""
    all_codes = _all_codes(session)
    paths = {i: PATH_SEPARATOR.join(_path(all_codes, c)) for i, c in all_codes.items()}
    out: dict[tuple[int, str], list[tuple[int, str, str, int, int]]] = defaultdict(list)
    if not document_ids:
        return out
    query = (
        select(QualCoding, QualCoder.login, QualCoder.name)
        .join(QualCoder, QualCoder.id == QualCoding.coder_id)
        .where(QualCoding.document_id.in_(document_ids))
        .order_by(QualCoding.start, QualCoding.id)
    )
    for coding, login, name in session.execute(query):
        who = login or name
        if who in coders:
            out[(coding.document_id, who)].append(
                (coding.id, coding.guid, paths[coding.code_id], coding.start,
                 coding.end)
            )  # fmt: skip
    return out
