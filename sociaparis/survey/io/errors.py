"""Error catalog of response exports (``EXPORT_xxx``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class ExportError(ErrorCode):
    """Errors met while exporting responses."""

    BAD_FORMAT = (
        "EXPORT_001",
        "Unknown export format '{format}'. Use one of: {formats}.",
    )
    FORMAT_MISMATCH = (
        "EXPORT_002",
        "The output file '{path}' has the suffix of the {suffix} format, but the "
        "format asked for is {format}. Change the suffix or --format.",
    )
    NOTHING_TO_EXPORT = (
        "EXPORT_003",
        "The form '{form_id}' has no completed response to export (versions: "
        "{versions}). Use --include-in-progress to export responses still being "
        "answered.",
    )
    NO_FORMAT = (
        "EXPORT_004",
        "Say which format to write: --format {formats}, or an output file with one "
        "of the suffixes {suffixes}.",
    )
    UNKNOWN_VERSION = (
        "EXPORT_005",
        "The form '{form_id}' has no version '{version}'; its versions are: {versions}.",
    )
    TOO_MANY_ROWS = (
        "EXPORT_006",
        "The table '{table}' has {rows} rows, more than an Excel sheet holds "
        "({limit}). Export to CSV, Parquet, SPSS or Stata instead.",
    )
    NOT_ALLOWED = (
        "EXPORT_007",
        "The role '{role}' may not download response data; ask an administrator "
        "for the researcher role.",
    )
    NO_RESPONSE = (
        "EXPORT_008",
        "The form '{form_id}' has no response to export, completed or in progress "
        "(versions: {versions}).",
    )
