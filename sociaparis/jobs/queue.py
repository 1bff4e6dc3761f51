"""The task queue that carries jobs to the workers: huey.

- Embedded default (SQLite): huey's ``SqliteHuey`` on ``<data folder>/jobs/
  queue.db``, a file of its own (queueing never waits on the study database's
  write lock); nothing else to run.
- PostgreSQL: huey's ``SqlHuey`` (through peewee) on the study's own database,
  in a schema of its own (``sociaparis_queue``), dequeued with ``FOR UPDATE
  SKIP LOCKED``: every app server and worker sharing the database shares the
  queue.

The queue only says "run job N"; the ``jobs`` table holds everything else, and
a job is claimed once (:func:`~sociaparis.jobs.service.claim_job`) however many
times it is queued. docs/jobs.md weighs huey against the alternatives.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from huey import SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from sociaparis.core.config import Settings
from sociaparis.core.db import make_engine, transaction
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.core.private import private_folder
from sociaparis.jobs.errors import JobError
from sociaparis.jobs.runner import run_job
from sociaparis.jobs.service import jobs_folder, sweep_jobs
from sociaparis.survey.exports import keep_export_blocks

logger = logging.getLogger(__name__)
QUEUE_NAME = "sociaparis"
#: PostgreSQL schema of huey's tables, apart from the study's
QUEUE_SCHEMA = "sociaparis_queue"
_SCHEMA_LOCK = 74_221_101  # pg_advisory_xact_lock key: one creator at a time


def _end_with_parent(parent: int) -> None:
    """Have the kernel kill this (forked) worker process when its parent ends.

    huey forks its workers before it installs the consumer's signal handlers: a
    SIGTERM in between ends the consumer at once and leaves the workers
    polling the queue for ever, with no stop flag to see (seen when a server
    stopped its worker just after starting it). Linux only (``prctl``); a
    no-op elsewhere.
    """
    import ctypes
    import ctypes.util
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before prctl took effect
        os._exit(0)


def task_id(job_id: int) -> str:
    """huey's id of the task that runs ``job_id`` (to revoke it by id)."""
    return f"sociaparis-job-{job_id}"


def _sqlite_huey(settings: Settings) -> Any:
    folder = jobs_folder(settings.data_dir)
    private_folder(folder)
    return SqliteHuey(
        QUEUE_NAME, filename=str(folder / "queue.db"), results=False, utc=True
    )


def _postgres_huey(settings: Settings) -> Any:
    from huey.contrib.sql_huey import SqlHuey
    from peewee import PostgresqlDatabase

    url = make_url(settings.database_url)
    database = PostgresqlDatabase(
        url.database,
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        options=f"-c search_path={QUEUE_SCHEMA}",
    )
    huey = SqlHuey(
        QUEUE_NAME, database=database, results=False, utc=True, create_tables=False
    )
    # Several servers and workers may start at once: one creates, the others wait.
    with database.atomic():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        database.execute_sql(f"CREATE SCHEMA IF NOT EXISTS {QUEUE_SCHEMA}")
        storage = huey.storage
        database.create_tables(
            [storage.KV, storage.Schedule, storage.Task, storage.Counter]
        )
    database.close()  # a worker process opens its own
    return huey


class HueyJobQueue:
    """The job queue of a study: enqueue, revoke, and the workers' consumer.

    Parameters
    ----------
    settings
        The study's settings: the database (SQLite or PostgreSQL) decides
        where the queue lives; the data folder holds the results.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        try:
            self.huey = (
                _sqlite_huey(settings) if settings.is_sqlite else _postgres_huey(settings)
            )
        except Exception as exc:  # the driver's own error says what is wrong
            where = (
                Reason(en="the data folder", fr="le dossier des données")
                if settings.is_sqlite
                else "PostgreSQL"
            )
            raise SociaparisError(
                JobError.QUEUE_UNAVAILABLE, where=where, reason=exc
            ) from None
        self._engines: dict[int, Engine] = {}
        self._run = self.huey.task(name="sociaparis_run_job")(self._execute)
        self.huey.periodic_task(crontab(minute="*"), name="sociaparis_sweep_jobs")(
            self._sweep
        )
        self.huey.periodic_task(
            crontab(minute="*/5"), name="sociaparis_keep_export_blocks"
        )(self.keep_export_blocks)

    def engine(self) -> Engine:
        """This process's engine on the study's database (a forked worker
        process must not use its parent's connections)."""
        pid = os.getpid()
        if pid not in self._engines:
            self._engines[pid] = make_engine(self.settings)
        return self._engines[pid]

    def enqueue(self, job_id: int) -> None:
        """Queue the job for the workers."""
        task = self._run.s(job_id)
        task.id = task_id(job_id)
        self.huey.enqueue(task)

    def revoke(self, job_id: int) -> None:
        """Have the workers skip the job's task (it was cancelled while queued)."""
        self.huey.revoke_by_id(task_id(job_id), revoke_once=True)

    def pending(self) -> int:
        """Tasks waiting in the queue."""
        return int(self.huey.pending_count())

    def _execute(self, job_id: int) -> str | None:
        return run_job(self.engine(), Path(self.settings.data_dir), job_id)

    def _sweep(self) -> None:
        with transaction(self.engine()) as session:
            sweep = sweep_jobs(
                session=session,
                data_dir=Path(self.settings.data_dir),
                retention=timedelta(hours=self.settings.jobs_retention_hours),
            )
        for job_id in sweep.requeued:
            self.enqueue(job_id)
        if sweep.removed or sweep.lost:
            logger.info("jobs removed %s, lost %s", sweep.removed, sweep.lost)

    def keep_export_blocks(self) -> int:
        """Put the completed responses in no export block into new blocks
        (:func:`~sociaparis.survey.exports.keep_export_blocks`), so that the
        first export after a wave of responses reads them as fast as the next.
        """
        kept = keep_export_blocks(engine=self.engine())
        if kept:
            logger.info("export blocks: %s responses kept", kept)
        return kept

    def consumer(
        self, *, workers: int = 1, processes: bool = True, periodic: bool = True
    ) -> Consumer:
        """huey's consumer: ``workers`` worker processes (or threads) that run
        the queued jobs, and the scheduler of the every-minute sweep and of
        the export blocks every five minutes.

        Worker processes end with the consumer's process, however it ends
        (:func:`_end_with_parent`).
        """
        consumer = self.huey.create_consumer(
            workers=workers,
            worker_type="process" if processes else "thread",
            periodic=periodic,
            initial_delay=0.1,
            backoff=1.5,
            max_delay=1.0,
        )
        if processes:
            start_child = consumer.environment.init_child
            parent = os.getpid()

            def init_child(process: Any) -> None:
                start_child(process)
                _end_with_parent(parent)

            consumer.environment.init_child = init_child
        return consumer

    def close(self) -> None:
        """Close this process's database connections."""
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
