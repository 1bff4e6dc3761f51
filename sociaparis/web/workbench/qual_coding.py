"""The coding view: a released document's text by turns, its codings as stripes.

The page (``/qual/documents/{id}``) is rendered on the server; its script
(``static/coding.js``) sends every change as JSON, with the session's CSRF token
in the ``X-CSRF-Token`` header, to the endpoints below, each of which calls one
function of :mod:`sociaparis.qual.coding_service` (the CLI's twins) and answers
with the document's codings as they now are, so that a coder also sees what
others coded meanwhile.  A refusal is ``{"error": CODE, "message": ...}`` with
a 4xx status.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response

from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.qual import coding_service
from sociaparis.qual.coding_view import coding_row, coding_view
from sociaparis.qual.corpus import list_documents
from sociaparis.qual.errors import QualError
from sociaparis.web.deps import (
    CurrentUser,
    SessionDep,
    page_context,
    require_session_csrf,
    session_csrf_token,
)
from sociaparis.web.i18n import MESSAGES, error_text, pick_language
from sociaparis.web.render import render
from sociaparis.web.workbench.assist import document_panel as suggestions_panel

router = APIRouter()
#: the largest JSON body a coding request may send
MAX_BODY_BYTES = 64_000
_STATUS = {
    "QUAL_200": 403,
    "QUAL_202": 404,
    "QUAL_204": 404,
    "QUAL_209": 404,
    "QUAL_205": 409,
    "QUAL_300": 409,
    "QUAL_301": 409,
    "QUAL_304": 400,
    "QUAL_306": 403,
}


def _context(request: Request, user: Any, lang: str | None, **values: Any) -> dict:
    return page_context(
        request,
        user,
        lang,
        section="qual",
        **values,
    )


def _refusal(request: Request, error: SociaparisError) -> JSONResponse:
    lang = pick_language(request.query_params.get("lang"))
    return JSONResponse(
        {"error": error.code, "message": error_text(error, lang)},
        status_code=_STATUS.get(error.code, 422),
    )


def _codings(session: Any, user: Any, document: int) -> list[list[Any]]:
    return [
        coding_row(c)
        for c in coding_service.document_codings(
            session=session, actor=user, document=document
        )
    ]


async def _body(request: Request) -> dict[str, Any]:
    """The JSON object of a request whose CSRF header is this session's."""
    try:
        require_session_csrf(request, request.headers.get("x-csrf-token"))
    except HTTPException:
        raise SociaparisError(QualError.CSRF_FAILED) from None
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise HTTPException(status_code=413, detail="upload_too_large")
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError as error:
        reason = Reason(en=f"not JSON ({error})", fr=f"ce n'est pas du JSON ({error})")
        raise SociaparisError(QualError.BAD_REQUEST, reason=reason) from None
    if not isinstance(body, dict):
        raise SociaparisError(
            QualError.BAD_REQUEST,
            reason=Reason(en="not a JSON object", fr="ce n'est pas un objet JSON"),
        )
    return body


async def _answer(
    request: Request, work: Callable[[dict[str, Any]], Response]
) -> Response:
    """Read the checked JSON body, then run ``work(body)`` in a worker thread.

    The database work must not run on the event loop: a write waiting there for
    SQLite's lock would keep the loop from finishing (committing) the request
    that holds it.  A refusal becomes ``{"error", "message"}`` before anything
    is written (the services check first), so nothing is half-written.
    """
    try:
        body = await _body(request)
        return await run_in_threadpool(work, body)
    except SociaparisError as error:
        return _refusal(request, error)


def _offset(body: dict[str, Any], name: str, required: bool = True) -> int | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SociaparisError(
            QualError.BAD_REQUEST,
            reason=Reason(
                en=f"'{name}' must be an integer, not {value!r}",
                fr=f"« {name} » doit être un nombre entier, pas {value!r}",
            ),
        )
    return value


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise SociaparisError(
            QualError.BAD_REQUEST,
            reason=Reason(
                en=f"'{name}' must be text", fr=f"« {name} » doit être du texte"
            ),
        )
    return value


# -- pages ----------------------------------------------------------------------------


