"""The researcher's pages: fielded questionnaires, their progress, exports."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from sociaparis.core.errors import SociaparisError
from sociaparis.survey.exports import export_zip
from sociaparis.survey.fielding.progress import fielding_progress
from sociaparis.survey.fielding.service import list_fieldings
from sociaparis.survey.io.writers import FORMATS
from sociaparis.web.deps import CurrentUser, SessionDep, session_csrf_token
from sociaparis.web.i18n import pick_language
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
    try:
        progress = fielding_progress(
            session=session, form_id=form_id, lang=pick_language(lang)
        )
    except SociaparisError:
        raise HTTPException(status_code=404, detail="not_found") from None
    return render(
        request,
        "admin/fielding.html",
        {
            "lang": pick_language(lang),
            "user": _user(user),
            "csrf_token": session_csrf_token(request),
            "progress": progress,
            "formats": FORMATS if user.role.can_export() else (),
        },
    )


@router.get("/fielding/{form_id}/export/{fmt}")
def export_download(
    request: Request,
    form_id: str,
    fmt: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    if not user.role.can_export():
        raise HTTPException(status_code=403, detail="forbidden")
    if fmt not in FORMATS:
        raise HTTPException(status_code=404, detail="not_found")
    name, data = export_zip(
        session=session,
        form_id=form_id,
        fmt=fmt,
        lang=pick_language(lang),
        data_dir=request.app.state.settings.data_dir,
    )
    return Response(
        data,
        media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
