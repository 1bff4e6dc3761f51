"""Admin pages for people and access: accounts (``/admin/people``) and the audit
log (``/admin/audit``).

Each handler parses the request, calls one function of
:mod:`sociaparis.accounts.service` or :mod:`sociaparis.accounts.audit` (the
twins of ``sociaparis user``), and renders. The services refuse an account
that is not an admin (``ACCOUNT_010``), which is answered 403 here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from sociaparis.accounts import service
from sociaparis.accounts.audit import AuditFilter, audit_csv, audit_page
from sociaparis.accounts.errors import AccountError
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.errors import SociaparisError
from sociaparis.web.deps import (
    CurrentUser,
    SessionDep,
    page_context,
    require_session_csrf,
)
from sociaparis.web.i18n import error_text, pick_language, translate
from sociaparis.web.render import render

router = APIRouter(prefix="/admin")
ROLES = tuple(role.value for role in Role)
#: The confirmations a redirect may ask the people page to show.
DONE = ("create", "role", "disable", "enable", "unlock", "logout", "password")
Token = Annotated[str, Form(max_length=128)]


def _context(request: Request, user: Account, lang: str, **values: Any) -> dict:
    return page_context(
        request,
        user,
        lang,
        section="people",
        **values,
    )


def _forbidden(error: SociaparisError) -> None:
    """The role's refusal is 403; any other refusal goes on."""
    if error.error is AccountError.NOT_ADMIN:
        raise HTTPException(status_code=403, detail="forbidden") from None


def _people_page(
    request: Request,
    session: Any,
    user: Account,
    lang: str,
    *,
    notice: str = "",
    error: str = "",
    generated: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        people = service.list_people(session=session, actor=user)
    except SociaparisError as refusal:
        _forbidden(refusal)
        raise
    return render(
        request,
        "workbench/accounts/people.html",
        _context(
            request,
            user,
            lang,
            people=people,
            roles=ROLES,
            notice=notice,
            error=error,
            generated=generated,
            form=form or {"username": "", "display_name": "", "role": "researcher"},
        ),
        status_code=status_code,
        json_twin=False,
    )


@router.get("/people")
def people_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
    done: str = "",
    who: str = "",
) -> Response:
    language = pick_language(lang)
    notice = (
        translate(f"done_{done}", language).format(username=who) if done in DONE else ""
    )
    return _people_page(request, session, user, language, notice=notice)


def _act(
    request: Request,
    session: Any,
    user: Account,
    lang: str | None,
    token: str,
    done: str,
    username: str,
    change: Callable[[], Any],
) -> Response:
    """Run one account change; back to the page with its confirmation, or the
    page with the refusal (422), or 403 for a non-admin."""
    require_session_csrf(request, token)
    language = pick_language(lang)
    try:
        result = change()
    except SociaparisError as refusal:
        _forbidden(refusal)
        return _people_page(
            request,
            session,
            user,
            language,
            error=f"{refusal.code} : {error_text(refusal, language)}",
            status_code=422,
        )
    generated = getattr(result, "generated", None)
    if generated:
        # Shown on this answer only: never in a URL, a cookie or the database.
        return _people_page(
            request,
            session,
            user,
            language,
            notice=translate(f"done_{done}", language).format(username=username),
            generated={"username": username, "password": generated},
        )
    query = urlencode({"lang": language, "done": done, "who": username})
    return RedirectResponse(f"/admin/people?{query}", status_code=303)


@router.post("/people")
def create_account(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=16)] = "researcher",
    display_name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Token = "",
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    language = pick_language(lang)
    try:
        issued = service.add_account(
            session=session,
            actor=user,
            username=username,
            role=service.parse_role(role),
            display_name=display_name,
            password=password or None,
        )
    except SociaparisError as refusal:
        _forbidden(refusal)
        return _people_page(
            request,
            session,
            user,
            language,
            error=f"{refusal.code} : {error_text(refusal, language)}",
            form={"username": username, "display_name": display_name, "role": role},
            status_code=422,
        )
    return _people_page(
        request,
        session,
        user,
        language,
        notice=translate("done_create", language).format(username=username),
        generated=(
            {"username": username, "password": issued.generated}
            if issued.generated
            else None
        ),
    )


@router.post("/people/{username}/role")
def change_role(
    request: Request,
    username: str,
    user: CurrentUser,
    session: SessionDep,
    role: Annotated[str, Form(max_length=16)],
    csrf_token: Token = "",
    lang: str | None = None,
) -> Response:
    return _act(
        request,
        session,
        user,
        lang,
        csrf_token,
        "role",
        username,
        lambda: service.set_role(
            session=session,
            actor=user,
            username=username,
            role=service.parse_role(role),
        ),
    )


@router.post("/people/{username}/password")
def reset_password(
    request: Request,
    username: str,
    user: CurrentUser,
    session: SessionDep,
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Token = "",
    lang: str | None = None,
) -> Response:
    return _act(
        request,
        session,
        user,
        lang,
        csrf_token,
        "password",
        username,
        lambda: service.set_password(
            session=session, actor=user, username=username, password=password or None
        ),
    )


def _simple(name: str, call: Callable[..., Any], **fixed: Any) -> None:
    """Register ``POST /admin/people/{username}/NAME`` calling ``call``."""

    def handler(
        request: Request,
        username: str,
        user: CurrentUser,
        session: SessionDep,
        csrf_token: Token = "",
        lang: str | None = None,
    ) -> Response:
        return _act(
            request,
            session,
            user,
            lang,
            csrf_token,
            name,
            username,
            lambda: call(session=session, actor=user, username=username, **fixed),
        )

    handler.__name__ = f"{name}_account"
    router.post(f"/people/{{username}}/{name}")(handler)


_simple("disable", service.set_disabled, disabled=True)
_simple("enable", service.set_disabled, disabled=False)
_simple("unlock", service.unlock_account)
_simple("logout", service.end_all_sessions)


# -- audit log ------------------------------------------------------------------------


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(status_code=400, detail="bad_date") from None


def _where(person: str, action: str, since: str, until: str) -> AuditFilter:
    return AuditFilter(
        person=person.strip(), action=action, since=_day(since), until=_day(until)
    )


@router.get("/audit")
def audit_log(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    person: str = "",
    action: str = "",
    since: str = "",
    until: str = "",
    page: int = 1,
    lang: str | None = None,
) -> Response:
    language = pick_language(lang)
    query = {
        "lang": language,
        "person": person,
        "action": action,
        "since": since,
        "until": until,
    }
    error = ""
    try:
        log = audit_page(
            session=session,
            actor=user,
            where=_where(person, action, since, until),
            page=page,
        )
    except SociaparisError as refusal:
        _forbidden(refusal)
        error = f"{refusal.code} : {error_text(refusal, language)}"
        log = audit_page(session=session, actor=user, page=1)
    return render(
        request,
        "workbench/accounts/audit.html",
        _context(
            request,
            user,
            language,
            log=log,
            query=query,
            query_string=urlencode(query, quote_via=quote),
            error=error,
        ),
        status_code=422 if error else 200,
        json_twin=False,
    )


@router.get("/audit.csv")
def audit_download(
    user: CurrentUser,
    session: SessionDep,
    person: str = "",
    action: str = "",
    since: str = "",
    until: str = "",
) -> Response:
    try:
        data = audit_csv(
            session=session, actor=user, where=_where(person, action, since, until)
        )
    except SociaparisError as refusal:
        _forbidden(refusal)
        raise
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="audit.csv"'},
    )
