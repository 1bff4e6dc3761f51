"""Build the report of a stored form: load its responses, then the pure builder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from sociaparis.accounts.audit import record_audit
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.analysis.disclosure import DEFAULT_MIN_COUNT
from sociaparis.core.errors import SociaparisError
from sociaparis.reports.build import Progress, build_report
from sociaparis.reports.content import Report
from sociaparis.survey.exports import load_export, require_export
from sociaparis.survey.fielding.service import get_fielding
from sociaparis.survey.service import StoredInstrument, latest_instrument
from sociaparis.survey.study.definition import PopulationMargins, Study


def margins_for(study: Study, stored: StoredInstrument) -> PopulationMargins | None:
    """The study's population margins if they weight this form, else None.

    The margins name a study instrument; the stored form is that instrument when
    it was read from the same file, or when its form id is the instrument id
    (alone or after the study id).
    """
    population = study.population
    if population is None:
        return None
    try:
        entry = study.instrument(population.instrument)
    except KeyError:
        return None
    names = {entry.id, f"{study.id}_{entry.id}"}
    if Path(entry.file).name == stored.source_filename or stored.form_id in names:
        return population
    return None


def form_report(
    *,
    session: Session,
    actor: Account,
    form_id: str,
    lang: str = "fr",
    study: Study | None = None,
    key_questions: Sequence[str] | None = None,
    today: date | None = None,
    loaded: Callable[[int], None] | None = None,
    progress: Progress | None = None,
) -> Report:
    """The report of the completed responses to a stored form.

    Parameters
    ----------
    session
        Open session (only the audit log's entry is written).
    actor
        Who builds the report (``EXPORT_007`` unless their role may export);
        written to the audit log.
    form_id
        The form; its newest version gives the labels and the layout.
    lang
        ``"fr"`` or ``"en"``.
    study
        The study the form belongs to: its population margins weight the
        responses and its ``min_cell_count`` is the disclosure threshold. Without
        it the results are unweighted and the fielding's threshold is used.
    key_questions
        Questions compared by group (default: see
        :func:`~sociaparis.reports.build.default_key_questions`).
    today
        Date printed on the report.
    loaded, progress
        Progress callbacks: responses evaluated, report steps done.

    Returns
    -------
    Report

    Raises
    ------
    SociaparisError
        ``SURVEY_030`` (unknown form), ``EXPORT_003`` (no completed response),
        and the errors of :func:`~sociaparis.reports.build.build_report`.
    """
    require_export(Role(actor.role))
    data = load_export(session=session, form_id=form_id, tick=loaded)
    stored = latest_instrument(session=session, form_id=form_id)
    margins = margins_for(study, stored) if study is not None else None
    if study is not None:
        min_count = study.min_cell_count
    else:
        try:
            min_count = get_fielding(session=session, form_id=form_id).min_cell_count
        except SociaparisError:
            min_count = DEFAULT_MIN_COUNT
    report = build_report(
        data.main,
        instrument=stored.instrument,
        margins=margins,
        min_cell_count=min_count,
        lang=lang,
        key_questions=key_questions,
        repeats={table.name: table for table in data.tables[1:]},
        today=today,
        progress=progress,
    )
    record_audit(
        session=session,
        actor=actor,
        action="export.report",
        target=form_id,
        details={"lang": lang, "weighted": margins is not None},
    )
    return report
