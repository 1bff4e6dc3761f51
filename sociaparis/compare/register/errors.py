"""The register error catalog (``REGISTER_0xx``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class RegisterError(ErrorCode):
    """Errors of cases built from repeats, the register and its screening rules."""

    UNKNOWN_REPEAT = (
        "REGISTER_001",
        "Form '{form_id}' has no repeat '{repeat}'. Its repeats: {known}.",
    )
    NESTED_REPEAT = (
        "REGISTER_002",
        "Repeat '{repeat}' of form '{form_id}' sits inside repeat '{parent}'. Cases "
        "come from repeats at the top level of the form; join the inner answers "
        "by hand.",
    )
    UNKNOWN_QUESTION = (
        "REGISTER_003",
        "Question '{question}' is neither in repeat '{repeat}', in a joined repeat "
        "({joined}) nor outside the repeats of form '{form_id}'.",
    )
    BAD_RULES_FILE = (
        "REGISTER_010",
        "The screening rules {path} cannot be read: {reason}. Each row needs the "
        "columns id, outcome, article, condition, explanation_fr, explanation_en.",
    )
    BAD_OUTCOME = (
        "REGISTER_011",
        "Screening rule '{rule}' has the outcome '{outcome}'; use one of {allowed}.",
    )
    BAD_CONDITION = (
        "REGISTER_012",
        "Screening rule '{rule}': cannot read the condition at character "
        "{position}: {reason}. Conditions are like "
        "\"personal_data = 'biometric' and processing in ('real_time', 'both')\" "
        "(see docs/transport-register.md).",
    )
    DUPLICATE_RULE = (
        "REGISTER_013",
        "Two screening rules are called '{rule}': give each rule its own id.",
    )
    UNKNOWN_ANSWER = (
        "REGISTER_014",
        "Screening rule '{rule}' reads '{question}', which the transport form does "
        "not ask. Known questions: {known}.",
    )
    UNKNOWN_FORMAT = (
        "REGISTER_021",
        "Unknown register export format '{format}'; use one of {allowed}.",
    )
    UNKNOWN_FILTER = (
        "REGISTER_022",
        "Unknown register filter '{name}'; the filters are {allowed}.",
    )
    NO_FORM = (
        "REGISTER_023",
        "No transport form is stored ('{form_id}'). Load the study with "
        "`sociaparis study load studies/sociaparis` or give --form.",
    )
