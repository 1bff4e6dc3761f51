"""Reading the invitation list and writing the personal links (pure functions)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.core.spreadsheets import neutralize_formula
from sociaparis.survey.fielding.errors import FieldingError

MAX_CSV_BYTES = 50_000_000
MAX_ROWS = 200_000


@dataclass(frozen=True, slots=True)
class InvitationList:
    """The rows of an invitation CSV: its column names and one dict per person."""

    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]


def _decode(data: bytes, path: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SociaparisError(
        FieldingError.BAD_INVITATION_CSV,
        path=path,
        line=1,
        reason=Reason(
            en="the file is neither UTF-8 nor Windows-1252 text",
            fr="le fichier n'est un texte ni UTF-8 ni Windows-1252",
        ),
    )


def read_invitation_csv(data: bytes, *, path: str = "invitations.csv") -> InvitationList:
    """Read an invitation list (UTF-8 or Windows-1252; comma, semicolon or tab).

    Raises
    ------
    SociaparisError
        ``FIELD_008`` naming the line for an empty file, a file over 50 MB,
        duplicate or empty column names, or a row with too many cells.
    """
    if len(data) > MAX_CSV_BYTES:
        raise SociaparisError(
            FieldingError.BAD_INVITATION_CSV,
            path=path,
            line=1,
            reason=Reason(
                en=f"the file is larger than {MAX_CSV_BYTES // 1_000_000} MB",
                fr=f"le fichier dépasse {MAX_CSV_BYTES // 1_000_000} Mo",
            ),
        )
    text = _decode(data, path)
    if not text.strip():
        raise SociaparisError(
            FieldingError.BAD_INVITATION_CSV,
            path=path,
            line=1,
            reason=Reason(en="the file is empty", fr="le fichier est vide"),
        )
    first_line = text.splitlines()[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip() for name in next(reader)]
    if any(not name for name in header) or len(set(header)) != len(header):
        raise SociaparisError(
            FieldingError.BAD_INVITATION_CSV,
            path=path,
            line=1,
            reason=Reason(
                en="every column needs a name, and names must differ",
                fr="chaque colonne doit avoir un nom, et tous les noms doivent "
                "être différents",
            ),
        )
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            raise SociaparisError(
                FieldingError.BAD_INVITATION_CSV,
                path=path,
                line=line,
                reason=Reason(
                    en=f"{len(cells)} cells for {len(header)} columns",
                    fr=f"{len(cells)} cellules pour {len(header)} colonnes",
                ),
            )
        rows.append(
            {name: cell.strip() for name, cell in zip(header, cells, strict=False)}
        )
        if len(rows) > MAX_ROWS:
            raise SociaparisError(
                FieldingError.BAD_INVITATION_CSV,
                path=path,
                line=line,
                reason=Reason(
                    en=f"more than {MAX_ROWS} invitations in one file",
                    fr=f"plus de {MAX_ROWS} invitations dans un même fichier",
                ),
            )
    return InvitationList(tuple(header), tuple(rows))


def write_links_csv(invitations: InvitationList, links: Sequence[str]) -> str:
    """The invitation list with a ``link`` column added, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*invitations.columns, "link"])
    for row, link in zip(invitations.rows, links, strict=True):
        cells = [row.get(column, "") for column in invitations.columns]
        writer.writerow([neutralize_formula(cell) for cell in [*cells, link]])
    return out.getvalue()
