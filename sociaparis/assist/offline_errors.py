"""Error catalog of the offline suggester and of the AI's agreement figures
(``ASSIST_060``–``ASSIST_089``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class AssistOfflineError(ErrorCode):
    """Errors of the offline suggester and of the evaluation of AI suggestions."""

    TOO_FEW_EXAMPLES = (
        "ASSIST_060",
        "The offline suggester cannot learn {codes}: each code needs at least "
        "{needed} units coded with it and {needed} units coded without it by "
        "human coders{coder}, and has {counts}. Code more passages with these "
        "codes, or leave them out.",
    )
    NO_HUMAN_CODINGS = (
        "ASSIST_061",
        "No human coding to learn from{coder}: the offline suggester learns from "
        "the codings of people (coders whose name does not start with 'ai:' or "
        "'offline:') on released documents. Code some passages first.",
    )
    UNKNOWN_CODE = (
        "ASSIST_062",
        "The offline suggester was not trained for the code '{code}'. Codes it "
        "knows: {known}.",
    )
    NOT_HUMAN = (
        "ASSIST_063",
        "'{coder}' is not a human coder (its name starts with 'ai:' or "
        "'offline:'); compare the AI with a person's codings.",
    )
    UNKNOWN_CODER = (
        "ASSIST_064",
        "There is no coder '{coder}'. Coders: {known}.",
    )
    UNKNOWN_RUN = (
        "ASSIST_065",
        "There is no assisted-coding run {run}. List the runs with "
        "`sociaparis assist runs`.",
    )
    NOTHING_TO_EVALUATE = (
        "ASSIST_066",
        "Nothing to evaluate: {reason}.",
    )
    TOO_FEW_DOCUMENTS = (
        "ASSIST_067",
        "Cross-validation by document needs at least {needed} documents coded "
        "by '{coder}'; there are {count}. Lower --folds or code more documents.",
    )
    BAD_PARAMETER = (
        "ASSIST_068",
        "{name} must be {expected}, got {value}.",
    )
    NOT_ALLOWED = (
        "ASSIST_069",
        "User '{user}' (role {role}) may not {action}: the agreement of AI with "
        "people is for researchers and administrators.",
    )
    NO_EXAMPLES = (
        "ASSIST_070",
        "Code '{code}' has no human coding{coder} to find passages like; code a "
        "few passages with it first.",
    )
