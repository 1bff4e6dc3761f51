"""What every part of a report needs: the design, the columns, the language, the rule."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sociaparis.analysis.design import SurveyDesign
from sociaparis.reports.i18n import text
from sociaparis.survey.instrument import Choice, Instrument, Question
from sociaparis.survey.io.tables import ExportTable


@dataclass(frozen=True)
class ReportContext:
    """The weighted design and what the sections need to describe it.

    Attributes
    ----------
    design
        The (raked) design over the analysed responses.
    instrument
        The newest version of the form.
    columns
        Question name to its column in ``design.data``.
    choices
        Question name to its choices (after ``or_other``), as exported.
    lang
        The report's language.
    min_count
        Smallest respondent count that may be shown.
    ci_level
        Confidence level of every interval.
    groups
        Breakdown name (directorate…) to the column holding it in ``design.data``.
    group_labels
        Breakdown name to its label, and to the label of each of its levels.
    hidden_groups
        Breakdown name to the levels whose respondent count is not published: their
        rows are hidden in every comparison.
    units
        For a table of repeat instances, the respondent of each row, numbered
        from 0 (``pandas.factorize`` of the parent ids: counts for disclosure
        control are then distinct respondents); None when each row is a
        respondent.
    """

    design: SurveyDesign
    instrument: Instrument
    columns: Mapping[str, str]
    choices: Mapping[str, tuple[Choice, ...]]
    lang: str
    min_count: int
    ci_level: float
    groups: Mapping[str, str] = field(default_factory=dict)
    group_labels: Mapping[str, tuple[str, Mapping[str, str]]] = field(
        default_factory=dict
    )
    hidden_groups: Mapping[str, frozenset[str]] = field(default_factory=dict)
    units: np.ndarray | None = None

    @property
    def data(self) -> pd.DataFrame:
        """The analysed responses (one row each)."""
        return self.design.data

    def t(self, key: str, **values: object) -> str:
        """A report text in the report's language."""
        return text(key, self.lang, **values)

    def label(self, question: Question) -> str:
        """The question's label in the report's language (its name if it has none)."""
        return self.instrument.text(question.labels, self.lang) or question.name

    def choice_label(self, choice: Choice) -> str:
        """A choice's label in the report's language (its code if it has none)."""
        return self.instrument.text(choice.labels, self.lang) or choice.name

    def count(self, mask: pd.Series | np.ndarray) -> int:
        """Respondents among the rows in ``mask`` (distinct ones for repeat instances)."""
        mask = np.asarray(mask, dtype=bool)
        if self.units is None:
            return int(mask.sum())
        return int(np.count_nonzero(np.bincount(self.units[mask], minlength=1)))

    def counts(self, values: pd.Series, answers: Sequence[object]) -> list[int]:
        """Respondents (:meth:`count`) whose value equals each of ``answers``.

        The values are compared once per distinct value, not per row.
        """
        codes, uniques = pd.factorize(values)
        found = []
        for answer in answers:
            matching = [k for k, value in enumerate(uniques) if value == answer]
            found.append(self.count(np.isin(codes, matching)))
        return found

    def is_small(self, count: int) -> bool:
        """Whether a respondent count may not be published (1 to min_count - 1)."""
        return 0 < count < self.min_count

    def base(self, multiple: bool = False) -> str:
        """The note saying what the percentages are computed among."""
        if self.units is None:
            key = "base_multiple" if multiple else "base_answered"
        else:
            key = "base_multiple_instances" if multiple else "base_instances"
        return self.t(key, level=self.level())

    def level(self) -> str:
        """The confidence level as a whole percentage (``95``)."""
        return f"{self.ci_level * 100:g}"


def clip01(value: float) -> float:
    """A share or CI bound clipped to [0, 1] (normal intervals can overshoot)."""
    return float(np.clip(value, 0.0, 1.0))


def question_columns(
    table: ExportTable,
) -> tuple[dict[str, str], dict[str, tuple[Choice, ...]]]:
    """The export column of each question of ``table``, and its choices, by name."""
    columns: dict[str, str] = {}
    choices: dict[str, tuple[Choice, ...]] = {}
    for variable in table.variables:
        if variable.kind == "question":
            columns[variable.source] = variable.name
            choices[variable.source] = tuple(variable.choices)
    return columns, choices
