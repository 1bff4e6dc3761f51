"""The codebook editor (``/qual/codebook``): the hierarchy, each code's name,
colour, definition, criteria and example; add, move, merge, split and delete
codes with their codings following; import and export ``.qdc``, XLSX and CSV.

Each handler parses the request, calls one function of
:mod:`sociaparis.qual.codebook_service` (the CLI's ``qual codebook`` twins, which
check the role) and renders or redirects.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from sociaparis.core.errors import Issue, SociaparisError
from sociaparis.qual import codebook_service as cb
from sociaparis.qual.codebook_service import CODEBOOK_FORMATS
from sociaparis.qual.coding_service import codings_of
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.io.codebook import Limits
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
Text = Annotated[str, Form(max_length=20_000)]
Token = Annotated[str, Form(max_length=128)]
#: notices shown after a change (``?done=``)
DONE = ("added", "saved", "moved", "merged", "split", "deleted", "imported")


def context(request: Request, user: Any, lang: str | None, **values: Any) -> dict:
    """What every codebook and analysis page shows: language, user, CSRF token."""
    return page_context(
        request,
        user,
        lang,
        can_edit=user.role.can_edit_codebook(),
        **values,
    )


def refused(error: SociaparisError) -> None:
    """A refusal for the account's role is 403; any other error is raised again."""
    if error.error is CorpusError.NOT_ALLOWED:
        raise HTTPException(status_code=403, detail="forbidden") from None
    raise error


def _done(url: str, lang: str | None, done: str) -> Response:
    return RedirectResponse(f"{url}?lang={pick_language(lang)}&done={done}", 303)


def _codebook_page(
    request: Request,
    user: Any,
    session: Any,
    lang: str | None,
    *,
    done: str | None = None,
    error: str = "",
    warnings: tuple[Issue, ...] = (),
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "workbench/qual/codebook.html",
        context(
            request, user, lang, section="codebook",
            codes=cb.list_codes(session=session, viewer=user),
            done=done if done in DONE else None, error=error, warnings=warnings,
            formats=list(CODEBOOK_FORMATS),
        ),
        status_code=status_code,
        json_twin=False,
    )  # fmt: skip


def _failed(
    request: Request, user: Any, session: Any, lang: str | None, exc: SociaparisError
) -> Response:
    """The codebook page again, with the refusal's message (422)."""
    if exc.error is CorpusError.NOT_ALLOWED:
        refused(exc)
    message = f"{exc.code} : {error_text(exc, pick_language(lang))}"
    return _codebook_page(request, user, session, lang, error=message, status_code=422)


@router.get("/qual/codebook")
def codebook_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
    done: str | None = None,
) -> Response:
    return _codebook_page(request, user, session, lang, done=done)


