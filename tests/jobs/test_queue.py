"""The huey queue on each backend: a job queued on commit is run by a consumer,
a queued job cancelled is skipped, and the queue's tables stay out of the
study's schema."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import create_user
from sociaparis.core.config import Settings
from sociaparis.core.db import ensure_schema, make_engine, transaction
from sociaparis.jobs.queue import HueyJobQueue
from sociaparis.jobs.service import cancel_job, get_job, start_job
from sociaparis.survey.synthetic import add_synthetic_responses
from tests.factories import field_form


def _wait(engine, actor, job_id: int, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with transaction(engine) as session:
            job = get_job(session=session, actor=actor, job_id=job_id)
        if not job.active:
            return job.status
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {job.status} after {seconds} s")


def test_queue_runs_jobs_once_on_each_backend(tmp_path: Path, database_url: str) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", database_url=database_url, secret_key="x" * 32
    )
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    queue = HueyJobQueue(settings)
    HueyJobQueue(settings)  # a second process's queue: the tables already exist
    with transaction(engine) as session:
        form_id = field_form(session)
        add_synthetic_responses(session=session, form_id=form_id, count=8, seed=2)
        actor = create_user(
            session=session,
            username="ana",
            password="a long enough password",
            role=Role.RESEARCHER,
        )
    with transaction(engine) as session:
        first = start_job(
            session=session,
            actor=actor,
            kind="export",
            parameters={"form_id": form_id, "fmt": "csv"},
            queue=queue,
        ).id
        cancelled = start_job(
            session=session,
            actor=actor,
            kind="export",
            parameters={"form_id": form_id, "fmt": "xlsx"},
            queue=queue,
        ).id
    with transaction(engine) as session:
        cancel_job(session=session, actor=actor, job_id=cancelled, queue=queue)
    queue.enqueue(first)  # queued twice: still run once
    assert queue.pending() == 3
    consumer = queue.consumer(workers=2, processes=False, periodic=False)
    consumer.start()
    try:
        assert _wait(engine, actor, first) == "done"
        deadline = time.monotonic() + 10
        while queue.pending() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        consumer.stop(graceful=True)
        queue.close()
    assert queue.pending() == 0
    with transaction(engine) as session:
        assert get_job(session=session, actor=actor, job_id=cancelled).status == (
            "cancelled"
        )
    tables = set(inspect(engine).get_table_names())
    assert not tables & {"task", "kv", "schedule", "counter"}
    if settings.is_sqlite:
        assert (settings.data_dir / "jobs" / "queue.db").is_file()
    else:
        assert "sociaparis_queue" in inspect(engine).get_schema_names()
    engine.dispose()


@pytest.mark.parametrize("workers", [0, 3])
def test_settings_accept_worker_counts(tmp_path: Path, workers: int) -> None:
    assert Settings(data_dir=tmp_path, jobs_workers=workers).jobs_workers == workers


@pytest.mark.parametrize("priority", ["low", "idle"])
def test_serve_starts_its_job_workers_at_the_priority_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, priority: str
) -> None:
    """``SOCIAPARIS_JOBS_PRIORITY`` reaches the worker ``serve`` starts: a real
    process, whose niceness (and scheduling policy) is read from the system."""
    import os
    import time

    from sociaparis.cli.serve import start_job_workers

    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOCIAPARIS_SECRET_KEY", "test-secret-key-0123456789")
    monkeypatch.setenv("SOCIAPARIS_JOBS_PRIORITY", priority)
    settings = Settings()
    worker = start_job_workers(1, settings.jobs_priority)
    try:
        deadline = time.monotonic() + 30
        while os.getpriority(os.PRIO_PROCESS, worker.pid) != 19:
            assert worker.poll() is None, "the worker stopped"
            assert time.monotonic() < deadline, "the worker was never reniced"
            time.sleep(0.1)
        policy = os.sched_getscheduler(worker.pid)
        # SCHED_IDLE only for "idle", where the system allows it (a container may not)
        assert policy == os.SCHED_OTHER or (
            priority == "idle" and policy == os.SCHED_IDLE
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_settings_refuse_an_unknown_job_priority(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="jobs_priority"):
        Settings(data_dir=tmp_path, jobs_priority="urgent")


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux ``/proc``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def test_job_worker_processes_end_with_their_consumer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A consumer killed outright (as by SIGKILL, or a SIGTERM before huey has
    set its handlers) takes its worker processes with it: none is left polling
    the queue."""
    import contextlib
    import os
    import signal
    import time

    from sociaparis.cli.serve import start_job_workers

    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOCIAPARIS_SECRET_KEY", "test-secret-key-0123456789")
    worker = start_job_workers(2)
    try:
        deadline = time.monotonic() + 60
        while len(children := _children(worker.pid)) < 2:
            assert worker.poll() is None, "the worker stopped"
            assert time.monotonic() < deadline, "the worker processes never started"
            time.sleep(0.1)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        deadline = time.monotonic() + 10
        while alive := [pid for pid in children if Path(f"/proc/{pid}").exists()]:
            for pid in alive:  # reap them if they became ours; else init does
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)
            assert time.monotonic() < deadline, f"worker processes left: {alive}"
            time.sleep(0.1)
    finally:
        if worker.poll() is None:
            worker.kill()


def test_workers_keep_export_blocks_every_five_minutes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sociaparis.survey.exports as exports

    monkeypatch.setattr(exports, "BLOCK_RESPONSES", 3)
    settings = Settings(data_dir=tmp_path / "data", secret_key="x" * 32)
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    with transaction(engine) as session:
        form_id = field_form(session)
        add_synthetic_responses(session=session, form_id=form_id, count=7, seed=2)
    queue = HueyJobQueue(settings)
    try:
        due = {
            minute: sorted(task.name for task in queue.huey.read_periodic(when))
            for minute, when in (
                (5, datetime(2026, 12, 7, 0, 5)),
                (6, datetime(2026, 12, 7, 0, 6)),
            )
        }
        assert due == {
            5: ["sociaparis_keep_export_blocks", "sociaparis_sweep_jobs"],
            6: ["sociaparis_sweep_jobs"],
        }
        assert queue.keep_export_blocks() == 6  # two blocks of 3; 1 left in rows
        assert queue.keep_export_blocks() == 0
    finally:
        queue.close()
        engine.dispose()
