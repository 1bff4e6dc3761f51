"""Error catalog of AI-assisted runs and their review (``ASSIST_030``–``059``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class AssistRunError(ErrorCode):
    """Errors of a suggester's runs, of the review of its suggestions, of exports."""

    NOT_ALLOWED = (
        "ASSIST_030",
        "{user} has the role '{role}', which may not {action}: only researchers and "
        "admins run suggesters and accept or reject their suggestions.",
    )
    NOT_RELEASED = (
        "ASSIST_031",
        "Document '{title}' is {status}: only released documents (pseudonymized and "
        "reviewed) may be sent to a suggester. Review its pseudonymization and "
        "release it first (`sociaparis qual review`).",
    )
    NO_DOCUMENTS = (
        "ASSIST_032",
        "No document chosen: give at least one released document to run the "
        "suggester on.",
    )
    NO_CODES = (
        "ASSIST_033",
        "No code chosen: give at least one codable code of the codebook.",
    )
    UNKNOWN_RUN = (
        "ASSIST_034",
        "No run number {ref}. List the runs with `sociaparis assist runs`.",
    )
    UNKNOWN_SUGGESTION = (
        "ASSIST_035",
        "No suggestion number {ref}. List them with `sociaparis assist review`.",
    )
    ALREADY_DECIDED = (
        "ASSIST_036",
        "Suggestion {ref} was already {status} by {who}; it cannot be {wanted} now. "
        "Change the coding itself in the coding view if needed.",
    )
    BAD_SUGGESTER = (
        "ASSIST_037",
        "Unknown suggester '{value}': choose one of {choices}.",
    )
    BAD_CONFIDENCE = (
        "ASSIST_038",
        "The minimum confidence must be a number from 0 to 1, not '{value}'.",
    )
    BAD_STATUS = (
        "ASSIST_039",
        "Unknown suggestion status '{value}': choose one of {choices}.",
    )
    BAD_EDIT = (
        "ASSIST_040",
        "Suggestion {ref}: {reason}. Give other bounds (start before end, inside the "
        "document) or another code.",
    )
    NOT_CODABLE = (
        "ASSIST_041",
        "Code '{code}' is a category, not codable: choose codes that may be applied.",
    )
    SUGGESTER_FAILED = (
        "ASSIST_042",
        "The suggester {coder} failed on document '{title}': {reason}. The run was "
        "stopped; run it again once the suggester works.",
    )
    NO_DECISION = (
        "ASSIST_043",
        "Say what to do: accept, reject or edit (with --start/--end or --code) one or "
        "more suggestions.",
    )
    NOT_REPLAYABLE = (
        "ASSIST_044",
        "Run {run} cannot be replayed: {reason}.",
    )
