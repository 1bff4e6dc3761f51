"""Suggestions of a suggester in the workbench: a panel on a document's coding
view, a page per code, accept / edit / reject forms, and a form that starts a
run on a document as a background job.

Every form is a plain POST with the session's CSRF token, so the panel works
without JavaScript; ``static/assist.js`` adds the keyboard (j/k to move, a to
accept, r to reject, e to edit the bounds).  Each route calls one function of
:mod:`sociaparis.assist.service` (the CLI's twins) and redirects back with a
notice, on the suggestion that follows the one decided.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from sociaparis.accounts.roles import Role
from sociaparis.assist import service
from sociaparis.core.errors import SociaparisError
from sociaparis.jobs.service import start_job
from sociaparis.qual.codebook_service import code_row, list_codes
from sociaparis.web.deps import (
    CurrentUser,
    SessionDep,
    page_context,
    require_session_csrf,
)
from sociaparis.web.i18n import pick_language
from sociaparis.web.render import render

router = APIRouter()
#: the most form fields a decision may send (a batch: one per suggestion shown)
MAX_FORM_FIELDS = 520
#: the most suggestions shown at once
PAGE_SIZE = 200


def _safe_next(value: str, fallback: str) -> str:
    """A local path to go back to (never another site)."""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value.split("#", 1)[0]
    return fallback


def _back(path: str, lang: str, **notice: Any) -> Response:
    """Redirect to ``path`` with a notice, onto the suggestion ``focus`` if given."""
    focus = notice.pop("focus", None)
    base, _, query = path.partition("?")
    kept = [
        part
        for part in query.split("&")
        if part and part.split("=", 1)[0] not in ("done", "error", "lang")
    ]
    extra = urlencode({"lang": lang, **{k: v for k, v in notice.items() if v}})
    url = f"{base}?{'&'.join([*kept, extra])}"
    return RedirectResponse(
        url + (f"#s-{focus}" if focus else "#suggestions"), status_code=303
    )


def panel(
    session: Any,
    user: Any,
    *,
    document: int | None = None,
    code: int | None = None,
    min_confidence: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """What the suggestions panel shows: the suggestions (proposed by default),
    the filters, whether the person may decide, the suggesters a run may use."""
    from sociaparis.core.config import get_settings

    chosen = status if status in ("proposed", "accepted", "rejected") else "proposed"
    try:
        minimum = service.check_confidence(min_confidence)
        error = None
    except SociaparisError as refused:
        minimum, error = None, refused.code
    items = service.list_suggestions(
        session=session,
        viewer=user,
        document=document,
        code=code,
        status=chosen,
        min_confidence=minimum,
        limit=PAGE_SIZE,
    )
    llm = bool(getattr(get_settings(), "llm_url", None))
    codable = set(service.codable_codes(session))
    codes = [(c.id, " > ".join(c.path)) for c in list_codes(session=session)
             if c.id in codable]  # fmt: skip
    return {
        "items": items,
        "min_confidence": "" if minimum is None else f"{minimum:g}",
        "status": chosen,
        "can_decide": Role(user.role).can_edit_codebook(),
        "suggesters": ("offline", "llm") if llm else ("offline",),
        "filter_error": error,
        "codes": codes,
    }


def document_panel(
    request: Request, session: Any, user: Any, document: int
) -> dict[str, Any]:
    """The template values of the panel on a document's coding view."""
    return {
        "assist": panel(
            session,
            user,
            document=document,
            min_confidence=request.query_params.get("min_confidence"),
            status=request.query_params.get("status"),
        ),
        "here": f"/qual/documents/{document}",
        "show_document": False,
        "done": request.query_params.get("done"),
        "assist_error": request.query_params.get("error"),
    }


def _context(request: Request, user: Any, lang: str | None, **values: Any) -> dict:
    return page_context(
        request,
        user,
        lang,
        section="qual",
        done=request.query_params.get("done"),
        assist_error=request.query_params.get("error"),
        **values,
    )


