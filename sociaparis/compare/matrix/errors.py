"""The case-matrix error catalog (``CASES_0xx``; warnings ``CASES_1xx``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class MatrixError(ErrorCode):
    """Errors and warnings of comparison frames and their case matrices."""

    UNKNOWN_FRAME = (
        "CASES_001",
        "There is no comparison frame '{frame}'. Known frames: {known}. Create one "
        "with `sociaparis cases import-csv {frame} FILE.csv` or `cases from-survey`.",
    )
    UNKNOWN_CASE = (
        "CASES_002",
        "Frame '{frame}' has no case '{case}'. Its cases: {known}.",
    )
    UNKNOWN_DIMENSION = (
        "CASES_003",
        "Frame '{frame}' has no dimension '{dimension}'. Its dimensions: {known}.",
    )
    DUPLICATE_SURVEY_CASE = (
        "CASES_004",
        "Responses {first} and {second} to form '{form_id}' both name the case "
        "'{case}' (question '{question}'). A case takes one response: correct or "
        "remove one of them, then import again.",
    )
    UNKNOWN_QUESTION = (
        "CASES_005",
        "Form '{form_id}' has no question or export column '{question}'. Use a "
        "question name (e.g. 'main_driver'), an export column or QUESTION/CHOICE "
        "for one choice of a select_multiple.",
    )
    NOT_A_NUMBER = (
        "CASES_006",
        "'{value}' is not a number, but dimension '{dimension}' holds numbers. "
        "Enter a number (with a dot for decimals) or use another dimension.",
    )
    BAD_CSV = (
        "CASES_007",
        "{reason}. The first column holds the case names, the other columns one "
        "dimension each; lines starting with # are comments.",
    )
    NOT_ALLOWED = (
        "CASES_008",
        "'{user}' ({role}) may not {action}: ask a researcher or an administrator.",
    )
    BAD_NAME = (
        "CASES_009",
        "{what} name {name!r} is empty or longer than {limit} characters.",
    )
    TYPE_CONFLICT = (
        "CASES_010",
        "Dimension '{dimension}' holds {existing} values but {source} gives {new} "
        "values. Choose another dimension name (--dimension).",
    )
    BAD_MAPPING = (
        "CASES_011",
        "'{item}' is not DIMENSION=QUESTION.",
    )
    BAD_OUTPUT = (
        "CASES_012",
        "Cannot write '{path}': use a .csv or .xlsx file name.",
    )
    EMPTY_FRAME = (
        "CASES_013",
        "Frame '{frame}' has no case yet: import a CSV, survey responses or codes.",
    )
    EMPTY_CELL = (
        "CASES_014",
        "Case '{case}' of frame '{frame}' has no value for '{dimension}' yet.",
    )
    REASON_REQUIRED = (
        "CASES_050",
        "Changing '{case}' / '{dimension}' from {old} to {new} needs a reason "
        "(at most {limit} characters): say why, it is kept in the cell's history.",
    )
    REASON_TOO_LONG = (
        "CASES_051",
        "The reason is {length} characters long; at most {limit} are kept.",
    )
    BAD_IMPORT_FILE = (
        "CASES_052",
        "Cannot import '{filename}': use a .csv file or an .xlsx workbook (its "
        "first sheet, or the sheet 'case matrix' of an exported workbook).",
    )
    FILE_TOO_LARGE = (
        "CASES_053",
        "'{filename}' is {size} bytes; a case matrix file may be at most {limit}.",
    )
    BAD_XLSX = (
        "CASES_054",
        "'{filename}' is not a workbook that can be read: {reason}.",
    )
    NO_CASE_ANSWER = (
        "CASES_101",
        "Response {response} gives no answer to '{question}': it was left out.",
    )
    NOT_LINKED = (
        "CASES_102",
        "Case '{case}' is not linked to a qualitative case (none is named so either): "
        "no value for '{dimension}'. Link it with `sociaparis cases link`.",
    )
    NO_RESPONSE = (
        "CASES_103",
        "Response {response} behind this cell is no longer stored.",
    )
