"""Respondent pages: information notice and consent, questionnaire pages, thanks.

Every page works without JavaScript. A page is only ever shown at the response's
current position; answers are validated by the engine on the server and saved
(committed) before the next page is shown.

The handlers are ``async`` and do their database work through the runner of
:mod:`sociaparis.web.database`, with Core statements on its connection. A page
submission is read and validated first (a read), then saved by a short write
that only applies if the response has not moved on meanwhile; the runner
commits the writes that wait together, and a page is acknowledged (redirected)
once its write is committed. When another program keeps the database locked
too long (:class:`~sociaparis.web.database.DatabaseBusy`), a submitted page
comes back with the answers typed and a message to try again (503 with
``Retry-After``); nothing is saved.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request as StarletteRequest

from sociaparis.core.caches import BoundedCache
from sociaparis.core.db import utcnow
from sociaparis.core.errors import SociaparisError
from sociaparis.survey.fielding import service, uploads
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.survey.fielding.layout import (
    closing_notes,
    has_files,
    initial_values,
    page_has_files,
    page_view,
)
from sociaparis.survey.fielding.live import has_live_logic, live_data, live_form
from sociaparis.survey.logic import FormState, page_depends_on_itself
from sociaparis.web.database import DatabaseBusy
from sociaparis.web.deps import client_host
from sociaparis.web.i18n import error_text, pick_language, translate
from sociaparis.web.render import render
from sociaparis.web.routing import Route, Routes
from sociaparis.web.security import (
    check_csrf_token,
    is_cross_site,
    make_csrf_token,
    served_url,
)

logger = logging.getLogger(__name__)

MAX_FIELDS = 2000
MAX_BODY_BYTES = 2_000_000
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
# A page with a file question is sent as multipart (each file at most
# SOCIAPARIS_UPLOAD_MAX_BYTES, checked when it is stored).
MULTIPART_CONTENT_TYPE = "multipart/form-data"
# The open link's visitor: a random value its consent token is bound to.
VISITOR_COOKIE = "sociaparis_visitor"
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


def _switch(request: Request, lang: str) -> str:
    return f"{request.url.path}{_suffix('en' if lang == 'fr' else 'fr')}"


def _secret(request: Request) -> str:
    return request.app.state.settings.secret_key


def _refuse_cross_site(request: Request) -> None:
    """A respondent form posted from another site is refused (403)."""
    if is_cross_site(request.headers, request.app.state.settings.base_url):
        raise HTTPException(status_code=403, detail="csrf_failed")


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """A respondent page: HTML whatever the path ends with (a page may be
    called ``x.json``)."""
    return render(
        request,
        template,
        context,
        status_code=status_code,
        headers=headers,
        json_twin=False,
    )


def _refuse(request: Request, error: SociaparisError, lang: str, status: int) -> Response:
    return _render(
        request,
        "error.html",
        {"lang": lang, "message": error_text(error, lang), "message_key": None},
        status_code=status,
    )


def _read_response(connection: Connection, resume: str) -> service.ResponseView:
    """The response behind ``resume``; the read transaction ends at once."""
    try:
        return service.open_response(session=connection, resume_token=resume)
    finally:
        connection.rollback()


async def _response_view(
    request: Request, resume: str
) -> service.ResponseView | SociaparisError:
    """The response behind ``resume``, or why there is none.

    Only the read runs on the database runner (in its threads on a database
    server): what a page does with the response (its logic, its template) runs
    on the event loop, so that the database threads do database work only.
    The error is returned, not raised, so that the runner keeps its connection.
    """

    def read(connection: Connection) -> service.ResponseView | SociaparisError:
        try:
            return _read_response(connection, resume)
        except SociaparisError as error:
            return error

    return await request.app.state.database.run(read)


async def _read_form(request: Request) -> FormData:
    """The urlencoded form a respondent page sent (the only kind its forms send).

    Read with limits whatever the headers claim: at most ``MAX_BODY_BYTES`` (413)
    and ``MAX_FIELDS`` fields (``FIELD_010``, 400), percent-encoded UTF-8 (400);
    another content type is 415.
    Over-long answers are then refused field by field by the engine.
    """
    content_type = request.headers.get("content-type", "").partition(";")[0].strip()
    if content_type.lower() != FORM_CONTENT_TYPE:
        raise HTTPException(status_code=415, detail="error_title")
    try:
        declared = int(request.headers.get("content-length") or 0)
    except ValueError:
        raise HTTPException(status_code=400, detail="error_title") from None
    if declared > MAX_BODY_BYTES:
        raise HTTPException(status_code=413, detail="error_title")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(status_code=413, detail="error_title")
    # Counted as parse_qsl counts them, to name the number in the refusal.
    sent = body.count(b"&") + 1
    if sent > MAX_FIELDS:
        raise SociaparisError(FieldingError.TOO_MANY_FIELDS, count=sent, limit=MAX_FIELDS)
    try:
        fields = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=MAX_FIELDS,
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(status_code=400, detail="error_title") from None
    return FormData(fields)


async def _read_page_form(request: Request) -> FormData:
    """A questionnaire page's form: urlencoded, or multipart when it has files.

    A multipart body is read with limits too: at most ``MAX_BODY_BYTES`` of
    fields and :data:`~uploads.MAX_FILES_PER_PAGE` files of the upload limit
    (413 past it, whatever ``Content-Length`` claims), ``MAX_FIELDS`` fields;
    a malformed body is 400. Files wait in temporary files until stored.
    """
    content_type = request.headers.get("content-type", "").partition(";")[0].strip()
    if content_type.lower() != MULTIPART_CONTENT_TYPE:
        return await _read_form(request)
    settings = request.app.state.settings
    limit = MAX_BODY_BYTES + settings.upload_max_bytes * uploads.MAX_FILES_PER_PAGE
    try:
        declared = int(request.headers.get("content-length") or 0)
    except ValueError:
        raise HTTPException(status_code=400, detail="error_title") from None
    if declared > limit:
        raise HTTPException(status_code=413, detail="error_title")
    received = 0

    async def receive() -> Any:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise HTTPException(status_code=413, detail="error_title")
        return message

    limited = StarletteRequest(request.scope, receive)
    try:
        return await limited.form(
            max_files=uploads.MAX_FILES_PER_PAGE,
            max_fields=MAX_FIELDS,
            max_part_size=MAX_BODY_BYTES,
        )
    except MultiPartException:
        raise HTTPException(status_code=400, detail="error_title") from None


# -- information notice and consent --------------------------------------------------


def _notice(
    request: Request,
    fielding: service.Fielding,
    title: str,
    lang: str,
    action: str,
    csrf_scope: str,
) -> Response:
    notice = fielding.notice
    sections = [
        (key, notice[key].get(lang) or notice[key].get("fr", ""))
        for key in NOTICE_SECTIONS
        if isinstance(notice.get(key), dict)
    ]
    consent = notice.get("consent") or {}
    return _render(
        request,
        "survey/notice.html",
        {
            "lang": lang,
            "title": title,
            "sections": sections,
            "consent": consent.get(lang) or consent.get("fr", ""),
            "illustrative": bool(notice.get("illustrative")),
            "switch_url": _switch(request, lang),
            "action": action,
            "csrf_token": make_csrf_token(_secret(request), csrf_scope),
        },
    )


async def _show_notice(
    request: Request,
    *,
    find_form: Callable[[Connection], str],
    action: str,
    scope: str,
    open_link: bool = False,
) -> Response:
    """The notice and consent page of the form ``find_form`` names."""
    lang = _lang(request)

    def read(
        connection: Connection,
    ) -> tuple[service.Fielding, str] | SociaparisError:
        try:
            form_id = find_form(connection)
            fielding = service.get_fielding(session=connection, form_id=form_id)
            if open_link and not fielding.open_link:
                raise SociaparisError(FieldingError.NO_OPEN_LINK, form_id=form_id)
            if fielding.closed:
                raise SociaparisError(FieldingError.CLOSED_BY_RESEARCHER)
            stored = service.fielded_version(session=connection, form_id=form_id)
        except SociaparisError as error:
            return error
        finally:
            connection.rollback()  # a read: end it before rendering
        return fielding, stored.instrument.title

    found = await request.app.state.database.run(read)
    if isinstance(found, SociaparisError):
        return _refuse(request, found, lang, _REFUSAL_STATUS.get(found.error, 404))
    fielding, title = found
    return _notice(request, fielding, title, lang, f"{action}{_suffix(lang)}", scope)


_REFUSAL_STATUS = {
    FieldingError.INVITATION_USED: 409,
    FieldingError.USE_KEY_CHANGED: 503,
    FieldingError.CLOSED_BY_RESEARCHER: 410,
}


async def _start(
    request: Request,
    *,
    scope: str,
    start: Callable[[Connection], service.StartedResponse],
) -> Response:
    """Consent given: start the response and send the respondent to its first page."""
    lang = _lang(request)
    _refuse_cross_site(request)
    form = await _read_form(request)
    if not check_csrf_token(_secret(request), scope, form.get("csrf_token")):
        raise HTTPException(status_code=403, detail="csrf_failed")

    try:
        # A refusal rolls back whatever was written before it.
        started = await request.app.state.database.write(start)
    except SociaparisError as error:
        if error.error is FieldingError.USE_KEY_CHANGED:
            # The respondent is told to come back later; the remedy is the
            # operator's.
            logger.error("%s", error)
        status = _REFUSAL_STATUS.get(error.error, 404)
        return _refuse(request, error, lang, status)
    # A new response goes straight to its first page; one found again to
    # wherever it is.
    where = f"/r/{started.resume_token}"
    if started.page is not None:
        where += f"/{started.page}"
    return _redirect(f"{where}{_suffix(lang)}")


async def invitation(request: Request, token: str) -> Response:
    return await _show_notice(
        request,
        find_form=lambda connection: service.invitation_form(
            session=connection, token=token
        ),
        action=f"/i/{token}",
        scope=f"consent:{service.hash_token(token)}",
    )


async def accept_invitation(request: Request, token: str) -> Response:
    return await _start(
        request,
        scope=f"consent:{service.hash_token(token)}",
        start=lambda connection: service.start_from_invitation(
            session=connection, token=token, secret=_secret(request)
        ),
    )


def _visitor(request: Request) -> str | None:
    """The open link's visitor value from its cookie, if it has a sane one."""
    value = request.cookies.get(VISITOR_COOKIE)
    return value if value and 16 <= len(value) <= 64 else None


