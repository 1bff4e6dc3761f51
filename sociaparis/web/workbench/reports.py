"""Researcher pages for reports and open answers.

- ``/reports``: the forms to report on and the reports kept;
- ``/reports/{form_id}``: build a report (sections, weighting, language,
  format) as a background job of kind ``report``, follow its progress
  (``static/jobs.js``), download it; the previous builds with their
  parameters, downloadable again;
- ``/analysis/{form_id}/open`` and ``/analysis/{form_id}/open/{question}``: the
  themes of an open question's answers with their pseudonymized quotes, as
  ``sociaparis stats themes`` computes them.

Each handler parses the request, calls the service functions the CLI calls
(:mod:`sociaparis.reports.service`, :mod:`sociaparis.reports.builds`,
:mod:`sociaparis.reports.open_answers`, :mod:`sociaparis.jobs.service`) and
renders; role checks are theirs.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from sociaparis.core.errors import SociaparisError
from sociaparis.jobs.errors import JobError
from sociaparis.jobs.service import Job, job_result, list_jobs, start_job
from sociaparis.reports.builds import build_file, list_builds, remove_build
from sociaparis.reports.errors import ReportError
from sociaparis.reports.open_answers import open_questions, theme_threshold
from sociaparis.reports.sections import WEIGHTINGS
from sociaparis.reports.service import can_rake, form_outline, report_forms
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.io.errors import ExportError
from sociaparis.survey.study import Study, load_study
from sociaparis.web.charts import WIDTH, Bar, FunnelChart
from sociaparis.web.deps import (
    CurrentUser,
    SessionDep,
    page_context,
    require_session_csrf,
)
from sociaparis.web.i18n import pick_language, translate
from sociaparis.web.render import render

router = APIRouter()
#: csrf, format, language, weighting, and one field per section chosen
MAX_FORM_FIELDS = 64
#: report jobs not done (running, failed, cancelled) shown on a form's page
SHOWN_JOBS = 5


def _context(request: Request, user: Any, lang: str | None, **values: Any) -> dict:
    return page_context(
        request,
        user,
        lang,
        section="reports",
        **values,
    )


def _refused(error: SociaparisError) -> None:
    """A role's refusal is 403, an unknown form or build 404; any other refusal
    is shown with its message (the error page)."""
    if error.error in (
        ExportError.NOT_ALLOWED,
        ReportError.NOT_ALLOWED,
        JobError.NOT_ALLOWED,
    ):
        raise HTTPException(status_code=403, detail="forbidden") from None
    if error.error in (SurveyError.INSTRUMENT_NOT_FOUND, ReportError.BUILD_NOT_FOUND):
        raise HTTPException(status_code=404, detail="not_found") from None
    raise error


def _study(request: Request) -> Study | None:
    """The study ``SOCIAPARIS_STUDY_DIR`` names (its margins rake reports)."""
    folder = request.app.state.settings.study_dir
    return load_study(folder) if folder else None


@router.get("/reports")
def reports_page(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    try:
        forms = report_forms(session=session, actor=user)
        builds = list_builds(session=session, actor=user, limit=50)
    except SociaparisError as error:
        _refused(error)
    return render(
        request,
        "workbench/reports/index.html",
        _context(request, user, lang, forms=forms, builds=builds),
        json_twin=False,
    )


@router.get("/reports/{form_id}")
def form_reports_page(
    request: Request,
    form_id: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    language = pick_language(lang)
    try:
        outline = form_outline(
            session=session, actor=user, form_id=form_id, lang=language
        )
        builds = list_builds(session=session, actor=user, form_id=form_id)
        rakeable = can_rake(_study(request), session=session, form_id=form_id)
    except SociaparisError as error:
        _refused(error)
    jobs = [
        job
        for job in list_jobs(
            session=session, actor=user, data_dir=request.app.state.settings.data_dir
        )
        if job.kind == "report"
        and job.parameters.get("form_id") == form_id
        and job.status != "done"
    ][:SHOWN_JOBS]
    titles = {choice.id: choice.title for choice in outline}
    return render(
        request,
        "workbench/reports/form.html",
        _context(
            request,
            user,
            lang,
            form_id=form_id,
            outline=outline,
            titles=titles,
            builds=builds,
            jobs=jobs,
            following=next((job for job in jobs if job.active), None),
            rakeable=rakeable,
            weightings=WEIGHTINGS,
        ),
        json_twin=False,
    )


@router.post("/reports/{form_id}")
async def build(
    request: Request,
    form_id: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    require_session_csrf(request, str(form.get("csrf_token", "")))
    language = pick_language(lang)
    weighting = str(form.get("weighting", "design"))
    folder = request.app.state.settings.study_dir
    parameters = {
        "form_id": form_id,
        "fmt": str(form.get("fmt", "html")),
        "lang": str(form.get("report_lang", language)),
        "sections": [str(value) for value in form.getlist("section")],
        "weighting": weighting,
        "study": str(folder) if weighting == "raked" and folder else None,
    }
    try:
        start_job(
            session=session,
            actor=user,
            kind="report",
            parameters=parameters,
            queue=request.app.state.jobs_queue,
        )
    except SociaparisError as error:
        _refused(error)
    return RedirectResponse(f"/reports/{form_id}?lang={language}", status_code=303)


@router.get("/reports/builds/{build_id}/download")
def download(
    request: Request, build_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    try:
        path, media_type = build_file(
            session=session,
            actor=user,
            build_id=build_id,
            data_dir=request.app.state.settings.data_dir,
        )
    except SociaparisError as error:
        _refused(error)
    return FileResponse(path, media_type=media_type, filename=path.name)


@router.post("/reports/builds/{build_id}/remove")
async def remove(
    request: Request,
    build_id: int,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    form = await request.form(max_files=0, max_fields=4)
    require_session_csrf(request, str(form.get("csrf_token", "")))
    back = str(form.get("form_id", ""))
    try:
        remove_build(
            session=session,
            actor=user,
            build_id=build_id,
            data_dir=request.app.state.settings.data_dir,
        )
    except SociaparisError as error:
        _refused(error)
    target = f"/reports/{back}" if back else "/reports"
    return RedirectResponse(f"{target}?lang={pick_language(lang)}", status_code=303)


# -- open answers ---------------------------------------------------------------------


@router.get("/analysis/{form_id}/open")
def open_questions_page(
    request: Request,
    form_id: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    language = pick_language(lang)
    try:
        questions = open_questions(
            session=session, actor=user, form_id=form_id, lang=language
        )
    except SociaparisError as error:
        _refused(error)
    return render(
        request,
        "workbench/reports/open_questions.html",
        _context(request, user, lang, form_id=form_id, questions=questions),
        json_twin=False,
    )


def _whole(value: str, default: int | None) -> int | None:
    """A whole number from a query field (empty: ``default``); 400 otherwise."""
    value = value.strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise HTTPException(status_code=400, detail="bad_number")
    return int(value)


def themes_chart(sizes: list[tuple[str, int]]) -> FunnelChart:
    """Horizontal bars, one a theme, as long as its number of answers."""
    row_height = 40
    top = max((size for _, size in sizes), default=0) or 1
    span = WIDTH - 90
    bars = tuple(
        Bar(
            label=label[:90],
            y=8 + k * row_height,
            width=max(1.0, span * size / top),
            value=size,
        )
        for k, (label, size) in enumerate(sizes)
    )
    return FunnelChart(height=16 + len(sizes) * row_height, bars=bars)


def _themes_job(
    request: Request, user: Any, session: Any, wanted: dict[str, Any]
) -> Job | None:
    """The newest themes job of ``user`` with exactly the ``wanted`` parameters."""
    for job in list_jobs(
        session=session, actor=user, data_dir=request.app.state.settings.data_dir
    ):
        if job.kind == "themes" and job.parameters == wanted:
            return job
    return None


@router.get("/analysis/{form_id}/open/{question}")
def themes_page(
    request: Request,
    form_id: str,
    question: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
    n_themes: str = "",
    min_count: str = "",
) -> Response:
    language = pick_language(lang)
    chosen = _whole(n_themes, None)
    try:
        smallest = theme_threshold(_whole(min_count, None))
        questions = open_questions(
            session=session, actor=user, form_id=form_id, lang=language
        )
    except SociaparisError as error:
        _refused(error)
    labels = {q.name: q.label for q in questions}
    if question not in labels:
        raise HTTPException(status_code=404, detail="not_found")
    label = labels[question]
    wanted = {
        "form_id": form_id,
        "question": question,
        "n_themes": chosen,
        "min_count": smallest,
        "lang": language,
    }
    job = _themes_job(request, user, session, wanted)
    themes = chart = None
    if job is not None and job.status == "done":
        try:
            path, _media_type = job_result(
                session=session,
                actor=user,
                job_id=job.id,
                data_dir=request.app.state.settings.data_dir,
            )
        except SociaparisError as error:
            _refused(error)
        themes = json.loads(path.read_text(encoding="utf-8"))
        label = themes["label"]
        other = translate("themes_other", language)
        chart = themes_chart(
            [
                (
                    other if t["theme"] == "other" else f"{t['theme']}. {t['label']}",
                    t["size"],
                )
                for t in themes["themes"]
            ]
        )
    return render(
        request,
        "workbench/reports/themes.html",
        _context(
            request,
            user,
            lang,
            form_id=form_id,
            question=question,
            label=label,
            job=job,
            themes=themes,
            chart=chart,
            n_themes=chosen,
            min_count=smallest,
        ),
        json_twin=False,
    )


@router.post("/analysis/{form_id}/open/{question}")
async def compute_themes(
    request: Request,
    form_id: str,
    question: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    form = await request.form(max_files=0, max_fields=8)
    require_session_csrf(request, str(form.get("csrf_token", "")))
    language = pick_language(lang)
    chosen = _whole(str(form.get("n_themes", "")), None)
    smallest = _whole(str(form.get("min_count", "")), None)
    parameters = {
        "form_id": form_id,
        "question": question,
        "n_themes": chosen,
        "min_count": smallest,
        "lang": language,
    }
    try:
        start_job(
            session=session,
            actor=user,
            kind="themes",
            parameters=parameters,
            queue=request.app.state.jobs_queue,
        )
    except SociaparisError as error:
        _refused(error)
    query = urlencode(
        {"lang": language, "n_themes": chosen or "", "min_count": smallest or ""}
    )
    return RedirectResponse(
        f"/analysis/{form_id}/open/{quote(question)}?{query}", status_code=303
    )
