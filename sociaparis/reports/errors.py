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
    UNKNOWN_SECTION = (
        "REPORT_050",
        "'{section}' is not a section of the report of '{form_id}': choose among "
        "{allowed}.",
    )
    NO_MARGINS = (
        "REPORT_051",
        "The report of '{form_id}' cannot be raked: {reason}. Choose the design "
        "weights, or name the study whose population margins weight this form "
        "(sociaparis report --study; SOCIAPARIS_STUDY_DIR for the pages).",
    )
    BAD_WEIGHTING = (
        "REPORT_052",
        "'{weighting}' is not a weighting of reports: choose {allowed}.",
    )
    NO_SECTION = (
        "REPORT_053",
        "Choose at least one section for the report of '{form_id}'.",
    )
    BUILD_NOT_FOUND = (
        "REPORT_054",
        "There is no kept report build {build_id}: it was removed, or never made.",
    )
    BUILD_FILE_MISSING = (
        "REPORT_055",
        "The file of report build {build_id} is gone from the data folder ({path}). "
        "Build the report again.",
    )
    NOT_ALLOWED = (
        "REPORT_056",
        "{user} ({role}) may not {action}: {reason}.",
    )
