"""Spreadsheets from and for other programs: checked XLSX reading, safe cell text."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sociaparis.core.archives import ArchiveLimits, check_archive
from sociaparis.core.errors import CoreError, Reason, SociaparisError

if TYPE_CHECKING:
    import pandas as pd

#: suffixes of the spreadsheet formats that are zip archives
ZIP_SPREADSHEETS = (".xlsx", ".xlsm")

#: A cell starting with one of these may be run as a formula by Excel or Calc.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formula(value: Any) -> Any:
    """Prefix a text cell that could start a formula with a single quote (OWASP).

    Numbers and other non-text values are returned unchanged, so that ``-3`` stays
    a number.

    >>> neutralize_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralize_formula(-3), neutralize_formula("Copilot")
    (-3, 'Copilot')
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def restore_formula(value: str) -> str:
    """Undo :func:`neutralize_formula` on a cell read back from a file we wrote.

    A single quote followed by a formula's first character is taken for the
    neutralizing prefix, so that a text exported and imported again is unchanged.

    >>> restore_formula("'=SUM(A1)"), restore_formula("'quoted'")
    ('=SUM(A1)', "'quoted'")
    """
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def read_excel(path: str | Path, *, limits: ArchiveLimits | None = None) -> pd.DataFrame:
    """The first sheet of a workbook as a DataFrame, after the shared zip checks.

    An ``.xlsx``/``.xlsm`` workbook is checked with
    :func:`~sociaparis.core.archives.check_archive` before pandas (openpyxl)
    inflates it, so a zip bomb is refused instead of filling the memory.

    Raises
    ------
    SociaparisError
        ``CORE_010``-``CORE_014`` for a workbook that is not a readable zip or
        would unpack too large.
    """
    import pandas as pd

    label = str(path)
    if Path(path).suffix.lower() not in ZIP_SPREADSHEETS:
        return pd.read_excel(path)
    check_archive(path, path=label, format="XLSX", limits=limits)
    try:
        return pd.read_excel(path, engine="openpyxl")
    except (KeyError, ValueError, OSError, zipfile.BadZipFile) as exc:
        raise SociaparisError(
            CoreError.ARCHIVE_UNREADABLE,
            path=label,
            format="XLSX",
            reason=Reason(
                en=f"not an XLSX workbook ({exc})",
                fr=f"ce n'est pas un classeur XLSX ({exc})",
            ),
        ) from None
