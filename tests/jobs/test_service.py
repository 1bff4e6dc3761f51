"""Job services on SQLite and PostgreSQL: start, see, cancel, run, download, sweep."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, update
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.config import Settings
from sociaparis.core.db import ensure_schema, make_engine, transaction, utcnow
from sociaparis.core.errors import ErrorRecord, Reason, SociaparisError
from sociaparis.jobs.errors import JobError
from sociaparis.jobs.models import JobRecord
from sociaparis.jobs.runner import run_job
from sociaparis.jobs.service import (
    FAILED,
    RUNNING,
    _view,
    cancel_job,
    claim_job,
    finish_job,
    get_job,
    job_result,
    list_jobs,
    remove_job,
    start_job,
    sweep_jobs,
)
from sociaparis.reports.builds import list_builds
from sociaparis.survey.exports import export_zip
from sociaparis.survey.synthetic import add_synthetic_responses
from tests.factories import add_role_accounts, field_form


class RecordingQueue:
    """A queue that remembers what it was told (the services' only contact)."""

    def __init__(self) -> None:
        self.enqueued: list[int] = []
        self.revoked: list[int] = []

    def enqueue(self, job_id: int) -> None:
        self.enqueued.append(job_id)

    def revoke(self, job_id: int) -> None:
        self.revoked.append(job_id)


@pytest.fixture
def study(tmp_path: Path, database_url: str) -> Iterator[tuple[Engine, Settings, str]]:
    """A fresh database (SQLite, then PostgreSQL) with a fielded form, 12
    responses and one account per role."""
    settings = Settings(
        data_dir=tmp_path / "data", database_url=database_url, secret_key="x" * 32
    )
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    with transaction(engine) as session:
        form_id = field_form(session)
        add_synthetic_responses(session=session, form_id=form_id, count=12, seed=5)
        add_role_accounts(session)
    yield engine, settings, form_id
    engine.dispose()


def _account(session: Session, role: Role) -> Account:
    from sociaparis.accounts.service import find_account

    account = find_account(session=session, username=role.value)
    assert account is not None
    return account


def _start(engine: Engine, role: Role, queue: RecordingQueue, **parameters) -> int:
    with transaction(engine) as session:
        job = start_job(
            session=session,
            actor=_account(session, role),
            kind=parameters.pop("kind", "export"),
            parameters=parameters,
            queue=queue,
        )
    return job.id


@pytest.mark.parametrize(
    ("role", "kind", "parameters", "code"),
    [
        (Role.VIEWER, "export", {"fmt": "csv"}, JobError.NOT_ALLOWED.code),
        (Role.CODER, "report", {"fmt": "html"}, JobError.NOT_ALLOWED.code),
        (Role.RESEARCHER, "export", {"fmt": "docx"}, JobError.BAD_PARAMETER.code),
        (Role.RESEARCHER, "report", {"fmt": "odt"}, JobError.BAD_PARAMETER.code),
        (Role.RESEARCHER, "export", {"fmt": "csv", "lang": "de"}, "JOB_004"),
        (Role.RESEARCHER, "qca", {}, JobError.UNKNOWN_KIND.code),
        (Role.RESEARCHER, "export", {"fmt": "csv", "form_id": "nope"}, "SURVEY_030"),
        (Role.RESEARCHER, "report", {"sections": "methods"}, "JOB_004"),
        (Role.RESEARCHER, "report", {"sections": ["nope"]}, "REPORT_050"),
        (Role.RESEARCHER, "report", {"weighting": "raked"}, "REPORT_051"),
        (Role.RESEARCHER, "report", {"weighting": "both"}, "JOB_004"),
        (Role.VIEWER, "themes", {"question": "q"}, JobError.NOT_ALLOWED.code),
        (Role.RESEARCHER, "themes", {}, "JOB_004"),
        (Role.RESEARCHER, "themes", {"question": "q", "n_themes": 0}, "JOB_004"),
        (Role.RESEARCHER, "themes", {"question": "q", "min_count": 4}, "ANALYSIS_010"),
    ],
)
def test_start_refusals(study, role, kind, parameters, code) -> None:
    engine, _settings, form_id = study
    queue = RecordingQueue()
    parameters = {"form_id": form_id, **parameters}
    with pytest.raises(SociaparisError) as caught, transaction(engine) as session:
        start_job(
            session=session,
            actor=_account(session, role),
            kind=kind,
            parameters=parameters,
            queue=queue,
        )
    assert caught.value.code == code
    assert queue.enqueued == []


def test_export_job_runs_once_and_gives_the_download_archive(study) -> None:
    engine, settings, form_id = study
    queue = RecordingQueue()
    job_id = _start(engine, Role.RESEARCHER, queue, form_id=form_id, fmt="csv")
    assert queue.enqueued == [job_id]  # told once the transaction committed
    assert run_job(engine, settings.data_dir, job_id) == "done"
    assert run_job(engine, settings.data_dir, job_id) is None  # claimed once only
    with transaction(engine) as session:
        owner = _account(session, Role.RESEARCHER)
        job = get_job(session=session, actor=owner, job_id=job_id)
        path, media = job_result(
            session=session, actor=owner, job_id=job_id, data_dir=settings.data_dir
        )
        _name, expected = export_zip(
            session=session,
            actor=owner,
            form_id=form_id,
            fmt="csv",
            lang="fr",
            data_dir=settings.data_dir,
        )
    assert (job.status, job.percent, job.step) == ("done", 100, "done")
    assert job.result_name == f"{form_id}-csv.zip" == path.name
    assert media == "application/zip"
    assert job.result_bytes == path.stat().st_size
    got = zipfile.ZipFile(path)
    want = zipfile.ZipFile(io.BytesIO(expected))
    assert sorted(got.namelist()) == sorted(want.namelist())
    for name in want.namelist():
        assert got.read(name) == want.read(name), name


def test_a_status_read_racing_the_end_of_a_job_keeps_its_progress(study) -> None:
    """A status read that finds the job still running, then reads its progress
    file, shows the last percent even if the job ended in between: the file
    stays with the result instead of going once the job is recorded done."""
    engine, settings, form_id = study
    job_id = _start(engine, Role.RESEARCHER, RecordingQueue(), form_id=form_id, fmt="csv")
    with transaction(engine) as session:
        # The row as a status read found it, before the job ran to its end.
        seen_running = session.get(JobRecord, job_id)
        session.expunge(seen_running)
    seen_running.status = RUNNING
    assert run_job(engine, settings.data_dir, job_id) == "done"
    shown = _view(seen_running, "ana", settings.data_dir)
    assert shown.percent >= 75 and shown.step == "writing"


def test_report_job_writes_the_report(study) -> None:
    engine, settings, form_id = study
    job_id = _start(
        engine, Role.ADMIN, RecordingQueue(), kind="report", form_id=form_id, fmt="html"
    )
    assert run_job(engine, settings.data_dir, job_id) == "done"
    with transaction(engine) as session:
        path, media = job_result(
            session=session,
            actor=_account(session, Role.ADMIN),
            job_id=job_id,
            data_dir=settings.data_dir,
        )
    assert media.startswith("text/html")
    assert path.name == f"{form_id}-report.html"
    assert "<html" in path.read_text(encoding="utf-8")[:500].lower()
    with transaction(engine) as session:  # kept apart from the job, with its id
        [kept] = list_builds(session=session, actor=_account(session, Role.ADMIN))
    assert (kept.form_id, kept.job_id, kept.weighting) == (form_id, job_id, "design")
    assert (settings.data_dir / "reports" / str(kept.id) / path.name).read_bytes() == (
        path.read_bytes()
    )


def test_who_sees_what(study) -> None:
    engine, _settings, form_id = study
    queue = RecordingQueue()
    mine = _start(engine, Role.RESEARCHER, queue, form_id=form_id, fmt="csv")
    theirs = _start(engine, Role.ADMIN, queue, form_id=form_id, fmt="xlsx")
    with transaction(engine) as session:
        researcher = _account(session, Role.RESEARCHER)
        admin = _account(session, Role.ADMIN)
        assert [j.id for j in list_jobs(session=session, actor=researcher)] == [mine]
        everyone = list_jobs(session=session, actor=admin, everyone=True)
        assert [(j.id, j.owner) for j in everyone] == [
            (theirs, "admin"),
            (mine, "researcher"),
        ]
        assert get_job(session=session, actor=admin, job_id=mine).owner == "researcher"
        for job_id in (theirs, 10_000):
            with pytest.raises(SociaparisError) as caught:
                get_job(session=session, actor=researcher, job_id=job_id)
            assert caught.value.code == JobError.NOT_FOUND.code
        with pytest.raises(SociaparisError) as caught:
            list_jobs(session=session, actor=researcher, everyone=True)
        assert caught.value.code == JobError.NOT_ALLOWED.code


def test_a_job_removed_from_the_table_after_it_was_queued_is_skipped(study) -> None:
    engine, settings, form_id = study
    job_id = _start(engine, Role.RESEARCHER, RecordingQueue(), form_id=form_id, fmt="csv")
    with transaction(engine) as session:
        session.execute(delete(JobRecord).where(JobRecord.id == job_id))
    assert run_job(engine, settings.data_dir, job_id) is None
    assert not (settings.data_dir / "jobs" / str(job_id)).exists()


def test_cancel_queued_and_running(study) -> None:
    engine, settings, form_id = study
    queue = RecordingQueue()
    queued = _start(engine, Role.RESEARCHER, queue, form_id=form_id, fmt="csv")
    with transaction(engine) as session:
        actor = _account(session, Role.RESEARCHER)
        job = cancel_job(session=session, actor=actor, job_id=queued, queue=queue)
    assert job.status == "cancelled" and queue.revoked == [queued]
    assert run_job(engine, settings.data_dir, queued) is None  # skipped by the worker
    with pytest.raises(SociaparisError) as caught, transaction(engine) as session:
        cancel_job(session=session, actor=actor, job_id=queued)
    assert caught.value.code == JobError.NOT_CANCELLABLE.code

    running = _start(engine, Role.RESEARCHER, queue, form_id=form_id, fmt="csv")
    from sociaparis.jobs import runner

    real = runner._Reporter.__call__
    seen: list[str] = []

    def cancel_at_first_progress(self, percent: int, step: str) -> None:
        if not seen:
            with transaction(engine) as session:
                cancel_job(session=session, actor=actor, job_id=running)
        seen.append(step)
        real(self, percent, step)

    runner._Reporter.__call__ = cancel_at_first_progress
    try:
        assert run_job(engine, settings.data_dir, running) == "cancelled"
    finally:
        runner._Reporter.__call__ = real
    assert seen == ["reading"]
    with transaction(engine) as session:
        job = get_job(session=session, actor=actor, job_id=running)
    assert (job.status, job.error_code, job.result_name) == ("cancelled", "JOB_008", None)
    assert not (settings.data_dir / "jobs" / str(running)).exists()


def test_failure_is_recorded_with_its_code(study) -> None:
    engine, settings, form_id = study
    job_id = _start(engine, Role.RESEARCHER, RecordingQueue(), form_id=form_id, fmt="csv")
    with transaction(engine) as session:  # the role was withdrawn after the start
        from sociaparis.accounts.service import LOCAL_ADMIN, set_role

        set_role(
            session=session, actor=LOCAL_ADMIN, username="researcher", role=Role.VIEWER
        )
    assert run_job(engine, settings.data_dir, job_id) == "failed"
    with transaction(engine) as session:
        viewer = _account(session, Role.RESEARCHER)
        job = get_job(session=session, actor=viewer, job_id=job_id)
        assert (job.status, job.error_code) == ("failed", "EXPORT_007")
        assert "viewer" in job.error_message
        with pytest.raises(SociaparisError) as caught:
            job_result(
                session=session, actor=viewer, job_id=job_id, data_dir=settings.data_dir
            )
        assert caught.value.code == JobError.NOT_ALLOWED.code


def test_sweep_removes_old_requeues_lost_and_fails_stale(study) -> None:
    engine, settings, form_id = study
    queue = RecordingQueue()
    done = _start(engine, Role.RESEARCHER, queue, form_id=form_id, fmt="csv")
    run_job(engine, settings.data_dir, done)
    forgotten = _start(engine, Role.RESEARCHER, queue, form_id=form_id, fmt="csv")
    stale = _start(engine, Role.RESEARCHER, queue, form_id=form_id, fmt="csv")
    with transaction(engine) as session:
        record = session.get(JobRecord, stale)
        record.status = "running"
        record.heartbeat_at = utcnow() - timedelta(minutes=30)
    later = utcnow() + timedelta(hours=2)
    with transaction(engine) as session:
        sweep = sweep_jobs(
            session=session,
            data_dir=settings.data_dir,
            retention=timedelta(hours=1),
            now=later,
        )
    assert sweep.removed == (done,)
    assert sweep.requeued == (forgotten,)
    assert sweep.lost == (stale,)
    assert not (settings.data_dir / "jobs" / str(done)).exists()
    with transaction(engine) as session:
        actor = _account(session, Role.RESEARCHER)
        assert get_job(session=session, actor=actor, job_id=stale).error_code == "JOB_009"
        remove_job(session=session, actor=actor, job_id=stale, data_dir=settings.data_dir)
        assert [j.id for j in list_jobs(session=session, actor=actor)] == [forgotten]
        with pytest.raises(SociaparisError) as caught:
            remove_job(
                session=session, actor=actor, job_id=forgotten, data_dir=settings.data_dir
            )
        assert caught.value.code == JobError.STILL_ACTIVE.code


def test_too_many_active_jobs(study) -> None:
    engine, _settings, form_id = study
    queue = RecordingQueue()
    for _ in range(5):
        _start(engine, Role.RESEARCHER, queue, form_id=form_id, fmt="csv")
    with pytest.raises(SociaparisError) as caught:
        _start(engine, Role.RESEARCHER, queue, form_id=form_id, fmt="csv")
    assert caught.value.code == JobError.TOO_MANY.code
    assert len(queue.enqueued) == 5


def _running(engine: Engine, form_id: str) -> int:
    """A job claimed by a worker (``finish_job`` records how a running job ended)."""
    job_id = _start(engine, Role.RESEARCHER, RecordingQueue(), form_id=form_id, fmt="csv")
    with transaction(engine) as session:
        assert claim_job(session=session, job_id=job_id)
    return job_id


CHOOSE = Reason(en="choose one of csv, xlsx", fr="choisissez parmi csv, xlsx")


def test_a_failed_job_keeps_its_error_context_with_both_languages(study) -> None:
    engine, _settings, form_id = study
    job_id = _running(engine, form_id)
    error = SociaparisError(
        JobError.BAD_PARAMETER, name="fmt", value="spss", reason=CHOOSE
    )
    with transaction(engine) as session:
        finish_job(session=session, job_id=job_id, status=FAILED, error=error)
    with transaction(engine) as session:
        job = get_job(
            session=session, actor=_account(session, Role.RESEARCHER), job_id=job_id
        )
    assert (job.error_code, job.error_message) == ("JOB_004", error.message)
    assert job.error_context == {
        "name": "fmt",
        "value": "spss",
        "reason": {"en": CHOOSE.en, "fr": CHOOSE.fr},
    }
    assert job.failure == ErrorRecord(
        "JOB_004", error.message, {"name": "fmt", "value": "spss", "reason": CHOOSE}
    )
    assert job.to_dict()["error_context"] == job.error_context


def test_a_job_recorded_without_a_context_keeps_its_message(study) -> None:
    engine, _settings, form_id = study
    job_id = _running(engine, form_id)
    with transaction(engine) as session:
        finish_job(
            session=session,
            job_id=job_id,
            status=FAILED,
            error=SociaparisError(JobError.OWNER_GONE, job_id=job_id),
        )
        session.execute(
            update(JobRecord).where(JobRecord.id == job_id).values(error_context=None)
        )
    with transaction(engine) as session:
        job = get_job(
            session=session, actor=_account(session, Role.RESEARCHER), job_id=job_id
        )
    assert job.error_context is None
    assert job.failure == ErrorRecord("JOB_011", job.error_message)


def test_cancelled_lost_and_unexpected_jobs_keep_their_context(
    study, monkeypatch
) -> None:
    engine, settings, form_id = study
    queued = _start(engine, Role.RESEARCHER, RecordingQueue(), form_id=form_id, fmt="csv")
    lost = _running(engine, form_id)
    broken = _start(engine, Role.RESEARCHER, RecordingQueue(), form_id=form_id, fmt="csv")
    with transaction(engine) as session:
        cancel_job(
            session=session, actor=_account(session, Role.RESEARCHER), job_id=queued
        )
        session.get(JobRecord, lost).heartbeat_at = utcnow() - timedelta(hours=1)
    with transaction(engine) as session:
        sweep_jobs(
            session=session, data_dir=settings.data_dir, retention=timedelta(days=7)
        )

    class Broken:
        def run(self, **_arguments) -> None:
            raise KeyError("column")

    monkeypatch.setattr("sociaparis.jobs.runner.job_kind", lambda kind: Broken())
    assert run_job(engine, settings.data_dir, broken) == FAILED
    with transaction(engine) as session:
        actor = _account(session, Role.RESEARCHER)
        seen = {
            job_id: get_job(session=session, actor=actor, job_id=job_id)
            for job_id in (queued, lost, broken)
        }
    assert (seen[queued].error_code, seen[queued].error_context) == (
        "JOB_008",
        {"job_id": queued},
    )
    assert (seen[lost].error_code, seen[lost].error_context) == (
        "JOB_009",
        {"job_id": lost, "seconds": 600},
    )
    assert (seen[broken].error_code, seen[broken].error_context) == (
        "JOB_010",
        {"job_id": broken, "error": "KeyError"},
    )
