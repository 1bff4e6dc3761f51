"""Error catalog of reports (``REPORT_xxx``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class ReportError(ErrorCode):
    """Errors raised while building or writing a report."""

    BAD_SUFFIX = (
        "REPORT_001",
        "Cannot write a report to '{path}': the file name must end in .html or .pdf.",
    )
    BAD_LANGUAGE = (
        "REPORT_002",
        "Reports are written in {allowed}; '{lang}' is not one of them.",
    )
    NO_COMPLETED = (
        "REPORT_003",
        "The form '{form_id}' has fewer than two completed responses to report on "
        "(within the study's population, when it has margins).",
    )
    UNKNOWN_QUESTION = (
        "REPORT_004",
        "'{name}' is not a question of the form '{form_id}' that can be compared "
        "across groups (a select_one question outside repeats).",
    )
    PDF_UNAVAILABLE = (
        "REPORT_005",
        "PDF output needs WeasyPrint and Debian's Pango ({reason}). Install them "
        "(scripts/setup does) or write the report as .html.",
    )
