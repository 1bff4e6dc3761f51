"""Reading and writing the files of the ``pseudonymize`` command."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.qual.errors import QualError
from sociaparis.qual.pseudonymization.chunks import Progress
from sociaparis.qual.pseudonymization.config import (
    PseudonymizationConfig,
    TermGroup,
    parse_terms,
)
from sociaparis.qual.pseudonymization.pipeline import (
    PseudonymizationResult,
    pseudonymize,
)
from sociaparis.qual.pseudonymization.replacements import REPLACEMENT_COLUMNS, Replacement
from sociaparis.qual.pseudonymization.table import PseudonymizationTable

#: files larger than this (bytes) get a progress bar in the CLI
PROGRESS_BYTES = 200_000


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a UTF-8 (or BOM-marked UTF-16) text file, with catalog errors.

    Line ends are normalized to ``\\n`` as Python's text mode does; a BOM is
    dropped.
    """
    target = Path(path)
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        raise SociaparisError(
            QualError.PSEUDO_FILE_NOT_FOUND, path=str(path), cwd=os.getcwd()
        ) from None
    except IsADirectoryError:
        raise SociaparisError(
            QualError.PSEUDO_FILE_UNREADABLE,
            path=str(path),
            reason=Reason(en="it is a folder", fr="c'est un dossier"),
        ) from None
    except OSError as exc:
        raise SociaparisError(
            QualError.PSEUDO_FILE_UNREADABLE, path=str(path), reason=exc.strerror or exc
        ) from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SociaparisError(
            QualError.PSEUDO_NOT_UTF8, path=str(path), position=exc.start
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_terms(path: str | os.PathLike[str]) -> tuple[TermGroup, ...]:
    """Read a study terms file (see :func:`~.config.parse_terms`)."""
    return parse_terms(read_text(path), source=str(path))


def load_table(path: str | os.PathLike[str]) -> PseudonymizationTable:
    """Read a table written by :func:`save_table`; a missing file gives an empty one."""
    if not Path(path).exists():
        return PseudonymizationTable()
    try:
        data = json.loads(read_text(path))
        return PseudonymizationTable.from_dict(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise SociaparisError(
            QualError.PSEUDO_TABLE_INVALID, path=str(path), reason=exc
        ) from None


def write_text(path: str | os.PathLike[str], text: str, *, private: bool = False) -> None:
    """Write ``text`` as UTF-8, turning failures into ``QUAL_062``.

    ``private`` files (personal data) are made readable by their owner only.
    """
    try:
        Path(path).write_text(text, encoding="utf-8")
        if private:
            os.chmod(path, 0o600)
    except OSError as exc:
        raise SociaparisError(
            QualError.PSEUDO_OUTPUT_UNWRITABLE, path=str(path), reason=exc.strerror or exc
        ) from None


def save_table(path: str | os.PathLike[str], table: PseudonymizationTable) -> None:
    """Write the re-identification table as JSON (personal data: protect the file)."""
    data = json.dumps(table.to_dict(), ensure_ascii=False, indent=2) + "\n"
    write_text(path, data, private=True)


def write_report(
    path: str | os.PathLike[str], replacements: Iterable[Replacement]
) -> None:
    """Write the review report: one CSV row per replacement (holds personal data)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REPLACEMENT_COLUMNS)
    for item in replacements:
        data = item.to_dict()
        writer.writerow([data[column] for column in REPLACEMENT_COLUMNS])
    write_text(path, buffer.getvalue(), private=True)


def pseudonymize_file(
    path: str | os.PathLike[str],
    *,
    terms: str | os.PathLike[str] | None = None,
    allow: str | os.PathLike[str] | None = None,
    table: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> PseudonymizationResult:
    """Pseudonymize a plain-text file outside any study.

    Parameters
    ----------
    path
        The UTF-8 text file (NFC-normalized before detection).
    terms
        A study terms file (see :func:`~.config.parse_terms`).
    allow
        A file of extra words to keep, one per line.
    table
        A table written by :func:`save_table`, continued if it exists.
    progress
        Called as ``progress(characters done, length of the text, step)``.
    """
    text = unicodedata.normalize("NFC", read_text(path))
    config = PseudonymizationConfig()
    if terms is not None:
        config = config.with_terms(load_terms(terms))
    if allow is not None:
        kept = parse_terms(read_text(allow), source=str(allow))
        config = config.with_allowed(v for group in kept for v in group.variants)
    start = load_table(table) if table is not None else PseudonymizationTable()
    return pseudonymize(text, config=config, table=start, progress=progress)
