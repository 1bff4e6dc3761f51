"""Respondent pages: information notice and consent, questionnaire pages, thanks.

Every page works without JavaScript. A page is only ever shown at the response's
current position; answers are validated by the engine on the server and saved
(committed) before the next page is shown.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from sociaparis.core.errors import SociaparisError
from sociaparis.survey.fielding import service
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.survey.fielding.layout import page_view
from sociaparis.survey.fielding.submission import MAX_ANSWER_LENGTH
from sociaparis.survey.service import latest_instrument
from sociaparis.web.deps import SessionDep, SettingsDep
from sociaparis.web.i18n import pick_language, translate
from sociaparis.web.render import render
from sociaparis.web.security import check_csrf_token, make_csrf_token

router = APIRouter()

MAX_FIELDS = 2000
MAX_BODY_BYTES = 2_000_000
NOTICE_SECTIONS = (
    "controller",
    "purpose",
    "legal_basis",
    "recipients",
    "retention",
    "rights",
    "contact",
    "data",
)


def _lang(request: Request, languages: tuple[str, ...] = ("fr", "en")) -> str:
    return pick_language(request.query_params.get("lang"), languages)


def _suffix(lang: str) -> str:
    return "" if lang == "fr" else f"?lang={lang}"


def _notice_context(
    request: Request, fielding: service.Fielding, title: str, lang: str
) -> dict[str, Any]:
    notice = fielding.notice
    sections = [
        (key, notice[key].get(lang) or notice[key].get("fr", ""))
        for key in NOTICE_SECTIONS
        if isinstance(notice.get(key), dict)
    ]
    consent = notice.get("consent") or {}
    return {
        "lang": lang,
        "title": title,
        "sections": sections,
        "consent": consent.get(lang) or consent.get("fr", ""),
        "illustrative": bool(notice.get("illustrative")),
        "switch_url": f"{request.url.path}{_suffix('en' if lang == 'fr' else 'fr')}",
    }


def _refuse(request: Request, error: SociaparisError, lang: str, status: int) -> Response:
    return render(
        request,
        "error.html",
        {"lang": lang, "message": error.message, "message_key": None},
        status_code=status,
    )


# -- personal invitations ----------------------------------------------------------


@router.get("/i/{token}")
def invitation(request: Request, token: str, session: SessionDep) -> Response:
    lang = _lang(request)
    try:
        form_id = service.invitation_form(session=session, token=token)
        fielding = service.get_fielding(session=session, form_id=form_id)
        stored = latest_instrument(session=session, form_id=form_id)
    except SociaparisError as error:
        return _refuse(request, error, lang, 404)
    context = _notice_context(request, fielding, stored.instrument.title, lang)
    context["action"] = f"/i/{token}{_suffix(lang)}"
    context["csrf_token"] = make_csrf_token(
        request.app.state.settings.secret_key, f"consent:{service.hash_token(token)}"
    )
    return render(request, "survey/notice.html", context)


@router.post("/i/{token}")
def accept_invitation(
    request: Request,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    lang = _lang(request)
    if not check_csrf_token(
        settings.secret_key, f"consent:{service.hash_token(token)}", csrf_token
    ):
        raise HTTPException(status_code=403, detail="csrf_failed")
    try:
        started = service.start_from_invitation(
            session=session, token=token, secret=settings.secret_key
        )
    except SociaparisError as error:
        status = 409 if error.error is FieldingError.INVITATION_USED else 404
        return _refuse(request, error, lang, status)
    return RedirectResponse(f"/r/{started.resume_token}{_suffix(lang)}", status_code=303)


# -- open link ---------------------------------------------------------------------


@router.get("/o/{form_id}")
def open_link(request: Request, form_id: str, session: SessionDep) -> Response:
    lang = _lang(request)
    try:
        fielding = service.get_fielding(session=session, form_id=form_id)
        if not fielding.open_link:
            raise SociaparisError(FieldingError.NO_OPEN_LINK, form_id=form_id)
        stored = latest_instrument(session=session, form_id=form_id)
    except SociaparisError as error:
        return _refuse(request, error, lang, 404)
    context = _notice_context(request, fielding, stored.instrument.title, lang)
    context["action"] = f"/o/{form_id}{_suffix(lang)}"
    context["csrf_token"] = make_csrf_token(
        request.app.state.settings.secret_key, f"open:{form_id}"
    )
    return render(request, "survey/notice.html", context)


@router.post("/o/{form_id}")
def start_open(
    request: Request,
    form_id: str,
    session: SessionDep,
    settings: SettingsDep,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    lang = _lang(request)
    if not check_csrf_token(settings.secret_key, f"open:{form_id}", csrf_token):
        raise HTTPException(status_code=403, detail="csrf_failed")
    client = request.client.host if request.client else "unknown"
    if not request.app.state.open_link_limiter.allow(client):
        raise HTTPException(status_code=429, detail="too_many_attempts")
    try:
        started = service.start_open_response(session=session, form_id=form_id)
    except SociaparisError as error:
        return _refuse(request, error, lang, 404)
    return RedirectResponse(f"/r/{started.resume_token}{_suffix(lang)}", status_code=303)


# -- questionnaire pages ------------------------------------------------------------


def _open(session: Any, resume: str) -> service.ResponseView:
    return service.open_response(session=session, resume_token=resume)


@router.get("/r/{resume}")
def resume_response(request: Request, resume: str, session: SessionDep) -> Response:
    lang = _lang(request)
    try:
        view = _open(session, resume)
    except SociaparisError as error:
        return _refuse(request, error, lang, 404)
    lang = _lang(request, view.instrument.languages)
    if view.completed:
        return RedirectResponse(f"/r/{resume}/done{_suffix(lang)}", status_code=303)
    current = view.current_page or service.first_page(view)
    return RedirectResponse(f"/r/{resume}/{current}{_suffix(lang)}", status_code=303)


@router.get("/r/{resume}/done")
def done(request: Request, resume: str, session: SessionDep) -> Response:
    lang = _lang(request)
    try:
        view = _open(session, resume)
    except SociaparisError as error:
        return _refuse(request, error, lang, 404)
    lang = _lang(request, view.instrument.languages)
    if not view.completed:
        return RedirectResponse(f"/r/{resume}{_suffix(lang)}", status_code=303)
    return render(
        request,
        "survey/done.html",
        {
            "lang": lang,
            "title": view.instrument.title,
            "switch_url": _switch(request, lang),
        },
    )


def _switch(request: Request, lang: str) -> str:
    return f"{request.url.path}{_suffix('en' if lang == 'fr' else 'fr')}"


def _page_response(
    request: Request,
    view: service.ResponseView,
    resume: str,
    page_name: str,
    lang: str,
    *,
    answers: Any = None,
    errors: tuple = (),
    status_code: int = 200,
) -> Response:
    layout = page_view(
        view.instrument,
        view.answers if answers is None else answers,
        page_name,
        lang=lang,
        errors=errors,
    )
    settings = request.app.state.settings
    return render(
        request,
        "survey/page.html",
        {
            "lang": lang,
            "title": view.instrument.title,
            "page": layout,
            "action": f"/r/{resume}/{page_name}{_suffix(lang)}",
            "revision": view.revision,
            "csrf_token": make_csrf_token(settings.secret_key, f"response:{view.id}"),
            "resume_url": f"{request.base_url}r/{resume}",
            "switch_url": _switch(request, lang),
            "first": layout.position <= 1,
            "last": layout.position >= layout.total,
        },
        status_code=status_code,
    )


@router.get("/r/{resume}/{page_name}")
def show_page(
    request: Request, resume: str, page_name: str, session: SessionDep
) -> Response:
    lang = _lang(request)
    try:
        view = _open(session, resume)
    except SociaparisError as error:
        return _refuse(request, error, lang, 404)
    lang = _lang(request, view.instrument.languages)
    current = view.current_page or service.first_page(view)
    if view.completed or page_name != current:
        return RedirectResponse(f"/r/{resume}{_suffix(lang)}", status_code=303)
    if view.current_page is None:
        service.set_current_page(session=session, resume_token=resume, page_name=current)
    return _page_response(request, view, resume, page_name, lang)


async def _read_form(request: Request) -> FormData:
    length = int(request.headers.get("content-length") or 0)
    if length > MAX_BODY_BYTES:
        raise HTTPException(status_code=413, detail="error_title")
    return await request.form(
        max_files=0, max_fields=MAX_FIELDS, max_part_size=MAX_ANSWER_LENGTH * 4
    )


@router.post("/r/{resume}/{page_name}")
async def submit_page(request: Request, resume: str, page_name: str) -> Response:
    form = await _read_form(request)
    fields = {key: form.getlist(key) for key in form if not key.startswith("_")}
    return await run_in_threadpool(_submit, request, resume, page_name, fields, form)


def _submit(
    request: Request, resume: str, page_name: str, fields: dict, form: FormData
) -> Response:
    app = request.app
    lang = _lang(request)
    with app.state.sessions.begin() as session:
        try:
            view = _open(session, resume)
        except SociaparisError as error:
            return _refuse(request, error, lang, 404)
        lang = _lang(request, view.instrument.languages)
        if not check_csrf_token(
            app.state.settings.secret_key, f"response:{view.id}", form.get("_csrf")
        ):
            raise HTTPException(status_code=403, detail="csrf_failed")
        outcome = service.submit_page(
            session=session,
            resume_token=resume,
            page_name=page_name,
            fields=fields,
            revision=_int(form.get("_revision"), -1),
            action=str(form.get("_action", "next"))[:20],
            instances=_int(form.get("_instances"), 0),
            lang=lang,
            messages={"too_long": translate("too_long", lang)},
        )
        if outcome.errors:
            return _page_response(
                request,
                view,
                resume,
                page_name,
                lang,
                answers=outcome.answers,
                errors=outcome.errors,
                status_code=422,
            )
    # Committed: only now is the page acknowledged.
    if outcome.completed:
        return RedirectResponse(f"/r/{resume}/done{_suffix(lang)}", status_code=303)
    return RedirectResponse(f"/r/{resume}{_suffix(lang)}", status_code=303)


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default
