"""Several files imported at once, with a report of what was read in each.

This is the service behind the corpus page's upload and ``sociaparis qual
import --keep-going``: each file is read and stored on its own, so a file that
cannot be read (wrong format, a zip bomb, bad encoding) is reported and the
others are imported.  A role that may not import stops everything
(``QUAL_200``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from sociaparis.accounts.service import Account
from sociaparis.core.errors import Issue, SociaparisError
from sociaparis.qual.corpus import DocumentInfo, can_manage, require, store_document
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.document import UNNAMED_DOCUMENT, ImportedDocument
from sociaparis.qual.intake_errors import IntakeError
from sociaparis.qual.pseudonymization import PseudonymizationConfig

#: most files in one upload
MAX_FILES = 50
#: largest file of an upload (a transcript of 20,000 words is about 150 kB; a
#: DOCX with pictures may weigh a few MB)
MAX_FILE_BYTES = 20_000_000


@dataclass(frozen=True, slots=True)
class FileReport:
    """What happened to one file of an upload.

    Attributes
    ----------
    filename
        The file's name as sent.
    document
        The stored document, or None when the file was refused.
    format
        The reader used (``txt``, ``vtt``…), "" when refused before reading.
    paragraphs, turns
        How many paragraphs and speaker turns were read.
    speakers
        The distinct speaker labels, in order of first appearance.
    proposed
        Replacements proposed by pseudonymization, per kind (empty when it was
        not asked for).
    warnings
        The reader's warnings and the layout warnings (``QUAL_320``,
        ``QUAL_321``).
    error
        Why the file was refused (its code and message), or None.
    """

    filename: str
    document: DocumentInfo | None = None
    format: str = ""
    paragraphs: int = 0
    turns: int = 0
    speakers: tuple[str, ...] = ()
    proposed: dict[str, int] = field(default_factory=dict)
    warnings: tuple[Issue, ...] = ()
    error: Issue | None = None

    @property
    def ok(self) -> bool:
        """Whether the file was stored."""
        return self.document is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "filename": self.filename,
            "ok": self.ok,
            "document": self.document.to_dict() if self.document else None,
            "format": self.format,
            "paragraphs": self.paragraphs,
            "turns": self.turns,
            "speakers": list(self.speakers),
            "proposed": dict(self.proposed),
            "warnings": [{"code": w.code, "message": w.message} for w in self.warnings],
            "error": (
                {"code": self.error.code, "message": self.error.message}
                if self.error
                else None
            ),
        }


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The reports of every file of an upload, in the order sent."""

    files: tuple[FileReport, ...]
    case: str | None
    detect_speakers: bool
    pseudonymize: bool

    @property
    def imported(self) -> int:
        """How many files were stored."""
        return sum(1 for f in self.files if f.ok)

    @property
    def refused(self) -> int:
        """How many files were refused."""
        return len(self.files) - self.imported

    @property
    def awaiting_proposals(self) -> list[int]:
        """The documents stored ``imported``, whose replacements are still to
        be proposed (an upload with ``propose`` off), in order."""
        return [
            f.document.id
            for f in self.files
            if f.document is not None and f.document.status == "imported"
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "case": self.case,
            "speakers": self.detect_speakers,
            "pseudonymize": self.pseudonymize,
            "imported": self.imported,
            "refused": self.refused,
            "files": [f.to_dict() for f in self.files],
        }


def layout_warnings(document: ImportedDocument, *, detect_speakers: bool) -> list[Issue]:
    """Warnings about how a document was cut: one paragraph and no turns
    (``QUAL_320``), or speakers asked for and none found (``QUAL_321``)."""
    path = document.filename or UNNAMED_DOCUMENT
    has_speakers = any(t.speaker for t in document.turns)
    if len(document.paragraphs) <= 1 and not document.turns:
        return [Issue.of(IntakeError.ONE_PARAGRAPH, path=path)]
    if detect_speakers and not has_speakers and document.format in _SPEAKER_FORMATS:
        count = len(document.paragraphs)
        return [Issue.of(IntakeError.NO_SPEAKERS, path=path, count=count)]
    return []


# formats whose speakers come from "NAME: " labels (transcripts carry their own)
_SPEAKER_FORMATS = {"txt", "markdown", "docx", "odt", "html"}


