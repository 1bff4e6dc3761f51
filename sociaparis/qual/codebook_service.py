"""The stored codebook: add, edit, move, merge and split codes; import and export.

Merging and splitting keep every coding (they move codings between codes) and
write one history event each.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.errors import Issue, Reason, SociaparisError
from sociaparis.qual.corpus import new_guid, record, record_many, require
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.errors import QualError
from sociaparis.qual.io.codebook import PATH_SEPARATOR, Codebook
from sociaparis.qual.models import (
    QualCode,
    QualCoding,
    QualMemoTarget,
    QualSet,
    QualSetMember,
)
from sociaparis.qual.project import Code, CodeSet, Project

_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_FIELDS = ("name", "description", "inclusion", "exclusion", "example", "color")


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """A code with its place in the hierarchy and how often it is applied."""

    id: int
    guid: str
    name: str
    path: tuple[str, ...]
    parent_guid: str | None
    description: str
    inclusion: str
    exclusion: str
    example: str
    color: str | None
    codings: int
    parent_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "guid": self.guid,
            "name": self.name,
            "path": PATH_SEPARATOR.join(self.path),
            "parent": self.parent_guid,
            "description": self.description,
            "inclusion": self.inclusion,
            "exclusion": self.exclusion,
            "example": self.example,
            "color": self.color,
            "codings": self.codings,
        }


def _may_edit(actor: Account, action: str) -> None:
    require(actor, Role(actor.role).can_edit_codebook(), action)


def _all_codes(session: Session) -> dict[int, QualCode]:
    return {
        c.id: c
        for c in session.scalars(
            select(QualCode).order_by(QualCode.position, QualCode.id)
        )
    }


def _path(codes: dict[int, QualCode], code: QualCode) -> tuple[str, ...]:
    names: list[str] = []
    current: QualCode | None = code
    seen: set[int] = set()
    while current is not None and current.id not in seen:
        seen.add(current.id)
        names.append(current.name)
        current = codes.get(current.parent_id) if current.parent_id else None
    return tuple(reversed(names))


def code_row(session: Session, ref: str | int) -> QualCode:
    """The code with id ``ref`` (int), GUID, path ``"A > B"`` or (unique) name."""
    if isinstance(ref, int):
        found = session.get(QualCode, ref)
        if found is None:
            raise SociaparisError(CorpusError.UNKNOWN_CODE, ref=ref)
        return found
    by_guid = session.scalar(
        select(QualCode).where(func.upper(QualCode.guid) == ref.upper())
    )
    if by_guid is not None:
        return by_guid
    codes = _all_codes(session)
    wanted = tuple(p.strip() for p in ref.split(PATH_SEPARATOR.strip()))
    matches = [c for c in codes.values() if _path(codes, c)[-len(wanted) :] == wanted]
    if not matches:
        raise SociaparisError(CorpusError.UNKNOWN_CODE, ref=ref)
    if len(matches) > 1:
        paths = "; ".join(PATH_SEPARATOR.join(_path(codes, c)) for c in matches)
        raise SociaparisError(CorpusError.AMBIGUOUS_CODE, ref=ref, paths=paths)
    return matches[0]


def code_path(session: Session, ref: str | int) -> str:
    """The path ``"A > B"`` of the code ``ref`` (id, GUID, path or name)."""
    codes = _all_codes(session)
    return PATH_SEPARATOR.join(_path(codes, codes[code_row(session, ref).id]))


def list_codes(*, session: Session, viewer: Account | None = None) -> list[CodeInfo]:
    """The codebook depth first, each code with its number of codings (with
    ``viewer``, of the codings that account may see: blind mode)."""
    from sociaparis.qual.coding_service import visible_coder_ids

    codes = _all_codes(session)
    query = select(QualCoding.code_id, func.count()).group_by(QualCoding.code_id)
    visible = visible_coder_ids(session=session, viewer=viewer)
    if visible is not None:
        query = query.where(QualCoding.coder_id.in_(visible))
    counts = dict(session.execute(query).all())
    children: dict[int | None, list[QualCode]] = {}
    for code in codes.values():
        children.setdefault(code.parent_id, []).append(code)
    out: list[CodeInfo] = []

    def visit(parent: int | None) -> None:
        for code in children.get(parent, []):
            out.append(
                CodeInfo(
                    code.id,
                    code.guid,
                    code.name,
                    _path(codes, code),
                    codes[code.parent_id].guid if code.parent_id else None,
                    code.description,
                    code.inclusion,
                    code.exclusion,
                    code.example,
                    code.color,
                    counts.get(code.id, 0),
                    code.parent_id,
                )
            )
            visit(code.id)

    visit(None)
    return out


#: where a code with no parent is (``where`` of ``QUAL_208``; a sub-code's is its
#: parent's path)
_TOP_LEVEL = Reason(en="the top level", fr="au premier niveau du livre de codes")


def _check_name(session: Session, name: str, parent_id: int | None, skip: int) -> None:
    clash = session.scalar(
        select(QualCode.id).where(
            QualCode.name == name,
            QualCode.parent_id.is_(None)
            if parent_id is None
            else QualCode.parent_id == parent_id,
            QualCode.id != skip,
        )
    )
    if clash is not None:
        where = _TOP_LEVEL
        if parent_id is not None:
            codes = _all_codes(session)
            path = PATH_SEPARATOR.join(_path(codes, codes[parent_id]))
            where = Reason(en=f"'{path}'", fr=f"sous « {path} »")
        raise SociaparisError(CorpusError.DUPLICATE_CODE, name=name, where=where)


def _check_colour(color: str | None) -> None:
    if color is not None and not _COLOUR.fullmatch(color):
        raise SociaparisError(QualError.CODEBOOK_BAD_COLOUR, value=color)


def add_code(
    *,
    session: Session,
    actor: Account,
    name: str,
    parent: str | int | None = None,
    description: str = "",
    inclusion: str = "",
    exclusion: str = "",
    example: str = "",
    color: str | None = None,
    guid: str | None = None,
) -> CodeInfo:
    """Add a code (under ``parent``, a code reference, or at the top level).

    Raises
    ------
    SociaparisError
        ``QUAL_208`` when a sibling has the same name, ``QUAL_143`` for a colour
        that is not ``#RRGGBB``, ``QUAL_200`` for a role that may not edit the
        codebook.
    """
    _may_edit(actor, "edit the codebook")
    parent_id = code_row(session, parent).id if parent is not None else None
    _check_name(session, name, parent_id, -1)
    code = _new_code(
        position=_last_position(session) + 1,
        fields={
            "guid": guid or new_guid(),
            "parent_id": parent_id,
            "name": name,
            "description": description,
            "inclusion": inclusion,
            "exclusion": exclusion,
            "example": example,
            "color": color,
        },
    )
    session.add(code)
    session.flush()
    record(
        session=session, actor=actor, kind="create_code", code_guid=code.guid, name=name
    )
    return _info(session, code)


def _last_position(session: Session) -> int:
    position = session.scalar(select(func.coalesce(func.max(QualCode.position), -1)))
    return position if position is not None else -1


def _new_code(*, position: int, fields: dict[str, Any]) -> QualCode:
    """A new code row with its name and colour checked (not yet added to a session).

    The caller checks the role and that no sibling has the same name, adds the
    row and records its ``create_code`` event.
    """
    if not fields["name"].strip():
        raise SociaparisError(QualError.CODEBOOK_EMPTY_NAME)
    _check_colour(fields["color"])
    return QualCode(position=position, codable=True, **fields)


def _info(session: Session, code: QualCode) -> CodeInfo:
    for info in list_codes(session=session):
        if info.id == code.id:
            return info
    raise SociaparisError(CorpusError.UNKNOWN_CODE, ref=code.guid)


def update_code(
    *, session: Session, actor: Account, code: str | int, **changes: str | None
) -> CodeInfo:
    """Change a code's name, description, inclusion, exclusion, example or color.

    A new name is recorded as a ``rename`` event, other changes as ``edit_code``.
    """
    _may_edit(actor, "edit the codebook")
    unknown = sorted(set(changes) - set(_FIELDS))
    if unknown:
        raise SociaparisError(
            CorpusError.BAD_OPTION,
            name="field",
            choices=", ".join(_FIELDS),
            value=unknown[0],
        )
    row = code_row(session, code)
    if "name" in changes and not (changes["name"] or "").strip():
        raise SociaparisError(QualError.CODEBOOK_EMPTY_NAME)
    if "name" in changes and changes["name"] != row.name:
        _check_name(session, str(changes["name"]), row.parent_id, row.id)
        record(
            session=session,
            actor=actor,
            kind="rename",
            code_guid=row.guid,
            old=row.name,
            new=changes["name"],
        )
    if "color" in changes:
        _check_colour(changes["color"])
    others = {k: v for k, v in changes.items() if k != "name"}
    if others:
        record(
            session=session, actor=actor, kind="edit_code", code_guid=row.guid, **others
        )
    for key, value in changes.items():
        setattr(row, key, value if key == "color" else (value or ""))
    session.flush()
    return _info(session, row)


def move_code(
    *, session: Session, actor: Account, code: str | int, parent: str | int | None
) -> CodeInfo:
    """Move a code with its sub-codes under ``parent`` (``None``: top level)."""
    _may_edit(actor, "edit the codebook")
    row = code_row(session, code)
    target = code_row(session, parent) if parent is not None else None
    if target is not None:
        codes = _all_codes(session)
        current: QualCode | None = target
        while current is not None:
            if current.id == row.id:
                raise SociaparisError(
                    QualError.CODE_CYCLE, code_id=row.guid, parent=target.guid
                )
            current = codes.get(current.parent_id) if current.parent_id else None
    _check_name(session, row.name, target.id if target else None, row.id)
    record(
        session=session,
        actor=actor,
        kind="move",
        code_guid=row.guid,
        parent=target.guid if target else None,
    )
    row.parent_id = target.id if target else None
    session.flush()
    return _info(session, row)


def merge_codes(
    *, session: Session, actor: Account, sources: Sequence[str | int], target: str | int
) -> CodeInfo:
    """Merge ``sources`` into ``target``: their codings, sub-codes, memos and set
    memberships move to ``target`` and they are removed.  Nothing is lost."""
    _may_edit(actor, "edit the codebook")
    into = code_row(session, target)
    merged = list(
        {row.id: row for row in (code_row(session, s) for s in sources)}.values()
    )
    if not merged:
        raise SociaparisError(QualError.MERGE_NOTHING, target=into.name)
    if any(m.id == into.id for m in merged):
        raise SociaparisError(QualError.MERGE_INTO_ITSELF, code_id=into.guid)
    codes = _all_codes(session)
    ancestors: set[int] = set()
    current = codes.get(into.parent_id) if into.parent_id else None
    while current is not None and current.id not in ancestors:
        ancestors.add(current.id)
        current = codes.get(current.parent_id) if current.parent_id else None
    for m in merged:
        if m.id in ancestors:
            raise SociaparisError(QualError.CODE_CYCLE, code_id=m.guid, parent=into.guid)
    ids = [m.id for m in merged]
    guids = [m.guid for m in merged]
    moved = session.execute(
        update(QualCoding).where(QualCoding.code_id.in_(ids)).values(code_id=into.id)
    ).rowcount
    session.execute(
        update(QualCode).where(QualCode.parent_id.in_(ids)).values(parent_id=into.id)
    )
    session.execute(
        update(QualMemoTarget)
        .where(QualMemoTarget.kind == "code", QualMemoTarget.target_guid.in_(guids))
        .values(target_guid=into.guid)
    )
    session.execute(
        update(QualSetMember)
        .where(QualSetMember.kind == "code", QualSetMember.member_guid.in_(guids))
        .values(member_guid=into.guid)
    )
    _dedupe_set_members(session)
    for m in merged:
        session.delete(m)
    session.flush()
    record(
        session=session,
        actor=actor,
        kind="merge",
        code_guid=into.guid,
        merged=guids,
        names=[m.name for m in merged],
        codings_moved=moved,
    )
    return _info(session, into)


def _dedupe_set_members(session: Session) -> None:
    seen: set[tuple[int, str, str]] = set()
    for member in session.scalars(select(QualSetMember).order_by(QualSetMember.id)):
        key = (member.set_id, member.kind, member.member_guid)
        if key in seen:
            session.delete(member)
        seen.add(key)


def delete_code(
    *, session: Session, actor: Account, code: str | int, with_codings: bool = False
) -> int:
    """Delete a code; its sub-codes move up to its parent.

    A code that has codings is deleted only with ``with_codings`` (its codings
    go with it, each recorded as a ``remove`` event).  Returns the number of
    codings removed.

    Raises
    ------
    SociaparisError
        ``QUAL_215`` when the code has codings and ``with_codings`` is false.
    """
    _may_edit(actor, "edit the codebook")
    row = code_row(session, code)
    codings = list(
        session.scalars(select(QualCoding).where(QualCoding.code_id == row.id))
    )
    if codings and not with_codings:
        raise SociaparisError(
            CorpusError.CODE_HAS_CODINGS, name=row.name, count=len(codings)
        )
    from sociaparis.qual.models import QualDocument

    guids = dict(session.execute(select(QualDocument.id, QualDocument.guid)).all())
    record_many(
        session=session,
        actor=actor,
        kind="remove",
        rows=[
            {"document_guid": guids[c.document_id], "code_guid": row.guid,
             "coding_guid": c.guid, "details": {"start": c.start, "end": c.end}}
            for c in codings
        ],
    )  # fmt: skip
    for coding in codings:
        session.delete(coding)
    session.execute(
        update(QualCode)
        .where(QualCode.parent_id == row.id)
        .values(parent_id=row.parent_id)
    )
    session.execute(
        delete(QualSetMember).where(
            QualSetMember.kind == "code", QualSetMember.member_guid == row.guid
        )
    )
    session.flush()
    record(
        session=session, actor=actor, kind="delete_code", code_guid=row.guid,
        name=row.name, codings_removed=len(codings),
    )  # fmt: skip
    session.delete(row)
    session.flush()
    return len(codings)


def split_code(
    *,
    session: Session,
    actor: Account,
    code: str | int,
    codings: Sequence[str],
    name: str,
    parent: str | int | None = None,
    description: str = "",
) -> CodeInfo:
    """Move the codings ``codings`` (GUIDs) of ``code`` to a new code ``name``.

    The new code goes under ``parent`` (default: beside ``code``).

    Raises
    ------
    SociaparisError
        ``QUAL_104`` when one of ``codings`` is not a coding of ``code``.
    """
    _may_edit(actor, "edit the codebook")
    source = code_row(session, code)
    wanted = list(codings)
    found = dict(
        session.execute(
            select(QualCoding.guid, QualCoding.code_id).where(QualCoding.guid.in_(wanted))
        ).all()
    )
    for guid in wanted:
        if found.get(guid) != source.id:
            raise SociaparisError(
                QualError.CODING_NOT_OF_CODE, coding_id=guid, code_id=source.guid
            )
    parent_ref: str | int | None = parent
    if parent is None and source.parent_id is not None:
        parent_ref = source.parent_id
    new = add_code(
        session=session,
        actor=actor,
        name=name,
        parent=parent_ref,
        description=description,
    )
    session.execute(
        update(QualCoding).where(QualCoding.guid.in_(wanted)).values(code_id=new.id)
    )
    record(
        session=session,
        actor=actor,
        kind="split",
        code_guid=source.guid,
        new_code=new.guid,
        codings=wanted,
    )
    session.flush()
    return _info(session, code_row(session, new.id))


# ------------------------------------------------------------------ interchange


def codebook(*, session: Session, origin: str = "sociaparis") -> Codebook:
    """The stored codebook (codes and code sets) as an interchange object."""
    codes = _all_codes(session)
    by_id = {c.id: c.guid for c in codes.values()}
    items = tuple(
        Code(
            c.guid,
            c.name,
            c.description,
            c.inclusion,
            c.exclusion,
            c.example,
            c.color,
            by_id.get(c.parent_id) if c.parent_id else None,
            c.codable,
        )
        for c in codes.values()
    )
    sets = []
    for code_set in session.scalars(select(QualSet).order_by(QualSet.id)):
        members = session.scalars(
            select(QualSetMember.member_guid)
            .where(QualSetMember.set_id == code_set.id, QualSetMember.kind == "code")
            .order_by(QualSetMember.position)
        ).all()
        if members:
            sets.append(
                CodeSet(
                    code_set.guid, code_set.name, code_set.description, tuple(members)
                )
            )
    return Codebook.from_project(
        Project(name="", origin=origin, codes=items, sets=tuple(sets))
    )


#: codebook download formats and their media types
CODEBOOK_FORMATS = {
    "qdc": "application/xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def codebook_bytes(*, session: Session, fmt: str, headers: str = "fr") -> bytes:
    """The codebook as a ``qdc``, ``xlsx`` or ``csv`` file's bytes (a download).

    Raises
    ------
    SociaparisError
        ``QUAL_145`` for another format.
    """
    import io

    from sociaparis.qual.io.codebook import (
        write_codebook_csv,
        write_codebook_xlsx,
        write_qdc,
    )

    book = codebook(session=session)
    if fmt == "qdc":
        return write_qdc(book)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_codebook_xlsx(book, buffer, headers=headers)  # type: ignore[arg-type]
        return buffer.getvalue()
    if fmt == "csv":
        text = io.StringIO(newline="")
        write_codebook_csv(book, text, headers=headers)  # type: ignore[arg-type]
        return text.getvalue().encode("utf-8-sig")
    raise SociaparisError(QualError.CODEBOOK_FORMAT, path="codebook", suffix=fmt[:20])


def export_codebook(*, session: Session, path: str | Path, headers: str = "fr") -> None:
    """Write the codebook as ``.qdc``, ``.xlsx`` or ``.csv`` (chosen by the suffix)."""
    from sociaparis.qual.io.codebook import write_codebook

    write_codebook(codebook(session=session), path, headers=headers)  # type: ignore[arg-type]


def import_codebook(
    *, session: Session, actor: Account, path: str | Path, data: bytes | None = None
) -> tuple[list[CodeInfo], list[Issue]]:
    """Add the codes of a ``.qdc``, ``.xlsx`` or ``.csv`` codebook.

    A code whose GUID is already stored is updated (name, criteria, colour,
    parent); the others are added.  With ``data`` (an uploaded file), ``path``
    is only the file's name, whose suffix tells the format.  Returns the
    codebook and the reader's warnings.
    """
    from sociaparis.qual.io.codebook import read_codebook

    _may_edit(actor, "edit the codebook")
    result = read_codebook(path, data)
    # one read of the codebook, then lookups in memory: the work grows with the
    # number of codes, not with its square
    rows = {c.guid.upper(): c for c in _all_codes(session).values()}
    siblings = {(c.parent_id, c.name) for c in rows.values()}
    position = max((c.position for c in rows.values()), default=-1)
    created: list[dict[str, Any]] = []
    edited: list[dict[str, Any]] = []
    for code in result.codebook.codes:
        parent_id = None
        if code.parent:
            parent = rows.get(code.parent.upper()) or code_row(session, code.parent)
            if parent.id is None:  # added by this import: flushed when a child needs it
                session.flush()
            parent_id = parent.id
        existing = rows.get(code.id.upper())
        if existing is None:
            if (parent_id, code.name) in siblings:
                session.flush()
                _check_name(session, code.name, parent_id, -1)
            position += 1
            fields = {key: getattr(code, key) for key in _FIELDS}
            row = _new_code(
                position=position,
                fields={**fields, "guid": code.id, "parent_id": parent_id},
            )
            session.add(row)
            rows[row.guid.upper()] = row
            siblings.add((parent_id, code.name))
            created.append({"code_guid": row.guid, "details": {"name": row.name}})
        else:
            for key in _FIELDS:
                setattr(existing, key, getattr(code, key))
            existing.parent_id = parent_id
            edited.append({"code_guid": existing.guid})
    session.flush()
    record_many(session=session, actor=actor, kind="create_code", rows=created)
    record_many(session=session, actor=actor, kind="edit_code", rows=edited)
    return list_codes(session=session), list(result.warnings)
