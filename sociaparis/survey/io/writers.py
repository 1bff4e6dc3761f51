"""Writers of export tables: CSV, XLSX, SPSS ``.sav``, Stata ``.dta``, Parquet.

:func:`write_export` writes the tables of an :class:`ExportData` in one format,
with the data dictionary (CSV and Markdown) and a Frictionless
``datapackage.json`` beside them.

Files (``STEM`` is the form id, or the stem of the output file named):

* CSV, SPSS, Stata, Parquet: ``STEM.EXT`` for the responses and
  ``STEM-REPEAT.EXT`` for each repeat.
* XLSX: one workbook ``STEM.xlsx`` with a sheet per table and a ``dictionary``
  sheet.
* ``STEM-dictionary.csv``, ``STEM-dictionary.md``, and ``datapackage.json`` (in a
  folder of its own) or ``STEM.datapackage.json`` (beside a named file).

CSV is UTF-8 with a byte-order mark (so that Excel shows accents right; R,
pandas and Stata read it), comma-separated, lines ending in CRLF (RFC 4180; a
text holding a line break is quoted), one header row of ODK names, dates
as ``YYYY-MM-DD``, times as ``YYYY-MM-DDTHH:MM:SSZ``, missing values empty.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat

from sociaparis.core.errors import SociaparisError
from sociaparis.survey.fielding.uploads import SUFFIXES as MEDIA_SUFFIXES
from sociaparis.survey.io.cells import neutralize, neutralize_frame
from sociaparis.survey.io.dictionary import (
    datapackage,
    dictionary_frame,
    write_dictionary,
)
from sociaparis.survey.io.errors import ExportError
from sociaparis.survey.io.labelled import (
    code_labels,
    coded,
    file_label,
    flag_labels,
    format_names,
    value_codes,
    value_label,
    variable_label,
)
from sociaparis.survey.io.names import NameFormat
from sociaparis.survey.io.tables import MEDIA_FOLDER, ExportData, ExportTable, absent
from sociaparis.survey.io.xlsx import MAX_ROWS, write_workbook

FORMATS = ("csv", "xlsx", "sav", "dta", "parquet")
SUFFIXES = {f".{fmt}": fmt for fmt in FORMATS}
_TEXT_TYPES = {"string", "select_one", "select_multiple"}
Tick = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What :func:`write_export` wrote.

    Attributes
    ----------
    format, lang
        The format and the language of the labels.
    files
        The data files (one per table; one workbook for XLSX).
    dictionary
        The dictionary files (CSV, Markdown) and the ``datapackage.json``.
    rows
        Table name to its number of rows.
    media
        The files of file questions copied into the export's ``media/`` folder.
    """

    format: str
    lang: str
    files: tuple[Path, ...]
    dictionary: tuple[Path, ...]
    rows: Mapping[str, int]
    media: tuple[Path, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "format": self.format,
            "lang": self.lang,
            "files": [str(p) for p in self.files],
            "dictionary": [str(p) for p in self.dictionary],
            "rows": dict(self.rows),
            "media": [str(p) for p in self.media],
        }


def resolve_output(out: Path, fmt: str | None, stem: str) -> tuple[str, Path, str, bool]:
    """Work out format, folder, file stem and whether a file was named.

    ``out`` is a folder (existing, or without a known suffix) or a file whose
    suffix names the format.

    Raises
    ------
    SociaparisError
        ``EXPORT_001`` unknown format, ``EXPORT_002`` suffix and format disagree,
        ``EXPORT_004`` no format given or implied.
    """
    if fmt is not None and fmt not in FORMATS:
        raise SociaparisError(
            ExportError.BAD_FORMAT, format=fmt, formats=", ".join(FORMATS)
        )
    suffix_format = SUFFIXES.get(out.suffix.lower())
    if suffix_format is not None and not out.is_dir():
        if fmt is not None and fmt != suffix_format:
            raise SociaparisError(
                ExportError.FORMAT_MISMATCH, path=out, suffix=suffix_format, format=fmt
            )
        return suffix_format, out.parent, out.stem, True
    if fmt is None:
        raise SociaparisError(
            ExportError.NO_FORMAT,
            formats="|".join(FORMATS),
            suffixes=", ".join(SUFFIXES),
        )
    return fmt, out, stem, False


