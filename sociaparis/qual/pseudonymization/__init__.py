"""Pseudonymization of French interview text.

Detect people, places, organisations, e-mail addresses, phone numbers, street
addresses and study-specific terms; replace each distinct entity by a stable
label (``[PERSONNE-1]``…) shared across a study through a
:class:`PseudonymizationTable`; let a researcher review every replacement.

Everything here is a pure function over text and dataclasses: nothing is
printed, nothing is stored.
"""

from sociaparis.qual.pseudonymization.apply import OffsetMap, PseudonymizedText, apply
from sociaparis.qual.pseudonymization.config import (
    PseudonymizationConfig,
    TermGroup,
    default_allow_list,
    parse_terms,
)
from sociaparis.qual.pseudonymization.detect import find_entities
from sociaparis.qual.pseudonymization.pipeline import PseudonymizationResult, pseudonymize
from sociaparis.qual.pseudonymization.replacements import EntityKind, Replacement, Status
from sociaparis.qual.pseudonymization.review import (
    ReviewState,
    accept,
    accept_all,
    add,
    add_everywhere,
    finish,
    reject,
    relabel,
    resize,
    start_review,
    word_steps,
)
from sociaparis.qual.pseudonymization.table import PseudonymizationTable, entity_key

__all__ = [
    "EntityKind",
    "OffsetMap",
    "PseudonymizationConfig",
    "PseudonymizationResult",
    "PseudonymizationTable",
    "PseudonymizedText",
    "Replacement",
    "ReviewState",
    "Status",
    "TermGroup",
    "accept",
    "accept_all",
    "add",
    "add_everywhere",
    "apply",
    "default_allow_list",
    "entity_key",
    "find_entities",
    "finish",
    "parse_terms",
    "pseudonymize",
    "reject",
    "relabel",
    "resize",
    "start_review",
    "word_steps",
]
