"""Entity kinds and proposed replacements: the plain data of pseudonymization."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class EntityKind(StrEnum):
    """What a replaced span is; the value is the word used in its label."""

    PERSONNE = "PERSONNE"
    LIEU = "LIEU"
    ORGANISATION = "ORGANISATION"
    EMAIL = "EMAIL"
    TELEPHONE = "TELEPHONE"
    ADRESSE = "ADRESSE"
    TERME = "TERME"


class Status(StrEnum):
    """Review status of a replacement."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


def make_label(kind: EntityKind, number: int) -> str:
    """The label that stands for entity ``number`` of ``kind``, e.g. ``[PERSONNE-3]``."""
    return f"[{kind.value}-{number}]"


@dataclass(frozen=True, slots=True)
class Replacement:
    """One span of the original text proposed for replacement by a label.

    Attributes
    ----------
    start, end
        Unicode code-point offsets (Python ``str`` indices) into the original
        text; ``end`` is exclusive.
    original
        ``text[start:end]``: kept so that a stale replacement can be detected.
    kind
        The kind of entity.
    label
        The proposed label, e.g. ``[PERSONNE-1]``.
    detector
        Which detector found it (``spacy``, ``email``, ``phone``, ``address``,
        ``title``, ``first_name``, ``chez``, ``terms``, ``propagation``, ``manual``).
    status
        ``proposed`` until a reviewer accepts or rejects it.
    key
        The normalized form of the entity used to give it a stable label.
    """

    start: int
    end: int
    original: str
    kind: EntityKind
    label: str
    detector: str
    status: Status = Status.PROPOSED
    key: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The replacement as a JSON-ready dict."""
        data = asdict(self)
        data["kind"] = self.kind.value
        data["status"] = self.status.value
        return data


#: column order of replacement tables (review reports, ``to_frame``)
REPLACEMENT_COLUMNS = ("start", "end", "original", "kind", "label", "detector", "status")
