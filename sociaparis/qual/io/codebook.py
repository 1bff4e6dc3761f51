"""Codebooks on their own: REFI-QDA ``.qdc`` and spreadsheets (XLSX, CSV).

A spreadsheet codebook has one row per code and these columns (French or English
headers, in any order, case and accents ignored):

===============  ==========================  ========================================
column           accepted headers            content
===============  ==========================  ========================================
name             name, code, nom             the code's name (required)
parent path      parent path, chemin parent  names of the ancestors, ``A > B``
description      description, définition     what the code means
inclusion        inclusion, critères         when to apply it
                 d'inclusion
exclusion        exclusion, critères         when not to apply it
                 d'exclusion
example          example, exemple            a typical quotation
colour           colour, color, couleur      ``#RRGGBB``
guid             guid, id, identifiant       optional; made from the path if empty
===============  ==========================  ========================================

In a ``.qdc`` file (schema ``Codebook-mrt2019.xsd``) the inclusion, exclusion and
example go in each code's ``Description`` with the layout of
:func:`~sociaparis.qual.io.refi_qda.format_description`.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import openpyxl
import pandas as pd
from lxml import etree

from sociaparis.core.archives import check_archive
from sociaparis.core.errors import CoreError, Issue, Location, Reason, SociaparisError
from sociaparis.core.spreadsheets import neutralize_formula, restore_formula
from sociaparis.qual.errors import QualError
from sociaparis.qual.io._refi_xml import (
    GUID_RE,
    Input,
    Limits,
    format_description,
    inside,
    local_name,
    parse_description,
    parse_xml,
    read_bytes,
    source_label,
)
from sociaparis.qual.project import (
    Code,
    CodeSet,
    Project,
    children_by_parent,
    derived_guid,
)

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PATH_SEPARATOR = " > "
COLUMNS = ("name", "parent", "description", "inclusion", "exclusion", "example", "color")
HEADERS: dict[str, dict[str, str]] = {
    "fr": {
        "name": "nom",
        "parent": "chemin parent",
        "description": "description",
        "inclusion": "inclusion",
        "exclusion": "exclusion",
        "example": "exemple",
        "color": "couleur",
        "guid": "guid",
    },
    "en": {
        "name": "name",
        "parent": "parent path",
        "description": "description",
        "inclusion": "inclusion",
        "exclusion": "exclusion",
        "example": "example",
        "color": "colour",
        "guid": "guid",
    },
}
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "code", "code name", "nom", "nom du code", "code nom"),
    "parent": (
        "parent path",
        "parent",
        "path",
        "chemin parent",
        "chemin du parent",
        "parent code",
        "code parent",
        "chemin",
    ),
    "description": ("description", "definition", "definition du code"),
    "inclusion": (
        "inclusion",
        "inclusion criteria",
        "criteres d inclusion",
        "critere d inclusion",
        "criteres inclusion",
    ),
    "exclusion": (
        "exclusion",
        "exclusion criteria",
        "criteres d exclusion",
        "critere d exclusion",
        "criteres exclusion",
    ),
    "example": ("example", "examples", "exemple", "exemples"),
    "color": ("colour", "color", "couleur"),
    "guid": ("guid", "id", "identifiant", "uuid"),
}


def _normalise_header(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    for ch in "_-'’":
        plain = plain.replace(ch, " ")
    return " ".join(plain.split())


_HEADER_LOOKUP = {alias: key for key, names in ALIASES.items() for alias in names}


@dataclass(frozen=True, slots=True)
class Codebook:
    """A hierarchical codebook: codes (parents before children) and code sets."""

    codes: tuple[Code, ...]
    sets: tuple[CodeSet, ...] = ()
    origin: str = "sociaparis"

    @classmethod
    def from_project(cls, project: Project) -> Codebook:
        """Take the codebook of ``project`` (codes and the sets that hold codes)."""
        sets = tuple(
            CodeSet(s.id, s.name, s.description, code_ids=s.code_ids)
            for s in project.sets
            if s.code_ids
        )
        return cls(_depth_first(project.codes), sets, project.origin)

    def path(self, code: Code) -> tuple[str, ...]:
        """Return the names from the top of the hierarchy down to ``code``."""
        return Project(name="", codes=self.codes).path(code.id)

    def to_frame(self) -> pd.DataFrame:
        """One row per code with the spreadsheet columns (English names) and guid."""
        paths = _paths(self.codes)
        rows = [
            {
                "name": code.name,
                "parent": PATH_SEPARATOR.join(paths[code.id][:-1]),
                "description": code.description,
                "inclusion": code.inclusion,
                "exclusion": code.exclusion,
                "example": code.example,
                "color": code.color or "",
                "guid": code.id,
            }
            for code in self.codes
        ]
        return pd.DataFrame(rows, columns=[*COLUMNS, "guid"])

    def to_dict(self) -> dict[str, Any]:
        """The codebook as JSON-ready data."""
        return {
            "origin": self.origin,
            "codes": self.to_frame().to_dict(orient="records"),
            "sets": [
                {"guid": s.id, "name": s.name, "description": s.description,
                 "codes": list(s.code_ids)}
                for s in self.sets
            ],
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class CodebookImport:
    """A codebook read from a file, with warnings about what was ignored."""

    codebook: Codebook
    warnings: tuple[Issue, ...] = field(default=())


def _paths(codes: tuple[Code, ...]) -> dict[str, tuple[str, ...]]:
    """Every code's names from the top of the hierarchy down, in one walk."""
    children = children_by_parent(codes)
    paths: dict[str, tuple[str, ...]] = {}
    stack = [(code, ()) for code in reversed(children.get(None, []))]
    while stack:
        code, above = stack.pop()
        if code.id in paths:
            continue
        paths[code.id] = (*above, code.name)
        stack.extend((child, paths[code.id]) for child in children.get(code.id, []))
    for code in codes:  # codes whose parent is missing, or in a cycle
        paths.setdefault(code.id, Project(name="", codes=codes).path(code.id))
    return paths


