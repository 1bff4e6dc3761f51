"""The survey package's error catalog (``SURVEY_0xx``), and the warnings of the
XLSForm check (``SURVEY_W01``-``SURVEY_W08``).

Every message says what is wrong, and how to fix it; where the problem is
(sheet, row, column) travels in the error's :class:`~sociaparis.core.errors.Location`
and is printed in front of the message.
"""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class SurveyError(ErrorCode):
    """Errors raised while reading, storing or running an instrument, and the
    warnings of checking its XLSForm."""

    # -- reading an XLSForm -------------------------------------------------------
    FORM_UNREADABLE = (
        "SURVEY_001",
        "Cannot read the form '{path}': {reason}. Give an XLSForm as .xlsx, .xls, "
        ".csv or .md with a 'survey' sheet.",
    )
    PYXFORM_REJECTED = (
        "SURVEY_002",
        "The XLSForm is invalid: {detail} Fix the form and try again.",
    )
    UNSUPPORTED_TYPE = (
        "SURVEY_003",
        "The type '{type}' of '{name}' is not supported. Use one of: {supported}.",
    )
    UNKNOWN_REFERENCE = (
        "SURVEY_005",
        "'{expression}' refers to ${{{reference}}}, but no question, group or "
        "calculation is named '{reference}'. Fix the spelling or add the question.",
    )
    BAD_EXPRESSION = (
        "SURVEY_006",
        "The expression '{expression}' cannot be used: {reason} Check its syntax "
        "and the names of the functions it calls.",
    )
    DUPLICATE_NAME = (
        "SURVEY_007",
        "The name '{name}' is used twice (first on row {first_row}). Every question, "
        "group and repeat needs a name of its own so that ${{{name}}} is unambiguous.",
    )
    UNKNOWN_LIST = (
        "SURVEY_008",
        "'{name}' uses the choice list '{list_name}', which is not on the 'choices' "
        "sheet. Add the list there or fix the spelling.",
    )
    DEPENDENCY_CYCLE = (
        "SURVEY_009",
        "Relevance, calculation and requirement expressions depend on each other in "
        "a circle: {cycle}. Break the circle so each value can be computed from "
        "earlier ones.",
    )
    UNSUPPORTED_STRUCTURE = (
        "SURVEY_010",
        "'{name}': {reason}. Move it so that no repeat is inside a field-list group "
        "and repeats are nested at most 3 deep.",
    )
    EVALUATION_FAILED = (
        "SURVEY_012",
        "'{name}' cannot be evaluated: {reason}",
    )
    TEXT_TOO_LONG = (
        "SURVEY_013",
        "The calculation of '{name}' can build a text of up to {bound} characters "
        "(answers count at their limit of {answer_limit}); the limit is {limit}. "
        "Concatenate fewer or shorter values, and never a calculation with itself "
        "over several steps.",
    )
    GROUPS_TOO_DEEP = (
        "SURVEY_014",
        "The group '{name}' is nested more than {limit} groups deep. Close some "
        "groups with 'end group' before opening new ones: nesting that deep is "
        "not needed for pages or relevance.",
    )
    AMBIGUOUS_REFERENCE = (
        "SURVEY_015",
        "${{{reference}}} is ambiguous: the name '{reference}' is used on rows "
        "{rows} of the survey sheet, in different groups. A name used in several "
        "groups cannot be referred to; rename one of them.",
    )
    # -- answers (simulate and page submissions) ----------------------------------
    ANSWERS_NOT_JSON = (
        "SURVEY_020",
        "The answers file '{path}' is not valid JSON: {reason}. It must be a JSON "
        "object from question name to answer.",
    )
    ANSWERS_SHAPE = (
        "SURVEY_021",
        "The answers are not laid out as expected: {reason}. Give a JSON object from "
        "question name to a string, and for a repeat a list of such objects.",
    )
    UNKNOWN_QUESTION = (
        "SURVEY_022",
        "There is an answer for '{name}', but the form has no question by that name "
        "here. Known names: {known}.",
    )
    CHOICE_NOT_IN_LIST = (
        "SURVEY_023",
        "The answer '{value}' to '{name}' is not a choice of the list '{list_name}'. "
        "Use one of: {choices}.",
    )
    NOT_ANSWERABLE = (
        "SURVEY_024",
        "'{name}' is a {type}; it is computed or shown, never answered. Remove it "
        "from the answers.",
    )
    BAD_VALUE = (
        "SURVEY_025",
        "The answer '{value}' to '{name}' is not a valid {type}: {reason}.",
    )
    UNKNOWN_PAGE = (
        "SURVEY_026",
        "The instrument '{form_id}' has no page '{page}'. Pages: {pages}.",
    )
    # -- attachments (select_*_from_file, pulldata) ------------------------------
    ATTACHMENT_MISSING = (
        "SURVEY_045",
        "'{name}' uses the attachment '{file}', which is not in {folder}. "
        "Put the file there (the study folder's media/, or --media DIR), or fix its "
        "name.",
    )
    ATTACHMENT_UNREADABLE = (
        "SURVEY_046",
        "The attachment '{name}' cannot be read: {reason}.",
    )
    ATTACHMENT_NO_COLUMN = (
        "SURVEY_047",
        "'{name}' takes its choices from '{file}', which has no column "
        "'{column}' (its columns: {columns}). Name the column so, or give another "
        "one in the parameters column (value=COLUMN, label=COLUMN).",
    )
    # -- storage -------------------------------------------------------------------
    INSTRUMENT_NOT_FOUND = (
        "SURVEY_030",
        "No stored instrument matches '{key}'. Run `sociaparis instrument list` to see "
        "the stored ones.",
    )
    VERSION_TAKEN = (
        "SURVEY_031",
        "The form '{form_id}' already has a stored version '{version}' with different "
        "content. Change the 'version' on the settings sheet (or remove it to number "
        "versions automatically).",
    )
    # -- warnings of the XLSForm check (the form is accepted; Issue.of) -----------
    # The codes keep the ``W`` users and the docs know them by; there is no
    # ``SURVEY_W07``. A clause that differs between cases of one warning is its
    # ``detail``, a Reason (English and French).
    PYXFORM_WARNING = (
        "SURVEY_W01",
        # pyxform's own message, quoted as it is
        "{warning}",
    )
    NO_FORM_ID = (
        "SURVEY_W02",
        "The settings sheet gives no form_id; '{form_id}' (from the file name) is "
        "used. Set form_id so that new versions of the form are recognised whatever "
        "the file is called.",
    )
    NOT_IN_A_BROWSER = (
        "SURVEY_W03",
        # a metadata question, an audit, osm, background-audio: what the detail says
        "'{name}' ({type}){detail}",
    )
    UNUSED_COLUMN = (
        "SURVEY_W04",
        "The column '{column}' (first used by '{name}') is not used by sociaparis: it "
        "is ignored on every row.",
    )
    UNUSED_APPEARANCE = (
        "SURVEY_W05",
        # an appearance ignored, search(), or a drawing one: what the detail says
        "The appearance {appearance} (first on '{name}') {detail}",
    )
    WEB_SUBSTITUTE = (
        "SURVEY_W06",
        "'{name}' ({type}) scans a barcode with the phone's camera in ODK Collect; on "
        "the web, as in Enketo, it is a text input where the respondent types the "
        "code.",
    )
    UNKNOWN_CHOICE_COLUMN = (
        "SURVEY_W08",
        "The choice filter of '{name}' reads '{column}', which is not a column of its "
        "list (its columns: {known}): as in ODK it is empty, so a comparison with it "
        "never holds. To compare with the text '{column}', quote it: '{column}'.",
    )
