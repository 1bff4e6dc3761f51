"""Error catalog of the survey explorer (``EXPLORE_001`` to ``EXPLORE_029``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class ExplorerError(ErrorCode):
    """Refusals of the explorer's tables, tests and models (web, CLI and Python)."""

    NOT_ALLOWED = (
        "EXPLORE_001",
        "The account '{user}' ({role}) may not explore survey results: only "
        "viewers, researchers and administrators may.",
    )
    NO_QUESTION = (
        "EXPLORE_002",
        "Choose at least one question to tabulate.",
    )
    UNKNOWN_QUESTION = (
        "EXPLORE_003",
        "'{name}' is not a question of the form '{form_id}' that can be tabulated "
        "(a single choice, multiple choice or numeric question outside repeats). "
        "Available: {available}.",
    )
    UNKNOWN_BREAKDOWN = (
        "EXPLORE_004",
        "'{name}' cannot break the table down: it is neither a single-choice "
        "question nor an invitation attribute of '{form_id}'. Available: {available}.",
    )
    TOO_MANY_BREAKDOWNS = (
        "EXPLORE_005",
        "A table is broken down by at most {max} variables; {count} were given.",
    )
    BAD_WEIGHTING = (
        "EXPLORE_006",
        "Unknown weighting '{value}': use {allowed}.",
    )
    NO_MARGINS = (
        "EXPLORE_007",
        "The form '{form_id}' has no population margins to rake to: the study's "
        "[population] does not weight it (or no study is configured: "
        "SOCIAPARIS_STUDY_DIR, --study). Use the design weights.",
    )
    RECOVERABLE = (
        "EXPLORE_008",
        "This table is refused: together with the tables you already looked at "
        "({earlier}), its counts would let someone work out a group of fewer "
        "than {min} respondents. Choose other questions or breakdowns.",
    )
    TEST_NEEDS_TWO = (
        "EXPLORE_009",
        "The Rao-Scott test needs one single-choice question and one breakdown variable.",
    )
    MODEL_NOT_ALLOWED = (
        "EXPLORE_010",
        "The account '{user}' ({role}) may not fit models: only researchers and "
        "administrators may (a model reads every respondent's answers).",
    )
    BAD_RESPONSE = (
        "EXPLORE_011",
        "'{name}' cannot be the response of a logistic model: choose a "
        "single-choice question of '{form_id}'.",
    )
    BAD_EVENT = (
        "EXPLORE_012",
        "'{event}' is not an answer to '{name}'. Answers: {levels}.",
    )
    TOO_FEW = (
        "EXPLORE_013",
        "Only {n} respondents answer every variable of the model; at least {min} "
        "are needed.",
    )
    BAD_FORMAT = (
        "EXPLORE_014",
        "Unknown download format '{value}': use {allowed}.",
    )
    TOO_MANY_QUESTIONS = (
        "EXPLORE_015",
        "A table holds at most {max} questions; {count} were given.",
    )
    QUESTION_IS_BREAKDOWN = (
        "EXPLORE_016",
        "'{name}' is both tabulated and a breakdown: choose another breakdown.",
    )
    NO_PREDICTOR = (
        "EXPLORE_017",
        "A model needs at least one predictor.",
    )
