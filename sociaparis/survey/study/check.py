"""Checking a study folder as a whole: its instruments and its margins."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sociaparis.core.errors import Location, SociaparisError
from sociaparis.survey.instrument import Instrument, Question
from sociaparis.survey.study.definition import PopulationMargins, Study, StudyInstrument
from sociaparis.survey.study.errors import StudyError
from sociaparis.survey.xlsform import read_xlsform


@dataclass(frozen=True, slots=True)
class InstrumentCheck:
    """What :func:`check_study` found for one instrument.

    Attributes
    ----------
    instrument
        The instrument's id in the study.
    file
        Its XLSForm.
    form_id, version, title
        From the form's settings sheet ('' when the form could not be read).
    questions, pages
        Numbers of questions (notes and calculations included) and pages.
    errors
        Problems that make the instrument unusable (at most one: the first).
    warnings
        Problems worth a look that do not stop fielding.
    """

    instrument: str
    file: Path
    form_id: str = ""
    version: str = ""
    title: str = ""
    questions: int = 0
    pages: int = 0
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the instrument can be fielded."""
        return not self.errors


@dataclass(frozen=True, slots=True)
class StudyCheck:
    """The result of :func:`check_study`: one row per instrument, plus the margins.

    Attributes
    ----------
    study
        The study that was checked.
    instruments
        One :class:`InstrumentCheck` per instrument, in study order.
    errors
        Problems of the study as a whole (population margins against the form).
    """

    study: Study
    instruments: tuple[InstrumentCheck, ...]
    errors: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Whether every instrument and the margins passed."""
        return not self.errors and all(check.ok for check in self.instruments)

    def to_frame(self) -> pd.DataFrame:
        """One row per instrument: id, file, form_id, version, sizes, problem counts."""
        return pd.DataFrame(
            [
                {
                    "instrument": check.instrument,
                    "file": check.file.name,
                    "form_id": check.form_id,
                    "version": check.version,
                    "questions": check.questions,
                    "pages": check.pages,
                    "errors": len(check.errors),
                    "warnings": len(check.warnings),
                }
                for check in self.instruments
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        """The result as plain data."""
        return {
            "study": self.study.id,
            "ok": self.ok,
            "errors": list(self.errors),
            "instruments": [
                {
                    "instrument": check.instrument,
                    "file": str(check.file),
                    "form_id": check.form_id,
                    "version": check.version,
                    "title": check.title,
                    "questions": check.questions,
                    "pages": check.pages,
                    "errors": list(check.errors),
                    "warnings": list(check.warnings),
                }
                for check in self.instruments
            ],
        }


def check_study(study: Study) -> StudyCheck:
    """Open every instrument of ``study`` and check the folder as a whole.

    Each XLSForm is read with :func:`~sociaparis.survey.xlsform.read_xlsform`
    (every rule of ``sociaparis instrument check``); a form missing from the
    folder or rejected is reported, not raised, so that one run lists every
    problem.  The population margins are then matched against the choices of
    the questions named after their dimensions; two instruments may not share a
    form_id; a study language missing from a form is a warning.

    Parameters
    ----------
    study
        A study from :func:`load_study`.

    Returns
    -------
    StudyCheck
        One :class:`InstrumentCheck` per instrument and the study-wide errors.

    Examples
    --------
    >>> from sociaparis.survey.study import load_study
    >>> result = check_study(load_study("studies/sociaparis"))
    >>> result.ok
    True
    >>> [check.form_id for check in result.instruments]  # doctest: +NORMALIZE_WHITESPACE
    ['sociaparis_staff_llm', 'sociaparis_cio_cities',
     'sociaparis_transport_vision']
    """
    checks: list[InstrumentCheck] = []
    forms: dict[str, Instrument] = {}
    for instrument in study.instruments:
        check, form = _check_instrument(study, instrument)
        checks.append(check)
        if form is not None:
            forms[instrument.id] = form
    errors: list[str] = []
    seen: dict[str, str] = {}
    for instrument_id, form in forms.items():
        if form.form_id in seen:
            error = SociaparisError(
                StudyError.SAME_FORM_ID,
                first=seen[form.form_id],
                second=instrument_id,
                form_id=form.form_id,
            )
            errors.append(_message(error))
        seen.setdefault(form.form_id, instrument_id)
    population = study.population
    if population is not None and population.instrument in forms:
        errors.extend(_check_margins(population, forms[population.instrument]))
    return StudyCheck(study=study, instruments=tuple(checks), errors=tuple(errors))


def _message(error: SociaparisError) -> str:
    return f"{error.code}: {error.message}"


def _check_instrument(
    study: Study, instrument: StudyInstrument
) -> tuple[InstrumentCheck, Instrument | None]:
    if not instrument.file.is_file():
        error = SociaparisError(
            StudyError.INSTRUMENT_FILE_MISSING,
            instrument=instrument.id,
            path=str(instrument.file),
        )
        return InstrumentCheck(
            instrument.id, instrument.file, errors=(_message(error),)
        ), None
    try:
        result = read_xlsform(instrument.file)
    except SociaparisError as error:
        return InstrumentCheck(
            instrument.id, instrument.file, errors=(_message(error),)
        ), None
    form = result.instrument
    warnings = [str(issue) for issue in result.warnings]
    for language in study.languages:
        if language not in form.languages:
            missing = SociaparisError(
                StudyError.LANGUAGE_NOT_IN_FORM,
                instrument=instrument.id,
                language=language,
            )
            warnings.append(_message(missing))
    check = InstrumentCheck(
        instrument=instrument.id,
        file=instrument.file,
        form_id=form.form_id,
        version=form.version,
        title=form.title,
        questions=len(form.questions),
        pages=len(form.pages()),
        warnings=tuple(warnings),
    )
    return check, form


def _check_margins(population: PopulationMargins, form: Instrument) -> list[str]:
    errors: list[str] = []
    for index, dimension in enumerate(population.dimensions):
        question = form.item(dimension) if form.has(dimension) else None
        if not isinstance(question, Question) or question.type != "select_one":
            error = SociaparisError(
                StudyError.MARGIN_DIMENSION_UNKNOWN,
                dimension=dimension,
                instrument=population.instrument,
            )
            errors.append(_message(error))
            continue
        choices = [choice.name for choice in form.choice_list(question)]
        for row, cell in enumerate(population.cells, start=2):
            if cell.levels[index] not in choices:
                error = SociaparisError(
                    StudyError.MARGIN_VALUE_UNKNOWN,
                    path=str(population.file),
                    dimension=dimension,
                    value=cell.levels[index],
                    instrument=population.instrument,
                    choices=", ".join(choices),
                    location=Location(row=row, column=dimension),
                )
                errors.append(_message(error))
    return errors
