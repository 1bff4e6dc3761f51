"""``sociaparis job``: background jobs (exports, reports) and their workers."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import click

from sociaparis.cli.common import (
    ACTING_USER,
    JSON_OUTPUT,
    database_session,
    open_study,
    print_json,
)
from sociaparis.core.config import get_settings


@click.group()
def job() -> None:
    """Start, follow and cancel background jobs; run the job workers."""


def _actor(session: Any, username: str) -> Any:
    from sociaparis.accounts.errors import AccountError
    from sociaparis.accounts.service import find_account
    from sociaparis.core.errors import SociaparisError

    account = find_account(session=session, username=username)
    if account is None:
        raise SociaparisError(AccountError.UNKNOWN_USER, username=username)
    return account


def _failure(job: Any) -> str:
    """Why the job failed or was cancelled, as the CLI says it (English)."""
    failure = job.failure
    return f"{failure.code}: {failure.message}" if failure is not None else ""


def _line(job: Any) -> str:
    where = f"  {job.result_name}" if job.result_name else ""
    error = f"  {_failure(job)}" if job.failure is not None else ""
    return (
        f"{job.id:>5}  {job.kind:<7} {job.status:<9} {job.percent:>3} %  "
        f"{job.owner:<12} {job.title}{where}{error}"
    )


def _start(kind: str, parameters: dict[str, Any], username: str, wait: bool) -> None:
    from sociaparis.jobs.queue import HueyJobQueue
    from sociaparis.jobs.service import start_job

    queue = HueyJobQueue(get_settings())
    with database_session() as session:
        started = start_job(
            session=session,
            actor=_actor(session, username),
            kind=kind,
            parameters=parameters,
            queue=queue,
        )
    click.echo(f"Job {started.id} queued: {started.title}")
    if wait:
        _wait(started.id, username)


def _wait(job_id: int, username: str) -> None:
    from sociaparis.jobs.service import get_job, jobs_folder

    while True:
        with database_session() as session:
            current = get_job(
                session=session, actor=_actor(session, username), job_id=job_id
            )
        if not current.active:
            break
        click.echo(f"  {current.percent:>3} %  {current.step}", err=True)
        time.sleep(1)
    if current.status != "done":
        raise click.ClickException(_failure(current))
    path = jobs_folder(get_settings().data_dir) / str(job_id) / str(current.result_name)
    click.echo(f"Job {job_id} done: {path}")


@job.command("export")
@click.argument("form_id")
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["csv", "xlsx", "sav", "dta", "parquet"]),
)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("--wait", is_flag=True, help="Follow the job until it ends.")
@ACTING_USER
def export_command(form_id: str, fmt: str, lang: str, wait: bool, username: str) -> None:
    """Queue the export of FORM_ID's responses (the fielding page's archive)."""
    _start("export", {"form_id": form_id, "fmt": fmt, "lang": lang}, username, wait)


@job.command("report")
@click.argument("form_id")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "pdf"]),
    default="html",
    show_default=True,
)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option(
    "--section",
    "sections",
    multiple=True,
    help="Keep only this section (repeatable); default: every section.",
)
@click.option(
    "--weighting",
    type=click.Choice(["design", "raked"]),
    default="design",
    show_default=True,
    help="raked needs --study (its population margins).",
)
@click.option(
    "--study",
    "study_path",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Study folder whose population margins rake the report.",
)
@click.option("--wait", is_flag=True, help="Follow the job until it ends.")
@ACTING_USER
def report_command(
    form_id: str,
    fmt: str,
    lang: str,
    sections: tuple[str, ...],
    weighting: str,
    study_path: Path | None,
    wait: bool,
    username: str,
) -> None:
    """Queue the report of FORM_ID's responses (small cells hidden); it is kept
    with its parameters on the reports page."""
    parameters = {
        "form_id": form_id,
        "fmt": fmt,
        "lang": lang,
        "sections": list(sections) or None,
        "weighting": weighting,
        "study": str(study_path.resolve()) if study_path is not None else None,
    }
    _start("report", parameters, username, wait)


@job.command("themes")
@click.argument("form_id")
@click.argument("question")
@click.option("--n-themes", type=click.IntRange(min=1), help="Number of groups to make.")
@click.option(
    "--min-count",
    type=int,
    default=None,
    help="Smallest theme shown with its quotes (default 10, never below 5).",
)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("--wait", is_flag=True, help="Follow the job until it ends.")
@ACTING_USER
def themes_command(
    form_id: str,
    question: str,
    n_themes: int | None,
    min_count: int | None,
    lang: str,
    wait: bool,
    username: str,
) -> None:
    """Queue the themes of QUESTION's open answers (as sociaparis stats themes
    --json; the open answers page shows them)."""
    parameters = {
        "form_id": form_id,
        "question": question,
        "n_themes": n_themes,
        "min_count": min_count,
        "lang": lang,
    }
    _start("themes", parameters, username, wait)


@job.command("pseudonymize")
@click.argument("documents", nargs=-1, required=True)
@click.option("--no-ner", is_flag=True, help="Do not run spaCy's statistical model.")
@click.option("--wait", is_flag=True, help="Follow the job until it ends.")
@ACTING_USER
def pseudonymize_command(
    documents: tuple[str, ...], no_ner: bool, wait: bool, username: str
) -> None:
    """Queue the search for the names, places and numbers of DOCUMENTS (ids,
    GUIDs or titles; at most 50), as sociaparis qual pseudonymize does; each
    document's review opens as its search ends."""
    parameters = {"documents": list(documents), "use_ner": not no_ner}
    _start("pseudonymize", parameters, username, wait)