def _text_frame(table: ExportTable) -> pd.DataFrame:
    """The table with formula-like text neutralized, for CSV and XLSX."""
    frame = table.frame.copy(deep=False)
    for variable in table.variables:
        if variable.type in _TEXT_TYPES:
            frame[variable.name] = neutralize(frame[variable.name])
    return frame


def _csv_cells(column: pd.Series) -> np.ndarray:
    """One column's cells as the csv module writes them: ``None`` for missing
    (written empty), numbers and texts as they are (``str`` of each)."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        texts = column.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        return texts.to_numpy(dtype=object, na_value=None)
    if column.dtype == object:
        return column.to_numpy()
    return column.to_numpy(dtype=object, na_value=None)


def _csv_field(value: Any) -> str:
    """One cell as the csv module writes it in a row of several cells
    (``QUOTE_MINIMAL``): empty for ``None``, quoted when it holds a comma, a
    quote or a line break, quotes doubled.

    Examples
    --------
    >>> [_csv_field(v) for v in (None, 3.0, "oui", 'a "b", c')]
    ['', '3.0', 'oui', '"a ""b"", c"']
    """
    if value is None:
        return ""
    text = value if value.__class__ is str else str(value)
    if _CSV_SPECIAL.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


_CSV_SPECIAL = re.compile('[,"\r\n]')
# Kinds of cells (pandas' ``infer_dtype``) where equal values write the same
# text, so that a column's texts are worked out once per distinct value. Not
# floats (0.0 and -0.0 are equal) nor mixed kinds (1, 1.0 and True are equal).
_DISTINCT_TEXTS = {"string", "integer", "boolean", "date", "empty"}


def _csv_texts(column: pd.Series) -> np.ndarray:
    """One column's cells as written in the file (:func:`_csv_field`)."""
    if column.dtype.kind in "iub":  # integers and 0/1, nullable or not
        codes, distinct = pd.factorize(column)
    else:
        cells = _csv_cells(column)
        if pd.api.types.infer_dtype(cells, skipna=True) not in _DISTINCT_TEXTS:
            return np.array([_csv_field(cell) for cell in cells.tolist()], dtype=object)
        codes, distinct = pd.factorize(cells)
    texts = [_csv_field(value) for value in distinct.tolist()]
    # Code -1 (missing) takes the last text: the empty cell.
    return np.array([*texts, ""], dtype=object)[codes]


def write_csv(table: ExportTable, path: Path, *, tick: Tick | None = None) -> None:
    """One table as UTF-8 CSV (with BOM), formula-like texts neutralized.

    The bytes of pandas' ``to_csv`` (and of the csv module), in about half its
    time: each column's texts are worked out once per distinct value, then
    joined a chunk of rows at a time.
    """
    frame = _text_frame(table)
    columns = [_csv_texts(frame[name]) for name in frame.columns]
    rows = zip(*columns, strict=True)
    chunk = 20000
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(",".join(_csv_field(name) for name in frame.columns) + "\r\n")
        for start in range(0, len(frame), chunk):
            lines = map(",".join, itertools.islice(rows, chunk))
            handle.write("\r\n".join(lines) + "\r\n")
            if tick is not None:
                tick(min(chunk, len(frame) - start))
        if not len(frame) and tick is not None:
            tick(0)


def labelled_frame(
    table: ExportTable, fmt: NameFormat, *, lang: str, default_language: str
) -> tuple[pd.DataFrame, dict[str, str], dict[str, dict[int, str]], dict[str, str]]:
    """The table as SPSS/Stata need it.

    Returns
    -------
    frame
        Columns renamed (:func:`format_names`), ``select_one`` as numbers, 0/1
        and integers as floats, times without time zone (UTC).
    column_labels
        Name to variable label.
    value_labels
        Name to {number: label} for selects and 0/1 columns.
    measures
        Name to SPSS measure level (nominal, ordinal, scale).
    """
    names = format_names(table, fmt)
    columns: dict[str, pd.Series] = {}
    labels: dict[str, str] = {}
    values: dict[str, dict[int, str]] = {}
    measures: dict[str, str] = {}
    for variable in table.variables:
        name = names[variable.name]
        column = table.frame[variable.name]
        labels[name] = variable_label(variable.label(lang, default_language), fmt)
        if variable.type == "select_one":
            mapping = value_codes(variable, column)
            columns[name] = pd.Series(coded(column, mapping), index=column.index)
            texts = code_labels(variable, mapping, lang, default_language)
            values[name] = {k: value_label(v, fmt) for k, v in texts.items()}
            measures[name] = "ordinal" if "likert" in variable.appearance else "nominal"
        elif variable.type == "flag":
            columns[name] = column.astype("float64")
            values[name] = flag_labels(lang)
            measures[name] = "nominal"
        elif variable.type in {"integer", "decimal"}:
            columns[name] = column.astype("float64")
            measures[name] = "scale"
        elif variable.type == "datetime":
            columns[name] = column.dt.tz_convert("UTC").dt.tz_localize(None)
            measures[name] = "scale"
        elif variable.type in {"date", "time"}:
            columns[name] = column  # SPSS DATE/TIME, Stata %td/%tc formats
            measures[name] = "scale"
        else:
            columns[name] = _empty_for_missing(column)
            measures[name] = "nominal"
    frame = pd.DataFrame(columns, index=table.frame.index)
    return frame, labels, values, measures


