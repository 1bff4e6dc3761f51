"""Error catalog of the qualitative package (``QUAL_xxx``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class QualError(ErrorCode):
    """Errors raised while reading, pseudonymizing or coding qualitative data."""

    FILE_TOO_LARGE = (
        "QUAL_001",
        "{path}: {size} bytes is over the limit of {limit} bytes for one document. "
        "Split the file, or raise the limit if you trust it.",
    )
