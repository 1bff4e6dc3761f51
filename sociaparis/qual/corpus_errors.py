"""Error catalog of the stored qualitative corpus (``QUAL_2xx``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class CorpusError(ErrorCode):
    """Errors of the corpus storage: documents, cases, codes, codings, permissions."""

    NOT_ALLOWED = (
        "QUAL_200",
        "{user} has the role '{role}', which may not {action}. Ask an admin for a "
        "role that may.",
    )
    DUPLICATE_DOCUMENT = (
        "QUAL_201",
        "{path}: the same file was already imported as document '{title}' (sha256 "
        "{sha256}). Import it again only on purpose (allow_duplicate, "
        "--allow-duplicate).",
    )
    UNKNOWN_DOCUMENT = (
        "QUAL_202",
        "No document '{ref}'. List the documents with `sociaparis qual documents`.",
    )
    UNKNOWN_CASE = (
        "QUAL_203",
        "No case '{ref}'. List the cases with `sociaparis qual cases`.",
    )
    UNKNOWN_CODE = (
        "QUAL_204",
        "No code '{ref}' in the codebook. Give its name, its path 'A > B' or its GUID.",
    )
    NOT_RELEASED = (
        "QUAL_205",
        "Document '{title}' is {status}: it can be coded only once its "
        "pseudonymization is reviewed and the text released.",
    )
    BAD_SPAN = (
        "QUAL_206",
        "The span {start}..{end} is not inside document '{title}' (0..{length} code "
        "points, start before end).",
    )
    AMBIGUOUS_CODE = (
        "QUAL_207",
        "'{ref}' names several codes ({paths}); give the path 'A > B' or the GUID.",
    )
    DUPLICATE_CODE = (
        "QUAL_208",
        "A code named '{name}' already exists at {where}. Choose another name.",
    )
    UNKNOWN_CODING = ("QUAL_209", "No coding '{ref}'.")
    WRONG_STATUS = (
        "QUAL_210",
        "Document '{title}' is {status}; this needs a document that is {expected}.",
    )
    UNKNOWN_VARIABLE = (
        "QUAL_211",
        "No attribute '{ref}'. Known attributes: {known}.",
    )
    GUID_EXISTS = (
        "QUAL_212",
        "The {kind} {guid} of the imported project is already in the study; import "
        "a project into a study that does not hold it yet.",
    )
    UNKNOWN_USER = (
        "QUAL_213",
        "No user '{ref}'. Create it with `sociaparis user add`.",
    )
    BAD_OPTION = ("QUAL_214", "{name} must be one of {choices}, not '{value}'.")
    CODE_HAS_CODINGS = (
        "QUAL_215",
        "Code '{name}' has {count} coding(s). Merge it into another code to keep them, "
        "or delete it with its codings (with_codings, --with-codings).",
    )
    NAME_EXISTS = (
        "QUAL_216",
        "Two {kind}s would be named '{name}' (in the imported project, or in it and "
        "the study); {kind} names are unique. Rename one and import again.",
    )
