"""The study-wide table that gives each distinct entity one stable label."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sociaparis.core.errors import SociaparisError
from sociaparis.qual.errors import QualError
from sociaparis.qual.pseudonymization.names import LONG_TITLES, TITLES
from sociaparis.qual.pseudonymization.replacements import (
    EntityKind,
    Replacement,
    Status,
    make_label,
)
from sociaparis.qual.pseudonymization.text import fold

TABLE_FORMAT = "sociaparis-pseudonymization-table"
TABLE_VERSION = 1
_LABEL = re.compile(r"\[([A-Z]+)-(\d+)\]")
_TITLE_KEYS = frozenset(fold(t) for t in TITLES) | LONG_TITLES
_OBFUSCATED_AT = re.compile(r"\s?[\[(]\s?(?:at|arobase)\s?[\])]\s?")
_OBFUSCATED_DOT = re.compile(r"\s?[\[(]\s?(?:dot|point)\s?[\])]\s?")


def entity_key(kind: EntityKind, original: str) -> str:
    """The normalized form under which an entity is recorded in the table.

    Phone numbers are reduced to their ten national digits, e-mail addresses
    are lower-cased, people's names lose their titles and hyphens; everything
    is compared without case or accents.

    >>> entity_key(EntityKind.TELEPHONE, "+33 (0)1 42.76.40.40")
    '0142764040'
    >>> entity_key(EntityKind.PERSONNE, "Mme Jean-Pierre  DURAND")
    'jean pierre durand'
    """
    if kind is EntityKind.TELEPHONE:
        digits = "".join(c for c in original if c.isdigit())
        if original.lstrip().startswith("+"):
            digits = "0" + digits[2:]
        elif digits.startswith("0033"):
            digits = "0" + digits[4:]
        if digits.startswith("00") and len(digits) == 11:
            digits = digits[1:]
        return digits
    folded = fold(original)
    if kind is EntityKind.EMAIL:
        folded = _OBFUSCATED_DOT.sub(".", _OBFUSCATED_AT.sub("@", folded))
        return folded.replace(" ", "")
    if kind is EntityKind.PERSONNE:
        words = folded.replace("-", " ").replace(".", " ").replace("'", " ").split()
        while len(words) > 1 and words[0] in _TITLE_KEYS:
            words = words[1:]
        return " ".join(words)
    return folded


@dataclass(frozen=True, slots=True)
class TableEntry:
    """One label and the entity forms it stands for (this is personal data)."""

    kind: EntityKind
    number: int
    keys: tuple[str, ...]
    forms: tuple[str, ...]

    @property
    def label(self) -> str:
        """The label, e.g. ``[PERSONNE-2]``."""
        return make_label(self.kind, self.number)

    def to_dict(self) -> dict[str, Any]:
        """The entry as a JSON-ready dict."""
        return {
            "kind": self.kind.value,
            "number": self.number,
            "label": self.label,
            "keys": list(self.keys),
            "forms": list(self.forms),
        }


def parse_label(label: str, kind: EntityKind) -> int:
    """The number in ``label``, which must be of ``kind`` (``QUAL_060`` otherwise)."""
    match = _LABEL.fullmatch(label)
    if match is None or match.group(1) != kind.value or int(match.group(2)) < 1:
        raise SociaparisError(
            QualError.PSEUDO_LABEL_INVALID, label=label, kind=kind.value
        )
    return int(match.group(2))


@dataclass(frozen=True, slots=True)
class PseudonymizationTable:
    """The re-identification table of a study: entity -> label, for every kind.

    It is a value: operations return a new table.  Pass the table returned for
    one document to the next, so the same person gets the same label across the
    study.  Its content identifies people: store it apart, readable by admins
    only.
    """

    entries: tuple[TableEntry, ...] = ()

    def __len__(self) -> int:
        return len(self.entries)

    def counters(self) -> dict[EntityKind, int]:
        """The highest label number in use, per kind (0 when none)."""
        counts = dict.fromkeys(EntityKind, 0)
        for entry in self.entries:
            counts[entry.kind] = max(counts[entry.kind], entry.number)
        return counts

    def label_of(self, kind: EntityKind, original: str) -> str | None:
        """The label recorded for an entity, or ``None``."""
        key = entity_key(kind, original)
        for entry in self.entries:
            if entry.kind is kind and key in entry.keys:
                return entry.label
        return None

    def register(self, replacements: Iterable[Replacement]) -> PseudonymizationTable:
        """A table that also records every replacement that was not rejected.

        A key already recorded under another label moves to the new one (the
        reviewer's latest decision wins).
        """
        # insertion-ordered dicts stand for ordered sets of keys and forms
        keys: dict[tuple[EntityKind, int], dict[str, None]] = {}
        forms: dict[tuple[EntityKind, int], dict[str, None]] = {}
        owners: dict[tuple[EntityKind, str], set[tuple[EntityKind, int]]] = {}
        for entry in self.entries:
            slot = (entry.kind, entry.number)
            keys[slot] = dict.fromkeys(entry.keys)
            forms[slot] = dict.fromkeys(entry.forms)
            for key in entry.keys:
                owners.setdefault((entry.kind, key), set()).add(slot)
        for item in replacements:
            if item.status is Status.REJECTED:
                continue
            number = parse_label(item.label, item.kind)
            key = item.key or entity_key(item.kind, item.original)
            slot = (item.kind, number)
            owner = owners.setdefault((item.kind, key), set())
            for other in owner - {slot}:
                del keys[other][key]
            owner.clear()
            owner.add(slot)
            keys.setdefault(slot, {})[key] = None
            forms.setdefault(slot, {})[item.original] = None
        order = list(EntityKind)
        entries = tuple(
            TableEntry(
                kind, number, tuple(keys[(kind, number)]), tuple(forms[(kind, number)])
            )
            for kind, number in sorted(keys, key=lambda s: (order.index(s[0]), s[1]))
        )
        return PseudonymizationTable(entries)

    def to_dict(self) -> dict[str, Any]:
        """The table as JSON-ready data (see :meth:`from_dict`)."""
        return {
            "format": TABLE_FORMAT,
            "version": TABLE_VERSION,
            "counters": {k.value: n for k, n in self.counters().items() if n},
            "entries": [entry.to_dict() for entry in self.entries],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PseudonymizationTable:
        """Rebuild a table from :meth:`to_dict` output.

        Raises
        ------
        ValueError
            When ``data`` is not such a table.
        """
        if not isinstance(data, dict) or data.get("format") != TABLE_FORMAT:
            raise ValueError(f"the 'format' field is not '{TABLE_FORMAT}'")
        if data.get("version") != TABLE_VERSION:
            raise ValueError(f"unknown version {data.get('version')!r}")
        entries = [
            TableEntry(
                EntityKind(raw["kind"]),
                int(raw["number"]),
                tuple(str(k) for k in raw["keys"]),
                tuple(str(f) for f in raw["forms"]),
            )
            for raw in data["entries"]
        ]
        return cls(tuple(entries))

    def to_frame(self) -> pd.DataFrame:
        """One row per label: ``kind``, ``number``, ``label``, ``keys``, ``forms``."""
        rows = [
            {
                **entry.to_dict(),
                "keys": " | ".join(entry.keys),
                "forms": " | ".join(entry.forms),
            }
            for entry in self.entries
        ]
        return pd.DataFrame(rows, columns=["kind", "number", "label", "keys", "forms"])


class Labeller:
    """Gives labels to the entities of one document, starting from a table.

    Person names are matched by surname: a lone ``Durand`` takes the label of
    the one person whose name ends in ``durand``; ``Claire Durand`` takes the
    label of a lone ``Durand`` seen earlier unless another first name already
    claimed it; a lone first name takes the label of the one person of the same
    document with that first name.
    """

    def __init__(self, table: PseudonymizationTable) -> None:
        self._keys: dict[EntityKind, dict[str, int]] = {kind: {} for kind in EntityKind}
        self._next = {kind: n + 1 for kind, n in table.counters().items()}
        self._full: dict[int, set[str]] = {}
        self._surnames: dict[str, set[int]] = {}
        #: first word of a full name -> the people with that name
        self._first_names: dict[str, set[int]] = {}
        self._document: set[int] = set()
        for entry in table.entries:
            for key in entry.keys:
                self._keys[entry.kind][key] = entry.number
                if entry.kind is EntityKind.PERSONNE:
                    self._index_person(key, entry.number)
        for entry in table.entries:
            if entry.kind is EntityKind.PERSONNE:
                for key in entry.keys:
                    if " " not in key and not self._is_first_name_of(key, entry.number):
                        self._surnames.setdefault(key, set()).add(entry.number)

    def _index_person(self, key: str, number: int) -> None:
        words = key.split()
        if len(words) > 1:
            self._full.setdefault(number, set()).add(key)
            self._surnames.setdefault(words[-1], set()).add(number)
            self._first_names.setdefault(words[0], set()).add(number)

    def _is_first_name_of(self, word: str, number: int) -> bool:
        return number in self._first_names.get(word, ())

    def _new(self, kind: EntityKind) -> int:
        number = self._next[kind]
        self._next[kind] = number + 1
        return number

    def assign(self, kind: EntityKind, key: str) -> int:
        """The label number for entity ``key`` of ``kind``, recording it if new."""
        if kind is EntityKind.PERSONNE:
            number = self._person(key)
        else:
            number = self._keys[kind].get(key) or self._new(kind)
        self._keys[kind][key] = number
        return number

    def _person(self, key: str) -> int:
        words = key.split()
        if len(words) == 1:
            word = words[0]
            local = {n for n in self._surnames.get(word, set()) if n in self._document}
            if len(local) != 1:
                local = self._first_names.get(word, set()) & self._document
            if len(local) == 1:
                number = local.pop()
            elif key in self._keys[EntityKind.PERSONNE]:
                number = self._keys[EntityKind.PERSONNE][key]
            elif len(self._surnames.get(word, set())) == 1:
                number = next(iter(self._surnames[word]))
            else:
                number = self._new(EntityKind.PERSONNE)
                self._surnames.setdefault(word, set()).add(number)
        else:
            known = self._keys[EntityKind.PERSONNE].get(key)
            if known is not None:
                number = known
            else:
                candidates = {
                    n
                    for n in self._surnames.get(words[-1], set())
                    if self._compatible(words[0], n)
                }
                number = (
                    candidates.pop()
                    if len(candidates) == 1
                    else self._new(EntityKind.PERSONNE)
                )
            self._index_person(key, number)
        self._document.add(number)
        return number

    def _compatible(self, first: str, number: int) -> bool:
        fulls = self._full.get(number, set())
        if not fulls:
            return True
        for full in fulls:
            other = full.split()[0]
            if other == first or (len(first) == 1 and other.startswith(first)):
                return True
            if len(other) == 1 and first.startswith(other):
                return True
        return False
