"""Running one job in a worker: claim it, run its kind, record how it ended."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sociaparis.accounts.service import get_account
from sociaparis.core.db import transaction, write_lock
from sociaparis.core.errors import SociaparisError
from sociaparis.jobs.errors import JobError
from sociaparis.jobs.kinds import JobCancelled, job_kind
from sociaparis.jobs.service import (
    CANCELLED,
    DONE,
    FAILED,
    cancel_requested,
    claim_job,
    finish_job,
    job_order,
    jobs_folder,
    write_progress,
)

logger = logging.getLogger(__name__)
#: seconds between two progress writes (a step change is written at once)
PROGRESS_EVERY = 0.5


@contextmanager
def _writing(engine: Engine) -> Iterator[Session]:
    """A short write transaction (a job's claim, its end) that, on SQLite,
    queues with the web server's writers on
    :func:`~sociaparis.core.db.write_lock` rather than making a respondent's
    page wait in SQLite's busy loop. The progress is not written to the
    database at all (:func:`~sociaparis.jobs.service.write_progress`)."""
    with write_lock(engine), transaction(engine) as session:
        yield session


class _Reporter:
    """The progress callback of a running job: writes percent and step to the
    job's progress file (at most every :data:`PROGRESS_EVERY` seconds, a step
    change at once), reads the job's cancel flag, and raises
    :class:`JobCancelled` once the job has been asked to stop."""

    def __init__(self, engine: Engine, data_dir: Path, job_id: int) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self.job_id = job_id
        self.last = 0.0
        self.step = ""

    def __call__(self, percent: int, step: str) -> None:
        now = time.monotonic()
        if step == self.step and now - self.last < PROGRESS_EVERY:
            return
        self.last, self.step = now, step
        write_progress(
            data_dir=self.data_dir, job_id=self.job_id, percent=percent, step=step
        )
        with transaction(self.engine) as session:
            stop = cancel_requested(session=session, job_id=self.job_id)
        if stop:
            raise JobCancelled()


def run_job(engine: Engine, data_dir: Path, job_id: int) -> str | None:
    """Run the job ``job_id`` if it is still queued; return how it ended.

    Parameters
    ----------
    engine
        The study's database.
    data_dir
        The data folder: the result goes to ``jobs/<job id>/`` in it.
    job_id
        The job.

    Returns
    -------
    str or None
        ``done``, ``failed`` or ``cancelled``; None when the job was not
        queued (cancelled before it started, or run by another worker).
    """
    # Read before the write lock: a new worker's first statements open its
    # connection and compile, tens of milliseconds at a low priority on a busy
    # machine, which every respondent's page would otherwise wait for.
    with transaction(engine) as session:
        try:
            kind, parameters, owner_id = job_order(session=session, job_id=job_id)
        except SociaparisError:
            return None  # removed since it was queued
        actor = get_account(session=session, user_id=owner_id)
    with _writing(engine) as session:
        if not claim_job(session=session, job_id=job_id):
            return None
    folder = jobs_folder(data_dir) / str(job_id)
    status, error, relative, size = FAILED, None, None, None
    try:
        if actor is None:
            raise SociaparisError(JobError.OWNER_GONE, job_id=job_id)
        folder.mkdir(parents=True, exist_ok=True)
        reporter = _Reporter(engine, data_dir, job_id)
        with transaction(engine) as session:
            path = job_kind(kind).run(
                session=session,
                actor=actor,
                parameters=parameters,
                folder=folder,
                data_dir=data_dir,
                progress=reporter,
            )
        relative = path.relative_to(jobs_folder(data_dir)).as_posix()
        size = path.stat().st_size
        status = DONE
    except JobCancelled:
        status = CANCELLED
        error = SociaparisError(JobError.CANCELLED, job_id=job_id)
    except SociaparisError as exc:
        error = exc
    except Exception as exc:
        logger.exception("job %s (%s) failed", job_id, kind)
        error = SociaparisError(
            JobError.UNEXPECTED, job_id=job_id, error=type(exc).__name__
        )
    with _writing(engine) as session:
        finish_job(
            session=session,
            job_id=job_id,
            status=status,
            result_path=relative,
            result_bytes=size,
            error=error,
        )
    # The progress file stays with a done job's result (both go with its
    # folder), and a failed job's folder goes only once its end is recorded: a
    # status read that found the job still running, then looked for its
    # progress, would otherwise show 0 % again.
    if status != DONE:
        shutil.rmtree(folder, ignore_errors=True)
    return status
