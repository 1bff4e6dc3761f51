"""Defences shared by the document readers: size, charset, zip bombs, XML entities."""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Callable

from lxml import etree, html

from sociaparis.core.archives import ArchiveLimits, SafeZip
from sociaparis.core.errors import Issue, Location, Reason, SociaparisError
from sociaparis.qual.errors import QualError

#: most bytes the parts of a DOCX/ODT may expand to, all together (200 MB)
DEFAULT_MAX_UNPACKED = 200 * 1024 * 1024
#: highest compression ratio accepted for one part of a DOCX/ODT
DEFAULT_MAX_RATIO = 100.0
#: most parts a DOCX/ODT archive may hold
MAX_MEMBERS = 10_000

_DTD_RE = re.compile(rb"<!\s*(?:doctype|entity)", re.IGNORECASE)
#: the first bytes of the binary formats a text reader refuses, and what the
#: messages call each (``found`` of ``QUAL_004``), in English and French
_MAGIC: tuple[tuple[bytes, Reason], ...] = (
    (
        b"PK\x03\x04",
        Reason(en="a zip archive (DOCX, ODT…)", fr="une archive zip (DOCX, ODT…)"),
    ),
    (b"PK\x05\x06", Reason(en="an empty zip archive", fr="une archive zip vide")),
    (b"%PDF", Reason(en="a PDF document", fr="un document PDF")),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        Reason(
            en="an old binary Office file (.doc)",
            fr="un ancien fichier Office binaire (.doc)",
        ),
    ),
    (b"{\\rtf", Reason(en="an RTF document", fr="un document RTF")),
    (b"\x89PNG", Reason(en="a PNG image", fr="une image PNG")),
    (b"\xff\xd8\xff", Reason(en="a JPEG image", fr="une image JPEG")),
    (b"ID3", Reason(en="an MP3 audio file", fr="un fichier audio MP3")),
    (
        b"RIFF",
        Reason(
            en="a RIFF (WAV/AVI) media file", fr="un fichier multimédia RIFF (WAV/AVI)"
        ),
    ),
    (b"OggS", Reason(en="an Ogg media file", fr="un fichier multimédia Ogg")),
)


#: latest time a transcript may give: 1,000 hours, in seconds
MAX_SECONDS = 1000 * 3600
#: most digits of an integer in a transcript (JSON numbers, noScribe anchor times)
MAX_DIGITS = 15


class UnreadableValue(ValueError):
    """A value of a transcript that cannot be used, with its reason in English
    and French (:attr:`reason`); its text is the English.

    The readers catch it as a ``ValueError`` and put :attr:`reason` in the
    warning they give (:func:`reason_of`).

    Parameters
    ----------
    reason
        What is wrong with the value.
    """

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.en)
        self.reason = reason


#: what :func:`check_seconds` calls the value it checks, by default
_TIME = Reason(en="time", fr="l'horodatage")
#: what :func:`bounded_int` calls the number it reads, by default
_NUMBER = Reason(en="number", fr="le nombre")


def reason_of(exc: Exception) -> Reason:
    """Why ``exc`` was raised, in English and French: the reason of an
    :class:`UnreadableValue`, else the exception's own text (another program's
    message, which has no French)."""
    reason = getattr(exc, "reason", None)
    return reason if isinstance(reason, Reason) else Reason.of(exc)


def within(en: str, fr: str, reason: Reason) -> Reason:
    """``reason`` after the words that say where it was found (``segment 3``),
    with a colon as each language writes it.

    Examples
    --------
    >>> within("cue timing", "horaire du sous-titre", Reason(en="late", fr="tard"))
    Reason(en='cue timing: late', fr='horaire du sous-titre : tard')
    """
    return Reason(en=f"{en}: {reason.en}", fr=f"{fr} : {reason.fr}")


