"""Form attachments: CSV, XML, GeoJSON of ``select_*_from_file`` and ``pulldata()``.

An attachment is read once, when the form is read, into plain rows kept in
the instrument model: a stored version holds its attachments (with each file's
SHA-256), so a later change of the file makes a new version and never changes a
fielded one. Files are hostile input: size and row limits, UTF-8 only, no XML
entity or DTD, with a message naming the file and the problem
(``SURVEY_046``).

* CSV: a header row, then one row per item (comma or semicolon separated, as
  sniffed from the header).
* XML: ODK's secondary instance layout, ``<root><item><name>…</name><label>…
  </label>…</item>…</root>``: each child of an item is a column.
* GeoJSON: a ``FeatureCollection``; each feature's ``properties`` are the
  columns, ``id`` (the feature's or its property) is the name and ``title``
  the label, as ODK reads it; the geometry is kept as text in ``geometry``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from xml.etree import ElementTree

from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.survey.errors import SurveyError

#: Largest attachment read.
MAX_ATTACHMENT_BYTES = 5_000_000
#: Most rows (items) of an attachment.
MAX_ATTACHMENT_ROWS = 50_000
#: Most columns of an attachment.
MAX_ATTACHMENT_COLUMNS = 200
SUFFIXES = (".csv", ".xml", ".geojson")


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment as read: its name, hash, columns and rows.

    Attributes
    ----------
    name
        The file name the form uses (``fruits.csv``).
    sha256
        SHA-256 of the file's bytes (what identifies it in a version).
    columns
        Column names, in order.
    rows
        Each row's cells, one per column (``''`` when missing).
    """

    name: str
    sha256: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def records(self) -> list[dict[str, str]]:
        """The rows as dicts, column to cell."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def lookup(self, column: str, key_column: str, key: str) -> str:
        """``column`` of the first row whose ``key_column`` is ``key``; '' if none."""
        try:
            wanted = self.columns.index(column)
            keyed = self.columns.index(key_column)
        except ValueError:
            return ""
        return next((row[wanted] for row in self.rows if row[keyed] == key), "")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the instrument model)."""
        return {
            "name": self.name,
            "sha256": self.sha256,
            "columns": list(self.columns),
            "rows": [list(row) for row in self.rows],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Attachment:
        """Inverse of :meth:`to_dict`."""
        return cls(
            str(data["name"]),
            str(data["sha256"]),
            tuple(data["columns"]),
            tuple(tuple(row) for row in data["rows"]),
        )


def _refuse(name: str, en: str, fr: str) -> SociaparisError:
    """``SURVEY_046`` for ``name``, its reason in English and French."""
    return SociaparisError(
        SurveyError.ATTACHMENT_UNREADABLE, name=name, reason=Reason(en=en, fr=fr)
    )


def read_attachment(name: str, data: bytes) -> Attachment:
    """Read the attachment ``name`` (its suffix tells the format) from ``data``.

    Raises
    ------
    SociaparisError
        ``SURVEY_046`` with the reason: too large, not UTF-8, malformed, too
        many rows or columns, an unknown suffix.
    """
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise _refuse(
            name,
            f"its suffix is not one of {', '.join(SUFFIXES)}",
            f"son extension n'est pas l'une de {', '.join(SUFFIXES)}",
        )
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise _refuse(
            name,
            f"it is {len(data)} bytes, more than the {MAX_ATTACHMENT_BYTES} allowed",
            f"elle fait {len(data)} octets, plus que les {MAX_ATTACHMENT_BYTES} admis",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(
            name,
            f"it is not UTF-8 text (byte {exc.start + 1} cannot be read); save it "
            "again as CSV UTF-8",
            f"ce n'est pas du texte UTF-8 (l'octet {exc.start + 1} est illisible) ; "
            "enregistrez-la de nouveau en CSV UTF-8",
        ) from None
    if suffix == ".csv":
        columns, rows = _csv(name, text)
    elif suffix == ".xml":
        columns, rows = _xml(name, text)
    else:
        columns, rows = _geojson(name, text)
    if len(columns) > MAX_ATTACHMENT_COLUMNS:
        raise _refuse(
            name,
            f"it has {len(columns)} columns, more than {MAX_ATTACHMENT_COLUMNS}",
            f"elle a {len(columns)} colonnes, plus de {MAX_ATTACHMENT_COLUMNS}",
        )
    if len(rows) > MAX_ATTACHMENT_ROWS:
        raise _refuse(
            name,
            f"it has {len(rows)} rows, more than {MAX_ATTACHMENT_ROWS}",
            f"elle a {len(rows)} lignes, plus de {MAX_ATTACHMENT_ROWS}",
        )
    return Attachment(name, hashlib.sha256(data).hexdigest(), columns, rows)


def _csv(name: str, text: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = next(reader, [])
        columns = tuple(cell.strip() for cell in header)
        if not columns or not any(columns):
            raise _refuse(
                name,
                "its first row (the column names) is empty",
                "sa première ligne (les noms des colonnes) est vide",
            )
        rows = []
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(columns):
                raise _refuse(
                    name,
                    f"line {line} has {len(cells)} cells, more than the "
                    f"{len(columns)} column names",
                    f"la ligne {line} a {len(cells)} cellules, plus que les "
                    f"{len(columns)} noms de colonnes",
                )
            rows.append(
                tuple(c.strip() for c in cells) + ("",) * (len(columns) - len(cells))
            )
            if len(rows) > MAX_ATTACHMENT_ROWS:
                break
    except csv.Error as exc:
        raise _refuse(
            name, f"it is not valid CSV ({exc})", f"ce n'est pas un CSV valide ({exc})"
        ) from None
    return columns, tuple(rows)


def _xml(name: str, text: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise _refuse(
            name,
            "it declares a DTD or entities, which are not read",
            "elle déclare une DTD ou des entités, qui ne sont pas lues",
        )
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise _refuse(
            name,
            f"it is not well-formed XML ({exc})",
            f"ce n'est pas du XML bien formé ({exc})",
        ) from None
    items = [child for child in root if len(child)]
    columns: list[str] = []
    records = []
    for item in items[: MAX_ATTACHMENT_ROWS + 1]:
        record = {}
        for cell in item:
            tag = cell.tag.rsplit("}", 1)[-1]
            if tag not in columns:
                columns.append(tag)
            record[tag] = (cell.text or "").strip()
        records.append(record)
    return tuple(columns), tuple(tuple(r.get(c, "") for c in columns) for r in records)


def _geojson(name: str, text: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _refuse(
            name, f"it is not valid JSON ({exc})", f"ce n'est pas du JSON valide ({exc})"
        ) from None
    features = data.get("features") if isinstance(data, dict) else None
    if data.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise _refuse(
            name,
            "it is not a GeoJSON FeatureCollection",
            "ce n'est pas une FeatureCollection GeoJSON",
        )
    columns: list[str] = ["name", "label", "geometry"]
    records = []
    for feature in features[: MAX_ATTACHMENT_ROWS + 1]:
        if not isinstance(feature, dict):
            raise _refuse(
                name,
                "a feature is not a JSON object",
                "une entité (feature) n'est pas un objet JSON",
            )
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise _refuse(
                name,
                "a feature's properties are not a JSON object",
                "les propriétés d'une entité (feature) ne sont pas un objet JSON",
            )
        record = {str(k): _text(v) for k, v in properties.items()}
        record["name"] = _text(feature.get("id", properties.get("id", "")))
        record["label"] = _text(properties.get("title", ""))
        record["geometry"] = json.dumps(feature.get("geometry"), separators=(",", ":"))
        for key in record:
            if key not in columns:
                columns.append(key)
        records.append(record)
    return tuple(columns), tuple(tuple(r.get(c, "") for c in columns) for r in records)


def _text(value: Any) -> str:
    return "" if value is None else str(value)