async def open_link(request: Request, form_id: str) -> Response:
    """The open link's notice; its consent token is this browser's own.

    The token is bound to a random value kept in a cookie (double submit), so
    that a token read by one visitor is worth nothing in another's browser.
    """
    visitor = _visitor(request)
    known = visitor is not None
    visitor = visitor or secrets.token_urlsafe(24)
    response = await _show_notice(
        request,
        find_form=lambda _connection: form_id,
        action=f"/o/{form_id}",
        scope=f"open:{form_id}:{visitor}",
        open_link=True,
    )
    if not known:
        response.set_cookie(
            VISITOR_COOKIE,
            visitor,
            path="/o/",
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.mode == "server",
        )
    return response


async def start_open(request: Request, form_id: str) -> Response:
    if not request.app.state.open_link_limiter.allow(client_host(request)):
        raise HTTPException(
            status_code=429, detail="too_many_attempts", headers={"Retry-After": "2"}
        )
    visitor = _visitor(request)
    if visitor is None:
        raise HTTPException(status_code=403, detail="csrf_failed")
    return await _start(
        request,
        scope=f"open:{form_id}:{visitor}",
        start=lambda connection: service.start_open_response(
            session=connection, form_id=form_id
        ),
    )


# -- questionnaire pages ---------------------------------------------------------------


