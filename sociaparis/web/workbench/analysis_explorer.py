"""The survey explorer pages: weighted tables and charts, tests and models of a form.

Every handler parses the query, calls one function of
:mod:`sociaparis.reports.explorer` (the twins of ``sociaparis stats table`` and
``sociaparis stats model``), and renders. The role check and the disclosure
control are in those functions. The page is a GET form: it works without
JavaScript; ``static/explorer.js`` adds the copy-to-clipboard buttons.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.errors import SociaparisError
from sociaparis.core.spreadsheets import neutralize_formula
from sociaparis.reports.charts import render_chart, render_png
from sociaparis.reports.explorer import (
    MAX_BREAKDOWNS,
    WEIGHTINGS,
    ExplorerModel,
    ExplorerTable,
    FormData,
    TableRequest,
    explore_form,
    explore_model,
    form_variables,
    load_form,
)
from sociaparis.reports.explorer_errors import ExplorerError
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.service import list_instruments
from sociaparis.survey.study import load_study
from sociaparis.survey.study.definition import Study
from sociaparis.web.deps import CurrentUser, SessionDep, page_context
from sociaparis.web.i18n import error_text, pick_language
from sociaparis.web.render import render

router = APIRouter()
DOWNLOADS = ("csv", "xlsx")
CHART_FORMATS = ("svg", "png")


def _study(request: Request) -> Study | None:
    """The study of SOCIAPARIS_STUDY_DIR (margins and threshold), if configured."""
    path = request.app.state.settings.study_dir
    return load_study(path) if path is not None else None


def _context(request: Request, user: Any, lang: str | None, **values: Any) -> dict:
    return page_context(
        request,
        user,
        lang,
        section="explorer",
        **values,
    )


def _refused(error: SociaparisError) -> None:
    """A role refusal is 403, an unknown form 404; other refusals are shown."""
    if error.error in (ExplorerError.NOT_ALLOWED, ExplorerError.MODEL_NOT_ALLOWED):
        raise HTTPException(status_code=403, detail="forbidden") from None
    if error.error is SurveyError.INSTRUMENT_NOT_FOUND:
        raise HTTPException(status_code=404, detail="not_found") from None
    raise error


def _table_request(request: Request) -> TableRequest | None:
    """The table asked in the query string (None when no question is chosen)."""
    query = request.query_params
    questions = tuple(q for q in query.getlist("q") if q)
    if not questions:
        return None
    by = tuple(
        b for b in (query.get(f"by{k}", "") for k in range(1, MAX_BREAKDOWNS + 1)) if b
    )
    level = query.get("ci", "0.95")
    try:
        ci_level = float(level)
    except ValueError:
        ci_level = 0.95
    return TableRequest(
        questions=questions,
        by=by,
        weighting=query.get("weighting", "design"),
        test=query.get("test") == "1",
        ci_level=ci_level if 0.5 <= ci_level < 1 else 0.95,
    )


def _load(
    request: Request, session: Session, user: Account, form_id: str
) -> tuple[FormData, Study | None]:
    study = _study(request)
    try:
        return load_form(session, actor=user, form_id=form_id, study=study), study
    except SociaparisError as error:
        _refused(error)
        raise


def _table(
    request: Request,
    session: Session,
    user: Account,
    form_id: str,
    wanted: TableRequest,
    data: FormData,
    study: Study | None,
    lang: str,
) -> ExplorerTable:
    try:
        return explore_form(
            session=session,
            actor=user,
            form_id=form_id,
            request=wanted,
            study=study,
            lang=lang,
            data=data,
        )
    except SociaparisError as error:
        _refused(error)
        raise


@router.get("/analysis")
def forms_page(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    if Role(user.role) is Role.CODER:
        raise HTTPException(status_code=403, detail="forbidden")
    forms = sorted({stored.form_id for stored in list_instruments(session=session)})
    return render(
        request,
        "workbench/analysis/forms.html",
        _context(request, user, lang, forms=forms),
        json_twin=False,
    )


@router.get("/analysis/{form_id}")
def explorer_page(
    request: Request,
    form_id: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    language = pick_language(lang)
    data, study = _load(request, session, user, form_id)
    variables = form_variables(data.table, data.instrument, language)
    wanted = _table_request(request)
    result: ExplorerTable | None = None
    error = None
    model: ExplorerModel | None = None
    model_error = None
    if wanted is not None:
        try:
            result = _table(
                request, session, user, form_id, wanted, data, study, language
            )
        except SociaparisError as refusal:
            error = error_text(refusal, language)
    query = request.query_params
    response = query.get("response", "")
    predictors = tuple(p for p in query.getlist("predictor") if p)
    if response and Role(user.role).can_export():
        try:
            model = explore_model(
                session=session,
                actor=user,
                form_id=form_id,
                response=response,
                predictors=predictors,
                event=query.get("event") or None,
                weighting=query.get("model_weighting", "design"),
                study=study,
                lang=language,
                data=data,
            )
        except SociaparisError as refusal:
            model_error = error_text(refusal, language)
    study_dir = str(request.app.state.settings.study_dir or "") or None
    return render(
        request,
        "workbench/analysis/explorer.html",
        _context(
            request,
            user,
            lang,
            form_id=form_id,
            title=data.instrument.text(
                {data.instrument.default_language: data.instrument.title}, language
            )
            or form_id,
            variables=variables,
            wanted=wanted,
            result=result,
            error=error,
            weightings=WEIGHTINGS if data.margins is not None else ("design",),
            can_model=Role(user.role).can_export(),
            model=model,
            model_error=model_error,
            model_query={
                "response": response,
                "predictors": predictors,
                "event": query.get("event", ""),
                "weighting": query.get("model_weighting", "design"),
            },
            r_code=result.r_code() if result else "",
            python_code=result.python_code(study_dir) if result else "",
            model_r=model.r_code() if model else "",
            model_python=model.python_code(study_dir) if model else "",
            query=request.url.query,
        ),
        json_twin=False,
    )


def _download_frame(result: ExplorerTable) -> pd.DataFrame:
    frame = result.to_frame()
    return frame.map(neutralize_formula)


@router.get("/analysis/{form_id}/table.{fmt}")
def table_download(
    request: Request,
    form_id: str,
    fmt: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    if fmt not in DOWNLOADS:
        raise HTTPException(status_code=404, detail="not_found")
    language = pick_language(lang)
    wanted = _table_request(request)
    if wanted is None:
        raise SociaparisError(ExplorerError.NO_QUESTION)
    data, study = _load(request, session, user, form_id)
    result = _table(request, session, user, form_id, wanted, data, study, language)
    frame = _download_frame(result)
    name = f"{form_id}-table.{fmt}"
    if fmt == "csv":
        body = frame.to_csv(index=False).encode("utf-8-sig")
        media = "text/csv; charset=utf-8"
    else:
        buffer = io.BytesIO()
        frame.to_excel(buffer, index=False, sheet_name="table")
        body = buffer.getvalue()
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/analysis/{form_id}/chart/{index}.{fmt}")
def chart_download(
    request: Request,
    form_id: str,
    index: int,
    fmt: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    if fmt not in CHART_FORMATS:
        raise HTTPException(status_code=404, detail="not_found")
    language = pick_language(lang)
    wanted = _table_request(request)
    if wanted is None:
        raise SociaparisError(ExplorerError.NO_QUESTION)
    data, study = _load(request, session, user, form_id)
    result = _table(request, session, user, form_id, wanted, data, study, language)
    if not 0 <= index < len(result.charts):
        raise HTTPException(status_code=404, detail="not_found")
    chart = result.charts[index]
    headers = {}
    if request.query_params.get("download") == "1":
        headers["Content-Disposition"] = (
            f'attachment; filename="{form_id}-chart-{index + 1}.{fmt}"'
        )
    if fmt == "png":
        body = render_png(chart, lang=language, min_count=result.min_count)
        return Response(body, media_type="image/png", headers=headers)
    svg = render_chart(chart, lang=language, min_count=result.min_count, key=f"c{index}")
    document = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        + svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
        if 'xmlns="http://www.w3.org/2000/svg"' not in svg
        else svg
    )
    return Response(document, media_type="image/svg+xml", headers=headers)
