"""Error catalog of the analysis package (``ANALYSIS_xxx``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class AnalysisError(ErrorCode):
    """Errors raised by survey designs, estimators, weighting and disclosure control."""

    MISSING_COLUMN = (
        "ANALYSIS_001",
        "Column '{column}' is not in the data. Available columns: {available}.",
    )
    MISSING_VALUES = (
        "ANALYSIS_002",
        "Column '{column}' has {count} missing value(s). Pass nan_policy='omit' to "
        "estimate over the respondents who answered (a domain estimate, as R's "
        "na.rm=TRUE), or fill them in.",
    )
    BAD_OPTION = (
        "ANALYSIS_003",
        "{name}={value!r} is not allowed; choose one of {allowed}.",
    )
    LONELY_PSU = (
        "ANALYSIS_004",
        "Stratum '{stratum}' has only one primary sampling unit, so its variance "
        "cannot be estimated. Pass lonely_psu='certainty' or 'remove' (as R's "
        "options(survey.lonely.psu=...)), or merge the stratum with a neighbour.",
    )
    BAD_FPC = (
        "ANALYSIS_005",
        "Finite population correction: {reason}.",
    )
    BAD_WEIGHTS = (
        "ANALYSIS_006",
        "Weights: {reason}.",
    )
    CLUSTERS_NOT_NESTED = (
        "ANALYSIS_007",
        "Clusters are not nested in strata (cluster '{cluster}' is in several "
        "strata). Pass nest=True if cluster labels are only unique within a stratum.",
    )
    POPULATION_MISMATCH = (
        "ANALYSIS_008",
        "Population margin for '{variable}' does not match the sample: {reason}.",
    )
    NO_CONVERGENCE = (
        "ANALYSIS_009",
        "{method} did not converge after {iterations} iterations.",
    )
    MIN_COUNT_TOO_LOW = (
        "ANALYSIS_010",
        "Minimum cell count {value} is below the floor of {floor} respondents: "
        "published tables may never show cells smaller than {floor}.",
    )
    BAD_CASE = (
        "ANALYSIS_011",
        "Conformance case {path}: {reason}.",
    )
    SINGULAR = (
        "ANALYSIS_012",
        "{what} is singular: {reason}.",
    )
    EMPTY_DOMAIN = (
        "ANALYSIS_013",
        "No respondent with a non-zero weight in {what}.",
    )
