"""Researcher pages for background jobs: start one, follow it, cancel it,
download its result.

Each handler parses the request, calls one function of
:mod:`sociaparis.jobs.service` (the CLI's twins), and renders. The job page
works without JavaScript (reload it); ``static/jobs.js`` polls the JSON status
and moves the progress bar.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from sociaparis.core.errors import SociaparisError
from sociaparis.jobs.errors import JobError
from sociaparis.jobs.service import (
    Job,
    cancel_job,
    get_job,
    job_result,
    list_jobs,
    remove_job,
    sees_every_job,
    start_job,
)
from sociaparis.web.deps import (
    CurrentUser,
    SessionDep,
    page_context,
    require_session_csrf,
)
from sociaparis.web.i18n import error_text, pick_language, translate
from sociaparis.web.render import render

router = APIRouter()
#: a job form holds a few short fields
MAX_FORM_FIELDS = 8


def _context(request: Request, user: Any, lang: str | None, **values: Any) -> dict:
    return page_context(
        request,
        user,
        lang,
        section="jobs",
        **values,
    )


def _refused(error: SociaparisError) -> None:
    """Another account's job (or none) is 404, a refusal for the role 403; any
    other refusal is shown with its message."""
    if error.error is JobError.NOT_FOUND:
        raise HTTPException(status_code=404, detail="not_found") from None
    if error.error is JobError.NOT_ALLOWED:
        raise HTTPException(status_code=403, detail="forbidden") from None
    raise error


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _status(job: Job, lang: str) -> dict[str, Any]:
    """The job as the page's script reads it (``error_label``: why it failed or
    was cancelled, in ``lang``)."""
    failure = job.failure
    return {
        **job.to_dict(),
        "status_label": translate(f"job_status_{job.status}", lang),
        "step_label": translate(f"job_step_{job.step}", lang),
        "error_label": error_text(failure, lang) if failure is not None else None,
        "download_url": f"/jobs/{job.id}/download" if job.status == "done" else None,
    }


@router.get("/jobs")
def jobs_page(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    everyone = sees_every_job(user)
    jobs = list_jobs(
        session=session,
        actor=user,
        everyone=everyone,
        data_dir=request.app.state.settings.data_dir,
    )
    return render(
        request,
        "workbench/jobs/list.html",
        _context(request, user, lang, jobs=jobs, everyone=everyone),
        json_twin=False,
    )


@router.post("/jobs")
async def start(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    require_session_csrf(request, str(form.get("csrf_token", "")))
    language = pick_language(lang)
    parameters = {
        "form_id": str(form.get("form_id", "")),
        "fmt": str(form.get("fmt", "")),
        "lang": language,
    }
    try:
        job = start_job(
            session=session,
            actor=user,
            kind=str(form.get("kind", "")),
            parameters=parameters,
            queue=request.app.state.jobs_queue,
        )
    except SociaparisError as error:
        _refused(error)
    return _see_other(f"/jobs/{job.id}?lang={language}")


@router.get("/jobs/{job_id}")
def job_page(
    request: Request,
    job_id: int,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    try:
        job = get_job(
            session=session,
            actor=user,
            job_id=job_id,
            data_dir=request.app.state.settings.data_dir,
        )
    except SociaparisError as error:
        _refused(error)
    return render(
        request,
        "workbench/jobs/job.html",
        _context(request, user, lang, job=job),
        json_twin=False,
    )


@router.get("/jobs/{job_id}/status")
def job_status(
    request: Request,
    job_id: int,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    try:
        job = get_job(
            session=session,
            actor=user,
            job_id=job_id,
            data_dir=request.app.state.settings.data_dir,
        )
    except SociaparisError as error:
        _refused(error)
    return JSONResponse(_status(job, pick_language(lang)))


@router.post("/jobs/{job_id}/cancel")
async def cancel(
    request: Request,
    job_id: int,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    require_session_csrf(request, str(form.get("csrf_token", "")))
    try:
        cancel_job(
            session=session,
            actor=user,
            job_id=job_id,
            queue=request.app.state.jobs_queue,
        )
    except SociaparisError as error:
        _refused(error)
    return _see_other(f"/jobs/{job_id}?lang={pick_language(lang)}")


@router.post("/jobs/{job_id}/remove")
async def remove(
    request: Request,
    job_id: int,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    require_session_csrf(request, str(form.get("csrf_token", "")))
    try:
        remove_job(
            session=session,
            actor=user,
            job_id=job_id,
            data_dir=request.app.state.settings.data_dir,
        )
    except SociaparisError as error:
        _refused(error)
    return _see_other(f"/jobs?lang={pick_language(lang)}")


@router.get("/jobs/{job_id}/download")
def download(
    request: Request, job_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    try:
        path, media_type = job_result(
            session=session,
            actor=user,
            job_id=job_id,
            data_dir=request.app.state.settings.data_dir,
        )
    except SociaparisError as error:
        _refused(error)
    return FileResponse(path, media_type=media_type, filename=path.name)
