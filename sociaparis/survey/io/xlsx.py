"""A fast, minimal XLSX writer for export tables.

openpyxl writes about 100,000 cells a second; an export of 100,000 responses has
millions. This module writes the Office Open XML parts directly: each column is
factorized (:func:`pandas.factorize`), the XML of a cell is made once per
distinct value and taken by index; strings go to the shared-strings table, dates
and times are Excel serial numbers with a date style; compression runs in a
thread beside the building of the next rows. The result
opens in Excel, LibreOffice and openpyxl (the tests read it back with openpyxl).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import time
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

MAX_ROWS = 1_048_576
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_EPOCH = np.datetime64("1899-12-30")
DATE_STYLE = 1
DATETIME_STYLE = 2
TIME_STYLE = 3

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/>'
    '<numFmt numFmtId="166" formatCode="hh:mm:ss"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
    "</borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    "</cellStyleXfs>"
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)


def column_letter(index: int) -> str:
    """Excel column letters of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def clean_xml_text(values: pd.Series) -> pd.Series:
    """Drop characters XML 1.0 forbids (control characters) from strings."""
    return values.str.replace(_ILLEGAL, "", regex=True)


def _xml_text(text: str) -> str:
    # A raw carriage return would be read back as a line feed (XML end-of-line
    # handling); a character reference keeps it.
    return escape(_ILLEGAL.sub("", text)).replace("\r", "&#13;")


class _SharedStrings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def codes(self, values: pd.Series) -> np.ndarray:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        table = np.fromiter(
            (self.index.setdefault(u, len(self.index)) for u in uniques),
            dtype=np.int64,
            count=len(uniques),
        )
        return table[codes] if len(uniques) else np.zeros(len(codes), dtype=np.int64)

    def xml(self) -> str:
        items = "".join(
            f'<si><t xml:space="preserve">{_xml_text(text)}</t></si>'
            for text in self.index
        )
        count = len(self.index)
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
            '"http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{count}" uniqueCount="{count}">{items}</sst>'
        )


_EMPTY = "<c/>"


def _cells(column: pd.Series, strings: _SharedStrings) -> np.ndarray:
    """The XML of each cell of one column (``<c/>`` for an empty cell).

    Cells carry no ``r`` reference (it is optional in SpreadsheetML: a cell
    without one follows the previous cell), so a cell's XML depends only on its
    value; it is made once per distinct value and taken by index.
    """
    kind = column.dtype
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    values = pd.Series(uniques) if not isinstance(uniques, pd.Index) else uniques
    if pd.api.types.is_datetime64_any_dtype(kind):
        stamps = pd.DatetimeIndex(uniques)
        if stamps.tz is not None:
            stamps = stamps.tz_convert("UTC").tz_localize(None)
        serial = (stamps.to_numpy() - _EXCEL_EPOCH) / np.timedelta64(1, "D")
        texts = [f'<c s="{DATETIME_STYLE}"><v>{value!r}</v></c>' for value in serial]
    elif pd.api.types.is_bool_dtype(kind) or pd.api.types.is_integer_dtype(kind):
        texts = [f"<c><v>{int(value)}</v></c>" for value in values]
    elif pd.api.types.is_numeric_dtype(kind):
        texts = [
            f"<c><v>{float(value)!r}</v></c>" if np.isfinite(value) else _EMPTY
            for value in values
        ]
    else:
        texts = []
        text_values = []
        for value in values:
            if isinstance(value, time):
                seconds = value.hour * 3600 + value.minute * 60 + value.second
                fraction = (seconds + value.microsecond / 1e6) / 86400
                texts.append(f'<c s="{TIME_STYLE}"><v>{fraction!r}</v></c>')
            elif hasattr(value, "isoformat") and not isinstance(value, str):
                days = (np.datetime64(value, "D") - _EXCEL_EPOCH) / np.timedelta64(1, "D")
                texts.append(f'<c s="{DATE_STYLE}"><v>{days:g}</v></c>')
            else:
                texts.append("")
                text_values.append(str(value))
        if text_values:
            indexes = iter(strings.codes(pd.Series(text_values, dtype=object)))
            texts = [text or f'<c t="s"><v>{next(indexes)}</v></c>' for text in texts]
    table = np.array([*texts, _EMPTY], dtype=object)
    return table[codes]  # code -1 (missing) takes the last entry, an empty cell


def _sheet(
    archive: zipfile.ZipFile,
    part: str,
    frame: pd.DataFrame,
    strings: _SharedStrings,
    tick: Callable[[int], None] | None,
) -> None:
    size = len(frame)
    if size + 1 > MAX_ROWS:
        raise ValueError(f"{size} rows do not fit in an Excel sheet ({MAX_ROWS - 1})")
    header = [
        _cells(pd.Series([str(name)], dtype=object), strings)[0] for name in frame.columns
    ]
    columns = [_cells(frame[column], strings) for column in frame.columns]
    with (
        archive.open(part, "w", force_zip64=True) as handle,
        ThreadPoolExecutor(max_workers=1) as writer,
    ):
        # Compression (zlib releases the GIL) runs beside the building of the next rows.
        handle.write(
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
            b'topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView>'
            b"</sheetViews><sheetData>"
        )
        handle.write(('<row r="1">' + "".join(header) + "</row>").encode())
        pending: Future[int] | None = None
        chunk = 5000
        for start in range(0, size, chunk):
            stop = min(size, start + chunk)
            block = [column[start:stop] for column in columns]
            lines = [
                f'<row r="{number}">' + "".join(cells) + "</row>"
                for number, cells in zip(
                    range(start + 2, stop + 2), zip(*block, strict=True), strict=True
                )
            ]
            data = "".join(lines).encode("utf-8")
            if pending is not None:
                pending.result()
            pending = writer.submit(handle.write, data)
            if tick is not None:
                tick(stop - start)
        if pending is not None:
            pending.result()
        handle.write(b"</sheetData></worksheet>")


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "sheet"
    title, number = base, 2
    while title.casefold() in taken:
        suffix = f"_{number}"
        title, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(title.casefold())
    return title


def write_workbook(
    path: Path,
    sheets: Sequence[tuple[str, pd.DataFrame]],
    *,
    tick: Callable[[int], None] | None = None,
) -> list[str]:
    """Write ``sheets`` (name, frame) to an XLSX file; return the sheet titles."""
    strings = _SharedStrings()
    taken: set[str] = set()
    titles = [sheet_title(name, taken) for name, _ in sheets]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for number, (_, frame) in enumerate(sheets, start=1):
            _sheet(archive, f"xl/worksheets/sheet{number}.xml", frame, strings, tick)
        archive.writestr("xl/sharedStrings.xml", strings.xml())
        count = len(sheets)
        archive.writestr(
            "[Content_Types].xml",
            _CONTENT_TYPES.format(
                sheets="".join(_SHEET_TYPE.format(n=n) for n in range(1, count + 1))
            ),
        )
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        sheet_xml = "".join(
            f'<sheet name="{escape(title, {chr(34): "&quot;"})}" sheetId="{n}" '
            f'r:id="rId{n}"/>'
            for n, title in enumerate(titles, start=1)
        )
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{sheet_xml}</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, count + 1)
        )
        rels += (
            f'<Relationship Id="rId{count + 1}" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId{count + 2}" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships">{rels}</Relationships>',
        )
    return titles
