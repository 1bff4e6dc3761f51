"""The kinds of job: what each checks when it is started and does when it runs.

A kind checks its parameters and the acting account's role when the job is
started, and the role again when it runs and when its result is downloaded.
``run`` receives a progress callback ``progress(percent, step)`` which raises
:class:`JobCancelled` when the job has been asked to stop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sociaparis.accounts.service import Account
from sociaparis.assist.run_job import check_run_job, run_run_job
from sociaparis.core.errors import SociaparisError
from sociaparis.jobs.errors import JobError
from sociaparis.reports.render import chart_count, write_report
from sociaparis.reports.service import form_report
from sociaparis.survey.exports import count_responses, export_archive
from sociaparis.survey.io.writers import FORMATS

Progress = Callable[[int, str], None]
LANGUAGES = ("fr", "en")
REPORT_FORMATS = ("html", "pdf")


class JobCancelled(Exception):
    """Raised by a progress callback when the job has been asked to stop."""


def _require_export(actor: Account, action: str) -> None:
    if not actor.role.can_export():
        raise SociaparisError(
            JobError.NOT_ALLOWED,
            user=actor.username,
            role=actor.role.value,
            action=action,
            reason="only researchers and administrators download response data "
            "and reports",
        )


def _choice(parameters: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = parameters.get(name)
    if value not in allowed:
        raise SociaparisError(
            JobError.BAD_PARAMETER,
            name=name,
            value=value,
            reason=f"choose one of {', '.join(allowed)}",
        )
    return str(value)


def _form_id(session: Session, parameters: dict[str, Any]) -> tuple[str, int]:
    form_id = parameters.get("form_id")
    if not isinstance(form_id, str) or not form_id:
        raise SociaparisError(
            JobError.BAD_PARAMETER, name="form_id", value=form_id, reason="name a form"
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
        _require_export(actor, f"download the result of a {self.name} job")

    def media_type(self, path: Path) -> str:
        """The media type of a result file."""
        return self.suffixes.get(path.suffix.lower(), "application/octet-stream")


# -- export ---------------------------------------------------------------------------


def _check_export(
    *, session: Session, actor: Account, parameters: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    _require_export(actor, "export responses")
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


def _check_report(
    *, session: Session, actor: Account, parameters: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    _require_export(actor, "build reports")
    fmt = _choice({"fmt": parameters.get("fmt", "html")}, "fmt", REPORT_FORMATS)
    lang = _choice({"lang": parameters.get("lang", "fr")}, "lang", LANGUAGES)
    form_id, _count = _form_id(session, parameters)
    return {"form_id": form_id, "fmt": fmt, "lang": lang}, f"{form_id} · {fmt}"


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
    _require_export(actor, "build reports")
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
        loaded=on_loaded,
        progress=on_step,
    )
    charts = {"n": 0, "total": max(1, chart_count(built))}

    def drawn(_what: object) -> None:
        charts["n"] += 1
        progress(80 + int(19 * min(1.0, charts["n"] / charts["total"])), "drawing")

    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{form_id}-report.{parameters['fmt']}"
    return write_report(built, out, tick=drawn)


KINDS: dict[str, JobKind] = {
    "export": JobKind("export", _check_export, _run_export, {".zip": "application/zip"}),
    "report": JobKind(
        "report",
        _check_report,
        _run_report,
        {".html": "text/html; charset=utf-8", ".pdf": "application/pdf"},
    ),
    "assist_run": JobKind(
        "assist_run", check_run_job, run_run_job, {".json": "application/json"}
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
