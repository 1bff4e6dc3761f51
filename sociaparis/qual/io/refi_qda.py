"""REFI-QDA project interchange: ``.qdpx`` archives and ``project.qde`` XML.

A ``.qdpx`` is a zip archive holding ``project.qde`` (XML in the namespace
``urn:QDA-XML:project:1.0``, schema ``Project-mrt2019.xsd``) and a ``sources/``
folder with the documents; text sources are UTF-8 ``.txt`` files referenced as
``plainTextPath="internal://<guid>.txt"``.  Selections count Unicode code points
from 0, end exclusive: ``text[startPosition:endPosition]``.

What maps to what is documented in ``docs/refi-qda.md``; in short:

======================  ==============================================================
sociaparis              REFI-QDA
======================  ==============================================================
``User``                ``Users/User``
``Code``                ``CodeBook/Codes/Code`` (nested); inclusion, exclusion and
                        example go in ``Description`` (see :func:`format_description`)
``Variable``            ``Variables/Variable``
``Case``                ``Cases/Case`` with ``VariableValue`` and ``SourceRef``
``Source``              ``Sources/TextSource``; speaker turns go in ``sociaparis.json``
                        inside the archive (REFI-QDA has no place for them)
``Coding``              ``PlainTextSelection/Coding/CodeRef``
``Memo``                ``Notes/Note`` with ``NoteRef`` from the project, a source, a
                        selection, a code or a coding; a memo on a case is a ``Link``
                        from the note to the case (cases have no ``NoteRef``)
``CodeSet``             ``Sets/Set``
======================  ==============================================================

Elements the model does not hold (PDF, picture, audio and video sources, graphs,
other links) are reported as warnings, never silently dropped.  The readers are
hardened against hostile files: zip bombs, path traversal, entity expansion and
oversized XML raise :class:`~sociaparis.core.errors.SociaparisError` with a
``CORE_01x`` (the shared zip checks of :mod:`sociaparis.core.archives`) or
``QUAL_11x`` code.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import IO

from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.qual.errors import QualError
from sociaparis.qual.io._refi_reader import Reader, apply_extension
from sociaparis.qual.io._refi_writer import Writer, with_authorship
from sociaparis.qual.io._refi_xml import (
    EXTENSION_NAME,
    NS,
    ImportResult,
    Input,
    Limits,
    format_description,
    open_archive,
    parse_description,
    parse_xml,
    read_bytes,
    source_label,
)
from sociaparis.qual.project import (
    Project,
    check,
)

__all__ = [
    "NS",
    "ImportResult",
    "Limits",
    "format_description",
    "parse_description",
    "parse_xml",
    "read_qde",
    "read_qdpx",
    "write_qde",
    "with_authorship",
    "write_qdpx",
]


# ------------------------------------------------------------------ reading


def read_qdpx(source: Input, *, limits: Limits | None = None) -> ImportResult:
    """Read a REFI-QDA ``.qdpx`` archive.

    Parameters
    ----------
    source
        A path, the bytes of the archive, or a binary file object.
    limits
        Size limits (defaults: :class:`Limits`).

    Returns
    -------
    ImportResult
        ``project`` and ``warnings`` (one :class:`Issue` per thing not imported).

    Raises
    ------
    SociaparisError
        ``CORE_010``-``CORE_014`` for unreadable, unsafe or oversized archives,
        ``QUAL_110``-``QUAL_121`` for a project that cannot be read.
    """
    limits = limits or Limits()
    path = source_label(source)
    archive = open_archive(source, limits, path)
    qde = archive.find("project.qde") or next(
        (i for n, i in archive.members.items() if n.endswith(".qde") and "/" not in n),
        None,
    )
    if qde is None:
        raise SociaparisError(QualError.ARCHIVE_NO_PROJECT, path=path)
    root = parse_xml(archive.read(qde), path=path, limit=limits.max_xml_bytes)

    def load_text(ref: str) -> str | None:
        if not ref.lower().startswith("internal://"):
            return None
        info = archive.find("sources/" + ref[len("internal://") :])
        if info is None:
            return None
        data = archive.read(info)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SociaparisError(
                QualError.ARCHIVE_UNREADABLE,
                path=path,
                reason=Reason(
                    en=f"{info.filename} is not UTF-8 text ({exc})",
                    fr=f"{info.filename} n'est pas du texte UTF-8 ({exc})",
                ),
            ) from exc

    result = Reader(path, load_text).read(root)
    extension = archive.find(EXTENSION_NAME)
    if extension is not None:
        result = apply_extension(result, archive.read(extension), path)
    return result


def read_qde(source: Input, *, limits: Limits | None = None) -> ImportResult:
    """Read a bare ``project.qde`` XML document (texts inline or missing).

    Sources whose text is in ``PlainTextContent`` are read; those that point to
    a file (``plainTextPath``) get ``text=None`` and a warning.
    """
    limits = limits or Limits()
    path = source_label(source)
    data = read_bytes(source, limits.max_xml_bytes, path)
    root = parse_xml(data, path=path, limit=limits.max_xml_bytes)
    return Reader(path, lambda ref: None).read(root)


# ------------------------------------------------------------------ writing


def write_qdpx(project: Project, target: str | Path | IO[bytes]) -> None:
    """Write ``project`` as a REFI-QDA ``.qdpx`` archive.

    The archive holds ``project.qde``, one UTF-8 ``sources/<guid>.txt`` per source
    with known text, and ``sociaparis.json`` with the speaker turns (and the
    moderators of focus groups) and the list
    of authors and dates that the export filled in (other tools ignore it; see
    :func:`~sociaparis.qual.io._refi_writer.with_authorship`: every source,
    selection, coding and note gets a ``creatingUser`` and a
    ``creationDateTime``, which importers such as QualCoder's rely on).  The
    project is checked first (:func:`~sociaparis.qual.project.check`).
    The same project always gives the same bytes (entries carry a fixed date).
    """
    check(project)
    filled_project, filled = with_authorship(project)
    writer = Writer(filled_project, embed_text=False)
    xml = writer.xml()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def put(name: str, data: str | bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)

        put("project.qde", xml)
        for source in project.sources:
            if source.text is not None:
                put(f"sources/{source.id}.txt", source.text.encode("utf-8"))
        for name, text in writer.note_files:
            put(f"sources/{name}", text.encode("utf-8"))
        turns = {
            s.id: [[t.speaker, t.start, t.end, t.start_s, t.end_s] for t in s.turns]
            for s in project.sources
            if s.turns
        }
        moderators = {s.id: list(s.moderators) for s in project.sources if s.moderators}
        if turns or filled or moderators:
            payload = {
                "format": "sociaparis-refi-extension",
                "version": 1,
                "turns": turns,
                "filled": filled,
            }
            if moderators:
                payload["moderators"] = moderators
            put(EXTENSION_NAME, json.dumps(payload, ensure_ascii=False, indent=1))


def write_qde(project: Project, target: str | Path | IO[bytes] | None = None) -> bytes:
    """Write ``project`` as a bare ``project.qde`` document and return its bytes.

    Source texts go inline in ``PlainTextContent``; speaker turns are not written
    (REFI-QDA has no element for them; :func:`write_qdpx` keeps them).  Authors
    and dates the project lacks are filled in as by :func:`write_qdpx`, with no
    record of it: read back, they are values like any other.
    """
    check(project)
    xml = Writer(with_authorship(project)[0], embed_text=True).xml()
    if isinstance(target, str | Path):
        Path(target).write_bytes(xml)
    elif target is not None:
        target.write(xml)
    return xml