@job.command("list")
@click.option("--all", "everyone", is_flag=True, help="Every account's jobs (admins).")
@JSON_OUTPUT
@ACTING_USER
def list_command(everyone: bool, as_json: bool, username: str) -> None:
    """List your jobs, newest first."""
    from sociaparis.jobs.service import list_jobs

    with database_session() as session:
        jobs = list_jobs(
            session=session, actor=_actor(session, username), everyone=everyone
        )
    if as_json:
        print_json([j.to_dict() for j in jobs])
        return
    for item in jobs:
        click.echo(_line(item))
    if not jobs:
        click.echo("No job.")


@job.command("show")
@click.argument("job_id", type=int)
@JSON_OUTPUT
@ACTING_USER
def show_command(job_id: int, as_json: bool, username: str) -> None:
    """Show one job: status, progress, result or error."""
    from sociaparis.jobs.service import get_job

    with database_session() as session:
        found = get_job(
            session=session,
            actor=_actor(session, username),
            job_id=job_id,
            data_dir=get_settings().data_dir,
        )
    if as_json:
        print_json(found.to_dict())
    else:
        click.echo(_line(found))


@job.command("cancel")
@click.argument("job_id", type=int)
@ACTING_USER
def cancel_command(job_id: int, username: str) -> None:
    """Cancel a queued job, or ask a running one to stop."""
    from sociaparis.jobs.queue import HueyJobQueue
    from sociaparis.jobs.service import cancel_job

    queue = HueyJobQueue(get_settings())
    with database_session() as session:
        found = cancel_job(
            session=session, actor=_actor(session, username), job_id=job_id, queue=queue
        )
    said = "cancelled" if found.status == "cancelled" else "asked to stop"
    click.echo(f"Job {job_id} {said}.")


def _lower_priority(priority: str) -> None:
    """Respondents first: the jobs (forked from this process) get the CPU the
    web server does not use."""
    if priority == "normal":
        return
    if priority == "idle" and hasattr(os, "SCHED_IDLE"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError:  # a container may forbid it: nice alone then
            pass
    os.nice(19)


def _stop_with(parent: int) -> None:
    """Stop this worker (as Ctrl+C does) once ``parent`` has ended, even killed."""
    import signal
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


@job.command("remove")
@click.argument("job_id", type=int)
@ACTING_USER
def remove_command(job_id: int, username: str) -> None:
    """Remove a finished job and its result file."""
    from sociaparis.jobs.service import remove_job

    with database_session() as session:
        remove_job(
            session=session,
            actor=_actor(session, username),
            job_id=job_id,
            data_dir=get_settings().data_dir,
        )
    click.echo(f"Job {job_id} removed.")


@job.command("worker")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Jobs run at once (one process each).",
)
@click.option(
    "--threads", is_flag=True, help="Run the jobs in threads of this process instead."
)
@click.option(
    "--priority",
    type=click.Choice(["low", "idle", "normal"]),
    default="low",
    show_default=True,
    help="CPU priority of the jobs: low is nice 19 (the web server's processes "
    "come first); idle adds Linux's SCHED_IDLE, for a worker that never writes "
    "to a SQLite database the server writes to.",
)
@click.option(
    "--parent",
    type=int,
    default=None,
    hidden=True,
    help="Stop when this process (the `serve` that started the worker) ends.",
)
def worker_command(
    workers: int, threads: bool, priority: str, parent: int | None
) -> None:
    """Run queued jobs until stopped (Ctrl+C or SIGTERM); any number of workers,
    on any machine that reaches the database and the data folder."""
    import logging

    from sociaparis.jobs.queue import HueyJobQueue

    logging.basicConfig(level=logging.WARNING)
    settings = get_settings()
    open_study(settings).dispose()
    _lower_priority(priority)
    queue = HueyJobQueue(settings)
    if parent is not None:
        _stop_with(parent)
    kind = "threads" if threads else "processes"
    click.echo(f"sociaparis job worker: {workers} {kind}, waiting for jobs", err=True)
    queue.consumer(workers=workers, processes=not threads).run()
