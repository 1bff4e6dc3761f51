"""One-call pseudonymization (no review) and its result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from sociaparis.qual.pseudonymization.apply import PseudonymizedText, apply
from sociaparis.qual.pseudonymization.chunks import Progress
from sociaparis.qual.pseudonymization.config import PseudonymizationConfig
from sociaparis.qual.pseudonymization.detect import find_entities
from sociaparis.qual.pseudonymization.replacements import REPLACEMENT_COLUMNS, Replacement
from sociaparis.qual.pseudonymization.table import PseudonymizationTable


def replacements_frame(replacements: tuple[Replacement, ...]) -> pd.DataFrame:
    """One row per replacement, columns ``start, end, original, kind, label,
    detector, status``."""
    rows = [
        {k: v for k, v in r.to_dict().items() if k in REPLACEMENT_COLUMNS}
        for r in replacements
    ]
    return pd.DataFrame(rows, columns=list(REPLACEMENT_COLUMNS))


@dataclass(frozen=True, slots=True)
class PseudonymizationResult:
    """A pseudonymized document.

    Attributes
    ----------
    text
        The new text and its offset map back to the original.
    replacements
        Every replacement considered (rejected ones included), sorted by start.
    table
        The study table updated with this document's labels (personal data).
    """

    text: PseudonymizedText
    replacements: tuple[Replacement, ...]
    table: PseudonymizationTable

    def to_frame(self) -> pd.DataFrame:
        """The replacements as a table (the review report)."""
        return replacements_frame(self.replacements)

    def to_dict(self) -> dict[str, Any]:
        """Text, replacements and table as JSON-ready data."""
        return {
            **self.text.to_dict(),
            "replacements": [r.to_dict() for r in self.replacements],
            "table": self.table.to_dict(),
        }


def pseudonymize(
    text: str,
    *,
    config: PseudonymizationConfig | None = None,
    table: PseudonymizationTable | None = None,
    progress: Progress | None = None,
) -> PseudonymizationResult:
    """Detect, label and replace in one call, accepting every proposal.

    Use :func:`~.review.start_review` instead when a person reviews the
    replacements before the text is released.

    Examples
    --------
    >>> config = PseudonymizationConfig(use_ner=False)
    >>> first = pseudonymize("Mme Durand a appelé le 01 42 76 40 40.", config=config)
    >>> first.text.text
    'Mme [PERSONNE-1] a appelé le [TELEPHONE-1].'
    >>> second = pseudonymize("Claire Durand utilise ChatGPT.", config=config,
    ...                       table=first.table)
    >>> second.text.text
    '[PERSONNE-1] utilise ChatGPT.'
    """
    table = table or PseudonymizationTable()
    replacements = tuple(
        find_entities(text, config=config, table=table, progress=progress)
    )
    return PseudonymizationResult(
        apply(text, replacements), replacements, table.register(replacements)
    )
