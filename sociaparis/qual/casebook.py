"""The case table (cases x attributes) as people edit it, and documents found by
status, case and attribute.

Cells are edited as text: :func:`parse_cell` reads a cell by its attribute's
type, so that a page and the CLI store the same typed value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.service import Account
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.qual.corpus import (
    DocumentInfo,
    can_manage,
    encode_value,
    list_cases,
    list_documents,
    new_guid,
    record,
    require,
    set_case_attributes,
)
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.intake_errors import IntakeError
from sociaparis.qual.models import QualVariable

#: attribute types, as REFI-QDA names them
ATTRIBUTE_TYPES = ("Text", "Boolean", "Integer", "Float", "Date", "DateTime")

_TRUE = {"true", "vrai", "oui", "yes", "1"}
_FALSE = {"false", "faux", "non", "no", "0"}
_HINTS = {
    "Boolean": "true or false (oui or non)",
    "Integer": "a whole number such as 42",
    "Float": "a number such as 3.5 or 3,5",
    "Date": "a date as YYYY-MM-DD",
    "DateTime": "a date and time as YYYY-MM-DDTHH:MM",
}


@dataclass(frozen=True, slots=True)
class Attribute:
    """An attribute (a column of the case table)."""

    name: str
    type: str


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One case of the table, its cells as the text people edit."""

    id: int
    name: str
    kind: str
    documents: tuple[str, ...]
    cells: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class CaseTable:
    """Cases x attributes."""

    attributes: tuple[Attribute, ...]
    rows: tuple[CaseRow, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "attributes": [{"name": a.name, "type": a.type} for a in self.attributes],
            "cases": [
                {
                    "id": r.id,
                    "name": r.name,
                    "kind": r.kind,
                    "documents": list(r.documents),
                    "cells": dict(r.cells),
                }
                for r in self.rows
            ],
        }


def list_attributes(*, session: Session) -> tuple[Attribute, ...]:
    """Every attribute, in creation order."""
    rows = session.execute(
        select(QualVariable.name, QualVariable.type).order_by(QualVariable.id)
    )
    return tuple(Attribute(name, kind) for name, kind in rows)


def case_table(*, session: Session) -> CaseTable:
    """The case table: every case with its attribute values as text."""
    rows = tuple(
        CaseRow(
            c.id,
            c.name,
            c.kind,
            c.documents,
            {k: encode_value(v) for k, v in c.attributes.items()},
        )
        for c in list_cases(session=session)
    )
    return CaseTable(list_attributes(session=session), rows)


def parse_cell(text: str, kind: str, *, name: str = "") -> Any:
    """The value of a cell typed as ``text`` for an attribute of type ``kind``;
    None for an empty cell (the value is removed).

    >>> parse_cell("3,5", "Float"), parse_cell("oui", "Boolean"), parse_cell(" ", "Text")
    (3.5, True, None)

    Raises
    ------
    SociaparisError
        ``QUAL_323`` when the text is not a value of that type.
    """
    value = text.strip()
    if not value:
        return None
    try:
        if kind == "Boolean":
            if value.lower() in _TRUE | _FALSE:
                return value.lower() in _TRUE
            raise ValueError(value)
        if kind == "Integer":
            if not re.fullmatch(r"[+-]?\d{1,18}", value):
                raise ValueError(value)
            return int(value)
        if kind == "Float":
            number = float(value.replace(",", ".").replace("\u202f", ""))
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError(value)
            return number
        if kind == "Date":
            return date.fromisoformat(value)
        if kind == "DateTime":
            return datetime.fromisoformat(value)
    except ValueError:
        raise SociaparisError(
            IntakeError.BAD_VALUE, value=value, type=kind, name=name, hint=_HINTS[kind]
        ) from None
    return value


def add_attribute(
    *, session: Session, actor: Account, name: str, kind: str = "Text"
) -> Attribute:
    """Add an attribute (a new, empty column of the case table).

    Raises
    ------
    SociaparisError
        ``QUAL_200`` for a role that may not edit cases, ``QUAL_324`` for an
        empty or too long name, ``QUAL_325`` for a name in use, ``QUAL_214``
        for a type not in :data:`ATTRIBUTE_TYPES`.
    """
    require(actor, can_manage(actor), "edit case attributes")
    clean = name.strip()
    if not clean or len(clean) > 200:
        raise SociaparisError(IntakeError.BAD_ATTRIBUTE_NAME, name=name)
    if kind not in ATTRIBUTE_TYPES:
        raise SociaparisError(
            CorpusError.BAD_OPTION,
            name="type",
            choices=", ".join(ATTRIBUTE_TYPES),
            value=kind,
        )
    if session.scalar(select(QualVariable.id).where(QualVariable.name == clean)):
        raise SociaparisError(IntakeError.ATTRIBUTE_EXISTS, name=clean)
    session.add(QualVariable(guid=new_guid(), name=clean, type=kind))
    session.flush()
    record(session=session, actor=actor, kind="add_attribute", name=clean, type=kind)
    return Attribute(clean, kind)


def set_case_cells(
    *, session: Session, actor: Account, case: str | int, cells: Mapping[str, str]
) -> None:
    """Set a case's attributes from cell texts, each read by its attribute's type
    (:func:`parse_cell`); an empty cell removes the value.

    Every cell is checked before any is stored, so a bad cell changes nothing.

    Raises
    ------
    SociaparisError
        ``QUAL_211`` for an unknown attribute, ``QUAL_323`` for a cell that is
        not a value of its type, ``QUAL_203`` for an unknown case, ``QUAL_200``
        for a role that may not edit cases.
    """
    require(actor, can_manage(actor), "edit case attributes")
    types = {a.name: a.type for a in list_attributes(session=session)}
    values: dict[str, Any] = {}
    for name, text in cells.items():
        if name not in types:
            raise SociaparisError(
                CorpusError.UNKNOWN_VARIABLE,
                ref=name,
                known=", ".join(types) or Reason(en="none", fr="aucun"),
            )
        values[name] = parse_cell(text, types[name], name=name)
    set_case_attributes(session=session, actor=actor, case=case, attributes=values)


def find_documents(
    *,
    session: Session,
    status: str | None = None,
    case: str | None = None,
    attribute: str | None = None,
    value: str | None = None,
) -> list[DocumentInfo]:
    """Documents of a status, of a case, or of the cases whose ``attribute``
    holds ``value`` (as the table shows it), in import order."""
    documents = list_documents(session=session, status=status or None)
    if case:
        documents = [d for d in documents if case in d.cases]
    if attribute:
        wanted = (value or "").strip()
        cases = {
            row.name
            for row in case_table(session=session).rows
            if row.cells.get(attribute, "") == wanted
        }
        documents = [d for d in documents if cases.intersection(d.cases)]
    return documents


def documents_by_case(
    documents: list[DocumentInfo],
) -> list[tuple[str | None, list[DocumentInfo]]]:
    """Documents grouped by case (a document in two cases is under both), cases
    by name, documents in no case last (under None)."""
    groups: dict[str | None, list[DocumentInfo]] = {}
    for document in documents:
        for name in document.cases or (None,):
            groups.setdefault(name, []).append(document)
    named = sorted((k for k in groups if k is not None), key=str.casefold)
    return [(k, groups[k]) for k in named] + (
        [(None, groups[None])] if None in groups else []
    )
