"""Reading and writing the files of the ``pseudonymize`` command."""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path

from sociaparis.core.errors import SociaparisError
from sociaparis.qual.errors import QualError
from sociaparis.qual.pseudonymization.config import TermGroup, parse_terms
from sociaparis.qual.pseudonymization.table import PseudonymizationTable


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
            QualError.PSEUDO_FILE_UNREADABLE, path=str(path), reason="it is a folder"
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


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8, turning failures into ``QUAL_062``."""
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SociaparisError(
            QualError.PSEUDO_OUTPUT_UNWRITABLE, path=str(path), reason=exc.strerror or exc
        ) from None


def save_table(path: str | os.PathLike[str], table: PseudonymizationTable) -> None:
    """Write the re-identification table as JSON (personal data: protect the file)."""
    write_text(path, json.dumps(table.to_dict(), ensure_ascii=False, indent=2) + "\n")
