"""Error catalog of the JSON API (``QUAL_390``-``QUAL_399``).

The domain's own refusals (an unknown code, a span outside the text, a role
that may not...) keep their codes; these are the API's: a malformed request, an
unknown endpoint, a database that stayed busy, an unexpected error.
"""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class ApiError(ErrorCode):
    """Errors of the JSON API under ``/api/v1``."""

    BAD_REQUEST = (
        "QUAL_390",
        "The request is not valid: {problems}. The API's description is at "
        "/api/v1/openapi.json.",
    )
    NOT_FOUND = (
        "QUAL_391",
        "There is no API endpoint at {path}. The endpoints are listed at "
        "/api/v1/openapi.json.",
    )
    METHOD_NOT_ALLOWED = (
        "QUAL_392",
        "{path} does not answer {method}. The endpoints are listed at "
        "/api/v1/openapi.json.",
    )
    BUSY = (
        "QUAL_393",
        "The database stayed locked by another writer; nothing was written. Try "
        "again in {seconds} s.",
    )
    UNEXPECTED = (
        "QUAL_394",
        "Unexpected error; nothing was written. Quote the reference {error_id} to "
        "the study's administrator (it is in the server's log).",
    )
