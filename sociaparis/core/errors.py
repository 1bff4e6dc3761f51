"""The error catalog shared by every package.

Each domain package declares its own ``ErrorCode`` enum whose members are
``(code, message template)`` pairs, and raises :class:`SociaparisError` with
one of them.  The web layer turns these into 4xx responses and the CLI into a
message with exit status 1, never a traceback.

The catalogue's templates are English; the pages have French ones
(:func:`sociaparis.web.i18n.error_text`).  A value of the context that is
itself a sentence of ours (the ``reason`` of many entries) is given in both
languages as a :class:`Reason`, so that a French page does not read an English
clause; where it is used as text it is English.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from numbers import Integral, Real
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
class Reason:
    """A part of an error message in English and in French (most often its
    ``reason``).

    Used as text (``str``, a format field, an f-string) it is the English, so
    that the catalogue's message, the CLI and the logs read as before; the web
    pages show :meth:`text` in their language.

    Examples
    --------
    >>> reason = Reason(en="name a form", fr="indiquez un questionnaire")
    >>> f"cannot be used: {reason}."
    'cannot be used: name a form.'
    >>> reason.text("fr")
    'indiquez un questionnaire'

    .. versionadded:: 0.1.0
    """

    en: str
    fr: str

    def __str__(self) -> str:
        return self.en

    def __format__(self, spec: str) -> str:
        return format(self.en, spec)

    def text(self, lang: str) -> str:
        """The French for ``lang == "fr"``, the English for any other language."""
        return self.fr if lang == "fr" else self.en

    def to_dict(self) -> dict[str, str]:
        """Both languages as JSON-ready data: ``{"en": ..., "fr": ...}``."""
        return {"en": self.en, "fr": self.fr}

    @classmethod
    def of(cls, value: Any) -> Reason:
        """``value`` as a reason: itself if it is one, else its text in both
        languages (another program's message, which has no French)."""
        if isinstance(value, Reason):
            return value
        return cls(en=str(value), fr=str(value))


def in_language(value: Any, lang: str) -> Any:
    """A context value as shown in ``lang``: a :class:`Reason`'s text in that
    language, any other value as it is."""
    return value.text(lang) if isinstance(value, Reason) else value


def context_to_json(context: Mapping[str, Any]) -> dict[str, Any]:
    """An error's context as JSON-safe data (to store it, or send it).

    Strings, booleans, integers, finite floats and None are kept; a
    :class:`Reason` becomes ``{"en": ..., "fr": ...}`` (the only dict in the
    result, which :func:`context_from_json` turns back into a reason); any
    other value becomes its text, as the English message shows it.
    """
    data: dict[str, Any] = {}
    for key, value in context.items():
        if isinstance(value, Reason):
            data[key] = value.to_dict()
        elif value is None or isinstance(value, str | bool):
            data[key] = value
        elif isinstance(value, Integral):
            data[key] = int(value)
        elif isinstance(value, Real) and math.isfinite(float(value)):
            data[key] = float(value)
        else:
            data[key] = str(value)
    return data


def context_from_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """The context :func:`context_to_json` gave, with its reasons back."""
    return {
        key: (
            Reason(en=str(value.get("en", "")), fr=str(value.get("fr", "")))
            if isinstance(value, Mapping)
            else value
        )
        for key, value in data.items()
    }


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
        self,
        error: ErrorCode,
        /,
        *,
        location: Location | None = None,
        **context: Any,
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
class ErrorRecord:
    """An error as it was recorded (a failed job's): its code, its English
    message, and its context when it was kept.

    It reads like the :class:`SociaparisError` it comes from (``code``,
    ``message``, ``context``, ``location``), so that a page can show it in its
    language (:func:`sociaparis.web.i18n.error_text`); ``context`` is None for
    a record that kept only the message, which is then shown as it is.
    """

    code: str
    message: str
    context: dict[str, Any] | None = None
    location: Location | None = None

    @classmethod
    def of(cls, error: SociaparisError) -> ErrorRecord:
        """The record of ``error``."""
        return cls(error.code, error.message, dict(error.context), error.location)

    def context_json(self) -> dict[str, Any] | None:
        """The context (and the location, under ``location``: never a context
        key, that name being :class:`SociaparisError`'s own parameter) as
        JSON-safe data; None if it was not kept."""
        if self.context is None:
            return None
        data = context_to_json(self.context)
        if self.location is not None:
            data["location"] = {
                "sheet": self.location.sheet,
                "row": self.location.row,
                "column": self.location.column,
            }
        return data

    @classmethod
    def from_json(
        cls, code: str, message: str, data: Mapping[str, Any] | None
    ) -> ErrorRecord:
        """The record stored as ``code``, ``message`` and :meth:`context_json`."""
        if data is None:
            return cls(code, message)
        context = dict(data)
        where = context.pop("location", None)
        location = None
        if isinstance(where, Mapping):
            location = Location(
                sheet=where.get("sheet"), row=where.get("row"), column=where.get("column")
            )
        return cls(code, message, context_from_json(context), location)


@dataclass(frozen=True, slots=True)
class Issue:
    """A warning returned by an operation that partly succeeded.

    Parameters
    ----------
    code
        The catalog code, e.g. ``QUAL_021``.
    message
        The English message, formatted (without the location).
    location
        Where in the input the problem is, if it comes from a file.
    context
        The values the catalogue's template was formatted with, so that a page
        can show the warning in its language
        (:func:`sociaparis.web.i18n.error_text`); None for a warning written by
        hand, which is then shown as its ``message``. It takes no part in
        comparisons: two warnings with the same code, message and location are
        equal.

    Examples
    --------
    >>> issue = Issue.of(
    ...     CoreError.ARCHIVE_TOO_MANY, path="a.docx", format="DOCX", count=9, limit=5
    ... )
    >>> issue.code, issue.context["count"]
    ('CORE_011', 9)
    >>> str(issue) == f"CORE_011: {issue.message}"
    True

    .. versionchanged:: 0.1.0
       ``context`` and :meth:`of`.
    """

    code: str
    message: str
    location: Location | None = None
    context: Mapping[str, Any] | None = field(default=None, compare=False)

    @classmethod
    def of(
        cls, error: ErrorCode, /, location: Location | None = None, **context: Any
    ) -> Issue:
        """The warning ``error``, its message formatted with ``context``.

        Parameters
        ----------
        error
            The catalog entry.
        location
            Where in the input the problem is, if it comes from a file.
        **context
            Values for the entry's message template; kept in :attr:`context`
            (a :class:`Reason` among them is shown in the page's language).

        Returns
        -------
        Issue
            The warning, with the English message and its context.
        """
        return cls(error.code, error.format(**context), location, dict(context))

    def __str__(self) -> str:
        where = f"[{self.location}] " if self.location and str(self.location) else ""
        return f"{self.code}: {where}{self.message}"


@dataclass(frozen=True, slots=True)
class Issues:
    """Several warnings quoted in one message (the problems of ``QUAL_108``).

    Used as text (``str``, a format field) it is each warning as ``str(issue)``
    writes it, joined by ``"; "``: the English, as the catalogue's message, the
    CLI and the logs read it. A page shows each warning by its code and its own
    message in the page's language (:func:`sociaparis.web.i18n.error_text`), as
    it shows one warning or error quoted whole.

    Examples
    --------
    >>> issues = Issues((Issue("A_1", "one"), Issue("A_2", "two")))
    >>> f"not consistent: {issues}"
    'not consistent: A_1: one; A_2: two'

    .. versionadded:: 0.1.0
    """

    items: tuple[Issue, ...]

    def __str__(self) -> str:
        return "; ".join(map(str, self.items))