def _where(view: service.ResponseView, resume: str, lang: str) -> str:
    """The URL of the page the response is really at (or of the thanks page)."""
    if view.completed:
        return f"/r/{resume}{_suffix(lang)}"
    current = view.current_page or service.first_page(view)
    return f"/r/{resume}/{current}{_suffix(lang)}"


async def resume_response(request: Request, resume: str) -> Response:
    """The resume link: the thanks page once the response is completed, else a
    redirect to the page the response is at.

    The thanks page lives at the resume link itself, a path of two segments,
    which no page name can take (a page is ``/r/{resume}/{page_name}``).
    """
    lang = _lang(request)

    view = await _response_view(request, resume)
    if isinstance(view, SociaparisError):
        return _refuse(request, view, lang, 404)
    page_lang = _lang(request, view.instrument.languages)
    if not view.completed:
        return _redirect(_where(view, resume, page_lang))
    return _render(
        request,
        "survey/done.html",
        {
            "lang": page_lang,
            "title": view.instrument.title,
            "switch_url": _switch(request, page_lang),
            "closing_notes": closing_notes(view.instrument, view.answers, lang=page_lang),
        },
    )


def _response_scope(resume: str) -> str:
    """CSRF scope of a response's pages: checkable before reading the database."""
    return f"response:{service.hash_token(resume)}"