def import_file(
    *,
    session: Session,
    actor: Account,
    filename: str,
    data: bytes,
    case: str | None = None,
    detect_speakers: bool = False,
    pseudonymize: bool = True,
    config: PseudonymizationConfig | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    propose: bool = True,
) -> FileReport:
    """Read one file, store it, and (``pseudonymize``) propose its replacements.

    A file that cannot be read or was imported before is not stored: the
    report says why (``error``), and nothing was written for it.  Without
    ``pseudonymize`` the document is released at once, as with
    ``--no-pseudonymization``. With ``pseudonymize`` but not ``propose``, the
    document is stored ``imported``, for a ``pseudonymize`` job to propose its
    replacements (the corpus page's upload).

    Raises
    ------
    SociaparisError
        ``QUAL_200`` when ``actor``'s role may not import documents.
    """
    from sociaparis.qual.io import read_document
    from sociaparis.qual.pseudonymize_service import start_review

    require(actor, can_manage(actor), "import documents")
    try:
        document = read_document(
            data, filename=filename, detect_speakers=detect_speakers, max_bytes=max_bytes
        )
        # The duplicate check comes before store_document writes anything.
        info = store_document(
            session=session,
            actor=actor,
            document=document,
            case=case or None,
            needs_pseudonymization=pseudonymize,
        )
    except SociaparisError as exc:
        if exc.error is CorpusError.NOT_ALLOWED:
            raise
        return FileReport(
            filename, error=Issue.of(exc.error, exc.location, **exc.context)
        )
    proposed: dict[str, int] = {}
    if pseudonymize and propose:
        review = start_review(
            session=session, actor=actor, document=info.id, config=config
        )
        proposed = dict(Counter(r.kind.value for r in review.replacements))
        info = replace(info, status="under_review")
    speakers = tuple(dict.fromkeys(t.speaker for t in document.turns if t.speaker))
    return FileReport(
        filename,
        document=info,
        format=document.format,
        paragraphs=len(document.paragraphs),
        turns=len(document.turns),
        speakers=speakers,
        proposed=proposed,
        warnings=(
            *document.warnings,
            *layout_warnings(document, detect_speakers=detect_speakers),
        ),
    )


def import_files(
    *,
    session: Session,
    actor: Account,
    files: Iterable[tuple[str, bytes]],
    case: str | None = None,
    detect_speakers: bool = False,
    pseudonymize: bool = True,
    config: PseudonymizationConfig | None = None,
    max_files: int = MAX_FILES,
    max_bytes: int = MAX_FILE_BYTES,
    propose: bool = True,
) -> ImportReport:
    """Import several files (name and bytes) into ``case``, one report per file.

    Parameters
    ----------
    files
        ``(filename, data)`` pairs, in the order to import them.
    case
        The case every file goes to (created if new); None: no case.
    detect_speakers
        Read ``NAME: `` labels as speaker turns (text, DOCX, ODT).
    pseudonymize
        Propose replacements (the documents wait for review); otherwise the
        documents are released at once.
    propose
        With ``pseudonymize``: propose them now (the default), or leave the
        documents ``imported`` for a ``pseudonymize`` job.
    config
        The pseudonymization settings (default: every detector, the shipped
        allow-list).
    max_files, max_bytes
        At most ``max_files`` files (``QUAL_322``), each of at most
        ``max_bytes`` (a larger one is refused with ``QUAL_001`` in its report).

    Returns
    -------
    ImportReport
        One :class:`FileReport` per file, in order.

    Raises
    ------
    SociaparisError
        ``QUAL_200`` for a role that may not import, ``QUAL_322`` for too many
        files, ``QUAL_326`` for none.
    """
    require(actor, can_manage(actor), "import documents")
    items = list(files)
    if not items:
        raise SociaparisError(IntakeError.NO_FILE)
    if len(items) > max_files:
        raise SociaparisError(
            IntakeError.TOO_MANY_FILES, count=len(items), limit=max_files
        )
    reports = tuple(
        import_file(
            session=session,
            actor=actor,
            filename=name,
            data=data,
            case=case,
            detect_speakers=detect_speakers,
            pseudonymize=pseudonymize,
            config=config,
            max_bytes=max_bytes,
            propose=propose,
        )
        for name, data in items
    )
    return ImportReport(reports, case or None, detect_speakers, pseudonymize)