def _empty_for_missing(column: pd.Series) -> pd.Series:
    """A text column with ``""`` for missing cells, as SPSS and Stata store them,
    and every other cell a text."""
    values = column.to_numpy(dtype=object, copy=True)
    # The export's object columns hold None or NaN for missing (absent);
    # extension arrays know their own.
    values[absent(values) if column.dtype == object else column.isna().to_numpy()] = ""
    if pd.api.types.infer_dtype(values) not in {"string", "empty"}:
        # Texts of any kind (a calculation's numbers among its words), as
        # pyreadstat would write them: one type per column for polars.
        values = np.array([str(value) for value in values.tolist()], dtype=object)
    return pd.Series(values, index=column.index, dtype=object)


def write_labelled(
    data: ExportData,
    table: ExportTable,
    path: Path,
    fmt: NameFormat,
    *,
    lang: str,
) -> None:
    """One table as SPSS ``.sav`` or Stata ``.dta`` with variable and value labels."""
    import polars as pl  # only here: a tenth of a second the pages need not pay

    frame, labels, values, measures = labelled_frame(
        table, fmt, lang=lang, default_language=data.default_language
    )
    title = data.text(data.title, lang) or data.form_id
    if table.is_repeat:
        title = f"{title} ({table.name})"
    # pyreadstat tests every cell of a pandas frame with pandas' ``isna`` (a
    # third of its time); a polars frame's missing cells are plain ``None``.
    cells = pl.from_pandas(frame)
    if fmt == "sav":
        pyreadstat.write_sav(
            cells,
            str(path),
            file_label=file_label(title, fmt),
            column_labels=labels,
            variable_value_labels=values,
            variable_measure=measures,
            # SPSS's own compression (what SPSS writes by default): a third
            # of the size, as its texts' padding is one byte, read by every
            # reader of .sav.
            row_compress=True,
        )
    else:
        pyreadstat.write_dta(
            cells,
            str(path),
            file_label=file_label(title, fmt),
            column_labels=labels,
            variable_value_labels=values,
            version=15,
        )


def write_parquet(data: ExportData, table: ExportTable, path: Path, *, lang: str) -> None:
    """One table as Parquet; labels, types and choices in the schema metadata."""
    arrow = pa.Table.from_pandas(table.frame, preserve_index=False)
    default = data.default_language
    fields = []
    for field, variable in zip(arrow.schema, table.variables, strict=True):
        meta = {
            "label": variable.label(lang, default),
            "type": variable.type,
            "question_type": variable.question_type,
            "relevant": variable.relevant,
        }
        if variable.choices and variable.type != "flag":
            labels = variable.choice_labels(lang, default)
            meta["choices"] = json.dumps(
                [
                    {"code": c.name, "label": label}
                    for c, label in zip(variable.choices, labels, strict=True)
                ],
                ensure_ascii=False,
            )
        fields.append(field.with_metadata({k: str(v) for k, v in meta.items()}))
    schema = pa.schema(
        fields,
        metadata={
            "sociaparis": json.dumps(
                {
                    "form_id": data.form_id,
                    "table": table.name,
                    "title": data.text(data.title, lang),
                    "language": lang,
                    "versions": list(data.versions),
                },
                ensure_ascii=False,
            )
        },
    )
    pq.write_table(arrow.cast(schema), path)


