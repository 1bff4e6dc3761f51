"""The kinds of job: what each checks when it is started and does when it runs.

A kind checks its parameters and the acting account's role when the job is
started, and the role again when it runs and when its result is downloaded.
``run`` receives a progress callback ``progress(percent, step)`` which raises
:class:`JobCancelled` when the job has been asked to stop.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sociaparis.accounts.service import Account
from sociaparis.assist.run_job import check_run_job, run_run_job
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.jobs.errors import JobError
from sociaparis.jobs.pseudonymize import check_pseudonymize_job, run_pseudonymize_job
from sociaparis.reports.builds import keep_build
from sociaparis.reports.open_answers import form_themes, theme_threshold
from sociaparis.reports.render import chart_count, write_report
from sociaparis.reports.sections import WEIGHTINGS, check_sections
from sociaparis.reports.service import (
    check_report_weighting,
    form_outline,
    form_report,
)
from sociaparis.survey.exports import count_responses, export_archive
from sociaparis.survey.io.writers import FORMATS
from sociaparis.survey.study import Study, load_study

Progress = Callable[[int, str], None]
LANGUAGES = ("fr", "en")
REPORT_FORMATS = ("html", "pdf")


class JobCancelled(Exception):
    """Raised by a progress callback when the job has been asked to stop."""


def _require_export(actor: Account, action: Reason) -> None:
    if not actor.role.can_export():
        raise SociaparisError(
            JobError.NOT_ALLOWED,
            user=actor.username,
            role=actor.role.value,
            action=action,
            reason=Reason(
                en="only researchers and administrators download response data "
                "and reports",
                fr="seuls les chercheurs et les administrateurs téléchargent les "
                "données des réponses et les rapports",
            ),
        )


def _choice(parameters: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = parameters.get(name)
    if value not in allowed:
        raise SociaparisError(
            JobError.BAD_PARAMETER,
            name=name,
            value=value,
            reason=Reason(
                en=f"choose one of {', '.join(allowed)}",
                fr=f"choisissez parmi {', '.join(allowed)}",
            ),
        )
    return str(value)


def _form_id(session: Session, parameters: dict[str, Any]) -> tuple[str, int]:
    form_id = parameters.get("form_id")
    if not isinstance(form_id, str) or not form_id:
        raise SociaparisError(
            JobError.BAD_PARAMETER,
            name="form_id",
            value=form_id,
            reason=Reason(en="name a form", fr="indiquez un questionnaire"),
        )
    return form_id, count_responses(session=session, form_id=form_id)


@dataclass(frozen=True, slots=True)
class JobKind:
    """A kind of job: its name, its checks, how it runs, its result's type."""

    name: str
    check: Callable[..., tuple[dict[str, Any], str]]
    run: Callable[..., Path]
    suffixes: dict[str, str]

    def check_download(self, actor: Account) -> None:
        """``JOB_003`` unless ``actor`` may download this kind's results."""
        _require_export(
            actor,
            Reason(
                en=f"download the result of a {self.name} job",
                fr=f"télécharger le résultat d'une tâche « {self.name} »",
            ),
        )

    def media_type(self, path: Path) -> str:
        """The media type of a result file."""
        return self.suffixes.get(path.suffix.lower(), "application/octet-stream")


# -- export ---------------------------------------------------------------------------


