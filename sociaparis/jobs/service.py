"""Jobs as the pages and the CLI see them: start, list, show, cancel, download.

Functions take the session keyword-only and never commit. Starting a job only
writes its row; the queue hears of it once the caller's transaction commits
(so a worker never looks for a row it cannot see yet), through the
:class:`JobQueue` given.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account, get_account
from sociaparis.core.db import utcnow
from sociaparis.core.errors import ErrorRecord, Reason, SociaparisError
from sociaparis.jobs.errors import JobError
from sociaparis.jobs.kinds import KINDS, job_kind
from sociaparis.jobs.models import JobRecord

QUEUED, RUNNING, DONE, FAILED, CANCELLED = (
    "queued",
    "running",
    "done",
    "failed",
    "cancelled",
)
STATUSES = (QUEUED, RUNNING, DONE, FAILED, CANCELLED)
ACTIVE = frozenset({QUEUED, RUNNING})
#: jobs one account may have queued or running at once
MAX_ACTIVE_PER_ACCOUNT = 5
#: a running job's percent and step, in its folder (see :func:`write_progress`)
PROGRESS_FILE = "progress.json"


class JobQueue(Protocol):
    """What the services need of the task queue (:class:`~.queue.HueyJobQueue`)."""

    def enqueue(self, job_id: int) -> None:
        """Hand the job to the workers."""

    def revoke(self, job_id: int) -> None:
        """Tell the workers to skip the job if they have not started it."""


@dataclass(frozen=True, slots=True)
class Job:
    """A job as shown to its owner (or an administrator).

    ``result_name`` is the file name of the result (None until done).
    ``error_code``, ``error_message`` (English) and ``error_context`` (JSON-safe,
    None for a job recorded before contexts were kept) say why a job failed
    or was cancelled; :attr:`failure` puts them together to be shown.
    """

    id: int
    kind: str
    title: str
    owner: str
    parameters: dict[str, Any]
    status: str
    percent: int
    step: str
    cancel_requested: bool
    result_name: str | None
    result_bytes: int | None
    error_code: str | None
    error_message: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error_context: dict[str, Any] | None = None

    @property
    def active(self) -> bool:
        """Queued or running."""
        return self.status in ACTIVE

    @property
    def failure(self) -> ErrorRecord | None:
        """Why the job failed or was cancelled, as the pages
        (:func:`sociaparis.web.i18n.error_text`, in their language) and the CLI
        (its English ``code`` and ``message``) show it; None if it did not."""
        if self.error_code is None:
            return None
        return ErrorRecord.from_json(
            self.error_code, self.error_message or "", self.error_context
        )

    def to_dict(self) -> dict[str, Any]:
        """The job as JSON-ready data (dates in ISO 8601)."""
        data = asdict(self)
        for key in ("created_at", "started_at", "finished_at"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        data["active"] = self.active
        return data


def jobs_folder(data_dir: Path) -> Path:
    """Where job results are kept: ``<data folder>/jobs/<job id>/``."""
    return Path(data_dir) / "jobs"


def _utc(moment: datetime | None) -> datetime | None:
    """``moment`` in UTC, timezone-aware (SQLite gives back naive UTC times,
    PostgreSQL times in the connection's time zone)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def write_progress(*, data_dir: Path, job_id: int, percent: int, step: str) -> None:
    """Record a running job's progress in ``jobs/<id>/progress.json``.

    Not in the database: a job runs at a low CPU priority, and on SQLite a
    write of its would hold the one write lock while the scheduler gives the
    CPU to the web server, so the respondents' pages would wait for it (a
    priority inversion). The file is replaced atomically; its time is the job's
    heartbeat.
    """
    folder = jobs_folder(data_dir) / str(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{PROGRESS_FILE}.part"
    partial.write_text(json.dumps({"percent": max(0, min(100, percent)), "step": step}))
    os.replace(partial, folder / PROGRESS_FILE)


def _progress(data_dir: Path, job_id: int) -> tuple[int, str, datetime] | None:
    """The progress a running job last wrote, and when; None if none yet."""
    path = jobs_folder(data_dir) / str(job_id) / PROGRESS_FILE
    try:
        data = json.loads(path.read_text())
        moment = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        return int(data["percent"]), str(data["step"]), moment
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _view(record: JobRecord, owner: str, data_dir: Path | None = None) -> Job:
    percent, step = record.percent, record.step
    if data_dir is not None and record.status == RUNNING:
        found = _progress(data_dir, record.id)
        if found is not None:
            percent, step = found[0], found[1]
    return Job(
        id=record.id,
        kind=record.kind,
        title=record.title,
        owner=owner,
        parameters=dict(record.parameters or {}),
        status=record.status,
        percent=percent,
        step=step,
        cancel_requested=record.cancel_requested,
        result_name=Path(record.result_path).name if record.result_path else None,
        result_bytes=record.result_bytes,
        error_code=record.error_code,
        error_message=record.error_message,
        created_at=_utc(record.created_at),
        started_at=_utc(record.started_at),
        finished_at=_utc(record.finished_at),
        error_context=record.error_context,
    )


def _record_error(record: JobRecord, error: SociaparisError) -> None:
    """Keep ``error`` on the job's row: code, English message, context."""
    record.error_code = error.code
    record.error_message = error.message
    record.error_context = ErrorRecord.of(error).context_json()


def _owner_name(session: Session, record: JobRecord, actor: Account) -> str:
    if record.owner_id == actor.id:
        return actor.username
    owner = get_account(session=session, user_id=record.owner_id)
    return owner.username if owner is not None else "?"


def sees_every_job(actor: Account) -> bool:
    """Whether ``actor`` sees (and may cancel or remove) every account's jobs:
    administrators do; everyone else sees their own."""
    return actor.role is Role.ADMIN


def _visible(session: Session, actor: Account, job_id: int) -> JobRecord:
    """The job if ``actor`` owns it or is an administrator, else ``JOB_002``
    (the same answer whether the job exists or not)."""
    record = session.get(JobRecord, job_id)
    if record is None or (record.owner_id != actor.id and not sees_every_job(actor)):
        raise SociaparisError(JobError.NOT_FOUND, job_id=job_id, user=actor.username)
    return record


def _after_commit(session: Session, action: Any) -> None:
    """Run ``action`` once the session's transaction has committed (never if
    it rolls back)."""

    def run(_session: Session) -> None:
        action()

    event.listen(session, "after_commit", run, once=True)


def start_job(
    *,
    session: Session,
    actor: Account,
    kind: str,
    parameters: dict[str, Any],
    queue: JobQueue | None,
) -> Job:
    """Record a new job of ``kind`` for ``actor`` and queue it on commit.

    Parameters
    ----------
    session
        Open session; the job is queued only when its transaction commits.
    actor
        The account starting the job; the kind checks its role now, and again
        when the job runs.
    kind
        ``export`` or ``report`` (:data:`~sociaparis.jobs.kinds.KINDS`).
    parameters
        The kind's parameters (e.g. ``form_id``, ``fmt``, ``lang``).
    queue
        The task queue to hand the job to; None leaves it queued for a worker's
        sweep (:func:`~sociaparis.jobs.runner.sweep_jobs`) to pick up.

    Returns
    -------
    Job

    Raises
    ------
    SociaparisError
        ``JOB_001`` (unknown kind), ``JOB_003`` (role), ``JOB_004`` (a bad
        parameter), ``JOB_013`` (too many active jobs), and the kind's own
        refusals (e.g. ``SURVEY_030``, an unknown form).
    """
    spec = job_kind(kind)
    checked, title = spec.check(session=session, actor=actor, parameters=parameters)
    active = session.scalars(
        select(JobRecord.id).where(
            JobRecord.owner_id == actor.id, JobRecord.status.in_(ACTIVE)
        )
    ).all()
    if len(active) >= MAX_ACTIVE_PER_ACCOUNT:
        raise SociaparisError(
            JobError.TOO_MANY,
            user=actor.username,
            count=len(active),
            limit=MAX_ACTIVE_PER_ACCOUNT,
        )
    record = JobRecord(
        kind=spec.name,
        owner_id=actor.id,
        parameters=checked,
        title=title,
        status=QUEUED,
        percent=0,
        step=QUEUED,
        cancel_requested=False,
        created_at=utcnow(),
    )
    session.add(record)
    session.flush()
    if queue is not None:
        job_id = record.id
        _after_commit(session, lambda: queue.enqueue(job_id))
    return _view(record, actor.username)


def get_job(
    *, session: Session, actor: Account, job_id: int, data_dir: Path | None = None
) -> Job:
    """The job ``job_id`` if ``actor`` may see it (its owner, or an admin);
    with ``data_dir``, a running job's latest progress.

    Raises
    ------
    SociaparisError
        ``JOB_002``: no such job, or another account's (not told apart).
    """
    record = _visible(session, actor, job_id)
    session.refresh(record)
    return _view(record, _owner_name(session, record, actor), data_dir)


def list_jobs(
    *,
    session: Session,
    actor: Account,
    everyone: bool = False,
    limit: int = 200,
    data_dir: Path | None = None,
) -> list[Job]:
    """The newest jobs of ``actor`` (or of every account: admins only); with
    ``data_dir``, the running ones' latest progress.

    Raises
    ------
    SociaparisError
        ``JOB_003`` when ``everyone`` is asked by an account that is not an admin.
    """
    query = select(JobRecord).order_by(JobRecord.id.desc()).limit(limit)
    if everyone:
        if not sees_every_job(actor):
            raise SociaparisError(
                JobError.NOT_ALLOWED,
                user=actor.username,
                role=actor.role.value,
                action=Reason(
                    en="list every account's jobs",
                    fr="lister les tâches de tous les comptes",
                ),
                reason=Reason(
                    en="only administrators see other people's jobs",
                    fr="seuls les administrateurs voient les tâches des autres comptes",
                ),
            )
    else:
        query = query.where(JobRecord.owner_id == actor.id)
    names: dict[int, str] = {actor.id: actor.username}
    jobs = []
    for record in session.scalars(query):
        if record.owner_id not in names:
            names[record.owner_id] = _owner_name(session, record, actor)
        jobs.append(_view(record, names[record.owner_id], data_dir))
    return jobs


def cancel_job(
    *, session: Session, actor: Account, job_id: int, queue: JobQueue | None = None
) -> Job:
    """Cancel a job: a queued one at once (and revoked from the queue), a running
    one at its next progress point (it then removes what it wrote).

    Raises
    ------
    SociaparisError
        ``JOB_002`` (not visible), ``JOB_005`` (already over).
    """
    record = _visible(session, actor, job_id)
    session.refresh(record)
    if record.status == QUEUED:
        record.status = CANCELLED
        record.step = CANCELLED
        record.finished_at = utcnow()
        _record_error(record, SociaparisError(JobError.CANCELLED, job_id=job_id))
        if queue is not None:
            _after_commit(session, lambda: queue.revoke(job_id))
    elif record.status == RUNNING:
        record.cancel_requested = True
    else:
        raise SociaparisError(
            JobError.NOT_CANCELLABLE, job_id=job_id, status=record.status
        )
    session.flush()
    return _view(record, _owner_name(session, record, actor))


def job_result(
    *, session: Session, actor: Account, job_id: int, data_dir: Path
) -> tuple[Path, str]:
    """The result file of a finished job and its media type, for ``actor``.

    The kind's role check is made again (a role may have changed since the job
    started).

    Raises
    ------
    SociaparisError
        ``JOB_002`` (not visible), ``JOB_003`` (role), ``JOB_006`` (not done),
        ``JOB_007`` (the file is gone).
    """
    record = _visible(session, actor, job_id)
    spec = KINDS[record.kind]
    spec.check_download(actor)
    if record.status != DONE or not record.result_path:
        raise SociaparisError(JobError.NO_RESULT, job_id=job_id, status=record.status)
    path = jobs_folder(data_dir) / record.result_path
    if not path.is_file():
        raise SociaparisError(JobError.RESULT_MISSING, job_id=job_id, path=path)
    return path, spec.media_type(path)


def remove_job(*, session: Session, actor: Account, job_id: int, data_dir: Path) -> None:
    """Remove a finished job and its result file.

    Raises
    ------
    SociaparisError
        ``JOB_002`` (not visible), ``JOB_014`` (still queued or running:
        cancel it first).
    """
    record = _visible(session, actor, job_id)
    if record.status in ACTIVE:
        raise SociaparisError(JobError.STILL_ACTIVE, job_id=job_id, status=record.status)
    session.delete(record)
    session.flush()
    shutil.rmtree(jobs_folder(data_dir) / str(job_id), ignore_errors=True)


# -- the worker's side -----------------------------------------------------------------


def claim_job(*, session: Session, job_id: int) -> bool:
    """Mark a queued job running; False if it is not queued (cancelled, or
    already claimed by another worker): a job runs once however often it was
    queued."""
    now = utcnow()
    result = session.execute(
        update(JobRecord)
        .where(JobRecord.id == job_id, JobRecord.status == QUEUED)
        .values(status=RUNNING, step="starting", started_at=now, heartbeat_at=now)
    )
    return result.rowcount == 1


def proposals_under_way(*, session: Session, actor: Account) -> dict[int, int | None]:
    """The documents a queued or running ``pseudonymize`` job is searching (so
    that the corpus page offers no second search): document id to that job's
    id when the job is ``actor``'s own (its page is theirs alone), else None."""
    rows = session.execute(
        select(JobRecord.id, JobRecord.owner_id, JobRecord.parameters).where(
            JobRecord.kind == "pseudonymize", JobRecord.status.in_(ACTIVE)
        )
    )
    found: dict[int, int | None] = {}
    for job_id, owner_id, parameters in rows:
        for document in (parameters or {}).get("documents", []):
            own = job_id if owner_id == actor.id else None
            found[int(document)] = own or found.get(int(document))
    return found


def job_order(*, session: Session, job_id: int) -> tuple[str, dict[str, Any], int]:
    """What a worker needs to run a job: its kind, parameters and owner's id."""
    record = session.get(JobRecord, job_id)
    if record is None:
        raise SociaparisError(JobError.NOT_FOUND, job_id=job_id, user="worker")
    return record.kind, dict(record.parameters or {}), record.owner_id


def cancel_requested(*, session: Session, job_id: int) -> bool:
    """Whether a running job has been asked to stop (a read: no lock taken)."""
    return bool(
        session.scalar(select(JobRecord.cancel_requested).where(JobRecord.id == job_id))
    )


def finish_job(
    *,
    session: Session,
    job_id: int,
    status: str,
    result_path: str | None = None,
    result_bytes: int | None = None,
    error: SociaparisError | None = None,
) -> None:
    """Record how a running job ended: done (with its result), failed or
    cancelled (with the error: its code, English message and context)."""
    values: dict[str, Any] = {
        "status": status,
        "step": status,
        "finished_at": utcnow(),
        "result_path": result_path,
        "result_bytes": result_bytes,
        "error_code": error.code if error is not None else None,
        "error_message": error.message if error is not None else None,
        "error_context": (
            ErrorRecord.of(error).context_json() if error is not None else None
        ),
    }
    if status == DONE:
        values["percent"] = 100
    session.execute(
        update(JobRecord)
        .where(JobRecord.id == job_id, JobRecord.status == RUNNING)
        .values(**values)
    )


@dataclass(frozen=True, slots=True)
class Sweep:
    """What :func:`sweep_jobs` did: jobs removed, queued again, declared lost."""

    removed: tuple[int, ...]
    requeued: tuple[int, ...]
    lost: tuple[int, ...]


def sweep_jobs(
    *,
    session: Session,
    data_dir: Path,
    retention: timedelta,
    stale_after: timedelta = timedelta(minutes=10),
    requeue_after: timedelta = timedelta(minutes=1),
    now: datetime | None = None,
) -> Sweep:
    """Keep the jobs table honest (run by the workers every minute).

    - finished jobs older than ``retention`` are removed with their files;
    - running jobs without progress for ``stale_after`` failed (``JOB_009``):
      their worker died;
    - queued jobs older than ``requeue_after`` are returned to be queued again
      (the process that started them may have stopped before telling the
      queue; queueing twice is harmless, a job is claimed once).
    """
    now = now or utcnow()
    old = session.scalars(
        select(JobRecord).where(
            JobRecord.status.notin_(ACTIVE), JobRecord.finished_at < now - retention
        )
    ).all()
    removed = tuple(record.id for record in old)
    for record in old:
        session.delete(record)
        shutil.rmtree(jobs_folder(data_dir) / str(record.id), ignore_errors=True)
    stale = session.scalars(
        select(JobRecord).where(
            JobRecord.status == RUNNING, JobRecord.heartbeat_at < now - stale_after
        )
    ).all()
    stale = [
        record
        for record in stale
        if (found := _progress(data_dir, record.id)) is None
        or found[2] < now - stale_after
    ]
    for record in stale:
        error = SociaparisError(
            JobError.WORKER_LOST,
            job_id=record.id,
            seconds=int(stale_after.total_seconds()),
        )
        record.status = record.step = FAILED
        record.finished_at = now
        _record_error(record, error)
    requeued = session.scalars(
        select(JobRecord.id).where(
            JobRecord.status == QUEUED, JobRecord.created_at < now - requeue_after
        )
    ).all()
    session.flush()
    return Sweep(removed, tuple(requeued), tuple(record.id for record in stale))
