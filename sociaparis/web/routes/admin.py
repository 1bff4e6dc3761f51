"""The researcher's pages: fielded questionnaires, their progress, exports."""

from __future__ import annotations

import shutil
import tempfile
from functools import partial
from pathlib import Path

from anyio import to_process
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from sociaparis.core.errors import SociaparisError
from sociaparis.survey.exports import export_archive_apart, require_export
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.survey.fielding.monitoring import (
    TABLES,
    fielding_monitoring,
    monitoring_csv,
)
from sociaparis.survey.fielding.progress import fielding_progress
from sociaparis.survey.fielding.service import list_fieldings
from sociaparis.survey.io.errors import ExportError
from sociaparis.survey.io.writers import FORMATS
from sociaparis.web.charts import cumulative_chart, funnel_chart
from sociaparis.web.deps import CurrentUser, SessionDep, session_csrf_token
from sociaparis.web.i18n import pick_language, translate
from sociaparis.web.render import render

router = APIRouter()


def _user(user: CurrentUser) -> dict[str, str]:
    return {"username": user.username, "role": user.role.value}


@router.get("/")
def home(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    progress = [
        fielding_progress(session=session, form_id=f.form_id)
        for f in list_fieldings(session=session)
    ]
    return render(
        request,
        "admin/home.html",
        {
            "lang": pick_language(lang),
            "user": _user(user),
            "csrf_token": session_csrf_token(request),
            "fieldings": progress,
        },
    )


@router.get("/fielding/{form_id}")
def fielding_page(
    request: Request,
    form_id: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    language = pick_language(lang)
    try:
        monitoring = fielding_monitoring(session=session, form_id=form_id, lang=language)
    except SociaparisError:
        raise HTTPException(status_code=404, detail="not_found") from None
    return render(
        request,
        "admin/fielding.html",
        {
            "lang": language,
            "user": _user(user),
            "csrf_token": session_csrf_token(request),
            "progress": monitoring.progress,
            "monitoring": monitoring,
            "funnel": funnel_chart(monitoring.pages),
            "cumulative": cumulative_chart(
                monitoring.days, total_label=translate("total", language)
            ),
            "formats": FORMATS if user.role.can_export() else (),
            "tables_csv": TABLES if user.role.can_export() else (),
        },
    )


@router.get("/fielding/{form_id}/csv/{table}")
def table_download(
    form_id: str,
    table: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    try:
        name, data = monitoring_csv(
            session=session,
            form_id=form_id,
            table=table,
            actor=user,
            lang=pick_language(lang),
        )
    except SociaparisError as error:
        status = 403 if error.error is FieldingError.DOWNLOAD_NOT_ALLOWED else 404
        raise HTTPException(status_code=status, detail=error.code) from None
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@router.get("/fielding/{form_id}/export/{fmt}")
async def export_download(
    request: Request,
    form_id: str,
    fmt: str,
    user: CurrentUser,
    lang: str | None = None,
) -> Response:
    if fmt not in FORMATS:
        raise HTTPException(status_code=404, detail="not_found")
    try:
        # Refused here already, so that a refusal starts no worker process.
        require_export(user.role)
    except SociaparisError:
        raise HTTPException(status_code=403, detail="forbidden") from None
    folder = Path(tempfile.mkdtemp(prefix="sociaparis-download-"))
    try:
        # In a worker process: the export is seconds of CPU work that would
        # otherwise hold this process's interpreter and slow the respondents.
        path = await to_process.run_sync(
            partial(
                export_archive_apart,
                request.app.state.settings,
                form_id=form_id,
                fmt=fmt,
                actor=user,
                out=folder,
                lang=pick_language(lang),
            ),
            cancellable=True,
        )
    except BaseException as error:
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(error, SociaparisError) and error.error is ExportError.NOT_ALLOWED:
            raise HTTPException(status_code=403, detail="forbidden") from None
        raise
    return FileResponse(
        path,
        media_type="application/zip",
        filename=path.name,
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )
