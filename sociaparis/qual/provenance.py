"""Where a coding came from: a person, or a model whose proposal a person accepted.

A coding made by a tool belongs to a coder named after it (``ai:<model>`` for a
language model, ``offline:<name>`` for the offline suggester, see
:mod:`sociaparis.assist`).  Its proposals live in their own table and become
codings only when a person accepts one; the acceptance is the ``apply`` event
of the history, whose actor is that person.  So an export can say, for every
coding, whether a model proposed it and who accepted it, from the corpus's own
tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.qual.corpus import new_guid
from sociaparis.qual.models import QualCoder, QualCoding, QualDocument, QualEvent
from sociaparis.qual.project import Memo, MemoTarget, Project

#: coder names that a tool, not a person, coded under
MODEL_CODER_PREFIXES = ("ai:", "offline:")
#: the namespace of the GUIDs of provenance notes (one per coding, stable)
_NOTE_NAMESPACE = uuid.UUID("6f1c1d9e-61a4-4f53-9d0e-4a6b0c2f7a11")


def is_model_coder(name: str | None) -> bool:
    """Whether ``name`` names a model's (or another tool's) coder."""
    return bool(name) and str(name).startswith(MODEL_CODER_PREFIXES)


@dataclass(frozen=True, slots=True)
class Provenance:
    """A coding's origin: ``human`` or ``model``; for a model's, its name and the
    person who accepted the proposal (``""`` when the history does not say)."""

    origin: str = "human"
    model: str = ""
    accepted_by: str = ""


def provenance(
    *, session: Session, codings: Iterable[tuple[str, str | None]]
) -> dict[str, Provenance]:
    """The provenance of codings given as ``(coding GUID, coder name)`` pairs.

    Returns
    -------
    dict
        Coding GUID -> :class:`Provenance` (every coding given).
    """
    pairs = list(codings)
    model = [guid for guid, coder in pairs if is_model_coder(coder)]
    accepted: dict[str, str] = {}
    for first in range(0, len(model), 500):
        for guid, actor in session.execute(
            select(QualEvent.coding_guid, QualEvent.actor)
            .where(
                QualEvent.kind == "apply",
                QualEvent.coding_guid.in_(model[first : first + 500]),
            )
            .order_by(QualEvent.id)
        ):
            accepted.setdefault(guid, actor)
    return {
        guid: Provenance("model", coder or "", accepted.get(guid, ""))
        if is_model_coder(coder)
        else Provenance()
        for guid, coder in pairs
    }


def note_text(item: Provenance) -> str:
    """The provenance note of a model's coding, in French then English."""
    who = item.accepted_by or "?"
    return (
        f"Codage proposé par le modèle {item.model} et accepté par {who}. / "
        f"Coding proposed by the model {item.model} and accepted by {who}."
    )


def with_provenance_notes(*, session: Session, project: Project) -> Project:
    """``project`` with a note on each coding a model proposed (REFI-QDA has no
    field for it: the note says the model and the person who accepted it)."""
    names = {
        guid: login or name
        for guid, login, name in session.execute(
            select(QualCoder.guid, QualCoder.login, QualCoder.name)
        )
    }
    pairs = [(c.id, names.get(c.created_by or "")) for c in project.codings]
    found = provenance(session=session, codings=pairs)
    existing = {m.id for m in project.memos}
    notes = []
    for guid, item in found.items():
        if item.origin != "model":
            continue
        note_id = str(uuid.uuid5(_NOTE_NAMESPACE, guid))
        if note_id in existing:  # a project exported, imported, exported again
            continue
        notes.append(
            Memo(
                note_id,
                note_text(item),
                name="provenance",
                targets=(MemoTarget("coding", guid),),
            )
        )
    if not notes:
        return project
    return replace(project, memos=(*project.memos, *notes))


def tool_coder(*, session: Session, name: str) -> int:
    """The id of the coder a tool codes under (``ai:<model>``, ``offline:<name>``),
    created on first use; it belongs to no account."""
    found = session.scalar(
        select(QualCoder.id)
        .where(QualCoder.name == name, QualCoder.account_id.is_(None))
        .order_by(QualCoder.id)
        .limit(1)
    )
    if found is not None:
        return found
    coder = QualCoder(guid=new_guid(), name=name, login=None, account_id=None)
    session.add(coder)
    session.flush()
    return coder.id


def human_examples(
    *, session: Session, code_ids: Iterable[int], per_code: int = 3
) -> dict[int, list[str]]:
    """Up to ``per_code`` passages people coded with each code (oldest first):
    the examples a suggester is shown; a tool's codings are never examples."""
    wanted = list(code_ids)
    out: dict[int, list[str]] = {code: [] for code in wanted}
    if not wanted:
        return out
    rows = session.execute(
        select(
            QualCoding.code_id,
            QualCoding.start,
            QualCoding.end,
            QualCoding.document_id,
            QualCoder.login,
            QualCoder.name,
        )
        .join(QualDocument, QualDocument.id == QualCoding.document_id)
        .outerjoin(QualCoder, QualCoder.id == QualCoding.coder_id)
        .where(QualCoding.code_id.in_(wanted), QualDocument.status == "released")
        .order_by(QualCoding.id)
    )
    spans: list[tuple[int, int, int, int]] = []
    for code, start, end, document, login, name in rows:
        if is_model_coder(login or name) or len(out[code]) >= per_code:
            continue
        out[code].append("")
        spans.append((code, start, end, document))
    texts = dict(
        session.execute(
            select(QualDocument.id, QualDocument.text).where(
                QualDocument.id.in_({s[3] for s in spans})
            )
        ).all()
    )
    out = {code: [] for code in wanted}
    for code, start, end, document in spans:
        out[code].append(texts[document][start:end])
    return out
