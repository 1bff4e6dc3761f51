"""Error catalog of the corpus pages' services: uploads and the case table
(``QUAL_320``-``QUAL_339``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class IntakeError(ErrorCode):
    """Warnings and refusals of uploading files and editing the case table."""

    ONE_PARAGRAPH = (
        "QUAL_320",
        "{path}: one paragraph only, no speaker turns found. If this is a "
        "transcript, check its layout: a blank line (or a line break) between "
        "turns, and 'NAME: ' at the start of each turn, with speakers on.",
    )
    NO_SPEAKERS = (
        "QUAL_321",
        "{path}: speakers were asked for, but no paragraph starts with a speaker "
        "label ('NAME: ' or '[SPEAKER_00]: '); it was read as {count} paragraphs.",
    )
    TOO_MANY_FILES = (
        "QUAL_322",
        "{count} files were sent at once; at most {limit} go in one upload. Send "
        "them in several uploads.",
    )
    BAD_VALUE = (
        "QUAL_323",
        "'{value}' is not a value of type {type} for the attribute '{name}': "
        "write {hint}, or leave the cell empty to remove the value.",
    )
    BAD_ATTRIBUTE_NAME = (
        "QUAL_324",
        "'{name}' cannot name an attribute: use 1 to 200 characters, not only spaces.",
    )
    ATTRIBUTE_EXISTS = (
        "QUAL_325",
        "An attribute named '{name}' already exists; edit its cells instead.",
    )
    NO_FILE = (
        "QUAL_326",
        "No file was sent. Choose one or several files (TXT, MD, DOCX, ODT, VTT, "
        "SRT, Whisper JSON, noScribe HTML).",
    )