def _check_export(
    *, session: Session, actor: Account, parameters: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    _require_export(actor, Reason(en="export responses", fr="exporter les réponses"))
    fmt = _choice(parameters, "fmt", tuple(FORMATS))
    lang = _choice({"lang": parameters.get("lang", "fr")}, "lang", LANGUAGES)
    form_id, _count = _form_id(session, parameters)
    return {"form_id": form_id, "fmt": fmt, "lang": lang}, f"{form_id} · {fmt}"


def _run_export(
    *,
    session: Session,
    actor: Account,
    parameters: dict[str, Any],
    folder: Path,
    data_dir: Path,
    progress: Progress,
) -> Path:
    """The archive the fielding page's download served: :func:`export_archive`."""
    form_id = parameters["form_id"]
    total = max(1, count_responses(session=session, form_id=form_id))
    done = {"evaluated": 0, "written": 0}

    def evaluated(n: int) -> None:
        done["evaluated"] += n
        progress(5 + int(70 * min(1.0, done["evaluated"] / total)), "evaluating")

    def written(n: int) -> None:
        done["written"] += n
        progress(75 + int(20 * min(1.0, done["written"] / total)), "writing")

    progress(2, "reading")
    return export_archive(
        session=session,
        form_id=form_id,
        fmt=parameters["fmt"],
        actor=actor,
        out=folder,
        lang=parameters["lang"],
        data_dir=data_dir,
        evaluated=evaluated,
        written=written,
    )


# -- report ---------------------------------------------------------------------------

_BUILD_REPORTS = Reason(en="build reports", fr="produire des rapports")


def _study(parameters: dict[str, Any]) -> Study | None:
    """The study folder named by the ``study`` parameter (set by the page from
    ``SOCIAPARIS_STUDY_DIR``, by the CLI from ``--study``), loaded; or None."""
    folder = parameters.get("study")
    if folder is None:
        return None
    if not isinstance(folder, str) or not folder:
        raise SociaparisError(
            JobError.BAD_PARAMETER,
            name="study",
            value=folder,
            reason=Reason(en="name a folder", fr="indiquez un dossier"),
        )
    return load_study(folder)


def _check_report(
    *, session: Session, actor: Account, parameters: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """Parameters: ``form_id``, ``fmt`` (html, pdf), ``lang``, ``sections``
    (section ids, or None for all), ``weighting`` (design, raked; default
    design) and ``study`` (the study folder, needed to rake)."""
    _require_export(actor, _BUILD_REPORTS)
    fmt = _choice({"fmt": parameters.get("fmt", "html")}, "fmt", REPORT_FORMATS)
    lang = _choice({"lang": parameters.get("lang", "fr")}, "lang", LANGUAGES)
    weighting = _choice(
        {"weighting": parameters.get("weighting", "design")}, "weighting", WEIGHTINGS
    )
    form_id, _count = _form_id(session, parameters)
    sections = parameters.get("sections")
    if sections is not None:
        if not isinstance(sections, list) or not all(
            isinstance(s, str) for s in sections
        ):
            raise SociaparisError(
                JobError.BAD_PARAMETER,
                name="sections",
                value=sections,
                reason=Reason(
                    en="give a list of section ids",
                    fr="donnez une liste d'identifiants de sections",
                ),
            )
        outline = form_outline(session=session, actor=actor, form_id=form_id, lang=lang)
        check_sections(sections, outline, form_id)
    study = _study(parameters)
    check_report_weighting(
        session=session, form_id=form_id, weighting=weighting, study=study
    )
    checked = {
        "form_id": form_id,
        "fmt": fmt,
        "lang": lang,
        "sections": sections,
        "weighting": weighting,
        "study": parameters.get("study"),
    }
    return checked, f"{form_id} · {fmt}"


def _run_report(
    *,
    session: Session,
    actor: Account,
    parameters: dict[str, Any],
    folder: Path,
    data_dir: Path,
    progress: Progress,
) -> Path:
    """The report of :func:`~sociaparis.reports.service.form_report`, written by
    :func:`~sociaparis.reports.render.write_report` (as ``sociaparis report``)."""
    _require_export(actor, _BUILD_REPORTS)
    form_id = parameters["form_id"]
    total = max(1, count_responses(session=session, form_id=form_id))
    loaded = {"n": 0}

    def on_loaded(n: int) -> None:
        loaded["n"] += n
        progress(2 + int(48 * min(1.0, loaded["n"] / total)), "evaluating")

    def on_step(done: int, steps: int, _what: str) -> None:
        progress(50 + int(30 * done / max(1, steps)), "computing")

    built = form_report(
        session=session,
        actor=actor,
        form_id=form_id,
        lang=parameters["lang"],
        study=_study(parameters),
        sections=parameters.get("sections"),
        weighting=parameters.get("weighting", "design"),
        loaded=on_loaded,
        progress=on_step,
    )
    charts = {"n": 0, "total": max(1, chart_count(built))}

    def drawn(_what: object) -> None:
        charts["n"] += 1
        progress(80 + int(19 * min(1.0, charts["n"] / charts["total"])), "drawing")

    folder.mkdir(parents=True, exist_ok=True)
    out = write_report(
        built, folder / f"{form_id}-report.{parameters['fmt']}", tick=drawn
    )
    keep_build(
        session=session,
        actor=actor,
        report=built,
        source=out,
        data_dir=data_dir,
        # the runner gives each job the folder jobs/<job id>/
        job_id=int(folder.name) if folder.name.isdigit() else None,
    )
    return out


# -- themes of open answers -----------------------------------------------------------


def _whole_or_none(parameters: dict[str, Any], name: str, smallest: int) -> int | None:
    value = parameters.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < smallest:
        raise SociaparisError(
            JobError.BAD_PARAMETER,
            name=name,
            value=value,
            reason=Reason(
                en=f"give a whole number of at least {smallest}",
                fr=f"donnez un nombre entier d'au moins {smallest}",
            ),
        )
    return value


def _check_themes(
    *, session: Session, actor: Account, parameters: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """Parameters: ``form_id``, ``question``, ``n_themes`` (None: chosen by
    silhouette), ``min_count`` (at least 5), ``lang``."""
    _require_export(
        actor,
        Reason(
            en="read the themes of open answers",
            fr="lire les thèmes des réponses ouvertes",
        ),
    )
    lang = _choice({"lang": parameters.get("lang", "fr")}, "lang", LANGUAGES)
    form_id, _count = _form_id(session, parameters)
    question = parameters.get("question")
    if not isinstance(question, str) or not question:
        raise SociaparisError(
            JobError.BAD_PARAMETER,
            name="question",
            value=question,
            reason=Reason(en="name an open question", fr="indiquez une question ouverte"),
        )
    n_themes = _whole_or_none(parameters, "n_themes", 1)
    min_count = theme_threshold(_whole_or_none(parameters, "min_count", 0))
    checked = {
        "form_id": form_id,
        "question": question,
        "n_themes": n_themes,
        "min_count": min_count,
        "lang": lang,
    }
    return checked, f"{form_id} · {question}"


def _run_themes(
    *,
    session: Session,
    actor: Account,
    parameters: dict[str, Any],
    folder: Path,
    data_dir: Path,
    progress: Progress,
) -> Path:
    """The themes of :func:`~sociaparis.reports.open_answers.form_themes` (as
    ``sociaparis stats themes --json``), with the question's label, as JSON."""
    form_id = parameters["form_id"]
    total = max(1, count_responses(session=session, form_id=form_id))
    loaded = {"n": 0}

    def on_loaded(n: int) -> None:
        loaded["n"] += n
        progress(2 + int(38 * min(1.0, loaded["n"] / total)), "evaluating")

    progress(1, "evaluating")
    themes = form_themes(
        session=session,
        actor=actor,
        form_id=form_id,
        question=parameters["question"],
        n_themes=parameters["n_themes"],
        min_count=parameters["min_count"],
        lang=parameters["lang"],
        loaded=on_loaded,
        grouping=lambda: progress(40, "grouping"),
    )
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "themes.json"
    data = {"form_id": form_id, "label": themes.label, **themes.to_dict()}
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return out


KINDS: dict[str, JobKind] = {
    "export": JobKind("export", _check_export, _run_export, {".zip": "application/zip"}),
    "report": JobKind(
        "report",
        _check_report,
        _run_report,
        {".html": "text/html; charset=utf-8", ".pdf": "application/pdf"},
    ),
    "themes": JobKind(
        "themes", _check_themes, _run_themes, {".json": "application/json"}
    ),
    "assist_run": JobKind(
        "assist_run", check_run_job, run_run_job, {".json": "application/json"}
    ),
    "pseudonymize": JobKind(
        "pseudonymize",
        check_pseudonymize_job,
        run_pseudonymize_job,
        {".json": "application/json"},
    ),
}


def job_kind(name: str) -> JobKind:
    """The kind named ``name``, or ``JOB_001``."""
    try:
        return KINDS[name]
    except KeyError:
        raise SociaparisError(
            JobError.UNKNOWN_KIND, kind=name, kinds=", ".join(KINDS)
        ) from None
