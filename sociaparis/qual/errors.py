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

    # --- document readers (QUAL_002-QUAL_049) ---
    EMPTY_DOCUMENT = (
        "QUAL_002",
        "{path}: the file is empty or holds no text. Check that you picked the right "
        "file.",
    )
    UNDECODABLE = (
        "QUAL_003",
        "{path}: the bytes cannot be read as text ({reason}). Save the file as UTF-8 "
        "text and import it again.",
    )
    CONTENT_MISMATCH = (
        "QUAL_004",
        "{path}: the name says {declared} but the content is {found}. Rename the file "
        "with the right extension, or export it again from its program.",
    )
    UNKNOWN_FORMAT = (
        "QUAL_005",
        "{path}: cannot tell the document format of '{name}'; supported: {supported}. "
        "Give the format explicitly (format=..., --format).",
    )
    DOCUMENT_BROKEN = (
        "QUAL_008",
        "{path}: not a valid {format} file: {reason}. Open it in its program and save "
        "it again.",
    )
    DOCUMENT_DTD = (
        "QUAL_009",
        "{path}: the part '{name}' declares a DOCTYPE or entities, which {format} files "
        "never do; it was refused to rule out entity-expansion attacks.",
    )
    MALFORMED = ("QUAL_010", "{path}: malformed {format}: {reason}.")
    NO_SEGMENTS = (
        "QUAL_011",
        "{path}: no {what} found. Is this really a {format} file?",
    )
    ALL_SKIPPED = (
        "QUAL_012",
        "{path}: nothing could be read from this {format} file: all {count} of its "
        "parts were skipped, the first as follows. {first}",
    )
    LEGACY_ENCODING = (
        "QUAL_020",
        "{path}: the text is not UTF-8; it was read as {encoding}. Check the accented "
        "letters, or save the file as UTF-8 and import it again.",
    )
    SKIPPED_BLOCK = ("QUAL_021", "{path}: {reason}; this part was skipped.")
    CONTROL_CHARACTERS = (
        "QUAL_022",
        "{path}: {count} control character(s) (such as form feeds) were removed.",
    )

    # --- project model, REFI-QDA interchange and codebooks (QUAL_100-QUAL_149) ---
    # -- pseudonymization (QUAL_050-099) --
    PSEUDO_FILE_NOT_FOUND = (
        "QUAL_050",
        "{path}: no such file. Check the path (relative paths start from {cwd}).",
    )
    PSEUDO_FILE_UNREADABLE = ("QUAL_051", "{path}: the file cannot be read ({reason}).")
    PSEUDO_NOT_UTF8 = (
        "QUAL_052",
        "{path}: byte {position} is not valid UTF-8. Accepted encodings: UTF-8 (with "
        "or without BOM) and UTF-16 with a BOM. Convert the file first, for example "
        "`iconv -f WINDOWS-1252 -t UTF-8 {path} > converted.txt`.",
    )
    PSEUDO_TERMS_EMPTY = (
        "QUAL_053",
        "{path}: the terms file holds no term. Write one term per line; variants of "
        "one term on the same line separated by '|'; '#' starts a comment.",
    )
    PSEUDO_TERM_TOO_SHORT = (
        "QUAL_054",
        "{path}: the term '{term}' has fewer than 2 letters or digits; such a term "
        "would match everywhere. Remove it or write it in full.",
    )
    PSEUDO_TABLE_INVALID = (
        "QUAL_055",
        "{path}: not a sociaparis pseudonymization table ({reason}).",
    )
    PSEUDO_SPAN_INVALID = (
        "QUAL_056",
        "The span {start}..{end} is empty or outside the text (length {length}).",
    )
    PSEUDO_SPAN_OVERLAP = (
        "QUAL_057",
        "The span {start}..{end} overlaps the replacement {other_start}..{other_end} "
        "({label}). Reject that one first, or choose a span that does not overlap.",
    )
    PSEUDO_REVIEW_PENDING = (
        "QUAL_058",
        "{count} replacement(s) are still only proposed (the first at {start}..{end}, "
        "'{original}'). Accept or reject each before releasing the text.",
    )
    PSEUDO_STALE = (
        "QUAL_059",
        "The replacement {start}..{end} expects '{original}' but the text holds "
        "'{found}' there: the replacements belong to another version of the text.",
    )
    PSEUDO_LABEL_INVALID = (
        "QUAL_060",
        "'{label}' is not a label of kind {kind}: write it as [{kind}-<number>].",
    )
    PSEUDO_NO_SUCH_REPLACEMENT = (
        "QUAL_061",
        "There is no replacement number {index}; the review holds {count}.",
    )
    PSEUDO_OUTPUT_UNWRITABLE = ("QUAL_062", "{path}: cannot write the file ({reason}).")
    UNKNOWN_CODE = ("QUAL_100", "No code with id {code_id} in the project.")
    MERGE_INTO_ITSELF = (
        "QUAL_101",
        "Code {code_id} cannot be merged into itself. Remove it from the codes to merge.",
    )
    CODE_CYCLE = (
        "QUAL_102",
        "Code {code_id} cannot go under {parent}: the code hierarchy would become a "
        "cycle. Choose a parent that is not the code itself or one of its sub-codes.",
    )
    DUPLICATE_ID = ("QUAL_103", "Two {kind}s share the id {id}; ids must be unique.")
    CODING_NOT_OF_CODE = (
        "QUAL_104",
        "Coding {coding_id} is not a coding of code {code_id}, so it cannot be "
        "split off.",
    )
    DANGLING_REFERENCE = (
        "QUAL_105",
        "The {kind} {id} refers to {ref}, which is not in the project.",
    )
    BAD_SPAN = (
        "QUAL_106",
        "The {what} {label} on source '{source}' spans {start}..{end}, which is not "
        "inside its text (0..{length} code points, start before end).",
    )
    BAD_MEMO_TARGET = (
        "QUAL_107",
        "Memo {memo_id} is attached to a '{kind}'; a memo can be attached to the "
        "project, a source, a span of a source, a code, a case or a coding.",
    )
    INVALID_PROJECT = ("QUAL_108", "The project is not consistent: {problems}")
    BAD_VALUE = (
        "QUAL_109",
        "The {kind} {id} has the value {value!r} for variable {variable}, which is of "
        "type {type}.",
    )
    ARCHIVE_UNREADABLE = (
        "QUAL_110",
        "{path}: not a readable REFI-QDA archive (.qdpx is a zip file): {reason}.",
    )
    ARCHIVE_NO_PROJECT = (
        "QUAL_111",
        "{path}: the archive holds no project.qde file, so it is not a REFI-QDA project.",
    )
    XML_TOO_LARGE = (
        "QUAL_116",
        "{path}: {size} bytes of XML is over the limit of {limit} bytes.",
    )
    XML_UNREADABLE = ("QUAL_117", "{path}: the XML cannot be read: {reason}.")
    XML_DTD = (
        "QUAL_118",
        "{path}: the XML declares a DOCTYPE; REFI-QDA files never need one, and it is "
        "refused to rule out entity-expansion attacks.",
    )
    XML_WRONG_ROOT = (
        "QUAL_119",
        "{path}: the root element is {found}, expected {expected}.",
    )
    XML_BAD_VALUE = (
        "QUAL_120",
        "{path}: <{element}> has {attribute}='{value}', which is not valid: {reason}.",
    )
    XML_MISSING = (
        "QUAL_121",
        "{path}: a <{element}> element lacks its required '{attribute}'.",
    )
    SELECTION_MISMATCH = (
        "QUAL_122",
        "Coding {coding_id} shares the selection {id} with codings of another span; "
        "codings of one selection must cover the same span of the same source.",
    )
    BAD_VARIABLE_TYPE = (
        "QUAL_123",
        "Variable {id} has the type '{type}'; use Text, Boolean, Integer, Float, Date "
        "or DateTime.",
    )
    UNSUPPORTED_ELEMENT = (
        "QUAL_130",
        "{path}: <{element}> '{name}' is not held by sociaparis and was not "
        "imported{detail}.",
    )
    SOURCE_TEXT_MISSING = (
        "QUAL_131",
        "{path}: the text of source '{name}' ({ref}) is neither in the file nor in the "
        "archive; its codings are kept but their offsets cannot be checked.",
    )
    DROPPED_REFERENCE = (
        "QUAL_132",
        "{path}: <{element}> refers to {ref}, which is not in the imported project; "
        "the reference was dropped.",
    )
    SPAN_OUTSIDE_TEXT = (
        "QUAL_133",
        "{path}: a selection of source '{name}' spans {start}..{end}, outside its text "
        "of {length} code points; it and its codings were not imported.",
    )
    TEXT_NOT_NFC = (
        "QUAL_134",
        "{path}: the text of source '{name}' is not in Unicode NFC form; it was kept as "
        "is so that the offsets stay right.",
    )
    EMPTY_SELECTION = (
        "QUAL_135",
        "{path}: the selection {start}..{end} of source '{name}' carries no coding, "
        "description or memo, so there was nothing to import.",
    )
    USER_ADDED = (
        "QUAL_136",
        "{path}: user {ref} is referenced but not declared in <Users>; it was added "
        "without a name.",
    )
    VALUE_TYPE_MISMATCH = (
        "QUAL_137",
        "{path}: the value '{value}' of variable {variable} is a {found}, but the "
        "variable is declared {expected}; the value was not imported.",
    )
    CODEBOOK_MISSING_COLUMN = (
        "QUAL_140",
        "The codebook has no '{column}' column. Accepted headers: {accepted}.",
    )
    CODEBOOK_UNKNOWN_PARENT = (
        "QUAL_141",
        "The parent path '{parent}' names no code defined on an earlier row. Define "
        "parents before their sub-codes, and write the path as 'A > B'.",
    )
    CODEBOOK_DUPLICATE = ("QUAL_142", "The code '{path}' appears twice in the codebook.")
    CODEBOOK_BAD_COLOUR = (
        "QUAL_143",
        "The colour '{value}' is not a colour in the form #RRGGBB (or #RGB).",
    )
    CODEBOOK_EMPTY_NAME = ("QUAL_144", "This row has no code name.")
    CODEBOOK_FORMAT = (
        "QUAL_145",
        "{path}: unknown codebook format '{suffix}'; use .qdc, .xlsx or .csv.",
    )
    CODEBOOK_BAD_GUID = (
        "QUAL_147",
        "The guid '{value}' is not a GUID (like 0A1B2C3D-0000-4000-8000-000000000001); "
        "leave the cell empty and one is made from the code's path.",
    )
    CODEBOOK_TOO_LARGE = (
        "QUAL_148",
        "{path}: the codebook holds {count} codes, more than the {limit} a codebook "
        "may have in sociaparis. Check that this is the codebook file; a real one "
        "has hundreds, rarely thousands, of codes.",
    )
    CODEBOOK_UNKNOWN_COLUMN = (
        "QUAL_146",
        "The column '{column}' is not a codebook column and was ignored.",
    )

    # --- codebook editor, retrieval, matrices, agreement (QUAL_340-QUAL_369) ---
    BLIND_HIDDEN = (
        "QUAL_340",
        "{user} may not see other coders' codings: the project is in blind mode "
        "until a researcher reveals them (`sociaparis qual blind reveal`).",
    )
    BAD_HIT = (
        "QUAL_341",
        "'{value}' is not a search hit (DOCUMENT:START:END, offsets in code points).",
    )
    NO_HITS = ("QUAL_342", "No hit was chosen: tick the hits to code, then apply.")
    SEGMENTS_FORMAT = (
        "QUAL_343",
        "Unknown export format '{value}'; choose one of: {choices}.",
    )
    AGREEMENT_CODERS = (
        "QUAL_344",
        "Agreement needs at least two coders; {count} chosen ({coders}). Choose two "
        "or more coders who coded the same documents.",
    )
    AGREEMENT_NOTHING = (
        "QUAL_345",
        "Nothing to compare: no released document, or no code, was chosen or coded.",
    )
    MERGE_NOTHING = (
        "QUAL_346",
        "Choose at least one code to merge into '{target}'.",
    )
    # --- the coding view: edit, undo, requests of the page (QUAL_300-QUAL_319) ---
    NOTHING_TO_UNDO = (
        "QUAL_300",
        "{user} has nothing to undo{where}: no coding, removal or change of theirs "
        "is left that was not undone already.",
    )
    UNDO_CONFLICT = (
        "QUAL_301",
        "The last action of {user} ({kind} of coding {coding}) cannot be undone: "
        "{reason}. Reload the document and change the coding by hand.",
    )
    NOTHING_TO_CHANGE = (
        "QUAL_302",
        "The change of coding {coding} changes nothing: give new bounds, another "
        "code or a new memo.",
    )
    CODING_ELSEWHERE = (
        "QUAL_303",
        "Coding {coding} is not on document '{title}'. Open the document it is on.",
    )
    BAD_REQUEST = (
        "QUAL_304",
        "The request is not valid: {reason}.",
    )
    NO_CODE_GIVEN = (
        "QUAL_305",
        "No code was chosen for the span {start}..{end}: pick one or several codes.",
    )
    CSRF_FAILED = (
        "QUAL_306",
        "The request does not carry this session's CSRF token (header X-CSRF-Token) "
        "or comes from another site. Reload the page and try again.",
    )
