"""What ``assist suggest`` reads: a plain text file and a codebook file.

The codebook is a ``.qdc``, XLSX or CSV file, as ``qual codebook`` reads them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sociaparis.assist.briefs import CodeBrief
from sociaparis.assist.errors import AssistError
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.qual.io.codebook import PATH_SEPARATOR, Codebook, read_codebook


def briefs_from_codebook(codebook: Codebook) -> list[CodeBrief]:
    """One brief per codable code, in the codebook's order.

    A code is named by its name, or by its path (``Thème > Code``) when another
    code has the same name.  Its example is split at blank lines into several.
    """
    codable = [code for code in codebook.codes if code.codable]
    counts = Counter(code.name for code in codable)
    briefs = []
    for code in codable:
        name = code.name
        if counts[name] > 1:
            name = PATH_SEPARATOR.join(codebook.path(code))
        examples = tuple(
            part.strip() for part in code.example.split("\n\n") if part.strip()
        )
        briefs.append(
            CodeBrief(name, code.description, code.inclusion, code.exclusion, examples)
        )
    return briefs


def read_briefs(path: str | Path) -> list[CodeBrief]:
    """The briefs of a codebook file; ``ASSIST_008`` when it has no codable code."""
    briefs = briefs_from_codebook(read_codebook(path).codebook)
    if not briefs:
        raise SociaparisError(AssistError.NO_CODES, path=str(path))
    return briefs


#: largest text file ``assist suggest`` reads (bytes)
MAX_TEXT_BYTES = 50 * 1024 * 1024


def read_text_file(path: str | Path) -> str:
    """The text of a UTF-8 file, as it is: offsets count its code points.

    Line ends are kept as they are (no newline translation); a UTF-8 byte-order
    mark is not part of the text.  ``ASSIST_009`` when unreadable.
    """
    file = Path(path)
    try:
        if file.stat().st_size > MAX_TEXT_BYTES:
            raise SociaparisError(
                AssistError.TEXT_UNREADABLE,
                path=str(path),
                reason=Reason(
                    en=f"larger than {MAX_TEXT_BYTES} bytes",
                    fr=f"plus de {MAX_TEXT_BYTES} octets",
                ),
            )
        data = file.read_bytes()
    except OSError as exc:
        raise SociaparisError(
            AssistError.TEXT_UNREADABLE, path=str(path), reason=exc.strerror or str(exc)
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SociaparisError(
            AssistError.TEXT_UNREADABLE,
            path=str(path),
            reason=Reason(
                en=f"not UTF-8 (byte {exc.start})",
                fr=f"ce n'est pas de l'UTF-8 (octet {exc.start})",
            ),
        ) from None
    if not text.strip():
        raise SociaparisError(
            AssistError.TEXT_UNREADABLE,
            path=str(path),
            reason=Reason(en="empty", fr="le fichier est vide"),
        )
    return text