@router.get("/assist/runs")
def runs_page(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    runs = service.list_runs(session=session, viewer=user)
    return render(
        request,
        "workbench/assist/runs.html",
        _context(request, user, lang, runs=runs),
        json_twin=False,
    )


@router.get("/qual/codes/{code_id}/suggestions")
def code_suggestions(
    request: Request,
    code_id: int,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
    min_confidence: str | None = None,
    status: str | None = None,
) -> Response:
    try:
        code = code_row(session, code_id)
    except SociaparisError:
        raise HTTPException(status_code=404, detail="not_found") from None
    path = next(
        " > ".join(c.path) for c in list_codes(session=session) if c.id == code.id
    )
    data = panel(
        session, user, code=code.id, min_confidence=min_confidence, status=status
    )
    return render(
        request,
        "workbench/assist/code.html",
        _context(
            request,
            user,
            lang,
            assist=data,
            code_path=path,
            here=f"/qual/codes/{code.id}/suggestions",
            show_document=True,
        ),
        json_twin=False,
    )


async def _form(request: Request) -> Any:
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    require_session_csrf(request, str(form.get("csrf_token", "")))
    return form


def _number(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


@router.post("/assist/suggestions/{suggestion_id}/{decision}")
async def decide(
    request: Request,
    suggestion_id: int,
    decision: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    if decision not in ("accept", "reject"):
        raise HTTPException(status_code=404, detail="not_found")
    form = await _form(request)
    language = pick_language(lang)
    back = _safe_next(str(form.get("next", "")), "/qual/documents")
    following = _number(form.get("following"))
    try:
        if decision == "accept":
            code = str(form.get("code") or "").strip() or None
            service.accept_suggestion(
                session=session,
                actor=user,
                suggestion=suggestion_id,
                start=_number(form.get("start")),
                end=_number(form.get("end")),
                code=int(code) if code and code.isdigit() else code,
            )
        else:
            service.reject_suggestion(
                session=session, actor=user, suggestion=suggestion_id
            )
    except SociaparisError as error:
        if error.code == "ASSIST_030":
            raise HTTPException(status_code=403, detail="forbidden") from None
        return _back(back, language, error=error.code, focus=suggestion_id)
    return _back(back, language, done=f"{decision}ed", focus=following)


@router.post("/assist/suggestions")
async def decide_batch(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    form = await _form(request)
    language = pick_language(lang)
    back = _safe_next(str(form.get("next", "")), "/qual/documents")
    decision = str(form.get("decision", ""))
    ids = [int(v) for v in form.getlist("ids") if str(v).isdigit()]
    try:
        result = service.decide_many(
            session=session, actor=user, suggestions=ids, decision=decision
        )
    except SociaparisError as error:
        if error.code == "ASSIST_030":
            raise HTTPException(status_code=403, detail="forbidden") from None
        return _back(back, language, error=error.code)
    done = f"batch_{decision}" if not result.refused else None
    error = result.refused[0][1] if result.refused else None
    return _back(back, language, done=done, error=error)


@router.post("/qual/documents/{document_id}/suggestions/run")
async def start_run_job(
    request: Request,
    document_id: int,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    form = await _form(request)
    language = pick_language(lang)
    back = f"/qual/documents/{document_id}"
    try:
        job = start_job(
            session=session,
            actor=user,
            kind="assist_run",
            parameters={
                "documents": [document_id],
                "codes": service.codable_codes(session),
                "suggester": str(form.get("suggester") or "offline"),
            },
            queue=request.app.state.jobs_queue,
        )
    except SociaparisError as error:
        if error.code == "ASSIST_030":
            raise HTTPException(status_code=403, detail="forbidden") from None
        return _back(back, language, error=error.code)
    return RedirectResponse(f"/jobs/{job.id}?lang={language}", status_code=303)