def _page(
    request: Request,
    view: service.ResponseView,
    resume: str,
    page_name: str,
    lang: str,
    *,
    answers: Any = None,
    errors: tuple = (),
    status_code: int = 200,
    evaluation: FormState | None = None,
    busy: bool = False,
    headers: dict[str, str] | None = None,
    shown: int | None = None,
) -> Response:
    instrument = view.instrument
    given = view.answers if answers is None else answers
    page = instrument.page(page_name)
    live = page is not None and has_live_logic(instrument, page)
    layout = page_view(
        instrument,
        given,
        page_name,
        lang=lang,
        errors=errors,
        evaluation=evaluation,
        # A refused page shows what was sent, as sent: an unticked default too.
        initial=None if errors else initial_values(instrument, view.attributes),
        live=live and page_depends_on_itself(instrument, page),
    )
    return _render(
        request,
        "survey/page.html",
        {
            "lang": lang,
            "title": view.instrument.title,
            "page": layout,
            "action": f"/r/{resume}/{page_name}{_suffix(lang)}",
            "revision": view.revision,
            # When the page was first shown (a page shown again keeps it): the
            # submission that sends it on records how long it was shown.
            "shown": int(time.time()) if shown is None else shown,
            "csrf_token": make_csrf_token(_secret(request), _response_scope(resume)),
            "resume_url": (
                f"{served_url(request.scope, request.app.state.settings.base_url)}"
                f"/r/{resume}"
            ),
            "switch_url": _switch(request, lang),
            "first": layout.position <= 1,
            "last": layout.position >= layout.total,
            "busy": busy,
            "upload_limit": uploads.size_text(request.app.state.settings.upload_max_bytes)
            if layout.has_upload
            else "",
            "live_form": live_form(instrument, page_name, lang, _live_texts(lang))
            if live
            else None,
            "live_data": live_data(instrument, page, given, utcnow()) if live else None,
        },
        status_code=status_code,
        headers=headers,
    )


def _live_texts(lang: str) -> tuple[tuple[str, str], ...]:
    """The respondent texts live logic shows (see :func:`live_form`)."""
    return (
        ("too_long", translate("too_long", lang)),
        ("error_prefix", translate("error_title", lang)),
        ("one_appeared", translate("live_one_appeared", lang)),
        ("many_appeared", translate("live_many_appeared", lang)),
    )


async def show_page(request: Request, resume: str, page_name: str) -> Response:
    lang = _lang(request)

    view = await _response_view(request, resume)
    if isinstance(view, SociaparisError):
        return _refuse(request, view, lang, 404)
    page_lang = _lang(request, view.instrument.languages)
    current = view.current_page or service.first_page(view)
    if view.completed or page_name != current:
        return _redirect(_where(view, resume, page_lang))
    evaluation = _NEXT_PAGE_EVALUATIONS.pop((view.id, view.revision), None)
    _SHOWN_VIEWS.put(resume, (view, evaluation))
    return _page(request, view, resume, page_name, page_lang, evaluation=evaluation)


async def submit_page(request: Request, resume: str, page_name: str) -> Response:
    _refuse_cross_site(request)
    form = await _read_page_form(request)
    try:
        return await _submit_page(request, form, resume, page_name)
    finally:
        await form.close()  # the temporary files of a multipart form


def _page_files(
    request: Request, form: FormData, view: service.ResponseView, page_name: str
) -> uploads.PageFiles | None:
    """Store the files of a page that has file questions (None: it has none)."""
    page = view.instrument.page(page_name)
    if page is None or not page_has_files(view.instrument, page_name):
        return None
    return uploads.receive_page_files(
        uploads.UploadLimits.from_settings(request.app.state.settings),
        instrument=view.instrument,
        page=page,
        response_id=view.id,
        form_id=view.form_id,
        sent={k: v for k, v in form.multi_items() if isinstance(v, UploadFile)},
        kept={k[6:]: str(v) for k, v in form.multi_items() if k.startswith("_file:")},
        removed=[k[8:] for k in form if k.startswith("_remove:")],
        instances=_int(form.get("_instances"), 0),
        lang=_lang(request, view.instrument.languages),
        dated=utcnow().date() if view.dated_only else None,
    )