def check_seconds(value: float, *, what: Reason = _TIME) -> float:
    """``value`` as a time in seconds; :class:`UnreadableValue` (a
    ``ValueError``) if negative, NaN or too late.

    Times past :data:`MAX_SECONDS` (1,000 hours) are refused: no recording is that
    long, and such values overflow the time arithmetic downstream.

    >>> check_seconds(90)
    90.0
    >>> try:
    ...     check_seconds(1e30)
    ... except ValueError as exc:
    ...     print(exc, exc.reason.fr, sep="\\n")
    time 1e+30 is past the limit of 3600000 seconds (1,000 hours)
    l'horodatage 1e+30 dépasse la limite de 3600000 secondes (1 000 heures)
    """
    if isinstance(value, float) and math.isnan(value):
        raise UnreadableValue(
            Reason(
                en=f"{what.en} {value!r} is not a number of seconds",
                fr=f"{what.fr} {value!r} n'est pas un nombre de secondes",
            )
        )
    if value < 0:
        raise UnreadableValue(
            Reason(
                en=f"{what.en} {value!r} is negative",
                fr=f"{what.fr} {value!r} est négatif",
            )
        )
    if value > MAX_SECONDS:
        shown = repr(value) if len(repr(value)) <= 20 else f"{str(value)[:12]}…"
        raise UnreadableValue(
            Reason(
                en=f"{what.en} {shown} is past the limit of {MAX_SECONDS} seconds "
                "(1,000 hours)",
                fr=f"{what.fr} {shown} dépasse la limite de {MAX_SECONDS} secondes "
                "(1 000 heures)",
            )
        )
    return float(value)


def bounded_int(text: str, *, what: Reason = _NUMBER) -> int:
    """``int(text)`` for at most :data:`MAX_DIGITS` digits, else
    :class:`UnreadableValue` (a ``ValueError``).

    Python refuses ``int()`` of more than 4,300 digits with an obscure message;
    no time or count in a transcript has more than a few digits.

    >>> bounded_int("0042")
    42
    >>> hours = Reason(en="the hour field", fr="le champ des heures")
    >>> try:
    ...     bounded_int("9" * 20, what=hours)
    ... except ValueError as exc:
    ...     print(exc, exc.reason.fr, sep="\\n")
    the hour field 999999999999… has 20 digits (at most 15)
    le champ des heures 999999999999… a 20 chiffres (15 au plus)
    """
    digits = text.strip().lstrip("+-").lstrip("0")
    if len(digits) > MAX_DIGITS:
        shown = text.strip()[:12]
        raise UnreadableValue(
            Reason(
                en=f"{what.en} {shown}… has {len(digits)} digits (at most {MAX_DIGITS})",
                fr=f"{what.fr} {shown}… a {len(digits)} chiffres ({MAX_DIGITS} au plus)",
            )
        )
    return int(text)


def skipped_block(*, path: str, reason: Reason, row: int | None) -> Issue:
    """The warning for a part of a transcript that was left out (``QUAL_021``)."""
    return Issue.of(QualError.SKIPPED_BLOCK, Location(row=row), path=path, reason=reason)


def nothing_read(
    *, path: str, format: str, what: Reason, warnings: list[Issue]
) -> SociaparisError:
    """The error for a transcript that gave no text (``QUAL_011`` or ``QUAL_012``).

    ``what`` is the part that was looked for (``subtitle cue with text``), its
    French with the negation the French message goes on from (``aucun
    sous-titre contenant du texte`` « n'a été trouvé »). When parts were
    skipped (``QUAL_021`` warnings), ``QUAL_012`` tells how many and why the
    first was, since the warnings are lost with the error.
    """
    skipped = [w for w in warnings if w.code == QualError.SKIPPED_BLOCK.code]
    if skipped:
        return SociaparisError(
            QualError.ALL_SKIPPED,
            path=path,
            format=format,
            count=len(skipped),
            first=skipped[0],
        )
    return SociaparisError(QualError.NO_SEGMENTS, path=path, what=what, format=format)


def check_size(data: bytes, *, path: str, max_bytes: int) -> None:
    """Raise ``QUAL_001`` when ``data`` is over ``max_bytes``, ``QUAL_002`` if empty."""
    if len(data) > max_bytes:
        raise SociaparisError(
            QualError.FILE_TOO_LARGE, path=path, size=len(data), limit=max_bytes
        )
    if not data.strip():
        raise SociaparisError(QualError.EMPTY_DOCUMENT, path=path)


def sniff(data: bytes) -> Reason | None:
    """What a binary file is, from its first bytes (``None`` for text-like data),
    in English and French.

    Examples
    --------
    >>> found = sniff(b"%PDF-1.7")
    >>> str(found), found.fr
    ('a PDF document', 'un document PDF')
    >>> sniff(b"Bonjour") is None
    True
    """
    head = data[:16]
    for magic, label in _MAGIC:
        if head.startswith(magic):
            return label
    return None