def _depth_first(codes: tuple[Code, ...]) -> tuple[Code, ...]:
    children = children_by_parent(codes)
    out: list[Code] = []
    seen: set[str] = set()
    stack = list(reversed(children.get(None, [])))
    while stack:
        code = stack.pop()
        if code.id in seen:
            continue
        seen.add(code.id)
        out.append(code)
        stack.extend(reversed(children.get(code.id, [])))
    return tuple(out)


# ------------------------------------------------------------------------------ .qdc


def write_qdc(codebook: Codebook, target: str | Path | IO[bytes] | None = None) -> bytes:
    """Write ``codebook`` as a REFI-QDA ``.qdc`` document and return its bytes."""
    root = etree.Element(
        f"{{{CODEBOOK_NS}}}CodeBook",
        {"origin": codebook.origin} if codebook.origin else {},
        nsmap={None: CODEBOOK_NS},
    )
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    children = children_by_parent(codebook.codes)

    def add(parent: etree._Element, code: Code) -> None:
        attrs = {"guid": code.id, "name": code.name}
        attrs["isCodable"] = "true" if code.codable else "false"
        if code.color:
            attrs["color"] = code.color
        element = etree.SubElement(parent, f"{{{CODEBOOK_NS}}}Code", attrs)
        text = format_description(
            code.description, code.inclusion, code.exclusion, code.example
        )
        if text:
            etree.SubElement(element, f"{{{CODEBOOK_NS}}}Description").text = text
        for child in children.get(code.id, []):
            add(element, child)

    for code in children.get(None, []):
        add(codes, code)
    if codebook.sets:
        sets = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Sets")
        for code_set in codebook.sets:
            element = etree.SubElement(
                sets,
                f"{{{CODEBOOK_NS}}}Set",
                {"guid": code_set.id, "name": code_set.name},
            )
            if code_set.description:
                etree.SubElement(
                    element, f"{{{CODEBOOK_NS}}}Description"
                ).text = code_set.description
            for code_id in code_set.code_ids:
                etree.SubElement(
                    element, f"{{{CODEBOOK_NS}}}MemberCode", {"guid": code_id}
                )
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    if isinstance(target, str | Path):
        Path(target).write_bytes(xml)
    elif target is not None:
        target.write(xml)
    return xml


