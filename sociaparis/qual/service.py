"""Public service functions of the stored qualitative corpus, in one place.

Every function takes the session as a keyword-only argument and never commits
(the caller owns the transaction); those that change something take the acting
account and check its role.  They live in topic modules:

- :mod:`~sociaparis.qual.corpus`: cases and their attributes, documents, history;
- :mod:`~sociaparis.qual.intake`, :mod:`~sociaparis.qual.casebook`: several files
  imported at once with a report per file, the case table edited as text,
  documents found by status, case and attribute;
- :mod:`~sociaparis.qual.pseudonymize_service`: review, release, the
  admin-only re-identification table;
- :mod:`~sociaparis.qual.codebook_service`: the codebook and its interchange;
- :mod:`~sociaparis.qual.coding_service`: codings (one by one and in bulk), memos;
- :mod:`~sociaparis.qual.retrieval`, :mod:`~sociaparis.qual.matrices`,
  :mod:`~sociaparis.qual.search`: segments, co-occurrence, matrices, full text;
- :mod:`~sociaparis.qual.interchange`: REFI-QDA projects and agreement;
- :mod:`~sociaparis.qual.agreement_report`: agreement with its disagreements
  side by side; :mod:`~sociaparis.qual.blind`: the blind mode.
"""

from __future__ import annotations

from sociaparis.qual.agreement_report import agreement_report
from sociaparis.qual.blind import blind_state, reveal, set_blind
from sociaparis.qual.casebook import (
    add_attribute,
    case_table,
    find_documents,
    set_case_cells,
)
from sociaparis.qual.codebook_service import (
    add_code,
    codebook,
    codebook_bytes,
    delete_code,
    export_codebook,
    import_codebook,
    list_codes,
    merge_codes,
    move_code,
    split_code,
    update_code,
)
from sociaparis.qual.coding_service import (
    add_memo,
    apply_coding,
    bulk_apply,
    code_hits,
    codings_of,
    list_coders,
    memos_on,
    remove_coding,
    visible_coder_ids,
)
from sociaparis.qual.corpus import (
    assign_case,
    cases_frame,
    document_text,
    ensure_case,
    fill_case_attributes,
    get_case,
    get_document,
    history,
    import_document,
    list_cases,
    list_documents,
    set_case_attributes,
    store_document,
    turns_of,
)
from sociaparis.qual.intake import import_files
from sociaparis.qual.interchange import (
    export_qdpx,
    import_qdpx,
    store_project,
    stored_agreement,
    to_project,
)
from sociaparis.qual.matrices import code_attribute_matrix, code_case_matrix
from sociaparis.qual.pseudonymize_service import (
    destroy_reidentification,
    get_review,
    mark_not_needed,
    reidentification_table,
    release_document,
    review,
    start_review,
)
from sociaparis.qual.retrieval import cooccurrence, segments, segments_of
from sociaparis.qual.search import search

__all__ = [
    "add_attribute",
    "add_code",
    "add_memo",
    "agreement_report",
    "apply_coding",
    "assign_case",
    "blind_state",
    "bulk_apply",
    "case_table",
    "cases_frame",
    "code_attribute_matrix",
    "code_case_matrix",
    "code_hits",
    "codebook",
    "codebook_bytes",
    "codings_of",
    "cooccurrence",
    "delete_code",
    "destroy_reidentification",
    "document_text",
    "ensure_case",
    "export_codebook",
    "export_qdpx",
    "fill_case_attributes",
    "find_documents",
    "get_case",
    "get_document",
    "get_review",
    "history",
    "import_codebook",
    "import_document",
    "import_files",
    "import_qdpx",
    "list_cases",
    "list_coders",
    "list_codes",
    "list_documents",
    "mark_not_needed",
    "memos_on",
    "merge_codes",
    "move_code",
    "reidentification_table",
    "release_document",
    "remove_coding",
    "reveal",
    "review",
    "search",
    "segments",
    "segments_of",
    "set_blind",
    "set_case_attributes",
    "set_case_cells",
    "split_code",
    "start_review",
    "store_document",
    "store_project",
    "stored_agreement",
    "to_project",
    "turns_of",
    "update_code",
    "visible_coder_ids",
]