def refuse_binary(data: bytes, *, path: str, declared: Reason) -> None:
    """Raise ``QUAL_004`` when a text format's bytes are a known binary format;
    ``declared`` is what the name says the file is (``a JSON file``)."""
    found = sniff(data)
    if found is not None:
        raise SociaparisError(
            QualError.CONTENT_MISMATCH, path=path, declared=declared, found=found
        )


def decode_text(data: bytes, *, path: str) -> tuple[str, list[Issue]]:
    """Decode text: UTF-8 (with or without BOM), UTF-16/32 with BOM, else cp1252/latin-1.

    A legacy decoding adds a ``QUAL_020`` warning; NUL bytes without a UTF-16/32
    BOM mean binary data (or BOM-less UTF-16) and raise ``QUAL_003``.
    """
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), []
            except UnicodeDecodeError as exc:
                raise SociaparisError(
                    QualError.UNDECODABLE,
                    path=path,
                    reason=Reason(
                        en=f"it starts with a {encoding} byte-order mark but byte "
                        f"{exc.start + len(bom)} is not valid {encoding}",
                        fr=f"il commence par une marque d'ordre des octets {encoding}, "
                        f"mais l'octet {exc.start + len(bom)} n'est pas du {encoding} "
                        "valide",
                    ),
                ) from None
    if b"\x00" in data:
        raise SociaparisError(
            QualError.UNDECODABLE,
            path=path,
            reason=Reason(
                en="it contains NUL bytes: a binary file, or UTF-16 without a "
                "byte-order mark",
                fr="il contient des octets NUL : c'est un fichier binaire, ou de "
                "l'UTF-16 sans marque d'ordre des octets",
            ),
        )
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    try:
        text, encoding = data.decode("cp1252"), "Windows-1252 (cp1252)"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "ISO-8859-1 (latin-1)"
    warning = Issue.of(QualError.LEGACY_ENCODING, path=path, encoding=encoding)
    return text, [warning]


def read_zip_parts(
    data: bytes,
    *,
    path: str,
    format: str,
    wanted: Callable[[str], bool],
    max_unpacked: int = DEFAULT_MAX_UNPACKED,
    max_ratio: float = DEFAULT_MAX_RATIO,
) -> dict[str, bytes]:
    """The parts whose name ``wanted`` accepts, after the shared zip checks.

    Every part's declared size and compression ratio are checked *before*
    anything is decompressed, and the reading is capped again while inflating
    (:class:`~sociaparis.core.archives.SafeZip`), so a forged header cannot
    exceed the limit.
    """
    limits = ArchiveLimits(
        max_entries=MAX_MEMBERS,
        max_entry_bytes=max_unpacked,
        max_total_bytes=max_unpacked,
        max_ratio=max_ratio,
    )
    archive = SafeZip(data, limits, path=path, format=format)
    try:
        archive.check_all()
        return {
            info.filename: archive.read(info)
            for info in archive.infos
            if not info.is_dir() and wanted(info.filename)
        }
    finally:
        archive.close()


#: lxml options for every untrusted XML or HTML file: no network, no comments or
#: processing instructions, and libxml2's own limits (``huge_tree=False``: at most
#: 256 levels of nesting, text nodes of at most 10 MB)
_HARDENED = {
    "no_network": True,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
#: deepest element nesting libxml2 accepts without ``huge_tree``
MAX_DEPTH = 256


def xml_parser() -> etree.XMLParser:
    """A new lxml parser for untrusted XML: also no DTD and no entity expansion."""
    return etree.XMLParser(
        resolve_entities=False, load_dtd=False, dtd_validation=False, **_HARDENED
    )


def html_parser() -> html.HTMLParser:
    """A new lxml parser for untrusted HTML, with the options of :func:`xml_parser`."""
    return html.HTMLParser(**_HARDENED)


def parse_xml(data: bytes, *, path: str, name: str, format: str) -> etree._Element:
    """Parse an XML part with no DTD, no entity expansion and no network access."""
    if _DTD_RE.search(data):
        raise SociaparisError(QualError.DOCUMENT_DTD, path=path, name=name, format=format)
    try:
        return etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise SociaparisError(
            QualError.DOCUMENT_BROKEN,
            path=path,
            format=format,
            reason=Reason(
                en=f"'{name}' is not well-formed XML ({exc})",
                fr=f"« {name} » n'est pas du XML bien formé ({exc})",
            ),
        ) from None