def write_export(
    data: ExportData,
    *,
    out: Path,
    fmt: str | None = None,
    lang: str | None = None,
    tick: Tick | None = None,
    media: Mapping[str, Path] | None = None,
) -> ExportResult:
    """Write every table of ``data`` and its dictionary.

    Parameters
    ----------
    data
        The export tables (:func:`~sociaparis.survey.io.tables.build_export`).
    out
        A folder (created if needed) or a file whose suffix names the format.
    fmt
        ``csv``, ``xlsx``, ``sav``, ``dta`` or ``parquet`` (default: from ``out``).
    lang
        Language of labels (default: the form's default language).
    tick
        Called with a number of rows each time rows are written (progress bars).
    media
        The files of file questions: path in the export (``media/NAME``, as the
        columns give it) to the stored file. Each is copied (mode 0600) and
        listed in ``datapackage.json``.

    Returns
    -------
    ExportResult
        The files written.
    """
    fmt, folder, stem, named = resolve_output(Path(out), fmt, data.form_id)
    lang = lang or data.default_language
    folder.mkdir(parents=True, exist_ok=True)
    rows = {table.name: len(table.frame) for table in data.tables}
    paths = {
        table.name: f"{stem}.{fmt}"
        if not table.is_repeat
        else f"{stem}-{table.name}.{fmt}"
        for table in data.tables
    }
    frame = dictionary_frame(data, fmt=fmt, lang=lang)
    sheets: dict[str, str] | None = None
    if fmt == "xlsx":
        for table in data.tables:
            if len(table.frame) + 1 > MAX_ROWS:
                raise SociaparisError(
                    ExportError.TOO_MANY_ROWS,
                    table=table.name,
                    rows=len(table.frame),
                    limit=MAX_ROWS - 1,
                )
        workbook = folder / f"{stem}.xlsx"
        titles = write_workbook(
            workbook,
            [
                *((t.name, _text_frame(t)) for t in data.tables),
                ("dictionary", neutralize_frame(frame)),
            ],
            tick=tick,
        )
        sheets = dict(zip((t.name for t in data.tables), titles, strict=False))
        paths = dict.fromkeys(paths, workbook.name)
        files: list[Path] = [workbook]
    else:
        files = []
        for table in data.tables:
            path = folder / paths[table.name]
            if fmt == "csv":
                write_csv(table, path, tick=tick)
            elif fmt == "parquet":
                write_parquet(data, table, path, lang=lang)
            else:
                write_labelled(data, table, path, fmt, lang=lang)  # type: ignore[arg-type]
            if fmt != "csv" and tick is not None:
                tick(len(table.frame))
            files.append(path)
    written = write_dictionary(data, frame, folder=folder, stem=stem, lang=lang)
    package_path = folder / (f"{stem}.datapackage.json" if named else "datapackage.json")
    package = datapackage(data, fmt=fmt, lang=lang, paths=paths, sheets=sheets)
    copied = _copy_media(media or {}, folder)
    package["resources"].extend(_media_resource(path, folder) for path in copied)
    package_path.write_text(
        json.dumps(package, ensure_ascii=False, indent=2, default=str) + "\n",
        encoding="utf-8",
    )
    return ExportResult(
        fmt, lang, tuple(files), (*written, package_path), rows, tuple(copied)
    )


def _copy_media(media: Mapping[str, Path], folder: Path) -> list[Path]:
    """Copy the files into ``folder/media/``, private; the paths written."""
    copied = []
    for relative, source in sorted(media.items()):
        name = Path(relative).name
        if relative != f"{MEDIA_FOLDER}/{name}" or not source.is_file():
            continue
        target = folder / MEDIA_FOLDER / name
        target.parent.mkdir(mode=0o700, exist_ok=True)
        shutil.copyfile(source, target)
        os.chmod(target, 0o600)
        copied.append(target)
    return copied


def _media_resource(path: Path, folder: Path) -> dict[str, Any]:
    """The ``datapackage.json`` resource of one file of a file question."""
    suffix = path.suffix.lstrip(".")
    mediatype = next(
        (mime for mime, known in MEDIA_SUFFIXES.items() if known == suffix),
        "application/octet-stream",
    )
    return {
        "name": f"media-{path.stem}",
        "path": path.relative_to(folder).as_posix(),
        "format": suffix,
        "mediatype": mediatype,
        "bytes": path.stat().st_size,
    }