@router.get("/qual/documents")
def documents_page(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    documents = list_documents(session=session)
    return render(
        request,
        "workbench/qual/documents.html",
        _context(request, user, lang, documents=documents),
        json_twin=False,
    )


@router.get("/qual/documents/{document_id}")
def coding_page(
    request: Request,
    document_id: int,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    try:
        view = coding_view(session=session, actor=user, document=document_id)
    except SociaparisError as error:
        if error.code == "QUAL_202":
            raise HTTPException(status_code=404, detail="not_found") from None
        return render(
            request,
            "workbench/qual/not_codable.html",
            _context(request, user, lang, message=error_text(error, pick_language(lang))),
            status_code=409,
            json_twin=False,
        )
    language = pick_language(lang)
    texts = {
        key[len("qual_js_") :]: value
        for key, value in MESSAGES[language].items()
        if key.startswith("qual_js_")
    }
    data = {
        **view.page_data(),
        "csrf": session_csrf_token(request),
        "lang": language,
        "texts": texts,
    }
    # Every "<" escaped: no "</script>" or "<!--" in a memo can end the island.
    island = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return render(
        request,
        "workbench/qual/coding.html",
        _context(
            request,
            user,
            lang,
            view=view,
            island=island.replace("<", "\\u003c"),
            **suggestions_panel(request, session, user, document_id),
        ),
        json_twin=False,
    )


@router.post("/qual/documents/{document_id}/memos")
def add_document_memo(
    request: Request,
    document_id: int,
    user: CurrentUser,
    session: SessionDep,
    text: Annotated[str, Form(max_length=20_000)] = "",
    target: Annotated[str, Form(max_length=200)] = "document",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    on, _, ref = target.partition(":")
    if not text.strip():
        raise SociaparisError(
            QualError.BAD_REQUEST,
            reason=Reason(en="the memo is empty", fr="le mémo est vide"),
        )
    try:
        coding_service.add_memo(
            session=session,
            actor=user,
            text=text.strip(),
            on=on,
            target=ref if on in ("case", "code") else document_id,
        )
    except SociaparisError as error:
        if error.code == "QUAL_200":
            raise HTTPException(status_code=403, detail="forbidden") from None
        raise
    return RedirectResponse(
        f"/qual/documents/{document_id}?lang={pick_language(lang)}#memos",
        status_code=303,
    )


# -- JSON endpoints of the page's script ----------------------------------------------


@router.get("/qual/documents/{document_id}/codings")
def list_codings(
    request: Request, document_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    try:
        return JSONResponse({"codings": _codings(session, user, document_id)})
    except SociaparisError as error:
        return _refusal(request, error)


@router.post("/qual/documents/{document_id}/codings")
async def apply_codes(
    request: Request, document_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    def work(body: dict[str, Any]) -> Response:
        codes = body.get("codes")
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise SociaparisError(
                QualError.BAD_REQUEST,
                reason=Reason(
                    en="'codes' must be a list of code GUIDs",
                    fr="« codes » doit être une liste de GUID de codes",
                ),
            )
        created = coding_service.apply_codes(
            session=session,
            actor=user,
            document=document_id,
            codes=codes,
            start=_offset(body, "start"),
            end=_offset(body, "end"),
            memo=_text(body, "memo") or None,
        )
        return JSONResponse(
            {
                "created": [coding_row(c) for c in created],
                "codings": _codings(session, user, document_id),
            },
            status_code=201,
        )

    return await _answer(request, work)


@router.patch("/qual/documents/{document_id}/codings/{coding}")
async def edit_coding(
    request: Request,
    document_id: int,
    coding: str,
    user: CurrentUser,
    session: SessionDep,
) -> Response:
    def work(body: dict[str, Any]) -> Response:
        changed = coding_service.edit_coding(
            session=session,
            actor=user,
            coding=coding,
            document=document_id,
            start=_offset(body, "start", required=False),
            end=_offset(body, "end", required=False),
            code=_text(body, "code"),
            memo=_text(body, "memo"),
        )
        codings = _codings(session, user, document_id)
        return JSONResponse({"coding": coding_row(changed), "codings": codings})

    return await _answer(request, work)


@router.delete("/qual/documents/{document_id}/codings/{coding}")
async def remove_coding(
    request: Request,
    document_id: int,
    coding: str,
    user: CurrentUser,
    session: SessionDep,
) -> Response:
    def work(_body: dict[str, Any]) -> Response:
        coding_service.remove_coding(
            session=session, actor=user, coding=coding, document=document_id
        )
        return JSONResponse({"codings": _codings(session, user, document_id)})

    return await _answer(request, work)


@router.post("/qual/documents/{document_id}/undo")
async def undo(
    request: Request, document_id: int, user: CurrentUser, session: SessionDep
) -> Response:
    def work(_body: dict[str, Any]) -> Response:
        result = coding_service.undo_last(
            session=session, actor=user, document=document_id
        )
        codings = _codings(session, user, document_id)
        return JSONResponse({"undone": result.to_dict(), "codings": codings})

    return await _answer(request, work)
