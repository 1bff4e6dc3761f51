"""The study file: ``study.toml`` and the folder it describes.

A study folder holds the questionnaires (XLSForms), a ``study.toml`` that says
what they are, when they are fielded, whether they are anonymous, which
information notice a respondent reads first, and the population margins used
to weight the staff survey.  :func:`load_study` reads and checks the file into
frozen dataclasses; :func:`check_study` then opens every instrument and checks
the folder as a whole.  Every key is described in ``docs/study.md``.
"""

from __future__ import annotations

from sociaparis.survey.study.check import InstrumentCheck, StudyCheck, check_study
from sociaparis.survey.study.definition import (
    ACCESS_MODES,
    DEFAULT_MIN_CELL_COUNT,
    MIN_CELL_FLOOR,
    STUDY_FILE,
    InformationNotice,
    LocalizedText,
    MarginCell,
    PopulationMargins,
    Study,
    StudyInstrument,
)
from sociaparis.survey.study.errors import StudyError
from sociaparis.survey.study.loader import load_study, read_margins

__all__ = [
    "ACCESS_MODES",
    "DEFAULT_MIN_CELL_COUNT",
    "MIN_CELL_FLOOR",
    "STUDY_FILE",
    "InformationNotice",
    "InstrumentCheck",
    "LocalizedText",
    "MarginCell",
    "PopulationMargins",
    "Study",
    "StudyCheck",
    "StudyError",
    "StudyInstrument",
    "check_study",
    "load_study",
    "read_margins",
]
