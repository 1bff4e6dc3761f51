"""Build the report of a stored form: load its responses, then the pure builder."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from sociaparis.accounts.audit import record_audit
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.analysis.disclosure import DEFAULT_MIN_COUNT
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.reports.build import Progress, build_report
from sociaparis.reports.content import Report
from sociaparis.reports.errors import ReportError
from sociaparis.reports.sections import SectionChoice, check_weighting, report_outline
from sociaparis.survey.exports import load_export, require_export
from sociaparis.survey.fielding.service import get_fielding
from sociaparis.survey.service import (
    StoredInstrument,
    latest_instrument,
    list_instruments,
)
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
    sections: Collection[str] | None = None,
    weighting: str | None = None,
) -> Report:
    """The report of the completed responses to a stored form.

    Parameters
    ----------
    session
        Open session (only the audit log's entry is written; export blocks
        are kept in transactions of their own:
        :func:`~sociaparis.survey.exports.load_export`).
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
    sections
        The section ids to keep (:func:`form_outline`); None keeps them all.
    weighting
        ``"design"`` (every respondent weighs 1: no raking, no response
        rates), ``"raked"`` (raked to the study's population margins:
        ``REPORT_051`` when ``study`` has none for this form), or None: raked
        when the study has margins for this form, else design.

    Returns
    -------
    Report

    Raises
    ------
    SociaparisError
        ``SURVEY_030`` (unknown form), ``EXPORT_003`` (no completed response),
        ``REPORT_051`` (no margins to rake to), ``REPORT_052`` (weighting), and
        the errors of :func:`~sociaparis.reports.build.build_report`.
    """
    require_export(Role(actor.role))
    stored = latest_instrument(session=session, form_id=form_id)
    margins = _margins(study, stored, form_id, weighting)
    data = load_export(session=session, form_id=form_id, tick=loaded, keep_blocks=True)
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
        sections=sections,
    )
    record_audit(
        session=session,
        actor=actor,
        action="export.report",
        target=form_id,
        details={
            "lang": lang,
            "weighted": margins is not None,
            "sections": report.parameters["sections"],
        },
    )
    return report


def _margins(
    study: Study | None, stored: StoredInstrument, form_id: str, weighting: str | None
) -> PopulationMargins | None:
    """The margins to rake to for the ``weighting`` asked (see :func:`form_report`)."""
    if weighting is not None:
        check_weighting(weighting)
    if weighting == "design":
        return None
    margins = margins_for(study, stored) if study is not None else None
    if weighting == "raked" and margins is None:
        reason = (
            Reason(en="no study was named", fr="aucune étude n'est indiquée")
            if study is None
            else Reason(
                en=f"the study '{study.id}' has no population margins for this form",
                fr=f"l'étude « {study.id} » n'a pas de marges de population pour ce "
                "questionnaire",
            )
        )
        raise SociaparisError(ReportError.NO_MARGINS, form_id=form_id, reason=reason)
    return margins


def check_report_weighting(
    *, session: Session, form_id: str, weighting: str, study: Study | None
) -> None:
    """Refuse a weighting :func:`form_report` would refuse, before building.

    Raises
    ------
    SociaparisError
        ``REPORT_052`` (not a weighting), ``REPORT_051`` (raked without
        margins for this form), ``SURVEY_030`` (unknown form).
    """
    _margins(
        study, latest_instrument(session=session, form_id=form_id), form_id, weighting
    )


def form_outline(
    *, session: Session, actor: Account, form_id: str, lang: str = "fr"
) -> list[SectionChoice]:
    """The sections a report of ``form_id`` can hold (its newest version).

    Raises
    ------
    SociaparisError
        ``EXPORT_007`` (a viewer), ``SURVEY_030`` (unknown form).
    """
    require_export(Role(actor.role))
    stored = latest_instrument(session=session, form_id=form_id)
    return report_outline(stored.instrument, lang)


def can_rake(study: Study | None, *, session: Session, form_id: str) -> bool:
    """Whether ``study`` has population margins that weight ``form_id``."""
    if study is None:
        return False
    return (
        margins_for(study, latest_instrument(session=session, form_id=form_id))
        is not None
    )


@dataclass(frozen=True, slots=True)
class ReportableForm:
    """A stored form a report can be built for: its id and newest title."""

    form_id: str
    title: str


def report_forms(*, session: Session, actor: Account) -> list[ReportableForm]:
    """The stored forms (newest version's title), by form id.

    Raises
    ------
    SociaparisError
        ``EXPORT_007`` for a viewer.
    """
    require_export(Role(actor.role))
    newest: dict[str, StoredInstrument] = {}
    for stored in list_instruments(session=session):
        newest[stored.form_id] = stored  # listed by version number: the last wins
    return [ReportableForm(form_id, s.title) for form_id, s in newest.items()]
