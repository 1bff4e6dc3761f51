"""The case-matrix pages (``/compare``): the comparison frames, a frame as a grid
of cases × dimensions whose every value shows its source, a cell's evidence and
history, a hand entry with its reason, import and export (CSV, XLSX).

Frames, cases and dimensions are named in the query string (``?frame=``), so
that any name a frame may have (slashes included) makes a working address.
Each handler parses the request, calls the functions of
:mod:`sociaparis.compare.matrix` that the ``sociaparis cases`` commands call
(they check the role) and renders or redirects.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from sociaparis.compare.matrix.errors import MatrixError
from sociaparis.compare.matrix.export import MEDIA_TYPES, matrix_bytes
from sociaparis.compare.matrix.service import (
    MAX_IMPORT_BYTES,
    can_edit_matrix,
    cell_history,
    frame_info,
    frame_summaries,
    import_file,
    list_cells,
    set_cell,
)
from sociaparis.compare.matrix.sources import cell_evidence
from sociaparis.core.errors import SociaparisError
from sociaparis.web.deps import (
    CurrentUser,
    SessionDep,
    page_context,
    require_session_csrf,
)
from sociaparis.web.i18n import error_text, pick_language
from sociaparis.web.render import render
from sociaparis.web.workbench.uploads import read_upload_form, uploaded_bytes

router = APIRouter()
Name = Annotated[str, Form(max_length=500)]
Token = Annotated[str, Form(max_length=128)]
#: errors that name something not there: the page is a 404
NOT_FOUND = (
    MatrixError.UNKNOWN_FRAME,
    MatrixError.UNKNOWN_CASE,
    MatrixError.UNKNOWN_DIMENSION,
)


def context(request: Request, user: Any, lang: str | None, **values: Any) -> dict:
    """What every case-matrix page shows: language, user, CSRF token, the role's
    right to edit."""
    return page_context(
        request,
        user,
        lang,
        can_edit=can_edit_matrix(user.role),
        section="compare",
        **values,
    )


def _message(exc: SociaparisError, lang: str | None) -> str:
    return f"{exc.code} : {error_text(exc, pick_language(lang))}"


def _refusal(exc: SociaparisError) -> None:
    """Raise the HTTP error for a refusal of the role (403) or an unknown frame,
    case or dimension (404); other errors are shown on the page."""
    if exc.error is MatrixError.NOT_ALLOWED:
        raise HTTPException(status_code=403, detail="forbidden") from None
    if exc.error in NOT_FOUND:
        raise HTTPException(status_code=404, detail="not_found") from None


def cell_url(frame: str, case: str, dimension: str, lang: str, **more: str) -> str:
    """The address of a cell's page."""
    query = {"frame": frame, "case": case, "dimension": dimension, "lang": lang}
    return "/compare/cell?" + urlencode({**query, **more})


def grid_url(frame: str, lang: str) -> str:
    """The address of a frame's grid."""
    return "/compare/frame?" + urlencode({"frame": frame, "lang": lang})


@router.get("/compare")
def frames_page(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    language = pick_language(lang)
    frames = frame_summaries(session=session)
    return render(
        request,
        "workbench/compare/frames.html",
        context(
            request, user, lang, frames=frames,
            grid_urls={f.name: grid_url(f.name, language) for f in frames},
            max_mb=MAX_IMPORT_BYTES // 1_000_000,
        ),
        json_twin=False,
    )  # fmt: skip


@router.get("/compare/frame")
def grid_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    frame: str,
    lang: str | None = None,
) -> Response:
    language = pick_language(lang)
    try:
        info = frame_info(session=session, frame=frame)
        found = list_cells(session=session, frame=frame)
        cells = {(c.case, c.dimension): c for c in found}
    except SociaparisError as exc:
        _refusal(exc)
        raise
    links = {
        (case, dim): cell_url(info.name, case, dim, language)
        for case, _ in info.cases
        for dim, _, _ in info.dimensions
    }
    return render(
        request,
        "workbench/compare/grid.html",
        context(
            request, user, lang, info=info, cells=cells, links=links,
            export_query=urlencode({"frame": info.name}),
        ),
        json_twin=False,
    )  # fmt: skip