@router.post("/qual/codebook/add")
def add_code(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    name: Annotated[str, Form(max_length=500)],
    csrf_token: Token = "",
    parent: Annotated[str, Form(max_length=40)] = "",
    description: Text = "",
    inclusion: Text = "",
    exclusion: Text = "",
    example: Text = "",
    color: Annotated[str, Form(max_length=7)] = "",
    no_color: Annotated[str, Form(max_length=3)] = "",
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    try:
        cb.add_code(
            session=session, actor=user, name=name.strip(),
            parent=int(parent) if parent.isdigit() else None,
            description=description, inclusion=inclusion, exclusion=exclusion,
            example=example, color=None if no_color or not color else color,
        )  # fmt: skip
    except SociaparisError as exc:
        return _failed(request, user, session, lang, exc)
    return _done("/qual/codebook", lang, "added")


@router.post("/qual/codebook/merge")
def merge_codes(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    target: Annotated[str, Form(max_length=40)],
    csrf_token: Token = "",
    source: Annotated[list[int] | None, Form()] = None,
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    try:
        cb.merge_codes(
            session=session,
            actor=user,
            sources=list(source or []),
            target=int(target) if target.isdigit() else target,
        )
    except SociaparisError as exc:
        return _failed(request, user, session, lang, exc)
    return _done("/qual/codebook", lang, "merged")


@router.post("/qual/codebook/import")
async def import_codebook(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    limit = Limits().max_codebook_bytes
    form = await read_upload_form(request, max_bytes=limit)
    upload = await uploaded_bytes(form, "codebook", max_bytes=limit)
    if upload is None:
        raise HTTPException(status_code=400, detail="no_file")
    try:
        _codes, warnings = cb.import_codebook(
            session=session, actor=user, path=upload[0], data=upload[1]
        )
    except SociaparisError as exc:
        return _failed(request, user, session, lang, exc)
    return _codebook_page(
        request, user, session, lang, done="imported",
        warnings=tuple(warnings),
    )  # fmt: skip


@router.get("/qual/codebook/export")
def export_codebook(
    user: CurrentUser, session: SessionDep, format: str = "qdc", headers: str = "fr"
) -> Response:
    data = cb.codebook_bytes(
        session=session, fmt=format, headers="en" if headers == "en" else "fr"
    )
    return Response(
        data,
        media_type=CODEBOOK_FORMATS[format],
        headers={"content-disposition": f'attachment; filename="codebook.{format}"'},
    )


def _code_page(
    request: Request,
    user: Any,
    session: Any,
    code_id: int,
    lang: str | None,
    *,
    done: str | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    codes = cb.list_codes(session=session, viewer=user)
    code = next((c for c in codes if c.id == code_id), None)
    if code is None:
        raise HTTPException(status_code=404, detail="not_found")
    below = {c.id for c in codes if c.path[: len(code.path)] == code.path}
    return render(
        request,
        "workbench/qual/code.html",
        context(
            request, user, lang, section="codebook", code=code, codes=codes,
            parents=[c for c in codes if c.id not in below],
            codings=codings_of(session=session, code=code_id, viewer=user),
            done=done if done in DONE else None, error=error,
        ),
        status_code=status_code,
        json_twin=False,
    )  # fmt: skip


def _code_failed(
    request: Request,
    user: Any,
    session: Any,
    code_id: int,
    lang: str | None,
    exc: SociaparisError,
) -> Response:
    if exc.error is CorpusError.NOT_ALLOWED:
        refused(exc)
    message = f"{exc.code} : {error_text(exc, pick_language(lang))}"
    return _code_page(
        request, user, session, code_id, lang, error=message, status_code=422
    )


@router.get("/qual/codebook/{code_id}")
def code_page(
    request: Request,
    code_id: int,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
    done: str | None = None,
) -> Response:
    return _code_page(request, user, session, code_id, lang, done=done)


@router.post("/qual/codebook/{code_id}")
def update_code(
    request: Request,
    code_id: int,
    user: CurrentUser,
    session: SessionDep,
    name: Annotated[str, Form(max_length=500)],
    csrf_token: Token = "",
    description: Text = "",
    inclusion: Text = "",
    exclusion: Text = "",
    example: Text = "",
    color: Annotated[str, Form(max_length=7)] = "",
    no_color: Annotated[str, Form(max_length=3)] = "",
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    try:
        cb.update_code(
            session=session, actor=user, code=code_id, name=name.strip(),
            description=description, inclusion=inclusion, exclusion=exclusion,
            example=example, color=None if no_color or not color else color,
        )  # fmt: skip
    except SociaparisError as exc:
        return _code_failed(request, user, session, code_id, lang, exc)
    return _done(f"/qual/codebook/{code_id}", lang, "saved")


@router.post("/qual/codebook/{code_id}/move")
def move_code(
    request: Request,
    code_id: int,
    user: CurrentUser,
    session: SessionDep,
    csrf_token: Token = "",
    parent: Annotated[str, Form(max_length=40)] = "",
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    try:
        cb.move_code(
            session=session, actor=user, code=code_id,
            parent=int(parent) if parent.isdigit() else None,
        )  # fmt: skip
    except SociaparisError as exc:
        return _code_failed(request, user, session, code_id, lang, exc)
    return _done(f"/qual/codebook/{code_id}", lang, "moved")


@router.post("/qual/codebook/{code_id}/split")
def split_code(
    request: Request,
    code_id: int,
    user: CurrentUser,
    session: SessionDep,
    name: Annotated[str, Form(max_length=500)],
    csrf_token: Token = "",
    coding: Annotated[list[str] | None, Form()] = None,
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    try:
        new = cb.split_code(
            session=session, actor=user, code=code_id, codings=list(coding or []),
            name=name.strip(),
        )  # fmt: skip
    except SociaparisError as exc:
        return _code_failed(request, user, session, code_id, lang, exc)
    return _done(f"/qual/codebook/{new.id}", lang, "split")


@router.post("/qual/codebook/{code_id}/delete")
def delete_code(
    request: Request,
    code_id: int,
    user: CurrentUser,
    session: SessionDep,
    csrf_token: Token = "",
    with_codings: Annotated[str, Form(max_length=3)] = "",
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    try:
        cb.delete_code(
            session=session, actor=user, code=code_id, with_codings=bool(with_codings)
        )
    except SociaparisError as exc:
        return _code_failed(request, user, session, code_id, lang, exc)
    return _done("/qual/codebook", lang, "deleted")
