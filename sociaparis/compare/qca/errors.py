"""The QCA error catalog (``QCA_0xx``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class QCAError(ErrorCode):
    """Errors raised by the QCA engine, its CLI and its conformance runner."""

    UNKNOWN_COLUMN = (
        "QCA_001",
        "Column '{column}' is not in the data. Available columns: {available}.",
    )
    NOT_NUMERIC = (
        "QCA_002",
        "Column '{column}' holds non-numeric values (first one: {value!r}). "
        "Calibrate or recode it to numbers first.",
    )
    OUT_OF_RANGE = (
        "QCA_003",
        "Column '{column}' holds fuzzy values outside [0, 1] (first one: {value}). "
        "Calibrate it first (`sociaparis qca calibrate`).",
    )
    MISSING_VALUES = (
        "QCA_004",
        "Column '{column}' has missing values in {count} case(s) (first: {case}). "
        "QCA needs a value for every case and condition.",
    )
    NEGATIVE_MV = (
        "QCA_005",
        "Column '{column}' mixes fuzzy and multi-value codes, or holds a negative or "
        "non-integer value above 1 ({value}). Multi-value conditions take 0, 1, 2, …",
    )
    BAD_INCL_CUT = (
        "QCA_006",
        "incl_cut must be one number or two [ic1, ic0] with 0 <= ic0 <= ic1 <= 1, "
        "got {value}.",
    )
    BAD_INCLUDE = (
        "QCA_007",
        "include must be '' (conservative), '?' (parsimonious) or contain 'C', "
        "got {value!r}.",
    )
    BAD_DIR_EXP = (
        "QCA_008",
        "Directional expectation '{value}' cannot be read. Use e.g. 'A, ~B, C[2]' or "
        "'A=1, B=0, C=-' (condition names: {conditions}).",
    )
    NO_POSITIVE_ROWS = (
        "QCA_009",
        "No truth-table row has OUT = 1 with incl_cut = {incl_cut} and n_cut = "
        "{n_cut}: there is nothing to minimize. Lower incl_cut or check the outcome.",
    )
    BAD_THRESHOLDS = (
        "QCA_010",
        "Calibration thresholds {value!r} cannot be used: {reason}.",
    )
    BAD_CALIBRATION = (
        "QCA_011",
        "Calibration of '{column}' failed: {reason}.",
    )
    BAD_TERM = (
        "QCA_012",
        "Term '{term}' cannot be read: {reason}.",
    )
    BAD_CASE_FILE = (
        "QCA_013",
        "Conformance case {path} cannot be used: {reason}.",
    )
    NO_NECESSARY = (
        "QCA_014",
        "No condition or disjunction is necessary with incl_cut = {incl_cut} and "
        "cov_cut = {cov_cut}.",
    )
    TOO_COMPLEX = (
        "QCA_015",
        "The search for all minimal models stopped: {reason}. The model space is too "
        "ambiguous to list in full; tighten incl_cut or n_cut, or use fewer conditions.",
    )
    BAD_FILE = (
        "QCA_016",
        "Cannot read {path}: {reason}.",
    )
    BAD_OUTCOME = (
        "QCA_017",
        "The outcome '{outcome}' is also listed as a condition.",
    )
    ALL_MINIMIZED = (
        "QCA_019",
        "No truth-table row has OUT = 0: with remainders included every condition is "
        "minimized away. Check the outcome, incl_cut and n_cut.",
    )
    EMPTY_DATA = (
        "QCA_018",
        "The data have no cases.",
    )
    # ---- saved runs and the QCA pages (QCA_050-069)
    RUN_NOT_ALLOWED = (
        "QCA_050",
        "The account '{user}' ({role}) may not {action}: only researchers and "
        "administrators run QCA and change calibration plans.",
    )
    UNKNOWN_RUN = (
        "QCA_051",
        "There is no saved QCA run {run}. List them with `sociaparis qca runs`.",
    )
    BAD_PLAN = (
        "QCA_052",
        "The calibration plan cannot be used: {reason}.",
    )
    BAD_SETTING = (
        "QCA_053",
        "The QCA setting {name} = {value!r} cannot be used: {reason}.",
    )
    NO_CONDITIONS = (
        "QCA_054",
        "Choose an outcome and at least one condition among the calibrated sets "
        "({available}).",
    )
    UNKNOWN_SET = (
        "QCA_055",
        "'{name}' is not a calibrated set of frame '{frame}'. Sets: {available}.",
    )
    SET_NOT_CALIBRATED = (
        "QCA_056",
        "Set '{name}' of the calibration plan cannot be calibrated: {reason}.",
    )
