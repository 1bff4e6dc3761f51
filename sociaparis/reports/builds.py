"""Report builds kept with their parameters: keep, list, download, remove.

A report built from the pages runs as a background job (kind ``report``); the
job's result is swept with the job after ``SOCIAPARIS_JOBS_RETENTION_HOURS``,
so the job also keeps a copy here: a row of ``report_builds`` and the file in
``<data folder>/reports/<build id>/``. A kept build stays until someone removes
it (its builder, or an administrator). Functions take the session keyword-only
and never commit.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.db import utcnow
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.core.private import private_folder
from sociaparis.reports.content import Report
from sociaparis.reports.errors import ReportError
from sociaparis.reports.models import ReportBuildRecord
from sociaparis.survey.exports import require_export

MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf"}


@dataclass(frozen=True, slots=True)
class ReportBuild:
    """A kept report: who built it, when, with which parameters, its file."""

    id: int
    form_id: str
    built_by: str
    built_at: datetime
    fmt: str
    lang: str
    weighting: str
    sections: tuple[str, ...]
    n_responses: int
    file_name: str
    file_bytes: int
    job_id: int | None


def builds_folder(data_dir: Path) -> Path:
    """Where kept reports live: ``<data folder>/reports/<build id>/``."""
    return Path(data_dir) / "reports"


def _view(record: ReportBuildRecord) -> ReportBuild:
    built_at = record.built_at
    if built_at.tzinfo is None:
        built_at = built_at.replace(tzinfo=UTC)
    return ReportBuild(
        id=record.id,
        form_id=record.form_id,
        built_by=record.built_by,
        built_at=built_at.astimezone(UTC),
        fmt=record.fmt,
        lang=record.lang,
        weighting=record.weighting,
        sections=tuple(record.sections or ()),
        n_responses=record.n_responses,
        file_name=Path(record.file_path).name,
        file_bytes=record.file_bytes,
        job_id=record.job_id,
    )


def keep_build(
    *,
    session: Session,
    actor: Account,
    report: Report,
    source: Path,
    data_dir: Path,
    job_id: int | None = None,
    built_at: datetime | None = None,
) -> ReportBuild:
    """Keep a copy of a written report with its parameters.

    Parameters
    ----------
    session
        Open session (the row is added, not committed).
    actor
        Who built it (``EXPORT_007`` unless their role may export).
    report
        The report model: its form, language, weighting, sections and number
        of responses are recorded.
    source
        The written file (``.html`` or ``.pdf``); it is copied.
    data_dir
        The data folder (the copy goes to ``reports/<build id>/``).
    job_id
        The job that built it, if any.
    built_at
        When it was built (default: now).

    Returns
    -------
    ReportBuild
    """
    require_export(Role(actor.role))
    parameters = report.parameters
    record = ReportBuildRecord(
        form_id=report.form_id,
        built_by_id=actor.id if actor.id > 0 else None,
        built_by=actor.username,
        built_at=built_at or utcnow(),
        fmt=source.suffix.lower().lstrip("."),
        lang=report.lang,
        weighting=str(parameters.get("weighting", "design")),
        sections=list(parameters.get("sections", [s.id for s in report.sections])),
        n_responses=report.n_responses,
        file_path="",
        file_bytes=source.stat().st_size,
        job_id=job_id,
    )
    session.add(record)
    session.flush()
    folder = private_folder(builds_folder(data_dir) / str(record.id))
    shutil.copyfile(source, folder / source.name)
    record.file_path = f"{record.id}/{source.name}"
    session.flush()
    return _view(record)


def list_builds(
    *, session: Session, actor: Account, form_id: str | None = None, limit: int = 200
) -> list[ReportBuild]:
    """The kept reports (of one form, or all), newest first.

    Every researcher and administrator sees every build: a report holds only
    published figures (small cells hidden), and the list says who built each.

    Raises
    ------
    SociaparisError
        ``EXPORT_007`` for a viewer.
    """
    require_export(Role(actor.role))
    query = select(ReportBuildRecord).order_by(ReportBuildRecord.id.desc()).limit(limit)
    if form_id is not None:
        query = query.where(ReportBuildRecord.form_id == form_id)
    return [_view(record) for record in session.scalars(query)]


def _record(session: Session, build_id: int) -> ReportBuildRecord:
    record = session.get(ReportBuildRecord, build_id)
    if record is None:
        raise SociaparisError(ReportError.BUILD_NOT_FOUND, build_id=build_id)
    return record


def build_file(
    *, session: Session, actor: Account, build_id: int, data_dir: Path
) -> tuple[Path, str]:
    """The file of a kept report and its media type.

    Raises
    ------
    SociaparisError
        ``EXPORT_007`` (viewer), ``REPORT_054`` (no such build), ``REPORT_055``
        (its file is gone).
    """
    require_export(Role(actor.role))
    record = _record(session, build_id)
    path = builds_folder(data_dir) / record.file_path
    if not record.file_path or not path.is_file():
        raise SociaparisError(
            ReportError.BUILD_FILE_MISSING, build_id=build_id, path=str(path)
        )
    return path, MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")


def remove_build(
    *, session: Session, actor: Account, build_id: int, data_dir: Path
) -> None:
    """Remove a kept report and its file: its builder or an administrator.

    Raises
    ------
    SociaparisError
        ``EXPORT_007`` (viewer), ``REPORT_054`` (no such build), ``REPORT_056``
        (another researcher's build).
    """
    require_export(Role(actor.role))
    record = _record(session, build_id)
    if record.built_by_id != actor.id and Role(actor.role) is not Role.ADMIN:
        raise SociaparisError(
            ReportError.NOT_ALLOWED,
            user=actor.username,
            role=Role(actor.role).value,
            action=Reason(
                en=f"remove report build {build_id}",
                fr=f"supprimer le rapport produit n° {build_id}",
            ),
            reason=Reason(
                en="only its builder and administrators remove a kept report",
                fr="seuls la personne qui l'a produit et les administrateurs "
                "peuvent supprimer un rapport conservé",
            ),
        )
    session.delete(record)
    session.flush()
    shutil.rmtree(builds_folder(data_dir) / str(build_id), ignore_errors=True)
