"""REFI-QDA plumbing shared by the reader and the writer: constants, limits, the
code-description layout and hardened XML and zip reading."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lxml import etree

from sociaparis.core.archives import ArchiveLimits, SafeZip
from sociaparis.core.errors import Issue, Reason, SociaparisError
from sociaparis.qual.errors import QualError
from sociaparis.qual.io._safety import xml_parser
from sociaparis.qual.project import (
    Project,
    derived_guid,
)

NS = "urn:QDA-XML:project:1.0"
EXTENSION_NAME = "sociaparis.json"
GUID_RE = re.compile(
    r"^(\{)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?(1)\})$"
)
VALUE_TAGS = {
    "TextValue": "Text",
    "BooleanValue": "Boolean",
    "IntegerValue": "Integer",
    "FloatValue": "Float",
    "DateValue": "Date",
    "DateTimeValue": "DateTime",
}

Input = str | Path | bytes | IO[bytes]
_ARCHIVE = ArchiveLimits()


@dataclass(frozen=True, slots=True)
class Limits:
    """Size limits that protect the readers from hostile or runaway files.

    The zip limits default to :class:`~sociaparis.core.archives.ArchiveLimits`,
    which accept any real qualitative project (a thousand one-hour transcripts is
    about 100 MB of text) and refuse zip bombs.
    """

    max_entries: int = _ARCHIVE.max_entries
    max_entry_bytes: int = _ARCHIVE.max_entry_bytes
    max_total_bytes: int = _ARCHIVE.max_total_bytes
    max_ratio: float = _ARCHIVE.max_ratio
    ratio_floor_bytes: int = _ARCHIVE.ratio_floor_bytes
    max_xml_bytes: int = 256 * 1024 * 1024
    max_codebook_bytes: int = 64 * 1024 * 1024  # a codebook: .qdc, spreadsheet or CSV
    max_codes: int = 10_000  # codes in a codebook file (docs/refi-qda.md)

    def archive(self) -> ArchiveLimits:
        """The zip limits among these, for :class:`~sociaparis.core.archives.SafeZip`."""
        return ArchiveLimits(
            max_entries=self.max_entries,
            max_entry_bytes=self.max_entry_bytes,
            max_total_bytes=self.max_total_bytes,
            max_ratio=self.max_ratio,
            ratio_floor_bytes=self.ratio_floor_bytes,
        )


@dataclass(frozen=True, slots=True)
class ImportResult:
    """A project read from REFI-QDA, with the warnings about what was not imported."""

    project: Project
    warnings: tuple[Issue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return counts of what was imported and the warnings, JSON-ready."""
        p = self.project
        return {
            "name": p.name,
            "users": len(p.users),
            "codes": len(p.codes),
            "sources": len(p.sources),
            "codings": len(p.codings),
            "cases": len(p.cases),
            "variables": len(p.variables),
            "memos": len(p.memos),
            "sets": len(p.sets),
            "warnings": [str(w) for w in self.warnings],
        }


# ------------------------------------------------------------------ code descriptions

_SECTIONS = (
    ("inclusion", "Inclusion"),
    ("exclusion", "Exclusion"),
    ("example", "Exemple"),
)
_SECTION_ALIASES = {
    "inclusion": "inclusion",
    "exclusion": "exclusion",
    "exemple": "example",
    "example": "example",
}
_SECTION_RE = re.compile(r"(?:^|\n\n)\[(Inclusion|Exclusion|Exemple|Example)\]\n")


def format_description(
    description: str, inclusion: str, exclusion: str, example: str
) -> str:
    """Put a code's criteria into one REFI-QDA ``Description``.

    The layout is the free description, then for each non-empty criterion a blank
    line, a line ``[Inclusion]``, ``[Exclusion]`` or ``[Exemple]`` and the text:

    >>> print(format_description("Usage.", "Tout outil d'IA.", "", "« Copilot »"))
    Usage.
    <BLANKLINE>
    [Inclusion]
    Tout outil d'IA.
    <BLANKLINE>
    [Exemple]
    « Copilot »
    """
    parts = [description] if description else []
    values = {"inclusion": inclusion, "exclusion": exclusion, "example": example}
    parts.extend(f"[{label}]\n{values[key]}" for key, label in _SECTIONS if values[key])
    return "\n\n".join(parts)


def parse_description(text: str) -> tuple[str, str, str, str]:
    """Split a ``Description`` written by :func:`format_description`.

    Returns ``(description, inclusion, exclusion, example)``; a description with
    no section markers is returned whole as the description.

    >>> parse_description("Usage.\\n\\n[Exclusion]\\nLes imprimantes.")
    ('Usage.', '', 'Les imprimantes.', '')
    """
    matches = list(_SECTION_RE.finditer(text))
    if not matches:
        return text, "", "", ""
    values = {"inclusion": "", "exclusion": "", "example": ""}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        values[_SECTION_ALIASES[match.group(1).lower()]] = text[match.end() : end]
    return (
        text[: matches[0].start()],
        values["inclusion"],
        values["exclusion"],
        values["example"],
    )


# ------------------------------------------------------------------ safe reading


def source_label(source: Input) -> str:
    if isinstance(source, str | Path):
        return str(source)
    return getattr(source, "name", None) or "<stream>"


def read_bytes(source: Input, limit: int, path: str) -> bytes:
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | Path):
        size = Path(source).stat().st_size
        if size > limit:
            raise SociaparisError(
                QualError.XML_TOO_LARGE, path=path, size=size, limit=limit
            )
        data = Path(source).read_bytes()
    else:
        data = source.read(limit + 1)
    if len(data) > limit:
        raise SociaparisError(
            QualError.XML_TOO_LARGE, path=path, size=len(data), limit=limit
        )
    return data


def parse_xml(data: bytes, *, path: str, limit: int) -> etree._Element:
    """Parse untrusted XML: no DTD, no entity expansion, no network, size-capped."""
    if len(data) > limit:
        raise SociaparisError(
            QualError.XML_TOO_LARGE, path=path, size=len(data), limit=limit
        )
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise SociaparisError(
            QualError.XML_UNREADABLE, path=path, reason=str(exc)
        ) from exc
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise SociaparisError(QualError.XML_DTD, path=path)
    return root


def open_archive(source: Input, limits: Limits, path: str) -> SafeZip:
    """Open a ``.qdpx`` with the shared zip checks (:mod:`sociaparis.core.archives`)."""
    return SafeZip(source, limits.archive(), path=path, format="REFI-QDA (.qdpx)")


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def inside(parent: str) -> Reason:
    """Where an element that was not imported was found (``detail`` of
    ``QUAL_130``), in English and French.

    >>> inside("Codes").fr
    ' (dans <Codes>)'
    """
    return Reason(en=f" (inside <{parent}>)", fr=f" (dans <{parent}>)")


def selection_guid(source_id: str, start: int, end: int) -> str:
    return derived_guid("selection", source_id, str(start), str(end))


def split_selection_guid(
    source_id: str, start: int, end: int, user: str | None, memo: str | None
) -> str:
    """The GUID of a selection written for the codings of one coder with one
    memo, when several share a span (see the writer)."""
    return derived_guid(
        "selection", source_id, str(start), str(end), user or "", memo or ""
    )
