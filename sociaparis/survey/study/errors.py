"""Error catalog of study files (``STUDY_0xx``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class StudyError(ErrorCode):
    """Errors raised while reading a study folder (``STUDY_0xx``)."""

    FILE_MISSING = (
        "STUDY_001",
        "There is no study file at {path}. A study folder holds a study.toml "
        "(docs/study.md describes it); give the folder or the file.",
    )
    SYNTAX = (
        "STUDY_002",
        "{path} is not valid TOML: {reason}. Fix the line it names.",
    )
    KEY_MISSING = (
        "STUDY_003",
        "{path}: the key '{key}' is missing. Add it (docs/study.md describes it).",
    )
    WRONG_TYPE = (
        "STUDY_004",
        "{path}: '{key}' must be {expected}, not {value!r}.",
    )
    UNKNOWN_KEY = (
        "STUDY_005",
        "{path}: unknown key '{key}'. The keys allowed here are: {known}. Check the "
        "spelling (docs/study.md).",
    )
    BAD_DATE = (
        "STUDY_006",
        "{path}: '{key}' = {value!r} is not a date. Write it as a date without a "
        "time, e.g. 2026-10-05.",
    )
    DATES_ORDER = (
        "STUDY_007",
        "{path}: the instrument '{instrument}' closes on {closes}, before it opens on "
        "{opens}. Fix one of the two dates.",
    )
    TEXT_MISSING = (
        "STUDY_008",
        "{path}: '{key}' has no text in '{language}'. Every text needs one per study "
        "language ({languages}).",
    )
    MIN_CELL_COUNT = (
        "STUDY_009",
        "{path}: min_cell_count = {value} is below {floor}. Cells of fewer than "
        "{floor} respondents can identify people; use {floor} or more (10 is usual).",
    )
    DUPLICATE = (
        "STUDY_010",
        "{path}: '{key}' lists '{value}' twice. Give each a name of its own.",
    )
    UNKNOWN_REFERENCE = (
        "STUDY_011",
        "{path}: '{key}' = '{value}', but no {kind} has that id. Known: {known}.",
    )
    BAD_NAME = (
        "STUDY_012",
        "{path}: '{key}' = {value!r} is not a valid name. Use lower-case letters, "
        "digits and underscores, starting with a letter (it becomes a variable name).",
    )
    BAD_CHOICE = (
        "STUDY_013",
        "{path}: '{key}' = {value!r} must be one of: {allowed}.",
    )
    MARGINS_MISSING = (
        "STUDY_020",
        "The population margins file {path} does not exist. Check population.file "
        "in study.toml (paths are relative to the study folder).",
    )
    MARGINS_UNREADABLE = (
        "STUDY_021",
        "Cannot read the population margins file {path}: {reason}. Save it as a "
        "UTF-8 CSV with a comma between columns.",
    )
    MARGINS_COLUMNS = (
        "STUDY_022",
        "{path}: the columns are {found}; expected {expected} (the population "
        "dimensions, then 'count'). Rename the columns or fix population.dimensions.",
    )
    MARGINS_COUNT = (
        "STUDY_023",
        "{path}: the count {value!r} is not a whole number of people (0 or more). "
        "Write digits only, without spaces or separators.",
    )
    MARGINS_EMPTY_CELL = (
        "STUDY_024",
        "{path}: the cell is empty. Every row needs a value in each column.",
    )
    MARGINS_DUPLICATE = (
        "STUDY_025",
        "{path}: the combination {cell} already appears on row {first}. Keep one row "
        "per combination.",
    )
    MARGINS_NO_ROWS = (
        "STUDY_026",
        "{path} has a header but no data rows. Add one row per combination of "
        "{dimensions} with its count.",
    )
    MARGINS_ROW_LENGTH = (
        "STUDY_027",
        "{path}: the row has {found} values for {expected} columns. Check for a "
        "missing or extra comma.",
    )
    INSTRUMENT_FILE_MISSING = (
        "STUDY_030",
        "The instrument '{instrument}' points to {path}, which does not exist. Check "
        "its 'file' key (paths are relative to the study folder).",
    )
    MARGIN_VALUE_UNKNOWN = (
        "STUDY_031",
        "{path}: {dimension} = '{value}' is not a choice of the question "
        "'{dimension}' in the instrument '{instrument}' (choices: {choices}). Use the "
        "choice names, as the responses store them.",
    )
    MARGIN_DIMENSION_UNKNOWN = (
        "STUDY_032",
        "The population dimension '{dimension}' is not a select question of the "
        "instrument '{instrument}', so responses cannot be matched to the margins. "
        "Name each dimension after the question it weights.",
    )
    LANGUAGE_NOT_IN_FORM = (
        "STUDY_033",
        "The instrument '{instrument}' has no texts in '{language}', a language of "
        "the study. Add its label::… columns, or remove the language from the study.",
    )
    SAME_FORM_ID = (
        "STUDY_034",
        "The instruments '{first}' and '{second}' have the same form_id '{form_id}', "
        "so their versions and responses would be mixed up. Give each form its own "
        "form_id on its settings sheet.",
    )
