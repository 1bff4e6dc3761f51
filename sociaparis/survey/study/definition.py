"""A study's definition: frozen dataclasses built from a ``study.toml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

STUDY_FILE = "study.toml"
#: Published tables never show cells under this many respondents.
MIN_CELL_FLOOR = 5
DEFAULT_MIN_CELL_COUNT = 10
ACCESS_MODES = ("invitation", "open")
NOTICE_TEXTS = (
    "controller",
    "purpose",
    "legal_basis",
    "recipients",
    "retention",
    "rights",
    "contact",
    "consent",
)
NOTICE_OPTIONAL_TEXTS = ("data",)


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """One text in each of the study's languages (language code to text)."""

    texts: Mapping[str, str]

    def __getitem__(self, language: str) -> str:
        return self.texts[language]

    def get(self, language: str | None, default_language: str) -> str:
        """The text in ``language``, else in ``default_language``."""
        if language is not None and language in self.texts:
            return self.texts[language]
        return self.texts[default_language]

    def to_dict(self) -> dict[str, str]:
        """The texts as a plain dict."""
        return dict(self.texts)


@dataclass(frozen=True, slots=True)
class InformationNotice:
    """The GDPR information notice (Art. 13) and consent statement of an instrument.

    Attributes
    ----------
    id
        The notice's key under ``[notices]``.
    controller, purpose, legal_basis, recipients, retention, rights, contact
        The information a respondent must be given, one text per language.
    consent
        The statement a respondent agrees to before the first page.
    data
        What is (and is not) recorded, e.g. how anonymity is kept; may be None.
    illustrative
        True when some of the content is invented (demonstration studies).
    """

    id: str
    controller: LocalizedText
    purpose: LocalizedText
    legal_basis: LocalizedText
    recipients: LocalizedText
    retention: LocalizedText
    rights: LocalizedText
    contact: LocalizedText
    consent: LocalizedText
    data: LocalizedText | None = None
    illustrative: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The notice as plain data."""
        out: dict[str, Any] = {"id": self.id, "illustrative": self.illustrative}
        for key in (*NOTICE_TEXTS, *NOTICE_OPTIONAL_TEXTS):
            text = getattr(self, key)
            out[key] = None if text is None else text.to_dict()
        return out


@dataclass(frozen=True, slots=True)
class StudyInstrument:
    """One questionnaire of the study and how it is fielded.

    Attributes
    ----------
    id
        Short name of the instrument within the study.
    file
        Absolute path of its XLSForm.
    anonymous
        When True no link between a response and its invitation is ever stored.
    access
        ``"invitation"`` (personal single-use links) or ``"open"`` (one public link).
    opens, closes
        First and last day of fielding, both included; None for no limit.
    notice
        Id of the information notice shown before the first page.
    invitation_attributes
        Columns of the invitation CSV that are copied onto the response.
    """

    id: str
    file: Path
    anonymous: bool
    access: str
    notice: str
    opens: date | None = None
    closes: date | None = None
    invitation_attributes: tuple[str, ...] = ()

    def is_open(self, on: date) -> bool:
        """Whether responses are accepted on the day ``on``."""
        if self.opens is not None and on < self.opens:
            return False
        return self.closes is None or on <= self.closes

    def to_dict(self) -> dict[str, Any]:
        """The instrument as plain data (dates in ISO form)."""
        return {
            "id": self.id,
            "file": str(self.file),
            "anonymous": self.anonymous,
            "access": self.access,
            "notice": self.notice,
            "opens": None if self.opens is None else self.opens.isoformat(),
            "closes": None if self.closes is None else self.closes.isoformat(),
            "invitation_attributes": list(self.invitation_attributes),
        }


@dataclass(frozen=True, slots=True)
class MarginCell:
    """One row of the margins table: a level of each dimension and its count."""

    levels: tuple[str, ...]
    count: int


@dataclass(frozen=True, slots=True)
class PopulationMargins:
    """Known population counts by a cross of dimensions, for weighting.

    Attributes
    ----------
    instrument
        Id of the instrument whose responses these margins weight.
    file
        Absolute path of the CSV they were read from.
    dimensions
        The crossed variables, each named after the question it weights.
    cells
        One :class:`MarginCell` per row of the CSV, in file order.
    reference_date
        The date the counts describe, if given.
    synthetic
        True when the counts are invented (demonstration studies).
    source
        Where the counts come from, one text per language, if given.
    """

    instrument: str
    file: Path
    dimensions: tuple[str, ...]
    cells: tuple[MarginCell, ...]
    reference_date: date | None = None
    synthetic: bool = False
    source: LocalizedText | None = None

    @property
    def total(self) -> int:
        """The population size (sum of every cell)."""
        return sum(cell.count for cell in self.cells)

    def margin(self, dimension: str) -> dict[str, int]:
        """Counts by the levels of one dimension, in order of first appearance."""
        if dimension not in self.dimensions:
            raise ValueError(
                f"'{dimension}' is not a dimension of these margins "
                f"({', '.join(self.dimensions)})"
            )
        index = self.dimensions.index(dimension)
        out: dict[str, int] = {}
        for cell in self.cells:
            out[cell.levels[index]] = out.get(cell.levels[index], 0) + cell.count
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per cell: a column per dimension, then ``count``."""
        rows = [(*cell.levels, cell.count) for cell in self.cells]
        return pd.DataFrame(rows, columns=[*self.dimensions, "count"]).astype(
            {"count": "int64"}
        )

    def to_dict(self) -> dict[str, Any]:
        """The margins as plain data."""
        return {
            "instrument": self.instrument,
            "file": str(self.file),
            "dimensions": list(self.dimensions),
            "cells": [
                {
                    **dict(zip(self.dimensions, cell.levels, strict=True)),
                    "count": cell.count,
                }
                for cell in self.cells
            ],
            "total": self.total,
            "reference_date": None
            if self.reference_date is None
            else self.reference_date.isoformat(),
            "synthetic": self.synthetic,
            "source": None if self.source is None else self.source.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Study:
    """A study as described by its ``study.toml``.

    Attributes
    ----------
    id
        Short name of the study.
    path
        Absolute path of the ``study.toml``; instrument files are relative to its folder.
    title, description
        One text per language (``description`` may be None).
    languages, default_language
        Language codes of every text; the one used when a respondent picks none.
    min_cell_count
        Published tables hide cells with fewer respondents (at least 5).
    instruments
        The questionnaires, in file order.
    notices
        Information notice id to notice.
    population
        Margins for weighting, or None.
    """

    id: str
    path: Path
    title: LocalizedText
    languages: tuple[str, ...]
    default_language: str
    min_cell_count: int
    instruments: tuple[StudyInstrument, ...]
    notices: Mapping[str, InformationNotice]
    description: LocalizedText | None = None
    population: PopulationMargins | None = None

    @property
    def folder(self) -> Path:
        """The study folder."""
        return self.path.parent

    def instrument(self, instrument_id: str) -> StudyInstrument:
        """The instrument called ``instrument_id`` (KeyError if none)."""
        for instrument in self.instruments:
            if instrument.id == instrument_id:
                return instrument
        raise KeyError(instrument_id)

    def notice_for(self, instrument_id: str) -> InformationNotice:
        """The information notice shown before the instrument ``instrument_id``."""
        return self.notices[self.instrument(instrument_id).notice]

    def to_dict(self) -> dict[str, Any]:
        """The whole study as plain data (the JSON twin of ``study.toml``)."""
        return {
            "id": self.id,
            "path": str(self.path),
            "title": self.title.to_dict(),
            "description": None
            if self.description is None
            else self.description.to_dict(),
            "languages": list(self.languages),
            "default_language": self.default_language,
            "min_cell_count": self.min_cell_count,
            "instruments": [instrument.to_dict() for instrument in self.instruments],
            "notices": {key: notice.to_dict() for key, notice in self.notices.items()},
            "population": None if self.population is None else self.population.to_dict(),
        }