def _cell_page(
    request: Request,
    user: Any,
    session: Any,
    frame: str,
    case: str,
    dimension: str,
    lang: str | None,
    *,
    done: str | None = None,
    error: str = "",
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    language = pick_language(lang)
    try:
        info = frame_info(session=session, frame=frame)
        history = cell_history(
            session=session, frame=frame, case=case, dimension=dimension
        )
        try:
            evidence = cell_evidence(
                session=session, frame=frame, case=case, dimension=dimension,
                lang=language, viewer=user,
            )  # fmt: skip
        except SociaparisError as exc:
            if exc.error is not MatrixError.EMPTY_CELL:
                raise
            evidence = None
    except SociaparisError as exc:
        _refusal(exc)
        raise
    # the names as the frame spells them (the case is found case-insensitively)
    case_name = next(c for c, _ in info.cases if c.casefold() == case.strip().casefold())
    dim = next(d for d in info.dimensions if d[0] == dimension)
    return render(
        request,
        "workbench/compare/cell.html",
        context(
            request, user, lang, info=info, case=case_name, dimension=dim,
            evidence=evidence, cell=evidence.cell if evidence else None,
            history=history, done=done, error=error, form=form or {},
            grid=grid_url(info.name, language),
            action=cell_url(info.name, case_name, dim[0], language),
        ),
        status_code=status_code,
        json_twin=False,
    )  # fmt: skip


@router.get("/compare/cell")
def cell_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    frame: str,
    case: str,
    dimension: str,
    lang: str | None = None,
    done: str | None = None,
) -> Response:
    return _cell_page(
        request, user, session, frame, case, dimension, lang,
        done="saved" if done == "saved" else None,
    )  # fmt: skip


@router.post("/compare/cell")
def save_cell(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    frame: str,
    case: str,
    dimension: str,
    value: Annotated[str, Form(max_length=20_000)],
    csrf_token: Token = "",
    reason: Annotated[str, Form(max_length=20_000)] = "",
    note: Annotated[str, Form(max_length=20_000)] = "",
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    try:
        info = frame_info(session=session, frame=frame)
    except SociaparisError as exc:
        _refusal(exc)
        raise
    # the page edits the cells of the grid: no new case or dimension from here
    if case.strip().casefold() not in {c.casefold() for c, _ in info.cases} or (
        dimension not in {d for d, _, _ in info.dimensions}
    ):
        raise HTTPException(status_code=404, detail="not_found")
    try:
        with session.begin_nested():
            cell = set_cell(
                session=session, actor=user, frame=frame, case=case,
                dimension=dimension, value=value.strip(), reason=reason,
                note=note.strip() or None,
            )  # fmt: skip
    except SociaparisError as exc:
        _refusal(exc)
        return _cell_page(
            request, user, session, frame, case, dimension, lang,
            error=_message(exc, lang), status_code=422,
            form={"value": value, "reason": reason, "note": note},
        )  # fmt: skip
    return RedirectResponse(
        cell_url(frame, cell.case, cell.dimension, pick_language(lang), done="saved"),
        status_code=303,
    )


@router.post("/compare/import")
async def import_matrix(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    form = await read_upload_form(request, max_bytes=MAX_IMPORT_BYTES)
    upload = await uploaded_bytes(form, "file", max_bytes=MAX_IMPORT_BYTES)
    frame = str(form.get("frame") or "").strip()
    description = str(form.get("description") or "").strip() or None
    if upload is None or not frame:
        raise HTTPException(status_code=400, detail="no_file")
    filename, data = upload
    result, error = None, ""
    try:
        # in a savepoint: nothing of a refused import is kept
        with session.begin_nested():
            result = import_file(
                session=session, actor=user, frame=frame, data=data,
                filename=filename, description=description,
            )  # fmt: skip
    except SociaparisError as exc:
        if exc.error is MatrixError.NOT_ALLOWED:
            _refusal(exc)
        error = _message(exc, lang)
    return render(
        request,
        "workbench/compare/import.html",
        context(
            request, user, lang, result=result, error=error, frame=frame,
            filename=filename, grid=grid_url(frame, pick_language(lang)),
        ),
        status_code=422 if error else 200,
        json_twin=False,
    )  # fmt: skip


@router.get("/compare/export")
def export_matrix_file(
    user: CurrentUser, session: SessionDep, frame: str, format: str = "csv"
) -> Response:
    if format not in MEDIA_TYPES:
        raise HTTPException(status_code=404, detail="not_found")
    try:
        data = matrix_bytes(session=session, frame=frame, fmt=format)
    except SociaparisError as exc:
        _refusal(exc)
        raise
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", frame).strip("-") or "matrix"
    return Response(
        data,
        media_type=MEDIA_TYPES[format],
        headers={"content-disposition": f'attachment; filename="{stem}.{format}"'},
    )