async def _submit_page(
    request: Request, form: FormData, resume: str, page_name: str
) -> Response:
    fields = {
        key: [v for v in form.getlist(key) if isinstance(v, str)]
        for key in form
        if not key.startswith("_")
    }
    lang = _lang(request)

    if not check_csrf_token(_secret(request), _response_scope(resume), form.get("_csrf")):
        raise HTTPException(status_code=403, detail="csrf_failed")

    revision = _int(form.get("_revision"), -1)
    action = str(form.get("_action", "next"))[:300]
    instances = _int(form.get("_instances"), 0)
    shown = _int(form.get("_shown"), -1)
    shown_at = datetime.fromtimestamp(shown, UTC) if 0 < shown < 2**40 else None
    live = form.get("_live") == "1"

    # Read and validate before the write; the save only applies if the
    # response is still at the revision read (else: a conflict, nothing saved).
    view, shown_from = _SHOWN_VIEWS.pop(resume, (None, None))
    if view is None or view.revision != revision:
        shown_from = None
        read = await _response_view(request, resume)
        if isinstance(read, SociaparisError):
            return _refuse(request, read, lang, 404)
        view = read
    files = None
    if view.revision == revision and not view.completed:
        files = _page_files(request, form, view, page_name)
    outcome = service.plan_submission(
        view,
        page_name=page_name,
        fields={**fields, **files.fields} if files else fields,
        upload_errors=files.errors if files else (),
        revision=revision,
        action=action,
        instances=instances,
        lang=lang,
        messages={"too_long": translate("too_long", lang)},
        previous=shown_from,
        shown_at=shown_at,
        live=live,
    )
    if outcome.errors:
        _SHOWN_VIEWS.put(resume, (view, shown_from))  # shown again, same revision
        return _page(
            request,
            view,
            resume,
            page_name,
            lang,
            answers=outcome.answers,
            errors=outcome.errors,
            status_code=422,
            shown=shown if shown_at else None,
        )
    if not outcome.accepted:
        return _redirect(f"/r/{resume}{_suffix(lang)}")
    try:
        return await _save(request, resume, lang, view, outcome)
    except DatabaseBusy as busy:
        return _page(
            request,
            view,
            resume,
            page_name,
            lang,
            answers=outcome.answers,
            status_code=503,
            busy=True,
            headers={"Retry-After": str(busy.retry_after)},
            shown=shown if shown_at else None,
        )


async def _save(
    request: Request,
    resume: str,
    lang: str,
    view: service.ResponseView,
    outcome: service.PageOutcome,
) -> Response:
    """Save a page planned from ``view`` and send the respondent on."""
    # The write is committed before the redirect leaves: that is the
    # acknowledgement.
    saved = await request.app.state.database.write(
        lambda connection: service.save_submission(session=connection, outcome=outcome),
        one_statement=True,
    )
    if not saved:
        return _redirect(f"/r/{resume}{_suffix(lang)}")
    if has_files(view.instrument):
        uploads.sweep_response(
            uploads.UploadLimits.from_settings(request.app.state.settings),
            instrument=view.instrument,
            response_id=view.id,
            answers=outcome.answers,
            dated=utcnow().date() if view.dated_only else None,
        )
    if outcome.evaluation is not None:
        saved_at = (view.id, view.revision + 1)
        _NEXT_PAGE_EVALUATIONS.put(saved_at, outcome.evaluation)
    if outcome.completed or outcome.next_page is None:
        return _redirect(f"/r/{resume}{_suffix(lang)}")
    return _redirect(f"/r/{resume}/{outcome.next_page}{_suffix(lang)}")


# What one request leaves for the next one of the same respondent, which comes
# on the same keep-alive connection, so to the same process; each is used once,
# and at most _KEPT of each kind are kept.
#
# The response as read to show a page, by resume token: the page's submission
# uses it instead of reading the response again when it was shown at that
# revision. A revision's answers never change (each save moves the revision
# on), and the save applies only if the response is still at that revision.
# With it, the evaluation the page was shown from (if any), from which the
# submission evaluates again only what depends on the page.
_KEPT = 512
_SHOWN_VIEWS: BoundedCache[str, tuple[service.ResponseView, FormState | None]] = (
    BoundedCache(_KEPT)
)
# The whole-form evaluation a submission made of the answers it saved, by
# response and revision saved, for the page shown after its redirect;
# page_view uses it only if it is of exactly the answers it shows.
_NEXT_PAGE_EVALUATIONS: BoundedCache[tuple[str, int], FormState] = BoundedCache(_KEPT)


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


# The respondent pages, answered on the lean path (sociaparis.web.routing). The
# thanks page is the resume link of a completed response: no page name can shadow it.
RESPONDENT_PAGES = Routes(
    Route("GET", "/i/{token}", invitation),
    Route("POST", "/i/{token}", accept_invitation),
    Route("GET", "/o/{form_id}", open_link),
    Route("POST", "/o/{form_id}", start_open),
    Route("GET", "/r/{resume}", resume_response),
    Route("GET", "/r/{resume}/{page_name}", show_page),
    Route("POST", "/r/{resume}/{page_name}", submit_page),
)