def read_qdc(source: Input, *, limits: Limits | None = None) -> CodebookImport:
    """Read a REFI-QDA ``.qdc`` codebook (hardened like the project reader).

    Returns
    -------
    CodebookImport
        The codebook and a warning for every element that was not read.
    """
    limits = limits or Limits()
    path = source_label(source)
    root = parse_xml(
        read_bytes(source, limits.max_codebook_bytes, path),
        path=path,
        limit=limits.max_codebook_bytes,
    )
    if local_name(root) != "CodeBook":
        raise SociaparisError(
            QualError.XML_WRONG_ROOT,
            path=path,
            found=local_name(root),
            expected="CodeBook",
        )
    _check_count(sum(1 for _ in root.iter(f"{{{CODEBOOK_NS}}}Code")), path, limits)
    warnings: list[Issue] = []
    codes: list[Code] = []

    def warn(element: etree._Element, parent: str) -> None:
        warnings.append(
            Issue.of(
                QualError.UNSUPPORTED_ELEMENT,
                path=path,
                element=local_name(element),
                name=element.get("name", ""),
                detail=inside(parent),
            )
        )

    def guid(element: etree._Element, attribute: str = "guid") -> str:
        value = (element.get(attribute) or "").strip()
        if not GUID_RE.match(value):
            raise SociaparisError(
                QualError.XML_BAD_VALUE,
                path=path,
                element=local_name(element),
                attribute=attribute,
                value=value,
                reason=Reason(en="not a GUID", fr="ce n'est pas un GUID"),
            )
        return value.strip("{}").upper()

    def read_code(element: etree._Element, parent: str | None) -> None:
        code_id = guid(element)
        description = ""
        children = []
        for child in element:
            tag = local_name(child)
            if tag == "Description":
                description = child.text or ""
            elif tag == "Code":
                children.append(child)
            elif tag:
                warn(child, "Code")
        color = element.get("color")
        codes.append(
            Code(
                code_id,
                element.get("name", ""),
                *parse_description(description),
                color=color.strip().upper() if color else None,
                parent=parent,
                codable=element.get("isCodable", "true").strip() in ("true", "1"),
            )
        )
        for child in children:
            read_code(child, code_id)

    sets: list[CodeSet] = []
    for part in root:
        tag = local_name(part)
        if tag == "Codes":
            for code in part:
                if local_name(code) == "Code":
                    read_code(code, None)
                elif local_name(code):
                    warn(code, "Codes")
        elif tag == "Sets":
            known = {c.id for c in codes}
            for element in part:
                members = []
                for member in element:
                    if local_name(member) != "MemberCode":
                        continue
                    code_id = guid(member)
                    if code_id in known:
                        members.append(code_id)
                    else:
                        warnings.append(
                            Issue.of(
                                QualError.DROPPED_REFERENCE,
                                path=path,
                                element="MemberCode",
                                ref=code_id,
                            )
                        )
                description = "".join(
                    m.text or "" for m in element if local_name(m) == "Description"
                )
                sets.append(
                    CodeSet(
                        guid(element),
                        element.get("name", ""),
                        description,
                        tuple(members),
                    )
                )
        elif tag:
            warn(part, "CodeBook")
    return CodebookImport(
        Codebook(tuple(codes), tuple(sets), root.get("origin", "")), tuple(warnings)
    )


# ---------------------------------------------------------------------- spreadsheets

Headers = Literal["fr", "en"]


def _rows(codebook: Codebook, headers: Headers) -> list[list[str]]:
    frame = codebook.to_frame()
    names = HEADERS[headers]
    out = [[names[c] for c in frame.columns]]
    # Names, definitions and examples are people's text: a cell that a
    # spreadsheet would run as a formula is neutralized (and restored on import).
    out.extend(
        [neutralize_formula(str(v)) for v in row] for row in frame.itertuples(index=False)
    )
    return out


