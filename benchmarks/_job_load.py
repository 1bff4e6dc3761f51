"""Background jobs as load for ``survey_fielding.py --jobs``: stored responses
for them to export, and a driver that keeps 3 exports and 1 report running."""

from __future__ import annotations

import multiprocessing
import random
import secrets
import statistics
import time
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import create_user, find_account
from sociaparis.core.config import Settings
from sociaparis.core.db import make_engine, transaction
from sociaparis.jobs.models import JobRecord
from sociaparis.jobs.queue import HueyJobQueue
from sociaparis.jobs.service import ACTIVE, cancel_job, start_job
from sociaparis.survey.exports import keep_export_blocks
from sociaparis.survey.fielding.service import fielded_version
from sociaparis.survey.models import ResponseRecord
from sociaparis.survey.synthetic import synthetic_answers

USER = "bench-researcher"
#: the jobs kept running at once: three exports and one report
JOBS = (("export", "csv"), ("export", "sav"), ("export", "xlsx"), ("report", "html"))
FIRST_DAY = date(2026, 10, 1)
_BATCH = 2000


def store_responses(settings: Settings, form_id: str, count: int, seed: int) -> None:
    """``count`` completed synthetic responses written straight into the
    database (as ``benchmarks/export.py`` does), their export blocks, and the
    account that starts the jobs.

    The blocks are made as the job workers' five-minute task would have made
    them over the days the responses came in. Otherwise that task's first run,
    at the clock's next five-minute mark, makes them all in whichever run it
    falls, the baseline included.
    """
    rng = random.Random(seed)
    engine = make_engine(settings)
    try:
        with transaction(engine) as session:
            create_user(
                session=session,
                username=USER,
                password="a long enough password",
                role=Role.RESEARCHER,
            )
            stored = fielded_version(session=session, form_id=form_id)
        pool = [synthetic_answers(stored.instrument, rng=rng) for _ in range(200)]
        rows: list[dict[str, Any]] = []
        with engine.begin() as connection:
            for number in range(count):
                day = FIRST_DAY + timedelta(days=rng.randrange(30))
                rows.append(
                    {
                        "id": uuid.uuid4().hex,
                        "instrument_id": stored.id,
                        "invitation_id": None,
                        "resume_token_hash": secrets.token_hex(32),
                        "status": "completed",
                        "answers": pool[rng.randrange(len(pool))],
                        "current_page": None,
                        "attributes": {
                            "directorate": rng.choice(["dfa", "dsin", "dpev", "dase"]),
                            "job_category": rng.choice(["A", "B", "C"]),
                        },
                        "revision": 1,
                        "synthetic": True,
                        "started_on": day,
                        "completed_on": day,
                    }
                )
                if len(rows) == _BATCH or number == count - 1:
                    connection.execute(insert(ResponseRecord), rows)
                    rows = []
        keep_export_blocks(engine=engine)
    finally:
        engine.dispose()


def _drive(settings: Settings, form_id: str, halt: Any, started: Any) -> None:
    """Keep the :data:`JOBS` running until ``halt`` is set, putting the id of
    each job started on the queue ``started`` (runs in a process of its own)."""
    queue = HueyJobQueue(settings)
    engine = make_engine(settings)
    slots: dict[int, int] = {}  # slot in JOBS -> running job id
    try:
        while not halt.is_set():
            with transaction(engine) as session:
                actor = find_account(session=session, username=USER)
                states = dict(
                    session.execute(
                        select(JobRecord.id, JobRecord.status).where(
                            JobRecord.id.in_(list(slots.values()))
                        )
                    ).all()
                )
                for slot, (kind, fmt) in enumerate(JOBS):
                    job_id = slots.get(slot)
                    if job_id is None or states.get(job_id) not in ACTIVE:
                        job = start_job(
                            session=session,
                            actor=actor,
                            kind=kind,
                            parameters={"form_id": form_id, "fmt": fmt},
                            queue=queue,
                        )
                        slots[slot] = job.id
                        started.put(job.id)
            halt.wait(0.25)
    finally:
        engine.dispose()
        queue.close()


class JobLoad:
    """Keeps the :data:`JOBS` running (a new one as soon as one ends) from
    :meth:`start` until :meth:`stop`, which cancels those still running.

    The jobs go through the services and the queue as the pages start them;
    the server's job workers (``SOCIAPARIS_JOBS_WORKERS``) run them. They are
    started from a process of its own, as a researcher's browser is not the
    respondents' load generator: a thread of the load generator would hold its
    interpreter while it starts a job, and the pages' latencies it measures
    would include that.
    """

    def __init__(self, settings: Settings, form_id: str) -> None:
        self.settings = settings
        self.form_id = form_id
        self.queue = HueyJobQueue(settings)
        self.engine = make_engine(settings)
        self.started: list[int] = []
        context = multiprocessing.get_context("spawn")
        self._halt = context.Event()
        self._ids = context.Queue()
        self._process = context.Process(
            target=_drive,
            args=(settings, form_id, self._halt, self._ids),
            daemon=True,
        )

    def start(self) -> JobLoad:
        self._process.start()
        return self

    def stop(self) -> dict[str, Any]:
        """Stop starting jobs, cancel the running ones; what the jobs did."""
        self._halt.set()
        self._process.join()
        while not self._ids.empty():
            self.started.append(self._ids.get())
        with transaction(self.engine) as session:
            actor = find_account(session=session, username=USER)
            for job_id in self.started:
                try:
                    cancel_job(
                        session=session, actor=actor, job_id=job_id, queue=self.queue
                    )
                except Exception:  # noqa: BLE001 - it ended meanwhile
                    pass
        time.sleep(1)
        with transaction(self.engine) as session:
            rows = session.execute(
                select(
                    JobRecord.kind,
                    JobRecord.status,
                    JobRecord.started_at,
                    JobRecord.finished_at,
                    JobRecord.error_code,
                ).where(JobRecord.id.in_(self.started))
            ).all()
        self.engine.dispose()
        self.queue.close()
        done = {
            kind: [
                (r.finished_at - r.started_at).total_seconds()
                for r in rows
                if r.kind == kind and r.status == "done"
            ]
            for kind in ("export", "report")
        }
        return {
            "jobs_started": len(self.started),
            "jobs_done": sum(len(v) for v in done.values()),
            "jobs_failed": sorted({r.error_code for r in rows if r.status == "failed"}),
            "export_median_s": round(statistics.median(done["export"]), 1)
            if done["export"]
            else None,
            "report_median_s": round(statistics.median(done["report"]), 1)
            if done["report"]
            else None,
        }
