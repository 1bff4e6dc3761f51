"""Error catalog of focus-group participants (``QUAL_4xx``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class ParticipantError(ErrorCode):
    """Errors of speakers and participants: names, merges, analyses."""

    UNKNOWN_SPEAKER = (
        "QUAL_400",
        "Document '{title}' has no speaker '{speaker}'. Its speakers: {known}. List "
        "them with `sociaparis qual speakers DOCUMENT`.",
    )
    SPEAKER_EXISTS = (
        "QUAL_401",
        "Document '{title}' already has a speaker '{name}'. To put two speakers "
        "together, merge them: `sociaparis qual speaker merge DOCUMENT SPEAKER "
        "--into '{name}'`.",
    )
    BAD_SPEAKER_NAME = (
        "QUAL_402",
        "'{name}' cannot be a speaker name: give 1 to 200 characters, not only spaces.",
    )
    MERGE_INTO_ITSELF = (
        "QUAL_403",
        "Speaker '{speaker}' cannot be merged into itself; name the speakers to "
        "merge and, with --into, the one they become.",
    )
    NO_SPEAKERS = (
        "QUAL_404",
        "No released document with speaker turns{scope}. A focus-group table needs "
        "a transcript with speakers (import it with --speakers, or from VTT, SRT, "
        "Whisper JSON or noScribe) whose pseudonymization is released.",
    )
