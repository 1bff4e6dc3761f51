"""The error catalog shared by every package.

Each domain package declares its own ``ErrorCode`` enum whose members are
``(code, message template)`` pairs, and raises :class:`SociaparisError` with
one of them.  The web layer turns these into 4xx responses and the CLI into a
message with exit status 1, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class ErrorCode(Enum):
    """Base for the per-package error catalogs: ``NAME = (code, template)``."""

    @property
    def code(self) -> str:
        """The stable code, e.g. ``SURVEY_012``."""
        return self.value[0]

    @property
    def template(self) -> str:
        """The message template, formatted with the error's context."""
        return self.value[1]

    def format(self, **context: Any) -> str:
        """Render the message for this error with ``context``."""
        return self.template.format(**context)


class CoreError(ErrorCode):
    """Errors of the core package."""

    DB_OUTDATED = (
        "CORE_001",
        "The database at {url} is at schema revision {current}, but this version "
        "of sociaparis needs {head}. Run `sociaparis db upgrade` (after a backup).",
    )
    DB_UNREACHABLE = (
        "CORE_002",
        "Cannot open the database at {url}: {reason}. Check SOCIAPARIS_DATABASE_URL.",
    )
    DB_NEWER = (
        "CORE_003",
        "The database at {url} is at revision {current}, which this version of "
        "sociaparis does not know. Upgrade sociaparis.",
    )
    DB_LOCKED = (
        "CORE_020",
        "The database at {url} stayed locked by another program writing to it for "
        "{seconds} s (SOCIAPARIS_LOCK_TIMEOUT). Try again in a moment, or raise "
        "SOCIAPARIS_LOCK_TIMEOUT.",
    )
    DB_BAD_URL = (
        "CORE_004",
        "The database URL {url} cannot be used: {reason}. Set SOCIAPARIS_DATABASE_URL "
        "to sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DATABASE.",
    )
    ARCHIVE_UNREADABLE = (
        "CORE_010",
        "{path}: not a readable {format} file ({format} files are zip archives): "
        "{reason}. Open it in its program and save it again.",
    )
    ARCHIVE_TOO_MANY = (
        "CORE_011",
        "{path}: the {format} archive holds {count} entries, more than the limit of "
        "{limit}; it was refused.",
    )
    ARCHIVE_UNSAFE_NAME = (
        "CORE_012",
        "{path}: the {format} archive entry '{name}' points outside the archive "
        "(absolute path, drive letter or '..'); the file was refused as unsafe.",
    )
    ARCHIVE_TOO_LARGE = (
        "CORE_013",
        "{path}: the {format} archive entry '{name}' takes the unzipped size over the "
        "limit of {limit} bytes; the file was refused (a zip bomb, or a file too "
        "large to read at once).",
    )
    ARCHIVE_RATIO = (
        "CORE_014",
        "{path}: the {format} archive entry '{name}' is compressed {ratio:.0f} to 1, "
        "more than the limit of {limit:.0f} to 1; the file was refused as a probable "
        "zip bomb.",
    )


@dataclass(frozen=True, slots=True)
class Location:
    """Where in an input file a problem is (all parts optional)."""

    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        return self.describe()

    def describe(
        self,
        *,
        sheet: str = "sheet '{}'",
        row: str = "row {}",
        column: str = "column '{}'",
    ) -> str:
        """The parts present, each by its template (English unless given).

        Examples
        --------
        >>> Location(sheet="survey", row=4).describe()
        "sheet 'survey', row 4"
        >>> Location(row=4, column="type").describe(row="ligne {}", column="colonne {}")
        'ligne 4, colonne type'
        """
        parts = ((sheet, self.sheet), (row, self.row), (column, self.column))
        return ", ".join(words.format(part) for words, part in parts if part is not None)


class SociaparisError(Exception):
    """An error the user can act on: a catalog code, a message and a location.

    Parameters
    ----------
    error
        The catalog entry.
    location
        Where in the input the problem is, if it comes from a file.
    **context
        Values for the entry's message template.
    """

    def __init__(
        self, error: ErrorCode, *, location: Location | None = None, **context: Any
    ) -> None:
        self.error = error
        self.location = location
        self.context = context
        message = error.format(**context)
        if location is not None and str(location):
            message = f"[{location}] {message}"
        self.message = message
        super().__init__(f"{error.code}: {message}")

    @property
    def code(self) -> str:
        """The catalog code of this error."""
        return self.error.code

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its parts, so that an error raised in a worker process
        # (an export run off the web process) reaches the caller as itself.
        return (_rebuild_error, (self.error, self.location, self.context))


def _rebuild_error(
    error: ErrorCode, location: Location | None, context: dict[str, Any]
) -> SociaparisError:
    return SociaparisError(error, location=location, **context)


@dataclass(frozen=True, slots=True)
class Issue:
    """A warning returned by an operation that partly succeeded."""

    code: str
    message: str
    location: Location | None = None

    def __str__(self) -> str:
        where = f"[{self.location}] " if self.location and str(self.location) else ""
        return f"{self.code}: {where}{self.message}"