def write_codebook_xlsx(
    codebook: Codebook, target: str | Path | IO[bytes], *, headers: Headers = "fr"
) -> None:
    """Write the codebook as an XLSX sheet named ``codebook``, one row per code."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "codebook"
    for row in _rows(codebook, headers):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGH", (32, 40, 60, 50, 50, 50, 10, 38), strict=True):
        sheet.column_dimensions[letter].width = width
    book.save(target)


def write_codebook_csv(
    codebook: Codebook,
    target: str | Path | IO[str],
    *,
    headers: Headers = "fr",
    delimiter: str = ",",
) -> None:
    """Write the codebook as CSV, UTF-8 with a byte-order mark so Excel reads accents."""
    if isinstance(target, str | Path):
        with open(target, "w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle, delimiter=delimiter).writerows(_rows(codebook, headers))
    else:
        csv.writer(target, delimiter=delimiter).writerows(_rows(codebook, headers))


def _read_limited(source: str | Path | IO[bytes] | bytes, limit: int) -> bytes:
    path = source_label(source) if not isinstance(source, bytes) else "<bytes>"
    if isinstance(source, str | Path):
        size = Path(source).stat().st_size
        if size > limit:
            raise SociaparisError(
                QualError.FILE_TOO_LARGE, path=path, size=size, limit=limit
            )
        return Path(source).read_bytes()
    data = source if isinstance(source, bytes) else source.read(limit + 1)
    if len(data) > limit:
        raise SociaparisError(
            QualError.FILE_TOO_LARGE, path=path, size=len(data), limit=limit
        )
    return data


def _check_count(count: int, path: str, limits: Limits) -> None:
    """Refuse a codebook of more than ``limits.max_codes`` codes (``QUAL_148``)."""
    if count > limits.max_codes:
        raise SociaparisError(
            QualError.CODEBOOK_TOO_LARGE, path=path, count=count, limit=limits.max_codes
        )


def read_codebook_xlsx(
    source: str | Path | IO[bytes] | bytes, *, limits: Limits | None = None
) -> CodebookImport:
    """Read a codebook from the first sheet of an XLSX workbook (see module docs).

    The workbook is a zip: its size, entry sizes and compression ratios are checked
    against ``limits`` before openpyxl inflates it.
    """
    limits = limits or Limits()
    path = source_label(source) if not isinstance(source, bytes) else "<bytes>"
    data = _read_limited(source, limits.max_codebook_bytes)
    check_archive(data, path=path, format="XLSX", limits=limits.archive())
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (KeyError, ValueError, OSError, zipfile.BadZipFile) as exc:
        raise SociaparisError(
            CoreError.ARCHIVE_UNREADABLE,
            path=path,
            format="XLSX",
            reason=Reason(
                en=f"not an XLSX workbook ({exc})",
                fr=f"ce n'est pas un classeur XLSX ({exc})",
            ),
        ) from exc
    sheet = book.worksheets[0]
    rows = []
    filled = 0  # the header row, then one row a code
    for row in sheet.iter_rows(values_only=True):
        rows.append(["" if cell is None else str(cell) for cell in row])
        filled += any(cell.strip() for cell in rows[-1])
        if filled > limits.max_codes + 1:
            _check_count(filled - 1, path, limits)
    book.close()
    return _from_rows(rows, sheet.title)


def read_codebook_csv(
    source: str | Path | IO[bytes] | bytes, *, limits: Limits | None = None
) -> CodebookImport:
    """Read a CSV codebook: UTF-8 (BOM or not) or Windows-1252; ``,``, ``;`` or tab."""
    limits = limits or Limits()
    path = source_label(source) if not isinstance(source, bytes) else "<bytes>"
    data = _read_limited(source, limits.max_codebook_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.splitlines()[0] if text else ""
    delimiter = max((";", ",", "\t"), key=first.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    _check_count(sum(1 for row in rows[1:] if any(c.strip() for c in row)), path, limits)
    return _from_rows(rows, None)


def read_codebook(path: str | Path, data: bytes | None = None) -> CodebookImport:
    """Read a codebook from ``.qdc``, ``.xlsx`` or ``.csv``, chosen by the suffix.

    With ``data`` (an uploaded file's bytes), ``path`` is only its name.
    """
    suffix = Path(path).suffix.lower()
    readers = {".qdc": read_qdc, ".xlsx": read_codebook_xlsx, ".csv": read_codebook_csv}
    if suffix not in readers:
        raise SociaparisError(QualError.CODEBOOK_FORMAT, path=str(path), suffix=suffix)
    return readers[suffix](path if data is None else data)


def write_codebook(
    codebook: Codebook, path: str | Path, *, headers: Headers = "fr"
) -> None:
    """Write a codebook as ``.qdc``, ``.xlsx`` or ``.csv``, chosen by the suffix."""
    suffix = Path(path).suffix.lower()
    if suffix == ".qdc":
        write_qdc(codebook, path)
    elif suffix == ".xlsx":
        write_codebook_xlsx(codebook, path, headers=headers)
    elif suffix == ".csv":
        write_codebook_csv(codebook, path, headers=headers)
    else:
        raise SociaparisError(QualError.CODEBOOK_FORMAT, path=str(path), suffix=suffix)


def _from_rows(rows: list[list[str]], sheet: str | None) -> CodebookImport:
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise SociaparisError(
            QualError.CODEBOOK_MISSING_COLUMN,
            location=Location(sheet=sheet, row=1),
            column="name",
            accepted=", ".join(ALIASES["name"]),
        )
    warnings: list[Issue] = []
    columns: dict[str, int] = {}
    for index, header in enumerate(rows[0]):
        key = _HEADER_LOOKUP.get(_normalise_header(header))
        if key is None or key in columns:
            if header.strip():
                warnings.append(
                    Issue.of(
                        QualError.CODEBOOK_UNKNOWN_COLUMN,
                        Location(sheet=sheet, row=1, column=header),
                        column=header,
                    )
                )
            continue
        columns[key] = index
    if "name" not in columns:
        raise SociaparisError(
            QualError.CODEBOOK_MISSING_COLUMN,
            location=Location(sheet=sheet, row=1),
            column="name",
            accepted=", ".join(ALIASES["name"]),
        )

    def cell(row: list[str], key: str) -> str:
        index = columns.get(key)
        if index is None or index >= len(row):
            return ""
        return restore_formula(row[index])

    parsed: list[tuple[int, tuple[str, ...], dict[str, str]]] = []
    seen: dict[tuple[str, ...], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        where = Location(sheet=sheet, row=number)
        name = cell(row, "name").strip()
        if not name:
            raise SociaparisError(QualError.CODEBOOK_EMPTY_NAME, location=where)
        parent = tuple(
            part.strip() for part in cell(row, "parent").split(PATH_SEPARATOR.strip())
        )
        parent = tuple(p for p in parent if p)
        full = (*parent, name)
        if full in seen:
            raise SociaparisError(
                QualError.CODEBOOK_DUPLICATE,
                location=where,
                path=PATH_SEPARATOR.join(full),
            )
        seen[full] = number
        parsed.append((number, full, {k: cell(row, k) for k in columns}))

    ids: dict[tuple[str, ...], str] = {}
    for number, full, values in parsed:
        raw = values.get("guid", "").strip()
        if raw and not GUID_RE.match(raw):
            raise SociaparisError(
                QualError.CODEBOOK_BAD_GUID,
                location=Location(sheet=sheet, row=number, column="guid"),
                value=raw,
            )
        ids[full] = raw.strip("{}").upper() if raw else derived_guid("code", *full)
    codes: list[Code] = []
    for number, full, values in parsed:
        parent_path = full[:-1]
        if parent_path and parent_path not in ids:
            raise SociaparisError(
                QualError.CODEBOOK_UNKNOWN_PARENT,
                location=Location(sheet=sheet, row=number),
                parent=PATH_SEPARATOR.join(parent_path),
            )
        codes.append(
            Code(
                id=ids[full],
                name=full[-1],
                description=values.get("description", "").strip(),
                inclusion=values.get("inclusion", "").strip(),
                exclusion=values.get("exclusion", "").strip(),
                example=values.get("example", "").strip(),
                color=_colour(values.get("color", ""), Location(sheet=sheet, row=number)),
                parent=ids[parent_path] if parent_path else None,
            )
        )
    return CodebookImport(Codebook(tuple(codes)), tuple(warnings))


def _colour(value: str, where: Location) -> str | None:
    value = value.strip()
    if not value:
        return None
    candidate = value if value.startswith("#") else "#" + value
    if len(candidate) not in (4, 7) or any(
        ch not in "0123456789abcdefABCDEF" for ch in candidate[1:]
    ):
        raise SociaparisError(QualError.CODEBOOK_BAD_COLOUR, location=where, value=value)
    return candidate.upper()
