"""Themes of a form's open answers, with pseudonymized quotes: the one function
``sociaparis stats themes`` and the open answers page call.

Loading the answers is the export's (:func:`~sociaparis.survey.exports.load_export`);
grouping, the small-theme rule and the quotes' pseudonymization are
:func:`~sociaparis.analysis.themes.find_themes`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.analysis.disclosure import DEFAULT_MIN_COUNT, check_min_count
from sociaparis.analysis.errors import AnalysisError
from sociaparis.analysis.themes import ThemeResult, find_themes
from sociaparis.core.errors import SociaparisError
from sociaparis.survey.exports import load_export, require_export
from sociaparis.survey.io.tables import ExportData
from sociaparis.survey.service import latest_instrument


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    """An open (text) question of a form: its name and label."""

    name: str
    label: str


@dataclass(frozen=True, slots=True)
class OpenAnswerThemes:
    """The themes of one open question's answers.

    Attributes
    ----------
    form_id, question
        The form and the question (as asked: a name or an export column).
    label
        The question's label in the language asked.
    lang
        That language (the one asked, else the form's default).
    result
        :func:`~sociaparis.analysis.themes.find_themes`'s result.
    """

    form_id: str
    question: str
    label: str
    lang: str
    result: ThemeResult

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready themes (``sociaparis stats themes --json`` prints this)."""
        return {"question": self.question, **self.result.to_dict()}


def open_questions(
    *, session: Session, actor: Account, form_id: str, lang: str | None = None
) -> list[OpenQuestion]:
    """The open (``text``) questions of the newest version of ``form_id``.

    Raises
    ------
    SociaparisError
        ``EXPORT_007`` (a viewer), ``SURVEY_030`` (unknown form).
    """
    require_export(Role(actor.role))
    instrument = latest_instrument(session=session, form_id=form_id).instrument
    return [
        OpenQuestion(q.name, instrument.text(q.labels, lang) or q.name)
        for q in instrument.questions
        if q.type == "text"
    ]


def answers_to(
    data: ExportData, question: str, lang: str | None
) -> tuple[pd.Series, str]:
    """The answers to ``question`` (a question name or an export column), indexed
    by response id (``<parent id>/<index>`` in a repeat), and its label.

    Raises
    ------
    SociaparisError
        ``ANALYSIS_001`` when no text column has that name.
    """
    for table in data.tables:
        for variable in table.variables:
            if question in (variable.name, variable.source) and variable.choice == "":
                frame = table.frame
                ids = (
                    frame["_id"].astype(str)
                    if "_id" in frame
                    else frame["_parent_id"].astype(str)
                    + "/"
                    + frame["_index"].astype(str)
                )
                answers = pd.Series(frame[variable.name].to_numpy(), index=ids)
                return answers, variable.label(lang, data.default_language)
    texts = [
        v.source for t in data.tables for v in t.variables if v.question_type == "text"
    ]
    raise SociaparisError(
        AnalysisError.MISSING_COLUMN, column=question, available=", ".join(texts)
    )


def theme_threshold(min_count: int | None) -> int:
    """The smallest theme shown: ``min_count``, or the default (10) when None.

    Raises
    ------
    SociaparisError
        ``ANALYSIS_010`` below 5.
    """
    chosen = DEFAULT_MIN_COUNT if min_count is None else min_count
    check_min_count(chosen)
    return chosen


def form_themes(
    *,
    session: Session,
    actor: Account,
    form_id: str,
    question: str,
    n_themes: int | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
    lang: str | None = None,
    loaded: Callable[[int], None] | None = None,
    grouping: Callable[[], None] | None = None,
) -> OpenAnswerThemes:
    """Group the answers to an open question of a stored form into themes.

    Parameters
    ----------
    session
        Open session (read only).
    actor
        Who asks (``EXPORT_007`` unless their role may export: the quotes are
        respondents' own words, pseudonymized).
    form_id, question
        The form, and the question's name or export column.
    n_themes
        Number of themes; None chooses it by silhouette.
    min_count
        Smallest theme shown with its label and quotes (never below 5); smaller
        ones are merged into ``other``.
    lang
        Language of the question's label (None: the form's default).
    loaded
        Called with the number of responses read, as they are read.
    grouping
        Called once the answers are read, before they are grouped.

    Returns
    -------
    OpenAnswerThemes

    Raises
    ------
    SociaparisError
        ``ANALYSIS_010`` (``min_count`` < 5), ``EXPORT_007``, ``SURVEY_030``,
        ``EXPORT_003`` (no response), ``ANALYSIS_001`` (no such text column).
    """
    check_min_count(min_count)
    require_export(Role(actor.role))
    data = load_export(session=session, form_id=form_id, tick=loaded)
    answers, label = answers_to(data, question, lang)
    if grouping is not None:
        grouping()
    result = find_themes(answers, n_themes=n_themes, min_count=min_count)
    shown_in = lang or data.default_language or "fr"
    return OpenAnswerThemes(form_id, question, label or question, shown_in, result)
